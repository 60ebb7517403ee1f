"""``ecmx claims``: a group whose default is billing (``ecmx claims DATASET ...``, as
before), with ``ecmx claims load FILE...`` (read a 999, 277CA or 835 into the ledger) and
``ecmx claims status`` (each billed line's fate). The work is ``core/jobs/claims_status``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecmx.core.cli import console as out
from ecmx.core.cli import render
from ecmx.core.cli.claims import claims_command
from ecmx.core.cli.options import (
    output_options,
    parse_period,
    pass_state,
    show_values_option,
    table_format_option,
)
from ecmx.core.jobs.claims_status import (
    ClaimsLoadRequest,
    ClaimsStatusRequest,
    run_claims_load,
    run_claims_status,
)
from ecmx.core.reports.claims_status_report import cell

BILL = "bill"  # the default subcommand's name: ``ecmx claims DATASET`` bills
TABLE_COLUMNS = ("plan", "claim", "member", "line", "procedure", "service_date", "billed",
                 "acknowledged", "status", "paid", "adjusted", "codes", "next_step")  # fmt: skip


class ClaimsGroup(click.Group):
    """Billing stays ``ecmx claims DATASET ...``: any first word not a subcommand's name
    goes to the billing command, and ``ecmx claims --help`` is billing's help."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = [BILL, *args]
        return super().parse_args(ctx, args)

    def get_help(self, ctx: click.Context) -> str:
        """Billing's help, then every other subcommand (load, status, and any added later,
        such as resubmit) with its first line."""
        others = [(name, command.get_short_help_str(80)) for name, command in
                  sorted(self.commands.items()) if name != BILL]  # fmt: skip
        lines = [f"  ecmx claims {name:<10} {text}" for name, text in others]
        return self.commands[BILL].get_help(ctx) + "\n\nAfter sending:\n" + "\n".join(lines)


@click.group(
    "claims",
    cls=ClaimsGroup,
    short_help="Bill a period's encounters; follow what the plans answer.",
)
def claims_group():
    """Bill ECM encounters (the default), and follow what the plans answered."""


claims_command.name = BILL
claims_command.hidden = True
claims_group.add_command(claims_command)


@claims_group.command(
    "load", short_help="Read 999, 277CA and 835 files into the ledger, matched to the claims."
)
@output_options
@click.argument("files", metavar="FILE...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))  # fmt: skip
@click.option("--plan", "plan_id", help="The plan that sent them (recorded for a file that "
              "matches no claim billed; otherwise the matched claims' plan).")  # fmt: skip
@show_values_option
@pass_state
def load_command(state, files, plan_id, show_values):
    """Read 999, 277CA and 835 files, match them to the 837P files billed and record what
    they say about each claim and line. A file read before adds nothing. Exit code 1 when
    something in a file matches nothing billed (each named)."""
    request = ClaimsLoadRequest(tuple(files), state.workspace(), plan_id, show_values)
    result = run_claims_load(request)
    for loaded in result.files:
        said = ("read before: nothing added" if loaded.already
                else f"{loaded.outcomes} outcome(s) recorded")  # fmt: skip
        whose = f"for {loaded.plan}" if loaded.plan != "unknown" else "matching no claim billed"
        out.info(f"{loaded.path.name}: {loaded.kind.upper()} {whose}: {said}")
        for note in loaded.notes:
            out.info(note)
        for finding in loaded.findings:
            out.warning_line(finding)
    sys.exit(result.exit_code)


@claims_group.command(
    "status", short_help="Each billed line's fate (accepted, paid, denied, outstanding)."
)
@output_options
@click.option("--period", callback=parse_period, help="Service period, YYYY-MM (default: all).")
@click.option("--plan", "plan_id", default="all", show_default=True, help="A plan id, or 'all'.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every line and the totals to a .json, .csv or .xlsx report.",
)
@show_values_option
@table_format_option("How to print the lines on stdout (json and csv: every column).")
@click.option("--force", is_flag=True, help="Replace an existing report.")
@pass_state
def status_command(state, period, plan_id, report_path, show_values, output_format, force):
    """Each billed line's fate from the responses loaded: accepted or rejected (with the
    payer's codes in words), paid, adjusted, denied, outstanding; totals billed vs paid per
    plan; and what to do next. Member ids are masked unless --show-values."""
    request = ClaimsStatusRequest(state.workspace(), str(period) if period else None, plan_id,
                                  report_path, show_values, force)  # fmt: skip
    result = run_claims_status(request)
    rows = [{k: cell(v) if k != "line" else v for k, v in r.items()} for r in result.rows]
    if not render.records(rows, rows[0].keys() if rows else TABLE_COLUMNS, output_format):
        out.table(f"ecmx claims status {request.period or ''}".rstrip(), TABLE_COLUMNS,
                  [[cell(r[c]) for c in TABLE_COLUMNS] for r in result.rows])  # fmt: skip
        totals = [[plan, *(cell(t[k]) for k in ("billed", "paid", "adjusted", "denied",
                                                 "outstanding"))]
                  for plan, t in sorted(result.totals.items())]  # fmt: skip
        out.table("totals", ("plan", "billed", "paid", "adjusted", "denied", "outstanding"), totals)
    render.notes(result.notes)
    sys.exit(result.exit_code)
