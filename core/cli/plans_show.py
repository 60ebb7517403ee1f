"""``ecmx plans show``: a plan's layouts, codes and naming, or its assumptions (the
tables: reports/plan_tables.py, shared with the web page)."""

from __future__ import annotations

from collections.abc import Iterable

from ecmx.core.calendar.periods import Period
from ecmx.core.cli import console as out
from ecmx.core.plans.spec import PlanSpec
from ecmx.core.reports import plan_tables as tables


def show_plan(
    plan: PlanSpec, kinds: Iterable[str], period: Period | None, *, explain: bool = False
) -> None:
    """The plan's files, layouts, codes, calendar and billing; with ``explain``, each
    column's key and each column and code's origin (the plan file that set it last)."""
    out.stdout.print(
        f"[bold]{plan.name}[/bold] ({plan.id}), family {plan.family or '-'}, from {plan.origin}"
    )
    for kind in kinds:
        file = plan.files[kind]
        layout = tables.layout_for(plan, kind, period)
        out.stdout.print("\n" + tables.file_line(plan, kind, layout), markup=False)
        out.table(*tables.layout_table(plan, kind, layout, explain))
        if file.rules:
            out.stdout.print(
                "rules: " + ", ".join(f"{k}={v}" for k, v in file.rules.items()), markup=False
            )
    for table in tables.code_tables(plan, explain):
        out.table(*table)
    for table in (
        tables.calendar_table(plan),
        tables.billing_table(plan),
        tables.capacity_table(plan),
    ):
        if table[2]:
            out.table(*table)


def show_assumptions(plan: PlanSpec, kinds: Iterable[str]) -> None:
    out.table(*tables.assumptions_table(plan, kinds))
