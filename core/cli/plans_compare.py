"""``ecmx plans compare``: the comparison as a terminal table, and what was written."""

from __future__ import annotations

from ecmx.core.cli import console as out
from ecmx.core.plans.compare import detail


def show_comparison(result) -> None:
    comparison = result.comparison
    template, plan = comparison.template, comparison.plan
    out.info(
        f"{template.path.name}: sheet {template.sheet!r} ({template.sheet_note}), "
        f"header {template.header_note}"
    )
    rows = [
        (
            str(index),
            row.column.header if row.column else "",
            row.key,
            row.template.header if row.template else "",
            row.template.cell if row.template else "",
            ", ".join(row.differences) or "same",
            detail(row),
        )
        for index, row in enumerate(comparison.columns, start=1)
    ]
    same = [row for row in rows if row[5] == "same"]
    if not out.verbose():  # the columns that differ; -v (and --report) every column
        rows = [row for row in rows if row[5] != "same"]
    if rows:
        out.table(
            f"{plan.id} {comparison.kind} {comparison.layout.version} vs {template.path.name}",
            ("#", "layout header", "key", "template header", "cell", "result", "detail"),
            rows,
        )
    if same and not out.verbose():
        out.info(f"{len(same)} column(s) the same as the template (-v lists them)")
    counts = comparison.counts()
    if comparison.clean:
        out.info(
            f"clean: the {len(comparison.layout.columns)} columns of the layout match the template"
        )
    else:
        said = ", ".join(f"{n} {what}" for what, n in counts.items())
        out.info(f"differs: {said} (exit 1)")
    if result.report:
        out.info(f"wrote {result.report}")
    if result.draft:
        out.info(
            f"wrote {result.draft}: plan {result.draft_id} extending {plan.id}, citing the "
            f"template as source {result.source_id}; check it: ecmx --plans-dir "
            f"{result.draft.parent} plans check"
        )
        for line in result.todo:
            out.warning_line(f"left for the integrator: {line}")
