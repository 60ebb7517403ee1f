"""``ecmx status``: the month board; the click wiring and the table. The work is
``ecmx.core.jobs.status`` (reading the ledger: ``ecmx.core.ledger.board``)."""

from __future__ import annotations

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
from ecmx.core.reports.board_text import HEADERS, cells

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
        grid.add_row(*cells(record), style=STYLES.get(record["level"]))
    out.stdout.print(grid)
    if not result.rows:
        out.info("no plan to show: name one with --plan")
