"""The Community Supports Authorization Status File (CSASF) a plan sends a CS provider.

Health Net, CalViva and CHPIV send it on the 15th and the 29th (seed 002): the members
with an authorization and those without ("new potential members" for outreach), who
stay on it until resolved; one list for every CS service the provider serves, each
member + service pair going to one provider only. So a row is one member + CS service,
and a member with two services is on two rows (``one_row_per_member`` is False).

``ecmx ingest --kind csasf`` reads it back into ``community_supports`` (core/inbound/
cs_merge.py); ``convert --kind csasf`` writes one from a dataset for tests and demos:
one row per plan member + CS service whose status is not closed (a closed pair is
resolved, and the plan lists a member "until resolved").
"""

from __future__ import annotations

import pandas as pd

from ecmx.core.dataset.read import ROW
from ecmx.core.files.kinds import FileKind, fields
from ecmx.core.files.kinds.common import (
    MCP_FIELDS,
    MEMBER_ID,
    MEMBER_ROW,
    PROVIDER_FIELDS,
    plan_members,
    provider_fields,
)
from ecmx.core.files.kinds.inbound import dataset_field
from ecmx.core.hookspecs import hookimpl

CS_ROW = "_cs_row"  # the community_supports row a file row comes from, for findings
RESOLVED = "closed"

FIELDS = fields(
    *MCP_FIELDS,
    dataset_field("members", "cin"),
    dataset_field("members", "last_name"),
    dataset_field("members", "first_name"),
    dataset_field("members", "dob", "date"),
    dataset_field("members", "phone"),
    dataset_field("members", "address"),
    dataset_field("members", "city"),
    dataset_field("members", "state"),
    dataset_field("members", "zip"),
    dataset_field("community_supports", "service", "code", "cs_service"),
    dataset_field("community_supports", "status", "code", "cs_status"),
    dataset_field("community_supports", "authorization_number"),
    dataset_field("community_supports", "authorization_start", "date"),
    dataset_field("community_supports", "authorization_end", "date"),
    dataset_field("community_supports", "units_authorized", "int"),
    dataset_field("community_supports", "referral_date", "date"),
    *PROVIDER_FIELDS,
)


def build_authorization_status(context) -> tuple[pd.DataFrame, list]:
    """One row per plan member + CS service not yet closed, in member then service order."""
    dataset = context.dataset
    members = plan_members(dataset, context.plan.id)
    supports = dataset.community_supports
    listed = supports[supports["member_id"].isin(members["member_id"])]
    listed = listed[listed["status"].str.lower() != RESOLVED]
    frame = members.rename(columns={ROW: MEMBER_ROW}).merge(
        listed.rename(columns={ROW: CS_ROW}), on="member_id", how="inner", sort=False
    )
    frame = frame.sort_values([MEMBER_ROW, CS_ROW], kind="stable")
    frame[MEMBER_ID] = frame["member_id"]
    provider_fields(frame, context)
    return frame.reset_index(drop=True), []


CSASF = FileKind(
    "csasf",
    "Community Supports Authorization Status File",
    "from_plan",
    FIELDS,
    build_authorization_status,
    one_row_per_member=False,
)


@hookimpl
def ecmx_register_file_kinds(registry) -> None:
    registry.add_file_kind(CSASF)
