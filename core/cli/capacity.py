"""``ecmx capacity``: the click wiring and the tables. The work is ``ecmx.core.jobs.capacity``."""

from __future__ import annotations

from pathlib import Path

import click

from ecmx.core.calendar.periods import Period
from ecmx.core.cli import console as out
from ecmx.core.cli import render
from ecmx.core.cli.options import output_options, pass_state, table_format_option
from ecmx.core.jobs.capacity import (
    MANAGER_COLUMNS,
    PLAN_COLUMNS,
    CapacityRequest,
    CapacityResult,
    run_capacity,
)


@click.command("capacity")
@output_options
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--period", "period_text", help="The period, YYYY-MM (default: last month).")
@click.option("--plan", "plan_ids", multiple=True, help="A plan id, or 'all' (the default).")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the tables to FILE: .xlsx, .csv or .json.",
)
@click.option("--force", is_flag=True, help="Replace an existing report.")
@click.option(
    "--provider",
    type=click.Path(dir_okay=False, path_type=Path),
    help="provider.yaml (default: beside the dataset).",
)
@table_format_option("How to print on stdout (json and csv: the plans, then the managers).")
@pass_state
def capacity_command(state, dataset, period_text, plan_ids, report, force, provider, output_format):
    """Members per lead care manager (more than the plan's ratio flagged: 1:50, seed 002) and,
    per plan, members enrolled on the period's last day, pending, newly enrolled,
    disenrolled, lead care managers and members per manager, with what the plan's
    capacity report asks. Changes nothing but the report; exits 0.
    """
    # parsed here, not by click, so a bad period is one line (exit 2) like every input error
    period = Period.parse(period_text) if period_text else None
    request = CapacityRequest(
        dataset, period, plan_ids, report, force, provider, plans_dirs=tuple(state.plans_dirs)
    )
    result = run_capacity(request, plugins=state.plugins())
    for note in result.notes:
        out.warning_line(note)
    if output_format == "json":
        render.records(
            [{"table": "plans", **r} for r in result.plans]
            + [{"table": "lead_care_managers", **r} for r in result.managers],
            (),
            "json",
        )
    elif output_format == "csv":
        render.records(result.plans, PLAN_COLUMNS, "csv")
        render.records(result.managers, MANAGER_COLUMNS, "csv")
    else:
        _tables(result)
    if result.report:
        out.info(f"wrote {result.report}")


def _tables(result: CapacityResult) -> None:
    out.table(
        f"ecmx capacity: period {result.period} (enrolled = on {result.period.end})",
        ("plan", "enrolled", "pending", "new", "disenrolled", "managers", "per manager",
         "ratio", "managers over"),
        [[r["plan"], r["enrolled"], r["pending"], r["newly_enrolled"], r["disenrolled"],
          r["lead_care_managers"], _blank(r["members_per_manager"]), _blank(r["ratio"]),
          r["managers_over_ratio"]] for r in result.plans],
    )  # fmt: skip
    out.table(
        "lead care managers (at most the ratio of the plans they serve: plans show PLAN)",
        ("lead care manager", "enrolled", "by plan", "ratio", "over the ratio"),
        [[m["lead_care_manager"], m["enrolled"], m["by_plan"], _blank(m["ratio"]),
          f"OVER {m['ratio']}" if m["over_limit"] else ""] for m in result.managers],
    )  # fmt: skip
    for row in result.plans:
        out.stdout.print(f"{row['plan']} asks: {row['asks']}", markup=False, soft_wrap=True)


def _blank(value) -> str:
    return "" if value is None else str(value)
