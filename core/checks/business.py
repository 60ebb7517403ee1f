"""Business rules from the seeds (domain.md), on canonical fields, vectorised.

They read ``target.fields`` (status, dates, ...), so they check a file ecmx is
writing and one read back alike; a rule whose fields the file lacks is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ecmx.core.checks.caseload import members_per_lead_care_manager, over_limit, ratio_of
from ecmx.core.checks.rule_inputs import (
    business_rule,
    dates_of,
    has_fields,
    judged_on,
    plan_facts,
    rows_where,
)
from ecmx.core.checks.rules import Hit, Target
from ecmx.core.dataset.canonical import EXIT_STATUSES
from ecmx.core.hookspecs import hookimpl

SEED_002_EXIT = "seed 002 FAQ: enrollment end date vs discontinuation date; status code 4"
DATE_FIELDS = (
    "enrollment_start",
    "enrollment_end",
    "discontinuation_date",
    "referral_date",
    "assigned_date",
    "assessment_started",
    "assessment_completed",
    "care_plan_created",
    "care_plan_revised",
    "care_conference_date",
    "last_encounter_date",
    "attempt_date",
    "dob",
)
# B004's thresholds are each plan's facts (files.rtf.rules), with their own provenance:
# seed 002 states them for the Health Net family only.
CONTACT_FACTS = (
    "unable_to_contact_days",
    "unable_to_contact_attempts",
    "unable_to_contact_modalities",
)


def end_before_start(target: Target):
    if has_fields(target, "enrollment_start", "enrollment_end"):
        rows = rows_where(dates_of(target, "enrollment_end") < dates_of(target, "enrollment_start"))
        if rows:
            yield Hit(rows, "the ECM enrollment ends before it starts", field="enrollment_end")


def declined_after_enrolling(target: Target):
    if not has_fields(
        target, "ecm_status", "enrollment_start", "enrollment_end", "discontinuation_date"
    ):
        return
    enrolled_then_left = (target.fields["ecm_status"] == "declined") & dates_of(
        target, "enrollment_start"
    ).notna()
    no_end = rows_where(enrolled_then_left & dates_of(target, "enrollment_end").isna())
    if no_end:
        yield Hit(
            no_end,
            "a member who enrolled and then declined needs the enrollment end date",
            field="enrollment_end",
        )
    with_disc = rows_where(enrolled_then_left & dates_of(target, "discontinuation_date").notna())
    if with_disc:
        yield Hit(
            with_disc,
            "a member who enrolled and then declined leaves the discontinuation date blank",
            field="discontinuation_date",
            hint="move the date to the enrollment end date",
        )


def excluded_without_enrolling(target: Target):
    if not has_fields(
        target, "ecm_status", "enrollment_start", "enrollment_end", "discontinuation_date"
    ):
        return
    never = (
        target.fields["ecm_status"].isin(EXIT_STATUSES)
        & dates_of(target, "enrollment_start").isna()
    )
    no_disc = rows_where(never & dates_of(target, "discontinuation_date").isna())
    if no_disc:
        yield Hit(
            no_disc,
            "a member excluded without ever enrolling needs the discontinuation date",
            field="discontinuation_date",
        )
    with_end = rows_where(never & dates_of(target, "enrollment_end").notna())
    if with_end:
        yield Hit(
            with_end,
            "a member who never enrolled has no enrollment end date",
            field="enrollment_end",
            hint="move the date to the discontinuation date",
        )


def unable_to_contact(target: Target):
    """Before an exclusion for inability to contact, outreach lasted the plan's days (90)
    from the first attempt to the exclusion date, with its attempts (5) over its
    modalities (3): seed 002, for the Health Net family. Attempts count from the
    episode's referral or assignment (when the file says) up to the exclusion date.
    """
    if target.dataset is None or target.member_ids is None or not has_fields(target, "ecm_status"):
        return
    facts = plan_facts(target, CONTACT_FACTS)
    if facts is None:
        return
    (days, attempts_needed, modalities_needed), source = facts
    cases = _contact_cases(target, target.member_ids)
    if cases.empty:
        return
    tally = _attempt_tally(target.dataset.outreach, cases)
    few = (tally["count"].fillna(0) < attempts_needed) | (
        tally["modes"].fillna(0) < modalities_needed
    )
    lasted = cases["ended"] - tally["first"]
    short = tally["first"].notna() & (lasted < pd.Timedelta(days=days))
    for mask, message, hint in (
        (
            few,
            f"excluded as unable to contact with fewer than {attempts_needed} attempts "
            f"over {modalities_needed} modalities",
            "keep reaching out, or record the attempts in outreach",
        ),
        (
            short,
            f"excluded as unable to contact before outreach lasted {days} calendar days "
            "from the first attempt",
            f"keep reaching out until {days} days after the first attempt",
        ),
    ):
        flagged = mask[mask].index  # labels of target.fields (cases share its index)
        if len(flagged):
            positions: list[int] = target.fields.index.get_indexer(flagged).tolist()
            yield Hit(positions, message, field="ecm_status", hint=hint, source=source)


def _contact_cases(target: Target, member_ids: Sequence[str]) -> pd.DataFrame:
    """The rows excluded as unable to contact: member_id, when outreach could begin
    (referral, else assignment; NaT if unknown) and when it ended (discontinuation,
    else enrollment end, else the production date). Indexed like ``target.fields``."""
    fields = target.fields
    excluded = fields["ecm_status"] == "unable_to_contact"
    if "discontinuation_reason" in fields:
        excluded |= fields["discontinuation_reason"] == "unable_to_contact"
    ended = _first_date(target, ("discontinuation_date", "enrollment_end"))
    ended = ended.fillna(judged_on(target))
    began = _first_date(target, ("referral_date", "assigned_date"))
    cases = pd.DataFrame(
        {"member_id": list(member_ids), "ended": ended, "began": began}, index=fields.index
    )
    return cases[excluded.to_numpy()]


def _first_date(target: Target, names: tuple[str, ...]) -> pd.Series:
    """Per row, the first of the date fields ``names`` the file has and fills (else NaT)."""
    found = pd.Series(pd.NaT, index=target.fields.index, dtype="datetime64[ns]")
    for name in names:
        if name in target.fields:
            found = found.fillna(dates_of(target, name))
    return found


def _attempt_tally(outreach: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Per case: the attempts between its start and end, their methods and the first date."""
    attempts = outreach.merge(cases.reset_index(), on="member_id")
    attempts = attempts[
        (attempts["date"] <= attempts["ended"])
        & (attempts["began"].isna() | (attempts["date"] >= attempts["began"]))
    ]
    tally = attempts.groupby("index").agg(
        count=("date", "size"), modes=("method", "nunique"), first=("date", "min")
    )
    return tally.reindex(cases.index)


def _within(target: Target, field_name: str, days: int, what: str):
    if not has_fields(target, "enrollment_start", field_name):
        return
    start, done = dates_of(target, "enrollment_start"), dates_of(target, field_name)
    due = start + pd.Timedelta(days=days)
    late = (done > due) | (done.isna() & (due < judged_on(target)))
    if "ecm_status" in target.fields:  # the clock runs for members enrolled now
        late &= target.fields["ecm_status"] == "enrolled"
    rows = rows_where(late)
    if rows:
        yield Hit(rows, f"{what} not within {days} days of enrollment", field=field_name)


def assessment_started(target):
    yield from _within(target, "assessment_started", 30, "assessment started")


def assessment_completed(target):
    yield from _within(target, "assessment_completed", 60, "assessment completed")


def care_plan_created(target):
    yield from _within(target, "care_plan_created", 90, "care plan created")


def lead_care_manager_ratio(target: Target):
    """More enrolled members than the plan's ratio allows (capacity.lead_care_manager_ratio,
    1:50 in the Health Net family, seed 002): over every plan with the dataset, else over
    the file's rows. A plan that states no ratio has no such rule."""
    ratio = ratio_of(target.plan)
    if ratio is None or not has_fields(target, "lead_care_manager_name", "ecm_status"):
        return
    limit, source = ratio
    enrollments = target.dataset.enrollments if target.dataset is not None else None
    if enrollments is not None:
        counts = members_per_lead_care_manager(enrollments[enrollments["status"] == "enrolled"])
    else:
        counts = target.fields.loc[
            target.fields["ecm_status"] == "enrolled", "lead_care_manager_name"
        ].value_counts()
    over = over_limit(counts, limit)
    rows = rows_where(
        (target.fields["ecm_status"] == "enrolled")
        & target.fields["lead_care_manager_name"].isin(over.index)
    )
    if rows:
        yield Hit(
            rows,
            f"the lead care manager has more than {limit} enrolled members (ratio 1:{limit})",
            field="lead_care_manager_name",
            source=source,
        )


def future_dates(target: Target):
    today = judged_on(target)
    for name in DATE_FIELDS:
        if name in target.fields:
            rows = rows_where(dates_of(target, name) > today)
            if rows:
                yield Hit(rows, "a date after the file's production date", field=name)


def attempts_while_enrolled(target: Target):
    """An OTF row dated inside one of the member's enrollment spans (needs the dataset).

    ``convert`` leaves such an attempt off the OTF when it builds the file (with this
    rule's finding at the outreach row); here it finds one in a file read back.
    """
    if (
        target.dataset is None
        or target.member_ids is None
        or not has_fields(target, "attempt_date")
    ):
        return
    from ecmx.core.files.kinds.otf import enrolled_on_attempt_date

    attempts = pd.DataFrame(
        {"member_id": list(target.member_ids), "date": dates_of(target, "attempt_date").to_numpy()}
    )
    rows = rows_where(enrolled_on_attempt_date(attempts, target.dataset.enrollments))
    if rows:
        yield Hit(
            rows,
            "an outreach attempt dated while the member was enrolled: not an OTF row",
            field="attempt_date",
            hint="take the row off the OTF and record the contact in encounters: "
            "it counts on the RTF",
        )


# One rule for an outreach attempt dated while the member was enrolled, whoever finds it:
# ``convert`` (leaves the attempt off the OTF, kinds.otf) and ``validate --dataset``
# (a file read back). It was two codes before, O001 and B010: B010 is merged into O001.
ATTEMPT_WHILE_ENROLLED = business_rule(
    "O001",
    "warning",
    "outreach attempt for an enrolled member",
    "record the contact in encounters: it counts on the RTF",
    "seed 004 FAQ 'What is the difference between an outreach attempt and an encounter?': "
    "an outreach attempt is with a referred member NOT enrolled yet and is documented on "
    "the IOT; an encounter is documented on the RTF",
    attempts_while_enrolled,
    ("otf",),
)

BUSINESS_RULES = (
    business_rule(
        "B001",
        "error",
        "enrollment ends before it starts",
        "correct the enrollment dates",
        "an enrollment cannot end before it starts",
        end_before_start,
    ),
    business_rule(
        "B002",
        "error",
        "declined after enrolling: end date, no discontinuation date",
        "fill the enrollment end date with the day the member stopped",
        SEED_002_EXIT,
        declined_after_enrolling,
    ),
    business_rule(
        "B003",
        "error",
        "excluded without enrolling: discontinuation date only",
        "fill the discontinuation date",
        SEED_002_EXIT,
        excluded_without_enrolling,
    ),
    business_rule(
        "B004",
        "warning",
        "unable to contact: outreach over 90 days, 5 attempts, 3 modalities",
        "keep reaching out",
        "the plan's files.rtf.rules.unable_to_contact_* (Health Net family: seed 002 FAQ "
        "'Can we do outreach for 90 days, not 60?')",
        unable_to_contact,
    ),
    business_rule(
        "B005",
        "warning",
        "assessment started within 30 days",
        "start the assessment",
        "seed 002 FAQ on the initial assessment; seeds 000, 001",
        assessment_started,
    ),
    business_rule(
        "B006",
        "warning",
        "assessment completed within 60 days",
        "complete the assessment",
        "seed 002 FAQ on the initial assessment; seeds 000, 001",
        assessment_completed,
    ),
    business_rule(
        "B007",
        "warning",
        "care plan created within 90 days",
        "create the care plan",
        "seed 002 FAQ on the initial assessment",
        care_plan_created,
    ),
    business_rule(
        "B008",
        "warning",
        "lead care manager ratio above the plan's (1:50)",
        "rebalance caseloads",
        "the plan's capacity.lead_care_manager_ratio (Health Net family: seed 002 FAQ, ratios "
        "for lead care managers to members cannot exceed 1:50; assumed for the other plans)",
        lead_care_manager_ratio,
    ),
    business_rule(
        "B009",
        "error",
        "date in the future",
        "correct the date",
        "a file reports what happened by its production date",
        future_dates,
        ("rtf", "otf", "mif", "mini_mif", "tel"),
    ),
    ATTEMPT_WHILE_ENROLLED,
)


@hookimpl
def ecmx_register_rules(registry) -> None:
    for rule in BUSINESS_RULES:
        registry.add_rule(rule)
