"""Plan specifications: the validated, merged plan configs as frozen objects.

``plans.build`` makes them from a merged plan dict when plans load (``plans.load``),
after ``plans.check`` has passed it: the engine reads these typed fields (identity,
billing, rule overrides, file facts), never the YAML's dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecmx.core.calendar.periods import Period
from ecmx.core.calendar.spec import CalendarSpec
from ecmx.core.errors import ConfigError
from ecmx.core.plans.provenance import Source, citation_texts, describe

if TYPE_CHECKING:
    from ecmx.core.billing.coding import BillingSpec


@dataclass(frozen=True)
class Fact:
    """A value the plan's YAML gives, with where it comes from (``source`` is one citation
    or a list of them; ``assumed`` when no source speaks for this plan)."""

    value: Any
    source: str | list[str] = ""
    assumed: bool = False
    note: str = ""

    @classmethod
    def of(cls, entry: dict[str, Any]) -> Fact:
        return cls(
            entry.get("value"),
            entry.get("source") or "",
            entry.get("assumed") is True,
            entry.get("note") or "",
        )

    @property
    def source_text(self) -> str:
        """``source`` as one text (a list's citations joined by "; "), as a Finding takes it."""
        return "; ".join(citation_texts(self.source))


@dataclass(frozen=True)
class RuleOverride:
    """A plan's ``rules.CODE``: switch a finding off, or change its severity."""

    enabled: bool = True
    severity: str | None = None
    source: str | list[str] = ""
    assumed: bool = False


@dataclass(frozen=True)
class CodeList:
    name: str
    values: dict[str, dict[str, Any]]
    default: str | None = None

    def mapping(self, output: str = "code") -> dict[str, str]:
        """canonical key -> what the plan file holds (code or label)."""
        if output == "label":
            return {k: v.get("label", v["code"]) for k, v in self.values.items()}
        return {k: v["code"] for k, v in self.values.items()}


@dataclass(frozen=True)
class ColumnSpec:
    header: str
    key: str | None = None  # stable within the layout: ``key:``, else the field
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
    # Where accepted_formats comes from (None: unsaid, the default) and each rule's
    # provenance (files.<kind>.rules), for the findings that cite them.
    accepted_formats_fact: Fact | None = None
    rule_facts: dict[str, Fact] = field(default_factory=dict)
    # files.<kind>.template: the plan's own workbook that convert fills (None: a new one);
    # an absolute path (a relative one is resolved against the plan file's folder at load)
    template: Path | None = None
    template_fact: Fact | None = None

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
class ResponseSpec:
    """``delivery.responses``: how to read what a plan sends back about a file it received."""

    patterns: tuple[str, ...]
    format: str  # csv or xlsx
    columns: dict[str, str]  # file, status and optionally reason, date -> the header
    accepted: tuple[str, ...]  # status values (compared case-folded)
    declined: tuple[str, ...]
    sheet: str | None = None


@dataclass(frozen=True)
class DeliverySpec:
    """``delivery:``: fetch patterns per inbound kind (overriding the naming template's),
    and the plan's response files."""

    fetch: dict[str, tuple[str, ...]] = field(default_factory=dict)
    responses: ResponseSpec | None = None


@dataclass(frozen=True)
class CapacityReport:
    """``capacity.report``: the capacity report or survey the plan asks for, in its words."""

    title: str
    every: str  # month or quarter
    asks: str
    how: str = ""
    calendar_event: str | None = None  # the plan's calendar event that dates it
    source: str | list[str] = ""
    assumed: bool = False
    note: str = ""

    @property
    def describe(self) -> str:
        how = f" ({self.how})" if self.how else ""
        return f"{self.title}, every {self.every}{how}: {self.asks}"


@dataclass(frozen=True)
class CapacitySpec:
    """``capacity:``: the most members per lead care manager (1:N; rule B008 and ``ecmx
    capacity``) and the report the plan asks for; None where the plan says nothing."""

    ratio: Fact | None = None
    report: CapacityReport | None = None

    @property
    def limit(self) -> int | None:
        return None if self.ratio is None else int(self.ratio.value)


@dataclass(frozen=True)
class PlanSpec:
    id: str
    name: str
    family: str
    abstract: bool
    extends: str | None
    origin: str
    # The merged YAML as loaded, for tests that audit it (provenance); engine code reads
    # only the typed fields below.
    data: dict[str, Any] = field(repr=False)
    codes: dict[str, CodeList] = field(repr=False)
    files: dict[str, FileSpec] = field(repr=False)
    # the sources list (id -> provenance.Source), to show a ``source:`` by its title
    sources: dict[str, Source] = field(default_factory=dict, repr=False)
    # what the plan's YAML should set and does not (its own identity): ``plans check``
    notices: tuple[str, ...] = ()
    # mcp.name and mcp.identifier: the plan as the RTF and OTF name it
    identity: dict[str, Fact] = field(default_factory=dict, repr=False)
    # rules: finding code -> the plan's override
    rules: dict[str, RuleOverride] = field(default_factory=dict, repr=False)
    # billing: None for a plan that is not billed (no billing: section)
    billing: BillingSpec | None = field(default=None, repr=False)
    # the billing section as ``plans show`` lists it: (key, value as shown, provenance)
    billing_facts: tuple[tuple[str, Fact], ...] = field(default=(), repr=False)
    # every ``assumed: true`` entry as (yaml path, what it says)
    assumed: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    # the typed ``calendar:`` (core/calendar/spec.py), parsed with the registered rule kinds
    calendar: CalendarSpec = field(default_factory=CalendarSpec, repr=False)
    # which plan file last set each column ("files.KIND.KEY") and code ("codes.LIST.KEY")
    origins: dict[str, str] = field(default_factory=dict, repr=False)
    # delivery: what fetch takes and how the plan's responses read
    delivery: DeliverySpec = field(default_factory=DeliverySpec, repr=False)
    # capacity: the lead care manager ratio and the capacity report asked for
    capacity: CapacitySpec = field(default_factory=CapacitySpec, repr=False)

    def mcp(self, key: str) -> str:
        fact = self.identity.get(key)
        return "" if fact is None else str(fact.value)

    def cite(self, value: object) -> str:
        """A ``source:`` of this plan as a user reads it: titles and sections."""
        return describe(value, self.sources)

    def assumptions(self) -> list[tuple[str, str]]:
        """Every ``assumed: true`` entry as (path, note): what to confirm with the plan."""
        return list(self.assumed)
