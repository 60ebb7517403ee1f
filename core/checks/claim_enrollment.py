"""Billing rules on enrollment and authorization: is the member billable that day, and
does the plan's TAR, once-only or unit limit allow the line (K001-K006)."""

from __future__ import annotations

from ecmx.core.checks.claim_base import SEED_003, billing, claim_rule, positions
from ecmx.core.checks.rules import Hit, Target


def _u1_u2_not_enrolled(target: Target):
    lines = target.fields
    service = lines["is_ecm"] & (lines["kind"] != "outreach")
    before = service & lines["before_enrollment"]
    after = service & ~lines["enrolled"] & ~lines["before_enrollment"]
    if before.any():
        yield Hit(
            positions(before),
            "a U1/U2 service dated before the member's ECM enrollment: U1 and U2 are billable "
            "only on or after the enrollment date; before it, only outreach (U8) is",
            field="date",
        )
    if after.any():
        yield Hit(
            positions(after),
            "a U1/U2 service dated after the member's ECM enrollment ended",
            field="date",
            hint="correct the date or the enrollment end date; the plan will deny the line",
        )


def _second_outreach(target: Target):
    if not billing(target).one_time_outreach:
        return
    mask = (target.fields["kind"] == "outreach") & (target.fields["earlier_outreach"] > 0)
    if mask.any():
        yield Hit(
            positions(mask),
            "a second one-time outreach for this member: outreach is billable once per member",
            field="kind",
        )


def _missing_tar(target: Target):
    spec = billing(target)
    lines = target.fields
    # CS lines need a CS authorization instead (K020), never an ECM TAR
    no_tar = lines["tar"].isna() & ~lines["is_cs"]
    outreach = (lines["kind"] == "outreach") & no_tar & spec.outreach_tar_required
    fee = (lines["kind"] == "engagement_fee") & no_tar & spec.engagement_fee_tar_required
    service = (
        lines["is_ecm"]
        & ~lines["kind"].isin(["outreach", "engagement_fee"])
        & no_tar
        & spec.service_tar_required
    )
    if outreach.any():
        yield Hit(positions(outreach), "the plan pays outreach only with a TAR, and none is given")
    if service.any():
        yield Hit(
            positions(service),
            "the plan pays U1/U2 ECM services only with a TAR (based on the signed ROI and care "
            "plan), and none is given",
        )
    if fee.any():
        yield Hit(
            positions(fee), "the plan pays the engagement fee only with a TAR, and none is given"
        )


def _fee_gap(target: Target):
    mask = target.fields["fee_without_gap"]
    if mask.any():
        months = billing(target).engagement_fee_months
        yield Hit(
            positions(mask),
            f"an engagement fee billed again without a {months}-month gap in ECM services",
            field="date",
        )


def _code_set_for_enrolled(target: Target):
    spec = billing(target)
    lines = target.fields
    barred = {n for n, s in spec.code_sets.items() if s.not_for_ecm_enrolled}
    mask = lines["code_set"].isin(barred) & lines["enrolled"]
    if mask.any():
        yield Hit(
            positions(mask),
            "a Community Health Worker service for a member enrolled in ECM that day: the CHW "
            "benefit cannot be provided to a member enrolled in ECM",
            field="procedure_code",
        )


def _daily_cap(target: Target):
    lines = target.fields
    mask = lines["over_daily_cap"] & lines["tar"].isna()
    if mask.any():
        yield Hit(
            positions(mask),
            "more units of this code set on one day than the plan allows per member",
            field="units",
        )


ENROLLMENT_RULES = (
    claim_rule(
        "K001",
        "U1/U2 service while the member is not enrolled",
        "bill it as outreach (kind outreach, U8) if it was one, or correct the dates",
        f"{SEED_003}: service start date for U1 and U2 on or after enrollment",
        _u1_u2_not_enrolled,
    ),
    claim_rule(
        "K002",
        "second one-time outreach",
        "bill one outreach per member; record later attempts in the outreach table only",
        "seed 000 Step 9: one-time ECM outreach, one per member on the MIF; seed 002 FAQ: "
        "a one-time outreach for new members",
        _second_outreach,
    ),
    claim_rule(
        "K003",
        "TAR missing where the plan requires one",
        "put the TAR in encounters.authorization_number or the episode's authorization_number",
        "seed 004 FAQ: a TAR is required for the outreach reimbursement, the engagement fee and "
        "a referral from Partnership (billing: outreach_tar_required, service_tar_required, "
        "engagement_fee.tar_required)",
        _missing_tar,
    ),
    claim_rule(
        "K004",
        "engagement fee without a 12-month gap",
        "the fee is billable again only after 12 months without ECM services",
        "seed 004 FAQ on the one-time successful engagement fee (rolling 12 months)",
        _fee_gap,
    ),
    claim_rule(
        "K005",
        "CHW service for a member enrolled in ECM",
        "bill the service as ECM (leave procedure_code blank) if it was one",
        "seed 002 CHW FAQ: the CHW benefit cannot be provided to a member enrolled in ECM",
        _code_set_for_enrolled,
    ),
    claim_rule(
        "K006",
        "daily unit limit exceeded",
        "more units need medical necessity and a TAR: add it in authorization_number",
        "seed 002 CHW FAQ: at most four units (two hours) daily per beneficiary, any provider",
        _daily_cap,
    ),
)
