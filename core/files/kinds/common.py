"""Fields and helpers every outbound file kind shares (plan and provider identity)."""

from __future__ import annotations

import pandas as pd

from ecmx.core.checks.codes import R001
from ecmx.core.checks.findings import Finding
from ecmx.core.dataset.episodes import episode_began
from ecmx.core.dataset.read import ROW
from ecmx.core.files.kinds import FieldSpec

MEMBER_ROW, EPISODE_ROW, MEMBER_ID = "_member_row", "_episode_row", "_member_id"

MCP_FIELDS = (
    FieldSpec("mcp_identifier", "text", "the plan config's mcp.identifier"),
    FieldSpec("mcp_name", "text", "the plan config's mcp.name, else the plan's name"),
)
PROVIDER_FIELDS = (
    FieldSpec("provider_name", "text", "provider.facility_name"),
    FieldSpec("provider_npi", "text", "provider.npi"),
    FieldSpec("provider_tin", "text", "provider.tin (digits only)"),
    FieldSpec("provider_phone", "text", "provider.phone"),
    FieldSpec("provider_type", "text", "provider.provider_type"),
    FieldSpec(
        "production_date", "date", "the day the file is made (--production-date, default today)"
    ),
    FieldSpec("reporting_period", "text", "the period as YYYY-MM"),
    FieldSpec("reporting_period_start", "date", "the period's first day"),
    FieldSpec("reporting_period_end", "date", "the period's last day"),
)


def plan_members(dataset, plan_id: str) -> pd.DataFrame:
    members = dataset.members
    return members[members["plan"].str.lower() == plan_id]


def provider_fields(frame: pd.DataFrame, context) -> None:
    """Fill the plan and provider identity columns, the same on every row."""
    provider, plan, period = context.dataset.provider, context.plan, context.period
    constants = {
        "mcp_identifier": plan.mcp("identifier") or None,
        "mcp_name": plan.mcp("name") or plan.name,
        "provider_name": provider.facility_name,
        "provider_npi": provider.npi,
        "provider_tin": provider.tin,
        "provider_phone": provider.get("phone"),
        "provider_type": provider.get("provider_type"),
        "reporting_period": str(period),
    }
    for name, value in constants.items():
        frame[name] = pd.Series([value] * len(frame), index=frame.index, dtype=object)
    for name, day in (
        ("production_date", context.production_date),
        ("reporting_period_start", period.start),
        ("reporting_period_end", period.end),
    ):
        frame[name] = pd.Series(
            [pd.Timestamp(day)] * len(frame), index=frame.index, dtype="datetime64[ns]"
        )


def members_with_latest_episode(context) -> tuple[pd.DataFrame, list[Finding]]:
    """One row per plan member: member columns and their latest episode begun by the period's end.

    Began = enrollment_start, else assigned_date, else referral_date, else
    discontinuation_date; an undated episode is taken as current. A member with
    no such episode is left out, named by an R001 warning (returned beside the frame), unless
    they have no episode at all and community_supports rows (a CS member only).
    """
    dataset, end = context.dataset, pd.Timestamp(context.period.end)
    members = plan_members(dataset, context.plan.id)
    episodes = dataset.enrollments[dataset.enrollments["member_id"].isin(members["member_id"])]
    began = episode_began(episodes).fillna(end)
    episodes = episodes.assign(_began=began)[began <= end]
    latest = episodes.sort_values(["member_id", "_began", ROW], kind="stable").drop_duplicates(
        "member_id", keep="last"
    )
    # A member with CS rows and no ECM episode at all is a Community Supports member only
    # (a CSASF brought them): their file is the CSASF/CSPRTF, not an ECM one.
    cs_only = members["member_id"].isin(dataset.community_supports["member_id"]) & ~members[
        "member_id"
    ].isin(dataset.enrollments["member_id"])
    left_off = ~members["member_id"].isin(latest["member_id"]) & ~cs_only
    findings = []
    for row in members.loc[left_off, ROW]:
        findings.append(
            R001.finding(
                "member has no enrollments episode begun by the period's end: left off the "
                f"{context.kind.upper()}",
                # the member's whole row, shown at its member_id cell
                **{**dataset.place("members", "member_id", int(row)), "column": ""},
                plan=context.plan.id,
                kind=context.kind,
            )
        )
    frame = members.merge(
        latest.drop(columns=["_began"]).rename(columns={ROW: EPISODE_ROW}),
        on="member_id",
        how="inner",
        suffixes=("", "_episode"),
    ).rename(columns={ROW: MEMBER_ROW})
    frame[MEMBER_ID] = frame["member_id"]
    frame["ecm_status"] = frame["status"]
    return frame, findings
