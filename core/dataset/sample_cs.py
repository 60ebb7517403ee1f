"""Community Supports (CS) rows of the sample: for the plans that ask for a CSPRTF.

Every such plan's first five members get the same cases, dated from the period: every
status (potential, requested, authorized, denied, closed), authorization numbers with
leading zeros, one member with two services, one pair resolved long ago (on no CSPRTF
of the period), and a few CS encounters. Made without the random generator, after
the rest of the sample, so every other sample row (and golden file) stays as it was.

The HCPCS codes on the CS encounters (H0043 housing transition navigation, H0044
housing deposits, S5170 medically tailored meals, in the tests) are sample data only: which code a
plan pays a CS service with is in its CS authorization guides, not among our sources.
"""

from __future__ import annotations

from datetime import date, timedelta

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset import canonical as C

# (member index within the plan, service, status, days the dates sit from the period's
# start: referral, status change, authorization start, service start, service end)
CASES = (
    (0, "housing_transition_navigation", "authorized", -75, -50, -50, -40, None),
    (0, "housing_tenancy_sustaining", "requested", -20, -12, None, None, None),
    (1, "medically_tailored_meals", "potential", 3, 3, None, None, None),
    (2, "recuperative_care", "denied", -25, 8, None, None, None),
    (3, "housing_deposits", "closed", -90, 13, -80, -70, 13),
    (4, "personal_care_homemaker", "closed", -300, -180, -290, -280, -180),
)
END_REASONS = {"denied": "does not meet the service's eligibility criteria",
               "closed": "service completed"}  # fmt: skip
# (member index, service, days from the period's start, units, procedure code)
ENCOUNTERS = (
    (0, "housing_transition_navigation", -20, 4, "H0043"),
    (0, "housing_transition_navigation", 5, 4, "H0043"),
    (0, "housing_transition_navigation", 19, 2, "H0043"),
    (3, "housing_deposits", -60, 1, "H0044"),
)
# A CS encounter for a pair that is only potential (no authorization) is what the plan
# refuses to pay (seed 002, rule K020): the sample keeps none, so its month bills clean;
# tests/e2e/test_claims_cs_sample.py adds one to the sample and sees it refused.


def add_community_supports(tables: dict[str, list[dict]], period: Period, plans) -> None:
    """CS rows for each plan in ``plans`` (ids, in sample order) that has members."""
    start = period.start
    for number, plan in enumerate(plans):
        members = [m for m in tables["members"] if m["plan"] == plan][
            : 1 + max(c[0] for c in CASES)
        ]
        for index, service, status, *days in CASES:
            if index < len(members):
                row = _pair(members[index]["member_id"], service, status, start, days)
                row["authorization_number"] = _number(number, index, service, status)
                tables["community_supports"].append(row)
        for index, service, offset, units, code in ENCOUNTERS:
            if index < len(members):
                tables["encounters"].append(
                    _encounter(members[index]["member_id"], service, start, offset, units, code)
                )


def _pair(member_id: str, service: str, status: str, start: date, days) -> dict:
    referred, changed, authorized, began, ended = (
        None if d is None else start + timedelta(days=d) for d in days
    )
    row = dict.fromkeys(C.COMMUNITY_SUPPORTS.names)
    row.update(
        member_id=member_id, service=service, status=status, referral_date=referred,
        status_date=changed, authorization_start=authorized, service_start=began,
        service_end=ended, end_reason=END_REASONS.get(status),
    )  # fmt: skip
    if authorized is not None:
        row["authorization_end"] = authorized + timedelta(days=179)
        row["units_authorized"] = 60
    return row


def _number(plan: int, index: int, service: str, status: str) -> str | None:
    """An authorization number for an authorized (or once authorized, closed) pair: text
    with leading zeros, as plans issue them."""
    if status not in ("authorized", "closed"):
        return None
    return f"00{plan}{index}{C.CS_SERVICES.index(service):02d}71"


def _encounter(member_id, service, start: date, offset: int, units: int, code: str) -> dict:
    row = dict.fromkeys(C.ENCOUNTERS.names)
    row.update(
        member_id=member_id, date=start + timedelta(days=offset), staff_type="non_clinical",
        mode="in_person", member_present=True, successful=True, minutes=60,
        place_of_service="12", diagnosis_codes="Z59.00", charge=75.0 * units,
        kind="service", units=units, procedure_code=code, cs_service=service,
    )  # fmt: skip
    return row
