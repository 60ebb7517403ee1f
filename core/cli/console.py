"""Terminal output: tables and results on stdout, messages and progress on stderr.

Progress bars appear only on an interactive terminal (never in CI logs or
pipes), and --quiet keeps everything but errors and the final table away.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

_state = {"quiet": False, "verbose": False}
# Off a terminal rich assumes 80 columns and folds file names mid-word; logs can be wider.
stdout = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
stderr = Console(stderr=True, soft_wrap=True, highlight=False)


def configure(*, quiet: bool = False, verbose: bool = False) -> None:
    _state.update(quiet=quiet, verbose=verbose)
    engine = logging.getLogger("ecmx")
    if not any(isinstance(h, _EngineMessages) for h in engine.handlers):
        engine.addHandler(_EngineMessages())
        engine.setLevel(logging.INFO)
        engine.propagate = False


class _EngineMessages(logging.Handler):
    """The engine's messages (the ``ecmx`` logger) as the command line shows its own:
    warnings as ``ecmx: ...`` lines, the rest as notes; --quiet hides both."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            error_line(message)
        elif record.levelno >= logging.WARNING:
            warning_line(message)
        else:
            info(message)


def quiet() -> bool:
    return _state["quiet"]


def verbose() -> bool:
    return _state["verbose"]


def info(message: str) -> None:
    if not _state["quiet"]:
        stderr.print(message, markup=False)


def warning_line(message: str) -> None:
    if not _state["quiet"]:
        stderr.print(f"ecmx: {message}", markup=False, style="yellow")


def error_line(message: str) -> None:
    stderr.print(f"ecmx: {message}", markup=False, style="red")


def table(title: str, headers, rows) -> None:
    grid = Table(title=title, title_justify="left", show_lines=False)
    for header in headers:
        grid.add_column(header, overflow="fold")
    for row in rows:
        grid.add_row(*(str(c) for c in row))
    stdout.print(grid)


@contextlib.contextmanager
def status(message: str):
    if _state["quiet"] or not stderr.is_terminal:
        yield
        return
    with stderr.status(message):
        yield


@contextlib.contextmanager
def progress_bar(total: int, description: str):
    """Yield ``advance(label)``; draws a bar only on a terminal."""
    if _state["quiet"] or not stderr.is_terminal or total < 2:
        yield lambda label="": None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)

        def advance(label: str = "") -> None:
            bar.update(task, advance=1, description=f"{description} {label}".strip())

        yield advance


@dataclass
class _ShownStage:
    """What ``job_progress`` draws now: the stage, the stack that closes its spinner or bar,
    and the bar's ``advance`` (None for a spinner)."""

    stage: str | None = None
    stack: contextlib.ExitStack | None = None
    advance: Callable[[str], None] | None = None


@contextlib.contextmanager
def job_progress():
    """Yield a job's ``progress(stage, done, total, item)`` callback, drawn on stderr: a
    spinner for a step of unknown length (total 0), a bar for a stage of two or more steps.
    Off a terminal, or with --quiet, nothing is drawn (as ``status`` and ``progress``)."""
    if _state["quiet"] or not stderr.is_terminal:
        yield lambda stage, done, total, item="": None
        return
    with contextlib.ExitStack() as stack:
        shown = _ShownStage()

        def progress(stage: str, done: int, total: int, item: str = "") -> None:
            if shown.stage != stage:  # a new stage: the last one's spinner or bar goes
                if shown.stack is not None:
                    shown.stack.close()
                inner = stack.enter_context(contextlib.ExitStack())
                shown.stage, shown.stack, shown.advance = stage, inner, None
                if total == 0:
                    inner.enter_context(status(stage))
                else:
                    shown.advance = inner.enter_context(progress_bar(total, stage))
            if shown.advance is not None and done:
                shown.advance(item)

        yield progress


def flush() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
