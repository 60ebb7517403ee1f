"""A plan's ``billing:`` section as an object: codes, modifiers, channels, payer, code sets.

The YAML (validated by the plan schema) says how ECM services are coded
(docs/claims.md); ``billing.lines`` applies it to the dataset's encounters. The plan
loader checks the section (``billing_problems``, ``missing_billing``) and parses it (``parse_billing``), so a
billing mistake is reported by ``ecmx plans check`` with its key path, not by a claims run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ecmx.core.errors import ConfigError
from ecmx.core.hints import did_you_mean

ECM_STAFF = ("clinical", "non_clinical")


@dataclass(frozen=True)
class VisitLimit:
    kinds: frozenset[str]
    max: int


@dataclass(frozen=True)
class CodeSet:
    """Codes billed as an encounter gives them (``procedure_code``), with their rules."""

    name: str
    title: str
    codes: frozenset[str]
    required_modifiers: frozenset[str] = frozenset()
    one_of_modifiers: frozenset[str] = frozenset()
    allowed_modifiers: frozenset[str] = frozenset()
    max_units_per_day: int | None = None
    not_for_ecm_enrolled: bool = False
    source: str = ""
    # Visit limits (doula, seed 002): lines of the set per member and day; the kind of
    # visit each code bills; per member, at most ``max`` visits of some kinds in the
    # first set, and ``recommended`` more of some kinds with a recommendation.
    visits_per_day: int | None = None
    visit_kinds: dict[str, str] = field(default_factory=dict)
    visit_limits: tuple[VisitLimit, ...] = ()
    recommended: VisitLimit | None = None


@dataclass(frozen=True)
class CommunitySupports:
    """How the plan bills Community Supports (CS) lines: encounters with a ``cs_service``."""

    # an authorized community_supports row must cover the service date (K020)
    authorization_required: bool = True
    # an encounter of kind outreach for a CS service may be billed (else K021)
    outreach_billable: bool = False


@dataclass(frozen=True)
class Separators:
    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"

    def all(self) -> str:
        return self.element + self.component + self.repetition + self.segment


@dataclass(frozen=True)
class BillingSpec:
    plan_id: str
    naming: str  # file name template without extension ({kind}: 837P or Invoice)
    channels: tuple[str, ...]
    payer_name: str
    payer_id: str
    subscriber_id: str
    claim_filing_indicator: str
    units_per_encounter: int
    one_time_outreach: bool
    outreach_tar_required: bool
    service_tar_required: bool  # U1/U2 services (Partnership: the TAR of the referral)
    codes: dict[str, str]  # staff type -> HCPCS
    modifiers: dict[str, str]  # clinical, non_clinical, pre_enrollment, telehealth
    place_of_service: dict[str, str]  # in_person, telehealth
    engagement_fee_months: int | None
    engagement_fee_tar_required: bool
    code_sets: dict[str, CodeSet]
    separators: Separators
    community_supports: CommunitySupports = field(default_factory=CommunitySupports)

    @property
    def ecm_codes(self) -> frozenset[str]:
        return frozenset(self.codes.values())

    def code_set_of(self, code: str) -> CodeSet | None:
        return next((s for s in self.code_sets.values() if code in s.codes), None)


DEFAULT_NAMING = "{facility_name}_{plan}_ECM_{kind}_{period:%Y%m}_{production_date:%Y%m%d}"
# What a billed plan must say: the ECM codes, modifiers and places of service by key.
REQUIRED = (
    ("codes", ECM_STAFF),
    ("modifiers", (*ECM_STAFF, "pre_enrollment", "telehealth")),
    ("place_of_service", ("in_person", "telehealth")),
)


class BilledPlan(Protocol):
    name: str

    @property
    def billing(self) -> BillingSpec | None: ...


def billing_spec(plan: BilledPlan) -> BillingSpec:
    """The plan's billing rules; a plan without a ``billing:`` section cannot be billed."""
    if plan.billing is None:
        raise ConfigError(
            f"{plan.name} has no billing section: add billing: to its plan YAML "
            "(see docs/claims.md)"
        )
    return plan.billing


def missing_billing(data: Mapping[str, Any], at: str) -> list[str]:
    """What a billed plan (not a family base) lacks: every ECM code, modifier and place
    of service must be named; ``at`` is the plan's file and ``billing``."""
    return [
        f"{at}.{group}.{key}: is required for a billed plan (see docs/claims.md)"
        for group, keys in REQUIRED
        for key in keys
        if (data.get(group) or {}).get(key) is None
    ]


def billing_problems(data: Mapping[str, Any], at: str) -> list[str]:
    """What is wrong in a (schema-valid) ``billing:`` section, one line each."""
    problems = []
    for name, code_set in (data.get("code_sets") or {}).items():
        problems += _code_set_problems(code_set, f"{at}.code_sets.{name}")
    return problems


def _code_set_problems(code_set: Mapping[str, Any], at: str) -> list[str]:
    """Codes and visit kinds a code set names must be its own: an unknown one would never
    match a line, and its limit would silently never apply."""
    codes = {str(c) for c in code_set.get("codes") or ()}
    kinds = _value(code_set, "visit_kinds") or {}
    problems = [
        f"{at}.visit_kinds.value.{code}: {code} is not a code of this set"
        f"{did_you_mean(str(code), codes)}"
        for code in kinds
        if str(code) not in codes
    ]
    named = sorted(set(kinds.values()))
    limits = [(f"visit_limits[{i}]", v) for i, v in enumerate(code_set.get("visit_limits") or ())]
    if "recommended_visits" in code_set:
        limits.append(("recommended_visits", code_set["recommended_visits"]))
    for where, limit in limits:
        problems += [
            f"{at}.{where}.kinds: no code of the set bills a {kind!r} visit "
            f"(visit_kinds names {', '.join(named) or 'none'}){did_you_mean(kind, named)}"
            for kind in limit.get("kinds") or ()
            if kind not in named
        ]
    return problems


def parse_billing(data: Mapping[str, Any], plan_id: str, plan_name: str) -> BillingSpec:
    """The section as a ``BillingSpec``: ``data`` has passed both checks."""
    fee = data.get("engagement_fee") or {}
    x12 = data.get("x12") or {}
    return BillingSpec(
        plan_id=plan_id,
        naming=(data.get("naming") or {}).get("template") or DEFAULT_NAMING,
        channels=tuple(_value(data, "channels", ["837p"])),
        payer_name=str(_value(data, "payer_name", plan_name)),
        payer_id=str(_value(data, "payer_id", "") or ""),
        subscriber_id=str(_value(data, "subscriber_id", "cin")),
        claim_filing_indicator=str(_value(data, "claim_filing_indicator", "MC")),
        units_per_encounter=int(_value(data, "units_per_encounter", 1)),
        one_time_outreach=bool(_value(data, "one_time_outreach", True)),
        outreach_tar_required=bool(_value(data, "outreach_tar_required", False)),
        service_tar_required=bool(_value(data, "service_tar_required", False)),
        codes=_values(data["codes"]),
        modifiers=_values(data["modifiers"]),
        place_of_service=_values(data["place_of_service"]),
        engagement_fee_months=fee.get("months"),
        engagement_fee_tar_required=bool(fee.get("tar_required")),
        code_sets={name: _code_set(name, s) for name, s in (data.get("code_sets") or {}).items()},
        separators=Separators(
            **{k: x12[k] for k in ("element", "component", "repetition", "segment") if k in x12}
        ),
        community_supports=_community_supports(data.get("community_supports") or {}),
    )


def _community_supports(section: Mapping[str, Any]) -> CommunitySupports:
    """A plan that says nothing keeps the defaults: DHCS's CS policy (authorization first,
    outreach not billable), which every built-in plan states or inherits as assumed."""
    default = CommunitySupports()
    return CommunitySupports(
        authorization_required=bool(
            _value(section, "authorization_required", default.authorization_required)
        ),
        outreach_billable=bool(_value(section, "outreach_billable", default.outreach_billable)),
    )


def _value(section: Mapping[str, Any], key: str, default: Any = None) -> Any:
    fact = section.get(key)
    return default if fact is None else fact.get("value", default)


def _values(group: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v["value"]) for k, v in group.items()}


def _limit(data: Mapping[str, Any]) -> VisitLimit:
    return VisitLimit(frozenset(data["kinds"]), int(data["max"]))


def _code_set(name: str, s: Mapping[str, Any]) -> CodeSet:
    return CodeSet(
        name=name,
        title=s["title"],
        codes=frozenset(str(c) for c in s["codes"]),
        required_modifiers=frozenset(s.get("required_modifiers", ())),
        one_of_modifiers=frozenset(s.get("one_of_modifiers", ())),
        allowed_modifiers=frozenset(str(m) for m in s.get("allowed_modifiers", ())),
        max_units_per_day=s.get("max_units_per_day"),
        not_for_ecm_enrolled=bool(s.get("not_for_ecm_enrolled")),
        source=s.get("source") or "assumed",
        visits_per_day=_value(s, "visits_per_day"),
        visit_kinds={str(c): k for c, k in (_value(s, "visit_kinds") or {}).items()},
        visit_limits=tuple(_limit(v) for v in s.get("visit_limits") or ()),
        recommended=_limit(s["recommended_visits"]) if "recommended_visits" in s else None,
    )
