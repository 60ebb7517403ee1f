"""``plans compare --write-yaml``: the plan YAML that makes a layout match its template.

The draft is a plan that extends the compared one, with the plan's identity written out
(never inherited, ``plans.identity``) and one ``files.<kind>.columns_patch``: renamed
headers changed by key, extra template columns inserted where the template has them (a
canonical field where one fits, else an empty column marked "TODO for the integrator"),
missing columns removed, the order set; a validation list that differs from a code list
by as many codes missing as extra changes those codes (``codes.<list>.values.<key>``).
Each changed or added entry cites the template: ``SOURCE-ID: sheet S, cell C3``, the
source being an entry of the draft's own ``sources:`` (``source_lines``).
"""

from __future__ import annotations

import json
import re
import shlex
from datetime import date
from pathlib import Path

from ecmx.core.errors import printable
from ecmx.core.plans.compare import ColumnCompare, Comparison
from ecmx.core.plans.identity import IDENTITY
from ecmx.core.plans.template_read import normalise


def _q(text: object) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(str(text), ensure_ascii=False)


def source_id_for(path: Path) -> str:
    """A sources-list id named after the template file: ``RTF Template.xlsx`` -> rtf-template."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return slug if slug and slug[0].isalnum() else f"template-{slug}".rstrip("-")


def source_lines(source_id: str, comparison: Comparison, when: date) -> list[str]:
    """The draft's own ``sources:`` (docs/configuration.md): the template, which speaks for
    the draft's plan."""
    template = comparison.template
    return [
        "",
        "sources:  # the template the columns and codes below cite; it speaks for this plan",
        f"  {source_id}:",
        f"    title: {_q(f'{template.path.name}: the {comparison.kind} template')}",
        f"    date: {_q(f'the file as received, modified {when.isoformat()}')}",
        f"    where: {_q(str(template.path.resolve()))}",
    ]


class _Draft:
    def __init__(self, comparison: Comparison, source_id: str):
        self.c = comparison
        self.source_id = source_id
        self.todo: list[str] = []
        self.keys = {
            c.key for v in comparison.plan.files[comparison.kind].versions for c in v.columns
        }
        self.extra_keys: dict[int, str] = {}  # template position -> the inserted column's key

    def cite(self, cell: str, what: str = "cell") -> str:
        sheet, _, ref = cell.partition("!")
        return _q(f"{self.source_id}: sheet {sheet}, {what} {ref}")

    def new_key(self, row: ColumnCompare) -> str | None:
        """None: the field is the key; else a key from the header, new in the layout."""
        if row.field and row.field not in self.keys:
            self.keys.add(row.field)
            return None
        base = re.sub(r"[^a-z0-9]+", "_", normalise(row.tpl.header)).strip("_") or "column"
        base = base if base[0].isalpha() else f"column_{base}"
        key, n = base, 2
        while key in self.keys:
            key, n = f"{base}_{n}", n + 1
        self.keys.add(key)
        return key


def draft_yaml(
    comparison: Comparison, plan_id: str, source_id: str, command: str, when: date
) -> tuple[str, list[str]]:
    """The draft's text, and what it leaves to the integrator (one line each)."""
    draft = _Draft(comparison, source_id)
    patch = _patch_lines(draft)
    codes = _code_lines(draft)
    draft.todo += [
        f"{r.tpl.cell} {r.tpl.header!r}: {r.format_problem}: the draft does not change "
        "it; change the template's number format, or the column's type: with columns_patch"
        for r in comparison.columns
        if r.format_problem and r.template is not None
    ]
    lines = [*_head(comparison, plan_id, source_id, command), *_identity(comparison)]
    lines += source_lines(source_id, comparison, when)
    if patch:
        lines += ["", "files:", f"  {comparison.kind}:", "    columns_patch:", *patch]
    if codes:
        lines += ["", "codes:", *codes]
    if draft.todo:
        lines += ["", "# Left for the integrator:", *(f"#   - {t}" for t in draft.todo)]
    return "\n".join(lines) + "\n", draft.todo


def _head(comparison: Comparison, plan_id: str, source_id: str, command: str) -> list[str]:
    plan, template = comparison.plan, comparison.template
    name = shlex.quote(printable(template.path.name))  # in a comment: no line break
    return [
        f"# Drafted by: {printable(command)}",
        f"# {plan.id}'s {comparison.kind} layout {comparison.layout.version} held against "
        f"{name}, sheet {printable(template.sheet)}, header row {template.header_row}.",
        f"# This plan is {plan.id} as its template has it; each column and code changed here",
        f"# cites the template (source {source_id}, in sources: below). To change {plan.id}",
        "# itself (a plan of your --plans-dir), copy sources:, files: and codes: into",
        "# its YAML instead. The columns_patch applies to every layout version of the file.",
        "# Check it, then compare again (exit 0 when the layout matches):",
        "#   ecmx --plans-dir DIR plans check",
        f"#   ecmx --plans-dir DIR plans compare {name} --plan {plan_id} --kind {comparison.kind}",
        f"id: {plan_id}",
        f"name: {_q(f'{plan.name} ({template.path.name})')}",
        f"extends: {plan.id}",
    ]


def _identity(comparison: Comparison) -> list[str]:
    """The plan's identity as the compared plan's config has it (never inherited)."""
    plan = comparison.plan
    lines: list[str] = []
    groups: set[str] = set()
    for group, key, what in IDENTITY:
        entry = (plan.data.get(group) or {}).get(key)
        if not isinstance(entry, dict) or "value" not in entry:
            continue
        if group not in groups:
            groups.add(group)
            lines += ["", f"{group}:  # {plan.id}'s identity, written out: it is never inherited"]
        fact = {"value": entry["value"]}
        if entry.get("source") and not entry.get("assumed"):
            fact["source"] = entry["source"]
        else:
            fact["assumed"] = True
            fact["note"] = entry.get("note") or f"as {plan.id}'s config has it"
        lines += [f"  # {what}", f"  {key}: {json.dumps(fact, ensure_ascii=False)}"]
    return lines


def _patch_lines(draft: _Draft) -> list[str]:
    rows = draft.c.columns
    change = [
        f"        {r.key}: {{header: {_q(r.tpl.header)}, source: {draft.cite(r.tpl.cell)}}}"
        f"  # was {_q(r.spec.header)}, matched {r.how}"
        for r in rows
        if r.status == "renamed"
    ]
    remove = [f"        - {r.key}  # {_q(r.spec.header)}" for r in rows if r.status == "missing"]
    insert = _insert_lines(draft)
    order = _order(draft)
    lines = []
    for name, items in (("change", change), ("remove", remove), ("insert", insert)):
        lines += [f"      {name}:", *items] if items else []
    if order:
        lines.append(f"      order: [{', '.join(order)}]")
    return lines


def _template_keys(draft: _Draft) -> list[tuple[int, str | None]]:
    """(template position, key) of every template column, in the template's order."""
    by_position = {r.tpl.position: r for r in draft.c.columns if r.template is not None}
    keys = [
        (p, r.key if r.column else draft.extra_keys.get(p)) for p, r in sorted(by_position.items())
    ]
    return [(p, k) for p, k in keys if k]  # not an extra header left out


def _insert_lines(draft: _Draft) -> list[str]:
    extras = [r for r in draft.c.columns if r.status == "extra"]
    if extras and not any(r.column and r.template for r in draft.c.columns):
        draft.todo.append("no column of the template matches the layout: is it the right --kind?")
        return []
    headers = {normalise(c.header) for c in draft.c.layout.columns}
    inserted = []
    for row in sorted(extras, key=lambda r: r.tpl.position):
        if normalise(row.tpl.header) in headers:  # a layout's headers are unique
            draft.todo.append(
                f"{row.tpl.cell} {row.tpl.header!r}: the template has this header twice; "
                "a layout has each header once"
            )
            continue
        headers.add(normalise(row.tpl.header))
        draft.extra_keys[row.tpl.position] = draft.new_key(row) or str(row.field)
        inserted.append(row)
    order = _template_keys(draft)
    return [line for row in inserted for line in _insert_line(draft, row, order)]


def _anchor(order: list[tuple[int, str | None]], position: int, matched: str) -> tuple[str, str]:
    """("after", the key left of it) or, for the template's first column, ("before", the
    first matched column's key)."""
    index = [p for p, _ in order].index(position)
    return ("after", str(order[index - 1][1])) if index else ("before", matched)


def _insert_line(
    draft: _Draft, row: ColumnCompare, order: list[tuple[int, str | None]]
) -> list[str]:
    position = row.tpl.position
    key = draft.extra_keys[position]
    side, at = _anchor(order, position, _first_matched(draft))
    anchor = f"{side}: {at}"
    own_key = "" if key == row.field else f"key: {key}, "
    cite = draft.cite(row.tpl.cell)
    if row.field:
        note = _q(f"field {row.field}: {row.field_how}; confirm it")
        fill = f"field: {row.field}, source: {cite}, note: {note}"
        return [f"        - {{{anchor}, {own_key}header: {_q(row.tpl.header)}, {fill}}}"]
    draft.todo.append(
        f"{row.tpl.cell} {row.tpl.header!r}: which field? (ecmx plans fields "
        f"{draft.c.kind}); written empty as key {key}"
    )
    return [
        f"        # TODO for the integrator: which field? (ecmx plans fields {draft.c.kind})",
        f'        - {{{anchor}, {own_key}header: {_q(row.tpl.header)}, value: "", source: {cite}}}',
    ]


def _first_matched(draft: _Draft) -> str:
    matched = [r for r in draft.c.columns if r.column is not None and r.template is not None]
    return min(matched, key=lambda r: r.tpl.position).key if matched else ""


def _order(draft: _Draft) -> list[str]:
    """The shortest ``order:`` that, after the removals and inserts, gives the template's order."""
    if not _first_matched(draft):
        return []  # nothing in common: said in the TODO list
    missing = {r.key for r in draft.c.columns if r.status == "missing"}
    result = [c.key or "" for c in draft.c.layout.columns if c.key not in missing]
    order = _template_keys(draft)
    for position, key in sorted(draft.extra_keys.items()):
        side, at = _anchor(order, position, _first_matched(draft))
        result.insert(result.index(at) + (1 if side == "after" else 0), key)
    target = [str(k) for _, k in order]
    if result == target:
        return []
    first = next(i for i, (a, b) in enumerate(zip(result, target, strict=True)) if a != b)
    tail = next(
        i for i, (a, b) in enumerate(zip(reversed(result), reversed(target), strict=True)) if a != b
    )
    return target[first : len(target) - tail]


def _code_lines(draft: _Draft) -> list[str]:
    changes: dict[str, dict[str, tuple[str, str, str]]] = {}  # list -> key -> (attr, value, cite)
    for row in draft.c.columns:
        if not (row.codes_missing or row.codes_extra) or row.column is None:
            continue
        column, header = row.spec, row.tpl
        where = f"{header.cell} {header.header!r}"
        if len(row.codes_missing) != len(row.codes_extra):
            draft.todo.append(
                f"{where}: the template's list lacks {', '.join(row.codes_missing) or 'nothing'} "
                f"and adds {', '.join(row.codes_extra) or 'nothing'}: change codes.{column.codes} by hand"
            )
            continue
        attr = "label" if column.output == "label" else "code"
        values = draft.c.plan.codes[str(column.codes)].values
        for old, new in zip(row.codes_missing, row.codes_extra, strict=True):
            for key, entry in values.items():
                if str(entry.get(attr, entry["code"])) != old:
                    continue
                known = changes.setdefault(str(column.codes), {}).get(key)
                if known and known[1] != new:
                    draft.todo.append(
                        f"{where}: codes.{column.codes}.{key} is {known[1]} for another column"
                    )
                    continue
                changes[str(column.codes)][key] = (
                    attr,
                    new,
                    draft.cite(header.cell, "the list of cell"),
                )
    lines = []
    for name, entries in changes.items():
        lines += [f"  {name}:", "    values:"]
        lines += [
            f"      {_yaml_key(key)}: {{{attr}: {_q(value)}, source: {cite}}}"
            for key, (attr, value, cite) in entries.items()
        ]
    return lines


def _yaml_key(key: str) -> str:
    return key if re.fullmatch(r"[a-z][a-z0-9_]*", key) else _q(key)
