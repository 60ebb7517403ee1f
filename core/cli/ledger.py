"""``ecmx init`` and ``ecmx ledger``: the click wiring; the work is ``ecmx.core.jobs.init``."""

from __future__ import annotations

from pathlib import Path

import click

from ecmx.core.cli import console as out
from ecmx.core.cli import render
from ecmx.core.cli.options import parse_period, pass_state, table_format_option
from ecmx.core.jobs.init import InitRequest, LedgerRequest, run_init, run_ledger

SHORT_HASH = 12


@click.command("init")
@click.argument("folder", required=False, default=".", type=click.Path(path_type=Path))
def init_command(folder):
    """Make FOLDER (default: here) a workspace: .ecmx/ with the ledger of what ecmx makes."""
    result = run_init(InitRequest(folder))
    if result.created:
        out.info(f"made the workspace {result.workspace} (ledger: {result.ledger})")
    else:
        out.info(f"{result.workspace} is already a workspace (ledger: {result.ledger})")


@click.command("ledger")
@click.option("--period", callback=parse_period, help="Only files made for this period, YYYY-MM.")
@click.option("--plan", "plan_id", help="Only this plan's files.")
@table_format_option("How to print the files on stdout (json and csv: the full sha256).")
@pass_state
def ledger_command(state, period, plan_id, output_format):
    """List what the workspace's ledger holds: the files made and received."""
    result = run_ledger(LedgerRequest(state.workspace(), period, plan_id))
    if render.records(result.rows, result.columns, output_format):
        return
    if not result.rows:
        out.info(f"the ledger of {result.workspace} holds no files yet")
    else:
        rows = [_shown(row) for row in result.rows]
        out.table(f"ecmx ledger: {result.workspace}", result.columns, rows)


LEDGER_COLUMNS = (
    "direction",
    "plan",
    "kind",
    "period",
    "file",
    "size",
    "sha256",
    "when",
    "findings",
)


def _shown(row: dict) -> list[str]:
    """A row for the terminal: the file's name, not its path, and the hash shortened."""
    shown = dict(row, file=Path(row["file"]).name, sha256=row["sha256"][:SHORT_HASH])
    return [str(shown[column]) for column in LEDGER_COLUMNS]
