"""``ecmx plans show``: a plan's layouts, codes and naming, or its assumptions."""

from __future__ import annotations

from collections.abc import Iterable

from ecmx.core.calendar.periods import Period
from ecmx.core.cli import console as out
from ecmx.core.plans.spec import Layout, PlanSpec


def _provenance(entry: object, plan: PlanSpec) -> str:
    """'assumed', or where the entry comes from: each source's title and section."""
    if isinstance(entry, dict):
        assumed, source = entry.get("assumed") is True, entry.get("source", "")
    else:
        assumed, source = getattr(entry, "assumed", False) is True, getattr(entry, "source", "")
    if assumed:
        return "assumed"
    return plan.cite(source)


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
        layout = (
            file.layout_for(period) if period else max(file.versions, key=lambda v: v.effective)
        )
        out.stdout.print(
            f"\n{kind}: {file.title}; {file.format}, sheet {file.sheet!r}, dates {file.date_format}, "
            f"named {file.naming}.{file.format}; layout {layout.version} in force from {layout.effective}"
            + (f"; filled into the template {file.template}" if file.template else ""),
            markup=False,
        )
        headers = ("#", "header", "field", "type", "required", "rules", "source")
        out.table(
            f"{plan.id} {kind} {layout.version}",
            (*headers, "key", "from") if explain else headers,
            _layout_rows(plan, kind, layout, explain),
        )
        if file.rules:
            out.stdout.print(
                "rules: " + ", ".join(f"{k}={v}" for k, v in file.rules.items()), markup=False
            )
    _show_codes(plan, explain)
    _show_calendar(plan)
    _show_billing(plan)


def _layout_rows(plan: PlanSpec, kind: str, layout: Layout, explain: bool) -> list[tuple]:
    rows: list[tuple] = []
    for index, column in enumerate(layout.columns, 1):
        what = column.field if column.field is not None else f"= {column.value!r}"
        extra = ", ".join(
            x
            for x in (
                f"codes {column.codes}" + (" (label)" if column.output == "label" else "")
                if column.codes
                else "",
                f"transform {column.transform}" if column.transform else "",
                f"max {column.max_length}" if column.max_length is not None else "",
            )
            if x
        )
        row = (
            index,
            column.header,
            what,
            column.type,
            "yes" if column.required else "",
            extra,
            _provenance(column, plan),
        )
        origin = plan.origins.get(f"files.{kind}.{column.key}", plan.origin)
        rows.append((*row, column.key or "", origin) if explain else row)
    return rows


def _show_codes(plan: PlanSpec, explain: bool) -> None:
    for name, code_list in plan.codes.items():
        codes = [
            (key, value["code"], value.get("label", ""), _provenance(value, plan))
            + ((plan.origins.get(f"codes.{name}.{key}", plan.origin),) if explain else ())
            for key, value in code_list.values.items()
        ]
        title = f"codes {name}" + (
            f" (blank -> {code_list.default})" if code_list.default is not None else ""
        )
        headers = ("key", "code", "label", "source")
        out.table(title, (*headers, "from") if explain else headers, codes)


def _show_billing(plan: PlanSpec) -> None:
    rows = [(key, str(fact.value), _provenance(fact, plan)) for key, fact in plan.billing_facts]
    if rows:
        out.table(f"{plan.id} billing (ecmx claims)", ("rule", "value", "source"), rows)


def _show_calendar(plan: PlanSpec) -> None:
    from ecmx.core.calendar.schedule import plan_events

    rows = [
        (e.name, e.title, e.party, e.describe(), e.adjust, _provenance(e, plan))
        for e in plan_events(plan)
    ]
    if rows:
        out.table(
            f"{plan.id} calendar (dates: ecmx calendar --plan {plan.id})",
            ("event", "what", "who", "when", "weekend/holiday", "source"),
            rows,
        )


def show_assumptions(plan: PlanSpec, kinds: Iterable[str]) -> None:
    rows = [
        (path, note)
        for path, note in plan.assumptions()
        if not path.startswith("files.") or path.split(".")[1] in kinds
    ]
    out.table(
        f"{plan.name}: {len(rows)} assumed value(s) to confirm with the plan",
        ("where", "what"),
        rows,
    )
