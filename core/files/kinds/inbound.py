"""Files a plan sends the provider: MIF, mini-MIF (Health Net) and TEL (Partnership).

ecmx reads them back into the dataset (``ecmx ingest``), and can also write
them from a dataset (``convert --kind mif``) so plans, tests and demos have
realistic inbound files. Every field names its ``origin`` (table, column): the
dataset cell it comes from and goes back to. Plan-side defaults (blank acuity
-> Low) are not applied here: they exist for files sent to a plan.

- MIF: the members assigned to the provider, enrolled ones and those pending
  outreach (seed 002), carrying back the provider's earlier RTF updates (002);
  one row per plan member with an episode begun by the period's end.
- mini-MIF (Health Net, 001) and TEL (Partnership, 003/004): new referrals;
  one row per plan member whose latest episode is pending outreach and was
  assigned (or referred) in the period.
"""

from __future__ import annotations

import pandas as pd

from ecmx.core.files.kinds import FieldSpec, FileKind, fields
from ecmx.core.files.kinds.common import (
    MCP_FIELDS,
    PROVIDER_FIELDS,
    members_with_latest_episode,
    provider_fields,
)
from ecmx.core.hookspecs import hookimpl


def dataset_field(
    table: str, column: str, type_: str = "text", codes: str | None = None, name=None
) -> FieldSpec:
    """A field read from, and merged back into, the dataset cell (table, column)."""
    return FieldSpec(name or column, type_, f"{table}.{column}", codes, (table, column))


FIELDS = fields(
    *MCP_FIELDS,
    dataset_field("members", "cin"),
    dataset_field("members", "last_name"),
    dataset_field("members", "first_name"),
    dataset_field("members", "dob", "date"),
    dataset_field("members", "sex"),
    dataset_field("members", "address"),
    dataset_field("members", "city"),
    dataset_field("members", "state"),
    dataset_field("members", "zip"),
    dataset_field("members", "phone"),
    dataset_field("members", "homeless", "bool"),
    dataset_field("members", "medicare_dual", "bool"),
    dataset_field("members", "language_spoken"),
    dataset_field("members", "language_written"),
    dataset_field("members", "populations_of_focus", "codes", "population_of_focus"),
    dataset_field("enrollments", "status", "code", "ecm_status", name="ecm_status"),
    dataset_field("enrollments", "acuity", "code", "acuity"),
    dataset_field("enrollments", "referral_date", "date"),
    dataset_field("enrollments", "assigned_date", "date"),
    dataset_field("enrollments", "enrollment_start", "date"),
    dataset_field("enrollments", "enrollment_end", "date"),
    dataset_field("enrollments", "discontinuation_date", "date"),
    dataset_field("enrollments", "discontinuation_reason", "code", "discontinuation_reason"),
    dataset_field("enrollments", "authorization_number"),
    dataset_field("enrollments", "lead_care_manager_name"),
    dataset_field("enrollments", "lead_care_manager_phone"),
    dataset_field("enrollments", "lead_care_manager_email"),
    *PROVIDER_FIELDS,
)


def build_roster(context) -> tuple[pd.DataFrame, list]:
    frame, findings = members_with_latest_episode(context)
    provider_fields(frame, context)
    return frame.reset_index(drop=True), findings


def build_new_referrals(context) -> tuple[pd.DataFrame, list]:
    frame, findings = members_with_latest_episode(context)
    start, end = pd.Timestamp(context.period.start), pd.Timestamp(context.period.end)
    assigned = frame["assigned_date"].fillna(frame["referral_date"])
    new = (frame["status"] == "pending_outreach") & (assigned >= start) & (assigned <= end)
    frame = frame[new].copy()
    provider_fields(frame, context)
    return frame.reset_index(drop=True), findings


MIF = FileKind("mif", "Member Information File", "from_plan", FIELDS, build_roster)
MINI_MIF = FileKind(
    "mini_mif", "mini-MIF (new referral)", "from_plan", FIELDS, build_new_referrals, ("minimif",)
)
TEL = FileKind("tel", "Targeted Engagement List", "from_plan", FIELDS, build_new_referrals)


@hookimpl
def ecmx_register_file_kinds(registry) -> None:
    for kind in (MIF, MINI_MIF, TEL):
        registry.add_file_kind(kind)
