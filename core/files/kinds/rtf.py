"""The Return Transmission File (RTF): one row per member, provider -> plan.

Rules (../shared/docs/domain.md, seed 002 unless noted):
- every member of the plan with an episode that began in or before the period;
  the episode reported is the latest to begin by the period's end;
- a member who enrolled and then left keeps the enrollment start date, the day
  they left goes in the enrollment end date, the discontinuation date stays blank;
- a member excluded without ever enrolling has only the discontinuation date;
- blank acuity is written as the plan's default (Low);
- In Person and Telephonic/Video count the period's ECM encounters with the
  member; which ones is the plan's ``rules.encounter_counts``: successful and
  unsuccessful (Health Net family, seed 002) or successful only (Partnership,
  seed 004: "an encounter is considered a successful interaction with a member
  and is documented on the RTF"); the most recent encounter date is the latest
  successful one (seed 002).

An ECM encounter is an encounters row of kind ``service`` that is not billed
under another benefit's code set (CHW, doula: the plan's ``billing.code_sets``).
Outreach rows are outreach (the OTF's, seed 004); a care team meeting is held
without the member (seed 003: code GQ when the member is not present, "care team
meeting"); an engagement fee is a payment (seed 004), not a contact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecmx.core.billing.coding import billing_spec
from ecmx.core.dataset.canonical import ENCOUNTER_MODES, EXIT_STATUSES, POPULATIONS_OF_FOCUS
from ecmx.core.dataset.episodes import enrollment_ended
from ecmx.core.files.kinds import FieldSpec, FileKind, fields
from ecmx.core.files.kinds.common import (
    MCP_FIELDS,
    PROVIDER_FIELDS,
    members_with_latest_episode,
    provider_fields,
)
from ecmx.core.hookspecs import hookimpl

FIELDS = fields(
    *MCP_FIELDS,
    FieldSpec("cin", "text", "members.cin"),
    FieldSpec("last_name", "text", "members.last_name"),
    FieldSpec("first_name", "text", "members.first_name"),
    FieldSpec("dob", "date", "members.dob"),
    FieldSpec("sex", "text", "members.sex"),
    FieldSpec("mrn", "text", "members.mrn"),
    FieldSpec("address_changed", "bool", "members.address_changed (blank = no)"),
    FieldSpec("homeless", "bool", "members.homeless (blank = no)"),
    FieldSpec("address", "text", "members.address"),
    FieldSpec("city", "text", "members.city"),
    FieldSpec("state", "text", "members.state"),
    FieldSpec("zip", "text", "members.zip"),
    FieldSpec("phone_changed", "bool", "members.phone_changed (blank = no)"),
    FieldSpec("phone", "text", "members.phone"),
    FieldSpec("language_spoken", "text", "members.language_spoken"),
    FieldSpec("language_written", "text", "members.language_written"),
    FieldSpec("medicare_dual", "bool", "members.medicare_dual (blank = no)"),
    FieldSpec("pof_indicator", "bool", "yes when members.populations_of_focus is not blank"),
    FieldSpec(
        "populations_of_focus",
        "codes",
        "members.populations_of_focus, each translated",
        "population_of_focus",
        ("members", "populations_of_focus"),
    ),
    *(
        FieldSpec(f"pof_{key}", "bool", f"yes when members.populations_of_focus holds {key}")
        for key in POPULATIONS_OF_FOCUS
    ),
    FieldSpec(
        "ecm_status",
        "code",
        "enrollments.status of the reported episode",
        "ecm_status",
        ("enrollments", "status"),
    ),
    FieldSpec(
        "acuity",
        "code",
        "enrollments.acuity; blank -> the code list's default (Low)",
        "acuity",
        ("enrollments", "acuity"),
    ),
    FieldSpec("enrollment_start", "date", "enrollments.enrollment_start"),
    FieldSpec(
        "enrollment_end",
        "date",
        "for a member who enrolled and left: enrollment_end, else discontinuation_date; blank if never enrolled",
    ),
    FieldSpec(
        "discontinuation_date",
        "date",
        "only for a member excluded without ever enrolling: discontinuation_date, else enrollment_end",
    ),
    FieldSpec(
        "discontinuation_reason",
        "code",
        "enrollments.discontinuation_reason",
        "discontinuation_reason",
        ("enrollments", "discontinuation_reason"),
    ),
    FieldSpec("referral_date", "date", "enrollments.referral_date"),
    FieldSpec("assigned_date", "date", "enrollments.assigned_date"),
    FieldSpec("assessment_started", "date", "enrollments.assessment_started"),
    FieldSpec("assessment_completed", "date", "enrollments.assessment_completed"),
    FieldSpec("care_plan_created", "date", "enrollments.care_plan_created"),
    FieldSpec("care_plan_revised", "date", "enrollments.care_plan_revised"),
    FieldSpec("care_conference_date", "date", "enrollments.care_conference_date"),
    FieldSpec(
        "authorization_number",
        "text",
        "enrollments.authorization_number",
        origin=("enrollments", "authorization_number"),
    ),
    FieldSpec("lead_care_manager_name", "text", "enrollments.lead_care_manager_name"),
    FieldSpec("lead_care_manager_phone", "text", "enrollments.lead_care_manager_phone"),
    FieldSpec("lead_care_manager_email", "text", "enrollments.lead_care_manager_email"),
    FieldSpec(
        "last_encounter_date",
        "date",
        "latest date of an ECM encounter (kind service, not a CS service nor a CHW/doula code) with successful "
        "and member_present not false, by the period's end",
    ),
    FieldSpec(
        "in_person_count",
        "int",
        "ECM encounters (kind service, not a CS service nor a CHW/doula code) in the period with mode in_person; "
        "unsuccessful ones too unless the plan's rules.encounter_counts is successful",
    ),
    FieldSpec(
        "telephonic_count",
        "int",
        "ECM encounters (kind service, not a CS service nor a CHW/doula code) in the period with mode phone or "
        "video; unsuccessful ones too unless the plan's rules.encounter_counts is successful",
    ),
    *PROVIDER_FIELDS,
)


def build(context) -> tuple[pd.DataFrame, list]:
    frame, findings = members_with_latest_episode(context)
    _apply_exit_rules(frame)
    for flag in ("address_changed", "homeless", "phone_changed", "medicare_dual"):
        frame[flag] = frame[flag].fillna(False)
    pof = frame["populations_of_focus"].fillna("")
    frame["pof_indicator"] = pof != ""
    slots, distinct = pd.factorize(pof)  # a handful of distinct key lists
    for key in POPULATIONS_OF_FOCUS:
        holds = np.array([key in keys.split(";") for keys in distinct], dtype=bool)
        frame[f"pof_{key}"] = holds[slots]
    # plans check makes a layout that writes the counts say what they count
    counted = context.file.rules.get("encounter_counts")
    _add_encounter_fields(frame, ecm_encounters(context), context.period, counted)
    provider_fields(frame, context)
    return frame.reset_index(drop=True), findings


def _apply_exit_rules(frame: pd.DataFrame) -> None:
    left = frame["status"].isin(EXIT_STATUSES)
    enrolled_once = frame["enrollment_start"].notna()
    was_enrolled = left & enrolled_once
    never = left & ~enrolled_once
    end, disc = frame["enrollment_end"].copy(), frame["discontinuation_date"].copy()
    frame["enrollment_end"] = end.where(~was_enrolled, enrollment_ended(frame))
    frame.loc[was_enrolled, "discontinuation_date"] = pd.NaT
    frame["discontinuation_date"] = frame["discontinuation_date"].where(~never, disc.fillna(end))
    frame.loc[never, "enrollment_end"] = pd.NaT


# What In Person and Telephonic/Video count (the plan's files.rtf.rules.encounter_counts).
ENCOUNTER_COUNTS = ("successful_and_unsuccessful", "successful")
COUNT_FIELDS = ("in_person_count", "telephonic_count")


def ecm_encounters(context) -> pd.DataFrame:
    """The dataset's ECM encounters: kind service, not a Community Supports service (those
    go on the CSPRTF) nor a code of another benefit's code set."""
    encounters = context.dataset.encounters
    ecm = (encounters["kind"].fillna("service") == "service") & encounters["cs_service"].isna()
    plan = context.plan
    if "procedure_code" in encounters and plan.billing is not None:
        spec = billing_spec(plan)
        # each distinct code is looked up once: a month has a few dozen codes, not 100,000
        codes = encounters["procedure_code"]
        slots, distinct = pd.factorize(codes, use_na_sentinel=True)
        other = [spec.code_set_of(str(code).strip().upper()) is not None for code in distinct]
        other_benefit = np.append(np.array(other, dtype=bool), False)[slots]
        ecm &= ~other_benefit
    return encounters[ecm]


def _add_encounter_fields(
    frame: pd.DataFrame, encounters: pd.DataFrame, period, counted: str | None
) -> None:
    mine = encounters[encounters["member_id"].isin(frame["member_id"])]
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    # A successful interaction with the member: neither flag says otherwise (blank = yes,
    # the dataset's default; an unreadable cell is a dataset finding of its own).
    with_member = mine["successful"].fillna(True).astype(bool) & mine["member_present"].fillna(
        True
    ).astype(bool)
    in_period = mine[(mine["date"] >= start) & (mine["date"] <= end)]
    if counted == "successful":
        in_period = in_period[with_member[in_period.index]]
    counts = in_period.groupby(["member_id", "mode"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(ENCOUNTER_MODES), fill_value=0)
    in_person = counts["in_person"]
    remote = counts["phone"] + counts["video"]
    frame["in_person_count"] = frame["member_id"].map(in_person).fillna(0).astype("int64")
    frame["telephonic_count"] = frame["member_id"].map(remote).fillna(0).astype("int64")
    last = mine[with_member & (mine["date"] <= end)].groupby("member_id")["date"].max()
    latest = last.reindex(frame["member_id"].to_numpy()).to_numpy()  # NaT: none by the end
    frame["last_encounter_date"] = pd.to_datetime(
        pd.Series(latest, index=frame.index), errors="coerce"
    ).astype("datetime64[ns]")


RTF = FileKind("rtf", "Return Transmission File", "to_plan", FIELDS, build)


@hookimpl
def ecmx_register_file_kinds(registry) -> None:
    registry.add_file_kind(RTF)
