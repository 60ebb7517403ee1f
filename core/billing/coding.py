"""A plan's ``billing:`` section as an object: codes, modifiers, channels, payer, code sets.

The YAML (validated by the plan schema) says how ECM services are coded
(docs/claims.md); ``claim_lines`` applies it to the dataset's encounters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ecmx.core.errors import ConfigError

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

    @property
    def ecm_codes(self) -> frozenset[str]:
        return frozenset(self.codes.values())

    def code_set_of(self, code: str) -> CodeSet | None:
        return next((s for s in self.code_sets.values() if code in s.codes), None)


def _value(section: dict, key: str, default=None):
    fact = section.get(key)
    return default if fact is None else fact.get("value", default)


def _limit(data: dict) -> VisitLimit:
    return VisitLimit(frozenset(data["kinds"]), int(data["max"]))


def billing_spec(plan) -> BillingSpec:
    """The plan's billing rules; a plan without a ``billing:`` section cannot be billed."""
    data = plan.data.get("billing")
    if not data:
        raise ConfigError(
            f"{plan.name} has no billing section: add billing: to its plan YAML "
            "(see docs/claims.md)"
        )
    missing = [
        f"billing.{group}.{key}"
        for group, keys in (
            ("codes", ECM_STAFF),
            ("modifiers", (*ECM_STAFF, "pre_enrollment", "telehealth")),
            ("place_of_service", ("in_person", "telehealth")),
        )
        for key in keys
        if (data.get(group) or {}).get(key) is None
    ]
    if missing:
        raise ConfigError(f"{plan.name}: the plan's YAML lacks {', '.join(missing)}")
    fee = data.get("engagement_fee") or {}
    x12 = data.get("x12") or {}
    return BillingSpec(
        plan_id=plan.id,
        naming=(data.get("naming") or {}).get("template")
        or "{facility_name}_{plan}_ECM_{kind}_{period:%Y%m}_{production_date:%Y%m%d}",
        channels=tuple(_value(data, "channels", ["837p"])),
        payer_name=str(_value(data, "payer_name", plan.name)),
        payer_id=str(_value(data, "payer_id", "") or ""),
        subscriber_id=str(_value(data, "subscriber_id", "cin")),
        claim_filing_indicator=str(_value(data, "claim_filing_indicator", "MC")),
        units_per_encounter=int(_value(data, "units_per_encounter", 1)),
        one_time_outreach=bool(_value(data, "one_time_outreach", True)),
        outreach_tar_required=bool(_value(data, "outreach_tar_required", False)),
        service_tar_required=bool(_value(data, "service_tar_required", False)),
        codes={k: str(v["value"]) for k, v in data["codes"].items()},
        modifiers={k: str(v["value"]) for k, v in data["modifiers"].items()},
        place_of_service={k: str(v["value"]) for k, v in data["place_of_service"].items()},
        engagement_fee_months=fee.get("months"),
        engagement_fee_tar_required=bool(fee.get("tar_required")),
        code_sets={
            name: CodeSet(
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
            for name, s in (data.get("code_sets") or {}).items()
        },
        separators=Separators(
            **{k: x12[k] for k in ("element", "component", "repetition", "segment") if k in x12}
        ),
    )
