"""A plan as tables: its layouts, codes, calendar, billing and assumptions, each as
``(title, headers, rows)``. ``ecmx plans show`` prints them; the web page's Plans page
shows the same tables."""

from __future__ import annotations

from collections.abc import Iterable

from ecmx.core.calendar.periods import Period
from ecmx.core.plans.spec import Layout, PlanSpec

Table = tuple[str, tuple[str, ...], list[tuple]]


def provenance(entry: object, plan: PlanSpec) -> str:
    """'assumed', or where the entry comes from: each source's title and section."""
    if isinstance(entry, dict):
        assumed, source = entry.get("assumed") is True, entry.get("source", "")
    else:
        assumed, source = getattr(entry, "assumed", False) is True, getattr(entry, "source", "")
    if assumed:
        return "assumed"
    return plan.cite(source)


def file_line(plan: PlanSpec, kind: str, layout: Layout) -> str:
    """One line about a plan's file: its format, sheet, dates, naming and layout."""
    file = plan.files[kind]
    return (
        f"{kind}: {file.title}; {file.format}, sheet {file.sheet!r}, dates {file.date_format}, "
        f"named {file.naming}.{file.format}; layout {layout.version} in force from {layout.effective}"
        + (f"; filled into the template {file.template}" if file.template else "")
    )


def layout_for(plan: PlanSpec, kind: str, period: Period | None) -> Layout:
    file = plan.files[kind]
    return file.layout_for(period) if period else max(file.versions, key=lambda v: v.effective)


def layout_table(plan: PlanSpec, kind: str, layout: Layout, explain: bool = False) -> Table:
    headers: tuple[str, ...] = ("#", "header", "field", "type", "required", "rules", "source")
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
            provenance(column, plan),
        )
        origin = plan.origins.get(f"files.{kind}.{column.key}", plan.origin)
        rows.append((*row, column.key or "", origin) if explain else row)
    if explain:
        headers = (*headers, "key", "from")
    return f"{plan.id} {kind} {layout.version}", headers, rows


def code_tables(plan: PlanSpec, explain: bool = False) -> list[Table]:
    tables: list[Table] = []
    for name, code_list in plan.codes.items():
        codes = [
            (key, value["code"], value.get("label", ""), provenance(value, plan))
            + ((plan.origins.get(f"codes.{name}.{key}", plan.origin),) if explain else ())
            for key, value in code_list.values.items()
        ]
        title = f"codes {name}" + (
            f" (blank -> {code_list.default})" if code_list.default is not None else ""
        )
        headers: tuple[str, ...] = ("key", "code", "label", "source")
        tables.append((title, (*headers, "from") if explain else headers, codes))
    return tables


def billing_table(plan: PlanSpec) -> Table:
    rows = [(key, str(fact.value), provenance(fact, plan)) for key, fact in plan.billing_facts]
    return f"{plan.id} billing (ecmx claims)", ("rule", "value", "source"), rows


def capacity_rows(plan: PlanSpec) -> list[tuple[str, str, str]]:
    """``capacity:`` as (what, value, where it comes from): an assumed entry says its note,
    so what to confirm with the plan shows where it is read."""

    def cited(entry) -> str:
        if entry.assumed:
            return f"assumed: {entry.note}" if entry.note else "assumed"
        return plan.cite(entry.source)

    rows = []
    ratio, report = plan.capacity.ratio, plan.capacity.report
    if ratio is not None:
        rows.append(("lead care managers to members, at most", f"1:{ratio.value}", cited(ratio)))
    if report is not None:
        rows.append(("capacity report", report.describe, cited(report)))
    elif ratio is not None:
        rows.append(("capacity report", "none asked for in the plan's config", ""))
    return rows


def capacity_table(plan: PlanSpec) -> Table:
    return (
        f"{plan.id} capacity (ecmx capacity)",
        ("what", "value", "source"),
        capacity_rows(plan),
    )


def calendar_table(plan: PlanSpec) -> Table:
    from ecmx.core.calendar.schedule import plan_events

    rows = [
        (e.name, e.title, e.party, e.describe(), e.adjust, provenance(e, plan))
        for e in plan_events(plan)
    ]
    return (
        f"{plan.id} calendar (dates: ecmx calendar --plan {plan.id})",
        ("event", "what", "who", "when", "weekend/holiday", "source"),
        rows,
    )


def assumptions_table(plan: PlanSpec, kinds: Iterable[str]) -> Table:
    kinds = set(kinds)
    rows = [
        (path, note)
        for path, note in plan.assumptions()
        if not path.startswith("files.") or path.split(".")[1] in kinds
    ]
    return (
        f"{plan.name}: {len(rows)} assumed value(s) to confirm with the plan",
        ("where", "what"),
        rows,
    )
