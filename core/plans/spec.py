"""Plan specifications: the validated, merged plan configs as objects.

``build_spec`` turns a merged plan dict (see ``planload``) into a ``PlanSpec``;
column types and code lists left unsaid default from the file kind's fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ecmx.core.calendar.periods import Period
from ecmx.core.calendar.spec import CalendarSpec
from ecmx.core.errors import ConfigError
from ecmx.core.plans.provenance import describe


@dataclass(frozen=True)
class CodeList:
    name: str
    values: dict[str, dict]
    default: str | None = None

    def mapping(self, output: str = "code") -> dict[str, str]:
        """canonical key -> what the plan file holds (code or label)."""
        if output == "label":
            return {k: v.get("label", v["code"]) for k, v in self.values.items()}
        return {k: v["code"] for k, v in self.values.items()}


@dataclass(frozen=True)
class ColumnSpec:
    header: str
    field: str | None = None
    value: object = None
    type: str = "text"
    codes: str | None = None
    output: str = "code"
    transform: str | None = None
    required: bool = False
    max_length: int | None = None
    default: object = None
    description: str = ""
    source: str = ""
    assumed: bool = False
    note: str = ""


@dataclass(frozen=True)
class Layout:
    version: str
    effective: date
    columns: tuple[ColumnSpec, ...]
    source: str = ""
    assumed: bool = False

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


@dataclass(frozen=True)
class FileSpec:
    kind: str
    title: str
    format: str
    sheet: str
    date_format: str
    naming: str
    header_row: int
    rules: dict[str, object]
    versions: tuple[Layout, ...]
    # The extensions the plan takes for this file (default: only the one ecmx writes).
    accepted_formats: tuple[str, ...] = ()

    def layout_for(self, period: Period) -> Layout:
        """The layout in force on the first day of the period (the latest effective one)."""
        in_force = [v for v in self.versions if v.effective <= period.start]
        if not in_force:
            first = min(self.versions, key=lambda v: v.effective)
            raise ConfigError(
                f"no {self.kind} layout is in force for {period}: the earliest takes effect "
                f"{first.effective}; choose a later --period"
            )
        return max(in_force, key=lambda v: v.effective)


@dataclass(frozen=True)
class PlanSpec:
    id: str
    name: str
    family: str
    abstract: bool
    extends: str | None
    origin: str
    data: dict = field(repr=False)
    codes: dict[str, CodeList] = field(repr=False)
    files: dict[str, FileSpec] = field(repr=False)
    # the sources list (id -> provenance.Source), to show a ``source:`` by its title
    sources: dict = field(default_factory=dict, repr=False)
    # what the plan's YAML should set and does not (its own identity): ``plans check``
    notices: tuple[str, ...] = ()
    # the typed ``calendar:`` (core/calendar/spec.py), parsed with the registered rule kinds
    calendar: CalendarSpec = field(default_factory=CalendarSpec, repr=False)

    def mcp(self, key: str) -> str:
        fact = (self.data.get("mcp") or {}).get(key)
        return "" if fact is None else str(fact["value"])

    def cite(self, value) -> str:
        """A ``source:`` of this plan as a user reads it: titles and sections."""
        return describe(value, self.sources)

    def assumptions(self) -> list[tuple[str, str]]:
        """Every ``assumed: true`` entry as (path, note): what to confirm with the plan."""
        return list(_walk_assumed(self.data, ""))


def _walk_assumed(node, path):
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


def build_spec(
    data: dict, origin: str, kinds: dict, *, sources: dict | None = None, notices: tuple = ()
) -> PlanSpec:
    codes = {
        name: CodeList(name, dict(c["values"]), (c.get("default") or {}).get("key"))
        for name, c in (data.get("codes") or {}).items()
    }
    files = {}
    for kind, f in (data.get("files") or {}).items():
        versions = tuple(
            Layout(
                str(v["version"]),
                date.fromisoformat(v["effective"]),
                tuple(_column(c, kinds[kind]) for c in v["columns"]),
                v.get("source", ""),
                bool(v.get("assumed")),
            )
            for v in f["versions"]
        )
        files[kind] = FileSpec(
            kind=kind,
            title=f.get("title", kind.upper()),
            format=f["format"],
            sheet=str(f["sheet"]["value"]),
            date_format=str((f.get("date_format") or {}).get("value", "mm/dd/yyyy")),
            naming=f["naming"]["template"],
            header_row=int(f.get("header_row", 1)),
            rules={k: r["value"] for k, r in (f.get("rules") or {}).items()},
            versions=versions,
            accepted_formats=tuple((f.get("accepted_formats") or {}).get("value", [f["format"]])),
        )
    return PlanSpec(
        id=data["id"],
        name=data.get("name", data["id"]),
        family=data.get("family", ""),
        abstract=bool(data.get("abstract")),
        extends=data.get("extends"),
        origin=origin,
        data=data,
        codes=codes,
        files=files,
        sources=dict(sources or {}),
        notices=tuple(notices),
    )


def _column(c: dict, kind) -> ColumnSpec:
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
