"""A merged, checked plan dict as a ``PlanSpec``: the one place that reads the YAML's shape.

``plans.load`` calls ``build_spec`` once ``plans.check`` has passed the plan, so every
lookup here may trust the schema (required keys present, types right). Column types
and code lists left unsaid default from the file kind's fields.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from ecmx.core.billing.coding import parse_billing
from ecmx.core.plans.spec import (
    CapacityReport,
    CapacitySpec,
    CodeList,
    ColumnSpec,
    DeliverySpec,
    Fact,
    FileSpec,
    Layout,
    PlanSpec,
    ResponseSpec,
    RuleOverride,
)


def build_spec(
    data: dict[str, Any],
    origin: str,
    kinds: Mapping[str, Any],
    *,
    sources: dict[str, Any] | None = None,
    notices: tuple[str, ...] = (),
) -> PlanSpec:
    name = data.get("name", data["id"])
    billing = data.get("billing")
    return PlanSpec(
        id=data["id"],
        name=name,
        family=data.get("family", ""),
        abstract=bool(data.get("abstract")),
        extends=data.get("extends"),
        origin=origin,
        data=data,
        codes={
            key: CodeList(key, dict(c["values"]), (c.get("default") or {}).get("key"))
            for key, c in (data.get("codes") or {}).items()
        },
        files={kind: _file(kind, f, kinds[kind]) for kind, f in (data.get("files") or {}).items()},
        sources=dict(sources or {}),
        notices=tuple(notices),
        identity={key: Fact.of(entry) for key, entry in (data.get("mcp") or {}).items()},
        rules={code: _override(setting) for code, setting in (data.get("rules") or {}).items()},
        # A family base's billing may lack what its plans add: only a billed plan is parsed.
        billing=parse_billing(billing, data["id"], name)
        if billing and not data.get("abstract")
        else None,
        billing_facts=tuple(_billing_facts(billing or {})),
        assumed=tuple(_walk_assumed(data, "")),
        delivery=_delivery(data.get("delivery") or {}),
        capacity=_capacity(data.get("capacity") or {}),
    )


def _capacity(block: Mapping[str, Any]) -> CapacitySpec:
    ratio = block.get("lead_care_manager_ratio")
    report = block.get("report")
    known = CapacityReport.__dataclass_fields__
    return CapacitySpec(
        Fact.of(ratio) if ratio else None,
        CapacityReport(**{k: v for k, v in report.items() if k in known}) if report else None,
    )


def _delivery(block: Mapping[str, Any]) -> DeliverySpec:
    fetch = {kind: tuple(entry["patterns"]) for kind, entry in (block.get("fetch") or {}).items()}
    got = block.get("responses")
    responses = None
    if got:
        statuses = got["statuses"]
        responses = ResponseSpec(
            patterns=tuple(got["patterns"]),
            format=got["format"],
            columns=dict(got["columns"]),
            accepted=tuple(statuses["accepted"]),
            declined=tuple(statuses["declined"]),
            sheet=got.get("sheet"),
        )
    return DeliverySpec(fetch, responses)


def _billing_facts(billing: Mapping[str, Any]) -> Iterator[tuple[str, Fact]]:
    """Each billing rule as ``plans show`` lists it, with the provenance of its entry."""
    for key, entry in billing.items():
        if key == "code_sets":
            for name, code_set in entry.items():
                modifiers = sorted(
                    {*code_set.get("required_modifiers", ()), *code_set.get("one_of_modifiers", ()),
                     *code_set.get("allowed_modifiers", ())}
                )  # fmt: skip
                value = (
                    f"{', '.join(code_set['codes'])}; modifiers {', '.join(map(str, modifiers))}"
                )
                yield f"code_sets.{name}", _shown(value, code_set)
        elif key == "engagement_fee":
            value = f"once per {entry.get('months')} months" + (
                ", with a TAR" if entry.get("tar_required") else ""
            )
            yield key, _shown(value, entry)
        elif isinstance(entry, dict) and "value" in entry:
            yield key, _shown(str(entry["value"]), entry)
        elif isinstance(entry, dict):
            for sub, fact in entry.items():
                if isinstance(fact, dict) and "value" in fact:
                    yield f"{key}.{sub}", _shown(str(fact["value"]), fact)
            if "template" in entry:
                yield key, _shown(entry["template"], entry)


def _shown(value: str, entry: Mapping[str, Any]) -> Fact:
    return replace(Fact.of(dict(entry)), value=value)


def _walk_assumed(node: object, path: str) -> Iterator[tuple[str, str]]:
    """Every ``assumed: true`` entry under ``node``: (its path, its label and note)."""
    if isinstance(node, dict):
        if node.get("assumed") is True:
            label = next(
                (
                    node[key]
                    for key in ("header", "code", "value", "template", "key", "title")
                    if key in node and node[key] is not None and node[key] != ""
                ),
                None,
            )
            note = node.get("note", "")
            yield path, " - ".join(str(p) for p in (label, note) if p is not None and p != "")
        for key, value in node.items():
            yield from _walk_assumed(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_assumed(value, f"{path}[{index}]")


def _override(setting: Mapping[str, Any]) -> RuleOverride:
    return RuleOverride(
        enabled=setting.get("enabled", True),
        severity=setting.get("severity"),
        source=setting.get("source") or "",
        assumed=setting.get("assumed") is True,
    )


def _file(kind: str, f: Mapping[str, Any], file_kind: Any) -> FileSpec:
    versions = tuple(
        Layout(
            str(v["version"]),
            date.fromisoformat(v["effective"]),
            tuple(_column(c, file_kind) for c in v["columns"]),
            v.get("source", ""),
            bool(v.get("assumed")),
        )
        for v in f["versions"]
    )
    rule_facts = {k: Fact.of(r) for k, r in (f.get("rules") or {}).items()}
    accepted = f.get("accepted_formats")
    template = f.get("template")
    return FileSpec(
        kind=kind,
        title=f.get("title", kind.upper()),
        format=f["format"],
        sheet=str(f["sheet"]["value"]),
        date_format=str((f.get("date_format") or {}).get("value", "mm/dd/yyyy")),
        naming=f["naming"]["template"],
        header_row=int(f.get("header_row", 1)),
        rules={k: fact.value for k, fact in rule_facts.items()},
        versions=versions,
        accepted_formats=tuple(accepted["value"] if accepted else [f["format"]]),
        accepted_formats_fact=Fact.of(accepted) if accepted else None,
        rule_facts=rule_facts,
        template=Path(template["value"]) if template else None,
        template_fact=Fact.of(template) if template else None,
    )


def _column(c: Mapping[str, Any], kind: Any) -> ColumnSpec:
    """A column with its type and code list filled in from the kind's field when unsaid."""
    known = ColumnSpec.__dataclass_fields__
    values = {k: v for k, v in c.items() if k in known}
    field_spec = kind.fields.get(c.get("field"))
    values.setdefault("key", c.get("field"))
    values.setdefault("type", field_spec.type if field_spec else "text")
    if "codes" not in values and field_spec and field_spec.codes:
        values["codes"] = field_spec.codes
    if values["type"] == "bool":
        values.setdefault("codes", "yes_no")
    return ColumnSpec(**values)
