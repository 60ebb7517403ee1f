"""``ecmx status``: the month board; the click wiring and the table. The work is
``ecmx.core.jobs.status`` (reading the ledger: ``ecmx.core.ledger.board``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from rich.table import Table

from ecmx.core.cli import console as out
from ecmx.core.cli import render
from ecmx.core.cli.options import (
    output_options,
    parse_day,
    parse_period,
    pass_state,
    table_format_option,
)
from ecmx.core.jobs.status import StatusRequest, StatusResult, run_status

HEADERS = ("plan", "file", "made", "checked", "sent", "answer", "due", "state")
# The table's colours (a terminal only; piped, the table is plain text).
STYLES = {"late": "bold red", "todo": "yellow", "ok": "green"}


@click.command("status")
@output_options
@click.option(
    "--period", callback=parse_period, help="The reporting period, YYYY-MM (default: see below)."
)
@click.option(
    "--plan", "plan_ids", multiple=True, help="A plan id, or 'all' (the default). Repeatable."
)
@click.option("--today", callback=parse_day, help="Judge as of this date, YYYY-MM-DD.")
@click.option(
    "--provider",
    "provider",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The provider profile whose plans to show (default: ./provider.yaml, else the "
    "workspace's; none: every plan).",
)
@table_format_option("How to print the board on stdout (json and csv: every column).")
@pass_state
def status_command(state, period, plan_ids, today, provider, output_format):
    """The month board: each plan's RTF and OTF/IOT for a period, made, checked, sent,
    answered, when due, and what to do about it (late ones stand out).

    Reads the workspace's ledger; changes nothing; exits 0. Without --period: the
    period whose RTF was due last if a plan still accepts corrections for it
    today, else the one whose RTF is due next.
    """
    request = StatusRequest(
        state.workspace(), period, plan_ids, today, provider, tuple(state.plans_dirs)
    )
    result = run_status(request, plugins=state.plugins())
    for note in result.notes:
        out.warning_line(note)
    if not render.records(result.records, result.columns, output_format):
        _table(result)


def _table(result: StatusResult) -> None:
    grid = Table(
        title=f"ecmx status: period {result.period}, as of {result.today}",
        title_justify="left",
    )
    for header in HEADERS:
        grid.add_column(header, overflow="fold")
    for record in result.records:
        grid.add_row(*_cells(record), style=STYLES.get(record["level"]))
    out.stdout.print(grid)
    if not result.rows:
        out.info("no plan to show: name one with --plan")


def _cells(r: dict) -> list[str]:
    return [r["plan"], r["file"], _made(r), _checked(r), _sent(r), _answer(r), _due(r), r["state"]]


def _made(r: dict) -> str:
    return f"{r['made']} ({_short(r['made_at'])})" if r["made"] else "not made"


def _checked(r: dict) -> str:
    if not r["made"]:
        return ""
    return f"{_count(r['errors'], 'error')}, {_count(r['warnings'], 'warning')}"


def _sent(r: dict) -> str:
    """When it was first sent, how often since, and the last attempt if it went wrong."""
    shown = _short(r["sent_at"]) if r["sends"] else ""
    if r["resent"]:
        shown += f", resent {r['resent']}x"
    last = r["last_attempt"]
    if last in _WRONG:
        detail = r["last_attempt_detail"] if last == "failed" else ""
        trail = f"{_WRONG[last]} {_short(r['last_attempt_at'])}" + (f": {detail}" if detail else "")
        shown = f"{shown}; last attempt {trail}" if shown else trail
    return shown or "not sent"


_WRONG = {"failed": "failed", "interrupted": "interrupted", "sending": "sending now"}


def _answer(r: dict) -> str:
    if r["answer"]:
        return r["answer"] + (f": {r['answer_reason']}" if r["answer_reason"] else "")
    return "none yet" if r["sends"] else ""


def _due(r: dict) -> str:
    return f"{r['due']} {date.fromisoformat(r['due']):%a}" if r["due"] else "no due date"


def _short(when: str) -> str:
    """A ledger time to the minute, as a person reads it: 2025-12-03 10:15."""
    return when[:16].replace("T", " ")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
