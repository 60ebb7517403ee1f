"""A plan's reference page in markdown, generated from its config: never written by hand.

``plan_doc`` turns a ``PlanSpec`` into the page: identity, files, every column of each
layout version with the dates it is in force, code lists, calendar, billing, the sources
it cites (by title) and every value to confirm with the plan. ``ecmx plans doc PLAN``
prints it for any plan (a --plans-dir one too); the built-in plans' pages in docs/plans/
are regenerated with::

    python -m ecmx.core.plans.doc --all docs/plans

(tests/unit/test_plan_docs.py fails, naming that command, when a page is stale, missing
or left over.) The page holds config only, no member data; the same config gives the
same bytes.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecmx.core.plans.provenance import parse, source_paths
from ecmx.core.plans.spec import CodeList, ColumnSpec, FileSpec, Layout, PlanSpec
from ecmx.core.reports.plan_tables import capacity_rows

if TYPE_CHECKING:  # the registry loads plans: this module is imported below it
    from ecmx.core.hooks.registry import Registry

REGENERATE = "python -m ecmx.core.plans.doc --all docs/plans"
DIRECTIONS = {"to_plan": "you send it to the plan", "from_plan": "the plan sends it to you"}


def cell(value: object) -> str:
    """A value inside a markdown table cell: one line, its ``|`` escaped."""
    text = " ".join(str(value).split())
    return text.replace("|", "\\|") if text else "-"


def code(value: object) -> str:
    """A value as inline code (a fence longer than any backtick run inside it)."""
    text = " ".join(str(value).split())
    if "`" not in text:
        return f"`{text}`"
    fence = "`" * (max(len(run) for run in re.findall("`+", text)) + 1)
    return f"{fence} {text} {fence}"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def provenance(plan: PlanSpec, entry: object) -> str:
    """'assumed' (with what it cites, if anything), or the cited sources by title."""
    if isinstance(entry, Mapping):
        assumed, source = entry.get("assumed") is True, entry.get("source", "")
        if "cited" in entry:  # a calendar event's source, cited when plans load
            return _stated(entry["assumed"], entry["cited"])
    else:
        assumed, source = getattr(entry, "assumed", False) is True, getattr(entry, "source", "")
    return _stated(assumed, plan.cite(source) if source else "")


def _stated(assumed: bool, cited: str) -> str:
    if assumed:
        return f"assumed; cites {cited}" if cited else "assumed"
    return cited or "not stated"


def plan_doc(plan: PlanSpec, kinds: Mapping[str, Any]) -> str:
    """The plan's page. ``kinds`` are the registered file kinds (``registry.file_kinds``)."""
    assumed = len(plan.assumptions())
    lines = [
        f"<!-- generated from the plan config by `ecmx plans doc {plan.id}`: do not edit -->",
        f"# {plan.name} ({code(plan.id)})",
        "",
        f"Family {code(plan.family) if plan.family else '-'}"
        f"{'; extends ' + code(plan.extends) if plan.extends else ''};"
        f" config {code(Path(plan.origin).name)}.",
        f"{assumed} value(s) are assumed: confirm them with the plan ([Assumptions](#assumptions)).",
        f"Print this page with `ecmx plans doc {plan.id}`.",
        "",
        *_identity(plan),
        *_files(plan, kinds),
        *_codes(plan),
        *_calendar(plan),
        *_billing(plan),
        *_capacity(plan),
        *_sources(plan),
        *_assumptions(plan),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _identity(plan: PlanSpec) -> list[str]:
    rows = [(code(f"mcp.{key}"), fact.value, provenance(plan, fact))
            for key, fact in sorted(plan.identity.items())]  # fmt: skip
    if not rows:
        return []
    return ["## Identity", "", *table(("what", "value", "source"), rows), ""]


def _files(plan: PlanSpec, kinds: Mapping[str, Any]) -> list[str]:
    rows = []
    for name, file in plan.files.items():
        kind = kinds.get(name)
        direction = DIRECTIONS.get(getattr(kind, "direction", ""), "-")
        rows.append((code(name), file.title, direction, file.format, code(file.sheet),
                     code(f"{file.naming}.{file.format}")))  # fmt: skip
    lines = ["## Files", ""]
    lines += table(("kind", "title", "direction", "format", "sheet", "naming"), rows)
    for name, file in plan.files.items():
        lines += _file(plan, name, file)
    return [*lines, ""]


def _file_entry(plan: PlanSpec, kind: str, key: str) -> Mapping[str, Any]:
    # The typed FileSpec keeps the sheet's and name's values, not their provenance:
    # read it from the merged config the spec was built from.
    entry = ((plan.data.get("files") or {}).get(kind) or {}).get(key)
    return entry if isinstance(entry, Mapping) else {}


def _file(plan: PlanSpec, kind: str, file: FileSpec) -> list[str]:
    accepted: object = file.accepted_formats_fact or {}
    facts: list[tuple[str, object, object]] = [
        ("format", file.format, {}),
        ("accepted extensions", ", ".join(file.accepted_formats), accepted),
        ("sheet", code(file.sheet), _file_entry(plan, kind, "sheet")),
        ("file name", code(f"{file.naming}.{file.format}"), _file_entry(plan, kind, "naming")),
        ("dates written as", code(file.date_format), _file_entry(plan, kind, "date_format")),
        ("header row", file.header_row, {}),
    ]
    if file.template is not None:  # a plan's own workbook, filled by convert
        facts.append(("template", code(str(file.template)), file.template_fact or {}))
    lines = ["", f"### {code(kind)}: {file.title}", ""]
    for what, value, entry in facts:
        source = f" ({provenance(plan, entry)})" if entry else ""
        lines.append(f"- {what}: {value}{source}")
    for key, fact in sorted(file.rule_facts.items()):
        lines.append(f"- rule {code(key)}: {code(fact.value)} ({provenance(plan, fact)})")
    ordered = sorted(file.versions, key=lambda v: v.effective)
    for index, layout in enumerate(ordered):
        until = ordered[index + 1].effective if index + 1 < len(ordered) else None
        lines += _layout(plan, kind, layout, until)
    return lines


def _layout(plan: PlanSpec, kind: str, layout: Layout, until: date | None) -> list[str]:
    end = f" to {until - timedelta(days=1)}" if until else " (the latest)"
    rows = [(*_column_row(index, column), provenance(plan, column))
            for index, column in enumerate(layout.columns, 1)]  # fmt: skip
    return [
        "",
        f"#### {kind} layout {layout.version}: in force from {layout.effective}{end}",
        "",
        f"Layout source: {provenance(plan, layout)}. {len(layout.columns)} columns:",
        "",
        *table(
            ("#", "header", "canonical field", "required", "type", "transform", "codes", "source"),
            rows,
        ),
    ]


def _column_row(index: int, column: ColumnSpec) -> tuple[object, ...]:
    if column.field is not None:
        field = code(column.field)
    else:
        field = "left blank" if column.value in (None, "") else f"always {code(column.value)}"
    if column.key is not None and column.key != column.field:  # columns_patch names it so
        field += f" (key {code(column.key)})"
    kind = column.type + (f", at most {column.max_length}" if column.max_length is not None else "")
    codes = ""
    if column.codes:
        codes = code(column.codes) + (" (label)" if column.output == "label" else "")
    return (index, column.header, field, "yes" if column.required else "no", kind,
            code(column.transform) if column.transform else "", codes)  # fmt: skip


def _codes(plan: PlanSpec) -> list[str]:
    lines = ["## Code lists", ""] if plan.codes else []
    for name, code_list in sorted(plan.codes.items()):
        lines += [f"### {code(name)}", ""]
        if code_list.default is not None:
            lines += [f"A blank cell is read as {code(code_list.default)}.", ""]
        lines += [*table(("key", "code", "label", "source"), _code_rows(plan, code_list)), ""]
    return lines


def _code_rows(plan: PlanSpec, code_list: CodeList) -> Iterator[tuple[object, ...]]:
    for key, value in code_list.values.items():
        yield code(key), value.get("code", ""), value.get("label", ""), provenance(plan, value)


def _calendar(plan: PlanSpec) -> list[str]:
    events = plan.calendar.events
    if not events:
        return []
    region = plan.calendar.country + (
        f"-{plan.calendar.subdivision}" if plan.calendar.subdivision else ""
    )
    rows = [(code(e.name), e.title, code(e.file), e.party, e.describe(), e.adjust,
             provenance(plan, {"assumed": e.assumed, "cited": e.source})) for e in events]  # fmt: skip
    return [
        "## Calendar",
        "",
        f"Dates per period: `ecmx calendar --plan {plan.id}`. Business days skip weekends "
        f"and the {region} holidays; a date moves only as its weekend/holiday column says.",
        "",
        *table(("event", "what", "file", "who", "when", "weekend/holiday", "source"), rows),
        "",
    ]


def _billing(plan: PlanSpec) -> list[str]:
    rows = [(code(key), fact.value, provenance(plan, fact)) for key, fact in plan.billing_facts]
    if not rows:
        return []
    return ["## Billing", "", "How `ecmx claims` bills this plan.", "",
            *table(("rule", "value", "source"), rows), ""]  # fmt: skip


def _capacity(plan: PlanSpec) -> list[str]:
    rows = capacity_rows(plan)
    if not rows:
        return []
    return ["## Capacity", "", "What `ecmx capacity` and rule B008 check for this plan.", "",
            *table(("what", "value", "source"), rows), ""]  # fmt: skip


def _sources(plan: PlanSpec) -> list[str]:
    cited = set()
    for _, value in source_paths(plan.data):
        for text in value if isinstance(value, list) else [value]:
            citation = parse(text) if isinstance(text, str) else None
            if citation and citation.source_id in plan.sources:
                cited.add(plan.sources[citation.source_id])
    if not cited:
        return []
    rows = [
        (s.title, s.publisher, s.date, s.where)
        for s in sorted(cited, key=lambda s: (s.title, s.id))
    ]
    return ["## Sources", "", *table(("title", "publisher", "date", "where"), rows), ""]


def _assumptions(plan: PlanSpec) -> list[str]:
    rows = [(code(path), what) for path, what in plan.assumptions()]
    lines = ["## Assumptions", ""]
    if not rows:
        return [*lines, "Nothing is assumed: every value cites a source."]
    intro = (f"{len(rows)} value(s) no source states for {plan.name}: confirm each with the plan "
             f"(`ecmx plans show {plan.id} --assumptions`).")  # fmt: skip
    return [*lines, intro, "", *table(("where", "what"), rows)]


# --- docs/plans/: the built-in plans' pages --------------------------------------------------


def builtin_registry() -> Registry:
    """A registry of ecmx's own plugins only: no installed package, no --plans-dir and no
    $ECMX_PLANS_DIR, so the pages are the same on every machine."""
    import importlib

    import pluggy

    from ecmx.core import hookspecs
    from ecmx.core.hooks.manager import BUILTIN_PLUGINS, fill_registry

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    return fill_registry(pm)


def builtin_docs(registry: Registry | None = None) -> dict[str, str]:
    """``{file name: page}`` for every built-in concrete plan, by id."""
    registry = registry or builtin_registry()
    plans = sorted(registry.concrete_plans(), key=lambda p: p.id)
    return {f"{plan.id}.md": plan_doc(plan, registry.file_kinds) for plan in plans}


def write_docs(folder: Path, pages: Mapping[str, str]) -> list[str]:
    """Write each page into ``folder`` and remove the pages of plans that are gone;
    return what changed, one line each."""
    from ecmx.core.storage.atomic import atomic_file

    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for stale in sorted(p for p in folder.glob("*.md") if p.name not in pages):
        stale.unlink()
        changed.append(f"removed {stale}")
    for name, text in pages.items():
        path = folder / name
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        with atomic_file(path, force=True) as tmp:
            tmp.write_text(text, encoding="utf-8", newline="\n")
        changed.append(f"wrote {path}")
    return changed


def main(argv: Sequence[str]) -> int:
    if len(argv) != 2 or argv[0] != "--all":
        sys.stderr.write(f"usage: {REGENERATE}\n")
        return 2
    for line in write_docs(Path(argv[1]), builtin_docs()) or ["docs are up to date"]:
        sys.stdout.write(line + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
