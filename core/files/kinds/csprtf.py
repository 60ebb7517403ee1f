"""The Community Supports Provider Return Transmission File (CSPRTF), provider -> plan.

Seed 002 (Health Net, CalViva, CHPIV): DHCS requires plans to collect the CSPRTF from
every contracted CS provider; it is due by the 5th and the 10th of every month via sFTP;
"CSPRTF was designed based on the guidelines provided by DHCS, so all MCP CSPRTFs should
be aligned for the most part"; an ECM provider that is also a CS provider sends it
beside (not inside) its RTF.

One row per plan member and CS service (a ``community_supports`` row) that is open in
the period: status potential, requested or authorized (or blank: the dataset reports
that cell, and the row shows where it lands), referred by the period's end; a denied
or closed pair only in the period its status_date or service_end falls in (its last
report), or when it gives neither date (it cannot be placed: reported rather than
lost). Units delivered and the date of the most recent service come from the
encounters that bill that CS service (``encounters.cs_service``); such an encounter
with no pair to report it on is named (S104), not counted silently.
"""

from __future__ import annotations

import pandas as pd

from ecmx.core.checks.codes import S104
from ecmx.core.checks.findings import Finding
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

CS_ROW = "_cs_row"
OPEN_STATUSES = ("potential", "requested", "authorized")
RESOLVED_STATUSES = ("denied", "closed")
_CS = "community_supports"

FIELDS = fields(
    *MCP_FIELDS,
    FieldSpec("cin", "text", "members.cin"),
    FieldSpec("last_name", "text", "members.last_name"),
    FieldSpec("first_name", "text", "members.first_name"),
    FieldSpec("dob", "date", "members.dob"),
    FieldSpec("service", "code", "community_supports.service", "cs_service", (_CS, "service")),
    FieldSpec("status", "code", "community_supports.status", "cs_status", (_CS, "status")),
    FieldSpec("authorization_number", "text", "community_supports.authorization_number"),
    FieldSpec("authorization_start", "date", "community_supports.authorization_start"),
    FieldSpec("authorization_end", "date", "community_supports.authorization_end"),
    FieldSpec("units_authorized", "int", "community_supports.units_authorized"),
    FieldSpec("referral_date", "date", "community_supports.referral_date"),
    FieldSpec("status_date", "date", "community_supports.status_date"),
    FieldSpec("service_start", "date", "community_supports.service_start"),
    FieldSpec("service_end", "date", "community_supports.service_end"),
    FieldSpec("end_reason", "text", "community_supports.end_reason"),
    FieldSpec(
        "units_delivered",
        "int",
        "sum of encounters.units (blank = 1) of the member's encounters in the period whose "
        "cs_service is the row's service",
    ),
    FieldSpec(
        "last_service_date",
        "date",
        "latest date of the member's encounters whose cs_service is the row's service, by "
        "the period's end",
    ),
    *PROVIDER_FIELDS,
)


def build(context) -> tuple[pd.DataFrame, list[Finding]]:
    dataset, period = context.dataset, context.period
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    members = plan_members(dataset, context.plan.id)
    pairs = dataset.community_supports
    pairs = pairs[pairs["member_id"].isin(members["member_id"])]
    reported = pairs[_reported_in(pairs, start, end)].rename(columns={ROW: CS_ROW})
    frame = reported.merge(
        members.drop(columns=["plan"]).rename(columns={ROW: MEMBER_ROW}),
        on="member_id",
        how="left",
        suffixes=("", "_member"),
    )
    frame[MEMBER_ID] = frame["member_id"]
    delivered = cs_encounters(dataset, members)
    findings = _unreported_encounters(context, delivered, pairs)
    _add_delivery(frame, delivered, start, end)
    provider_fields(frame, context)
    ordered = frame.sort_values([MEMBER_ID, "service", CS_ROW], kind="stable")
    return ordered.reset_index(drop=True), findings


def _reported_in(pairs: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """True for the pairs this period's CSPRTF reports (the module docstring's rule)."""
    status = pairs["status"]
    referred = pairs["referral_date"].isna() | (pairs["referral_date"] <= end)
    resolved = status.isin(RESOLVED_STATUSES)
    open_now = ~resolved & referred

    def within(column: str) -> pd.Series:
        return (pairs[column] >= start) & (pairs[column] <= end)

    undated = pairs["status_date"].isna() & pairs["service_end"].isna()
    last_report = resolved & (within("status_date") | within("service_end") | undated)
    return open_now | last_report


def cs_encounters(dataset, members: pd.DataFrame) -> pd.DataFrame:
    """The plan members' encounters that bill a CS service (not ECM: the RTF skips them)."""
    encounters = dataset.encounters
    return encounters[
        encounters["cs_service"].notna() & encounters["member_id"].isin(members["member_id"])
    ]


def _add_delivery(frame: pd.DataFrame, delivered: pd.DataFrame, start, end) -> None:
    keys = ["member_id", "cs_service"]  # encounters' names; the frame's are member_id, service
    units = delivered["units"].fillna(1) if "units" in delivered else 1
    rows = delivered.assign(_units=units)
    in_period = rows[(rows["date"] >= start) & (rows["date"] <= end)]
    total = in_period.groupby(keys)["_units"].sum()
    last = rows[rows["date"] <= end].groupby(keys)["date"].max()
    index = pd.MultiIndex.from_frame(frame[["member_id", "service"]].astype(object))
    frame["units_delivered"] = (
        pd.Series(total.reindex(index).to_numpy(), index=frame.index).fillna(0).astype("int64")
    )
    frame["last_service_date"] = pd.Series(
        last.reindex(index).to_numpy(), index=frame.index, dtype="datetime64[ns]"
    )


def _unreported_encounters(context, delivered: pd.DataFrame, pairs: pd.DataFrame) -> list:
    """S104 for each CS encounter in the period with no community_supports row for its
    member and service: it would count on no CSPRTF row."""
    start, end = pd.Timestamp(context.period.start), pd.Timestamp(context.period.end)
    known = set(zip(pairs["member_id"], pairs["service"], strict=True))
    in_period = delivered[(delivered["date"] >= start) & (delivered["date"] <= end)]
    findings = []
    for row, member_id, service in in_period[[ROW, "member_id", "cs_service"]].itertuples(
        index=False
    ):
        if (member_id, service) in known:
            continue
        findings.append(
            S104.in_dataset(
                context.dataset,
                "encounters",
                "cs_service",
                row,
                f"Community Supports encounter ({service}) with no community_supports row for "
                f"the member and service: not counted on the {context.file.title}",
                plan=context.plan.id,
                kind=context.kind,
                member_id=str(member_id),
            )
        )
    return findings


CSPRTF = FileKind(
    "csprtf",
    "Community Supports Provider Return Transmission File",
    "to_plan",
    FIELDS,
    build,
    one_row_per_member=False,  # one row per member and CS service
    provider_key="community_supports",
)


@hookimpl
def ecmx_register_file_kinds(registry) -> None:
    registry.add_file_kind(CSPRTF)
