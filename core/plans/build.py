"""A merged, checked plan dict as a ``PlanSpec``: the one place that reads the YAML's shape.

``plans.load`` calls ``build_spec`` once ``plans.check`` has passed the plan, so every
lookup here may trust the schema (required keys present, types right). Column types
and code lists left unsaid default from the file kind's fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ecmx.core.billing.coding import parse_billing
from ecmx.core.plans.spec import (
    CodeList,
    ColumnSpec,
    Fact,
    FileSpec,
    Layout,
    PlanSpec,
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
    )


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
    )


def _column(c: Mapping[str, Any], kind: Any) -> ColumnSpec:
    """A column with its type and code list filled in from the kind's field when unsaid."""
    known = ColumnSpec.__dataclass_fields__
    values = {k: v for k, v in c.items() if k in known}
    field_spec = kind.fields.get(c.get("field"))
    values.setdefault("type", field_spec.type if field_spec else "text")
    if "codes" not in values and field_spec and field_spec.codes:
        values["codes"] = field_spec.codes
    if values["type"] == "bool":
        values.setdefault("codes", "yes_no")
    return ColumnSpec(**values)
