"""Pieces every ``ecmx`` command shares: the invocation state and common options."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ecmx.core.calendar.periods import Period
from ecmx.core.cli import console as out
from ecmx.core.errors import EcmxError


class State:
    """Per-invocation settings and the lazily built plugin manager."""

    def __init__(self, plans_dirs, quiet, verbose, debug, workspace=None):
        self.plans_dirs = [Path(p) for p in plans_dirs]
        self.quiet, self.verbose, self.debug = quiet, verbose, debug
        self._pm = None
        self._workspace_option = workspace

    def workspace(self) -> Path | None:
        """``--workspace``, ``$ECMX_WORKSPACE`` or the nearest folder upward holding
        ``.ecmx/``; None when there is none (the command then records nothing)."""
        from ecmx.core.ledger.workspace import resolve_workspace

        return resolve_workspace(self._workspace_option)

    def plugins(self):
        if self._pm is None:
            from ecmx.core.hooks.manager import make_plugin_manager

            self._pm = make_plugin_manager(self.plans_dirs)
        return self._pm


pass_state = click.make_pass_decorator(State)


def run_job(job, request, state):
    """Run ``job`` with the invocation's plugins, its progress drawn on the terminal."""
    with out.job_progress() as progress:
        return job(request, plugins=state.plugins(), progress=progress)


def parse_period(ctx, param, value):
    if value is None:
        return None
    try:
        return Period.parse(value)
    except EcmxError as exc:
        raise click.BadParameter(str(exc)) from None


def parse_day(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write it as YYYY-MM-DD") from None


def _set_quiet(ctx, param, value):
    if value:
        out.configure(quiet=True, verbose=out.verbose())


def _set_verbose(ctx, param, value):
    if value:
        out.configure(quiet=out.quiet(), verbose=True)


def sample_options(command):
    """--members and --seed, shared by sample-data and demo."""
    members = click.option(
        "--members",
        default=60,
        show_default=True,
        type=click.IntRange(1, 2_000_000),
        help="How many synthetic members.",
    )
    seed = click.option(
        "--seed", default=7, show_default=True, type=int, help="Same seed, same data."
    )
    return members(seed(command))


def output_options(command):
    """-q/-v accepted after the command name too (``ecmx convert ... -q``)."""
    quiet = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_set_quiet,
        help="Print only errors and the final result.",
    )
    verbose = click.option(
        "-v",
        "--verbose",
        is_flag=True,
        expose_value=False,
        callback=_set_verbose,
        help="Print every finding, not a summary.",
    )
    return quiet(verbose(command))


# Options several commands share, worded once.
provider_option = click.option(
    "--provider",
    "provider_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Provider profile (default: provider.yaml beside the dataset, or its provider sheet).",
)
report_option = click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every finding to a .json, .csv, .html or .xlsx report.",
)
show_values_option = click.option(
    "--show-values",
    is_flag=True,
    help="Show cell values in the terminal and reports (they are PHI).",
)


def file_out_options(flag: str, dest: str, help_text: str, force_help: str):
    """``FLAG FILE`` (a file, never a folder) and ``--force`` to replace an existing one."""
    path_option = click.option(
        flag, dest, type=click.Path(dir_okay=False, path_type=Path), help=help_text
    )
    force_option = click.option("--force", is_flag=True, help=force_help)

    def decorate(command):
        return path_option(force_option(command))

    return decorate


def table_format_option(help_text: str):
    """``--format table|json|csv``: how a listing is printed on stdout (default: a table)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(("table", "json", "csv")),
        default="table",
        show_default=True,
        help=help_text,
    )
