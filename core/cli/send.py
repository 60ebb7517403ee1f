"""``ecmx send``: the click wiring; the work is ``ecmx.core.jobs.send``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecmx.core.cli import console as out
from ecmx.core.cli import render
from ecmx.core.cli.options import (
    parse_day,
    parse_period,
    pass_state,
    run_job,
    table_format_option,
)
from ecmx.core.jobs.send import SendRequest, run_send


@click.command("send")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--period", callback=parse_period, help="Send this period's files, YYYY-MM.")
@click.option(
    "--plan",
    "plan_ids",
    multiple=True,
    help="With --period: this plan's files (repeatable; default all: every plan with sftp).",
)
@click.option(
    "--resend", is_flag=True, help="Send again what was sent: a correction (replaces the copy)."
)
@click.option("--dry-run", is_flag=True, help="Say what would go where; connect to nothing.")
@click.option("--today", callback=parse_day, help="Judge lateness as of this date, YYYY-MM-DD.")
@click.option(
    "--provider",
    default="provider.yaml",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The provider profile holding plans.PLAN.sftp.",
)
@table_format_option("How to print the result on stdout (json and csv: the full path).")
@pass_state
def send_command(state, files, period, plan_ids, resend, dry_run, today, provider, output_format):
    """Upload the files ecmx made to each plan's sFTP folder, and record each send.

    Give --period (with --plan) for the newest RTF and OTF/IOT of each plan, or the
    FILEs. Exit 0: all sent (or nothing to send); 1: a file refused; 4: a server
    failed; 5: a host key not trusted.
    """
    request = SendRequest(state.workspace(), tuple(files), period, tuple(plan_ids), resend,
                          dry_run, today, provider, tuple(state.plans_dirs))  # fmt: skip
    result = run_job(run_send, request, state)
    for line in result.warnings:
        out.warning_line(line)
    for line in result.problems:
        out.error_line(line)
    for line in result.notes:
        out.info(line)
    if not render.records(result.rows, result.columns, output_format) and result.rows:
        title = "ecmx send --dry-run: nothing sent" if result.dry_run else "ecmx send"
        shown = [[Path(row["file"]).name if c == "file" else row[c] for c in result.columns]
                 for row in result.rows]  # fmt: skip
        out.table(title, result.columns, shown)
    sys.exit(result.exit_code)
