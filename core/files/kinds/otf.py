"""The Outreach Tracker File (OTF; Partnership: Initial Outreach Tracker, IOT).

One row per outreach attempt in the period for a member who was not enrolled
on the attempt's date (seed 002: one row per attempt; seed 004: an attempt is
with a member not yet enrolled, an encounter goes on the RTF). Minutes are
rounded up to the whole minute (002). A mailed attempt is reported with the
minutes in the plan's ``rules.mail_minutes`` (Health Net family: 1, seed 002);
its method code comes from the plan's outreach_method list
(``mail -> Telephonic/Electronic``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecmx.core.checks.business import ATTEMPT_WHILE_ENROLLED
from ecmx.core.checks.findings import Finding
from ecmx.core.dataset.episodes import enrollment_ended
from ecmx.core.dataset.read import ROW
from ecmx.core.files.kinds import FieldSpec, FileKind, fields
from ecmx.core.files.kinds.common import (
    MCP_FIELDS,
    MEMBER_ID,
    MEMBER_ROW,
    PROVIDER_FIELDS,
    plan_members,
    provider_fields,
)
from ecmx.core.hookspecs import hookimpl

OUTREACH_ROW = "_outreach_row"

FIELDS = fields(
    *MCP_FIELDS,
    FieldSpec("cin", "text", "members.cin"),
    FieldSpec("last_name", "text", "members.last_name"),
    FieldSpec("first_name", "text", "members.first_name"),
    FieldSpec("client_name", "text", "members.last_name, members.first_name"),
    FieldSpec("dob", "date", "members.dob"),
    FieldSpec("attempt_date", "date", "outreach.date"),
    FieldSpec(
        "method",
        "code",
        "outreach.method, translated (mail -> Telephonic/Electronic)",
        "outreach_method",
        ("outreach", "method"),
    ),
    FieldSpec("successful", "bool", "outreach.successful"),
    FieldSpec(
        "minutes",
        "int",
        "outreach.minutes rounded up to the whole minute; mail -> rules.mail_minutes",
    ),
    FieldSpec(
        "staff_type", "code", "outreach.staff_type", "staff_type", ("outreach", "staff_type")
    ),
    FieldSpec("contact_reason", "text", "outreach.contact_reason"),
    FieldSpec("outcome", "text", "outreach.outcome"),
    FieldSpec("staff_name", "text", "outreach.staff_name"),
    *PROVIDER_FIELDS,
)


def build(context) -> tuple[pd.DataFrame, list[Finding]]:
    dataset, period = context.dataset, context.period
    members = plan_members(dataset, context.plan.id)
    outreach = dataset.outreach
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    attempts = outreach[
        outreach["member_id"].isin(members["member_id"])
        & (outreach["date"] >= start)
        & (outreach["date"] <= end)
    ].rename(columns={ROW: OUTREACH_ROW})
    enrolled = enrolled_on_attempt_date(attempts, dataset.enrollments)
    # Seed 004: an outreach attempt is with a member not yet enrolled; a contact
    # after enrolling is an encounter and goes on the RTF. The attempt is left off
    # and named, the rest of the file is written.
    rule = ATTEMPT_WHILE_ENROLLED
    findings = []
    for row, member_id in attempts.loc[enrolled, [OUTREACH_ROW, "member_id"]].itertuples(
        index=False
    ):
        findings.append(
            rule.in_dataset(
                dataset,
                "outreach",
                "date",
                row,
                "outreach attempt dated while the member was enrolled: left off the "
                f"{context.file.title}",
                hint="a contact with an enrolled member is an encounter: record it in "
                "encounters, where it counts on the RTF",
                plan=context.plan.id,
                kind="otf",
                member_id=str(member_id),
            )
        )
    attempts = attempts[~enrolled]
    frame = attempts.merge(
        members.rename(columns={ROW: MEMBER_ROW}),
        on="member_id",
        how="left",
        suffixes=("", "_member"),
    )
    frame[MEMBER_ID] = frame["member_id"]
    frame["attempt_date"] = frame["date"]
    frame["client_name"] = frame["last_name"].fillna("") + ", " + frame["first_name"].fillna("")
    minutes = np.ceil(frame["minutes"].astype("float64"))
    mail_minutes = context.file.rules.get("mail_minutes")
    if mail_minutes is not None:
        minutes = minutes.where(frame["method"] != "mail", float(mail_minutes))
    frame["minutes"] = minutes.astype("Int64")
    provider_fields(frame, context)
    ordered = frame.sort_values([MEMBER_ID, "attempt_date", OUTREACH_ROW], kind="stable")
    return ordered.reset_index(drop=True), findings


def enrolled_on_attempt_date(attempts: pd.DataFrame, enrollments: pd.DataFrame) -> pd.Series:
    """True for each attempt made inside one of the member's enrollment spans."""
    spans = enrollments.assign(enrollment_end=enrollment_ended(enrollments))
    spans = spans.loc[
        spans["enrollment_start"].notna(), ["member_id", "enrollment_start", "enrollment_end"]
    ]
    # An empty side has a float member_id on pandas 3, which merge refuses to join to text.
    keys = {"member_id": object}
    pairs = (
        attempts[["member_id", "date"]]
        .astype(keys)
        .reset_index()
        .merge(spans.astype(keys), on="member_id", how="inner")
    )
    inside = (pairs["date"] >= pairs["enrollment_start"]) & (
        pairs["enrollment_end"].isna() | (pairs["date"] <= pairs["enrollment_end"])
    )
    hit = set(pairs.loc[inside, "index"])
    return pd.Series(attempts.index.isin(list(hit)), index=attempts.index)


OTF = FileKind(
    "otf",
    "Outreach Tracker File",
    "to_plan",
    FIELDS,
    build,
    aliases=("iot",),
    one_row_per_member=False,
)


@hookimpl
def ecmx_register_file_kinds(registry) -> None:
    registry.add_file_kind(OTF)
