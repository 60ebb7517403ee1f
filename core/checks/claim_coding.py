"""Billing rules on coding and values: the code, modifiers, diagnoses, charge, units,
place of service and TAR a claim line carries, and the doula visit limits (K007-K018)."""

from __future__ import annotations

import math

from ecmx.core.billing.claim_fields import MAX_CHARGE, MAX_UNITS, POS_CODE, too_long, x12_problem
from ecmx.core.billing.columns import mapped
from ecmx.core.checks.claim_base import SEED_003, billing, claim_rule, positions
from ecmx.core.checks.rules import Hit, Target


def _flagged(column: str, message: str, field: str):
    """A check of a line flag the coding computed (claim_lines): one hit for its lines."""

    def check(target: Target):
        mask = target.fields[column]
        if mask.any():
            yield Hit(positions(mask), message, field=field)

    return check


def _modifiers(target: Target):
    spec = billing(target)
    lines = target.fields
    ecm_code = []
    ecm_mods = []
    set_mods = []
    names = ("is_ecm", "given_code", "derived_code", "given_modifiers", "derived_modifiers")
    columns = [lines[name].tolist() for name in (*names, "code_set")]
    for pos, (is_ecm, given_code, derived_code, given_mods, derived_mods, code_set) in enumerate(
        zip(*columns, strict=True)
    ):
        # given_code is None when blank (claim_lines.text_or_none); never test it for
        # truth: a NaN there once refused every ECM line of a plan (issue 11)
        if is_ecm:
            if given_code is not None and given_code != derived_code:
                ecm_code.append(pos)
            if len(given_mods) > 0 and set(given_mods) != set(derived_mods):
                ecm_mods.append(pos)
        elif isinstance(code_set, str) and code_set != "":
            rules = spec.code_sets[code_set]
            given = set(given_mods)
            allowed = rules.required_modifiers | rules.one_of_modifiers | rules.allowed_modifiers
            if (
                not rules.required_modifiers <= given
                or (rules.one_of_modifiers and len(given & rules.one_of_modifiers) != 1)
                or not given <= allowed
                or len(given) > 4
            ):
                set_mods.append(pos)
    if ecm_code:
        yield Hit(
            ecm_code,
            "the procedure code does not match the staff type (G9008 clinical, G9012 non-clinical)",
            field="procedure_code",
        )
    if ecm_mods:
        yield Hit(
            ecm_mods,
            "the modifiers given do not match the service: U1 clinical, U2 non-clinical, U8 "
            "outreach, GQ telehealth or member not present",
            field="modifiers",
            hint="leave modifiers blank and ecmx derives them, or correct the staff type or mode",
        )
    if set_mods:
        yield Hit(
            set_mods,
            "the modifiers do not follow the code set's rules (a required modifier missing, "
            "or one not allowed)",
            field="modifiers",
            hint="CHW 98960-98962 take U2 or U3; doula codes take XP, and may add SA, SB, U7, 93, 95",
        )


def _unknown_code(target: Target):
    lines = target.fields
    # a CS line bills its contract's code: K019 checks it is there and well formed
    mask = ~lines["is_ecm"] & (lines["code_set"].fillna("") == "") & ~lines["is_cs"]
    if mask.any():
        yield Hit(
            positions(mask),
            "a procedure code this plan's billing rules do not know",
            field="procedure_code",
            hint="use G9008/G9012 (or leave it blank), or a code of the plan's code sets "
            "(ecmx plans show PLAN)",
        )


def _no_diagnosis(target: Target):
    lines = target.fields
    has = lines["diagnoses"].map(len) > 0
    member_has = has.groupby(lines["member_id"]).transform("any")
    mask = ~member_has
    if mask.any():
        yield Hit(
            positions(mask),
            "no diagnosis code on any of the member's lines this period: a claim needs one",
            field="diagnosis_codes",
            hint="add an ICD-10 code; Z codes (e.g. Z59.00 homelessness) describe social needs",
        )


def _bad_diagnosis(target: Target):
    mask = target.fields["bad_diagnoses"].map(len) > 0
    if mask.any():
        yield Hit(
            positions(mask),
            "a diagnosis code is not an ICD-10-CM code (a letter, two characters, then up to "
            "four after an optional dot)",
            field="diagnosis_codes",
        )


def _no_charge(target: Target):
    charge = target.fields["billed_charge"]
    # a line without a code (a CS line: K019) has no rate to miss: one finding says it
    missing = charge.isna() & target.fields["code"].notna()
    if missing.any():
        yield Hit(
            positions(missing),
            "no charge for the line: the encounter gives none and provider.yaml has no rate "
            "for its code",
            field="charge",
            hint="fill encounters.charge, or add rates: {G9012: 85.00, ...} to provider.yaml",
        )
    not_positive = ~missing & (charge <= 0)
    if not_positive.any():
        yield Hit(
            positions(not_positive),
            "the line's charge is zero or negative",
            field="charge",
            hint="a claim line bills a positive amount: correct the charge or the rate",
        )
    too_large = (
        ~missing & (charge > 0) & ~mapped(charge, lambda c: math.isfinite(c) and c <= MAX_CHARGE)
    )
    if too_large.any():
        yield Hit(
            positions(too_large),
            f"the line's charge is above {MAX_CHARGE:,.2f} (or infinite): no 837P can carry it",
            field="charge",
            hint="correct the charge (dollars and cents) or the rate",
        )


def _bad_units(target: Target):
    mask = target.fields["billed_units"] < 1
    if mask.any():
        yield Hit(
            positions(mask),
            f"units must be a whole number from 1 to {MAX_UNITS:,}",
            field="units",
            hint="leave units blank for one unit, or write the number billed",
        )


def _bad_place(target: Target):
    pos = target.fields["pos"]
    mask = ~mapped(pos, lambda p: bool(POS_CODE.fullmatch(p)) and p != "00")
    if mask.any():
        yield Hit(
            positions(mask),
            "the place of service is not a two-digit CMS place-of-service code (01-99)",
            field="place_of_service",
            hint="e.g. 11 office, 12 home, 10 telehealth in the member's home; or leave it blank",
        )


def _bad_authorization(target: Target):
    mask = mapped(target.fields["tar"], lambda t: x12_problem(t, 50) is not None or too_long(t, 50))
    if mask.any():
        yield Hit(
            positions(mask),
            "the TAR (the encounter's authorization_number, or its enrollment episode's) "
            "cannot go into the 837P's REF*G1: it is longer than 50 characters or holds "
            "characters X12 cannot carry",
            field="authorization_number",
            hint="copy the TAR number exactly as the plan issued it",
        )


CODING_RULES = (
    claim_rule(
        "K007",
        "code or modifiers do not fit the service",
        "leave procedure_code and modifiers blank for ECM services: ecmx derives them",
        f"{SEED_003}; seed 002 CHW and doula FAQs",
        _modifiers,
    ),
    claim_rule(
        "K008",
        "unknown procedure code",
        "use a code the plan's billing section lists",
        "the plan's billing section (docs/claims.md)",
        _unknown_code,
    ),
    claim_rule(
        "K009",
        "no diagnosis for the claim",
        "add an ICD-10 code to encounters.diagnosis_codes",
        "X12 837P 005010X222A1: a professional claim has at least one diagnosis (HI, ABK)",
        _no_diagnosis,
    ),
    claim_rule(
        "K010",
        "diagnosis code not ICD-10",
        "write ICD-10-CM codes such as Z59.00 or F32.9, separated by ';'",
        "X12 837P 005010X222A1: HI diagnosis codes are ICD-10-CM (ABK, ABF)",
        _bad_diagnosis,
    ),
    claim_rule(
        "K011",
        "no charge, or one no claim can carry",
        "fill encounters.charge or add rates to provider.yaml",
        "X12 837P 005010X222A1: SV102 line charge amount",
        _no_charge,
    ),
    claim_rule(
        "K012",
        "units not a whole number from 1 to 9,999",
        "leave units blank for one unit",
        "X12 837P 005010X222A1: SV104 service unit count",
        _bad_units,
    ),
    claim_rule(
        "K016",
        "more than one doula visit a day",
        "bill one doula visit per member and day",
        "seed 002 doula FAQ (Health Net, CalViva, CHPIV): all visits are limited to one per "
        "day, per member (billing.code_sets.doula.visits_per_day)",
        _flagged(
            "extra_visit_that_day",
            "a second doula visit for this member on one day: visits are limited to one a day",
            "date",
        ),
    ),
    claim_rule(
        "K017",
        "doula visit beyond the covered visits",
        "check the visit's code; the plan covers no more visits of this kind",
        "seed 002 doula FAQ (Health Net, CalViva, CHPIV): the first set of services and up to "
        "nine more postpartum visits (billing.code_sets.doula.visit_limits, recommended_visits; "
        "which code is which visit is assumed)",
        _flagged(
            "beyond_first_set",
            "a doula visit beyond what the plan covers: the first set is one initial visit, "
            "up to eight prenatal or postpartum visits and two extended postpartum visits; "
            "only up to nine more postpartum visits may follow, with a recommendation",
            "procedure_code",
        ),
    ),
    claim_rule(
        "K018",
        "doula visit needing a recommendation",
        "keep the written recommendation in the member's record and set "
        "encounters.doula_recommendation to true (a standing order does not count)",
        "seed 002 doula FAQ (Health Net, CalViva, CHPIV): additional postpartum visits require "
        "a recommendation; cannot be established by a standing order",
        _flagged(
            "needs_recommendation",
            "a postpartum doula visit beyond the first set without a recommendation",
            "doula_recommendation",
        ),
    ),
    claim_rule(
        "K014",
        "place of service not a POS code",
        "write a two-digit place-of-service code, or leave it blank",
        "X12 837P 005010X222A1: CLM05-1 and SV105 place of service (CMS POS code set)",
        _bad_place,
    ),
    claim_rule(
        "K015",
        "TAR not fit for the 837P",
        "copy the TAR number exactly as the plan issued it",
        "X12 837P 005010X222A1: 2400 REF*G1 prior authorization, 1-50 characters",
        _bad_authorization,
    ),
)
