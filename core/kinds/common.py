"""Fields and helpers every outbound file kind shares (plan and provider identity)."""

from __future__ import annotations

import pandas as pd

from ecmx.core.kinds import FieldSpec

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
