"""Partnership's Potential ECM Member Referral File: members the provider found, for the plan.

Partnership's reference guide (seed 003) lists the template among the provider's
reporting files and shows no layout: every column is assumed (plan_configs/partnership.yaml).
A community referral is a plan member whose latest episode (begun by the period's end)
is pending_outreach or outreach, with a referral_date in the period and no
assigned_date: the provider found the member; the plan has not assigned them yet.

A member the plan assigned (an assigned_date on the episode) is no community referral
and is not on the file: that is every TEL member, every month, so it is said nowhere.
A member the dataset takes for a community referral whose CIN is on one of the plan's
files ingested into the dataset (``plan_rosters``: a TEL lists new referrals with no
assignment date, so the roster is the only trace of it) is left off with a finding
(R002) naming the row: the plan already knows them, and the dataset may lack the date.

The file is made only when asked for (``convert --kind referral``): Partnership's
reporting schedule does not list it among the monthly files. A period without a
community referral writes no file (a file with no rows would refer no one).
"""

from __future__ import annotations

import pandas as pd

from ecmx.core.checks.codes import R002
from ecmx.core.checks.findings import Finding
from ecmx.core.files.kinds import FileKind, fields
from ecmx.core.files.kinds.common import (
    MCP_FIELDS,
    MEMBER_ROW,
    PROVIDER_FIELDS,
    members_with_latest_episode,
    provider_fields,
)
from ecmx.core.files.kinds.inbound import FIELDS as INBOUND_FIELDS
from ecmx.core.hookspecs import hookimpl

# The member and episode fields a referral carries, as the MIF/TEL define them (same
# dataset origins, so a problem found while mapping points at the same cell).
_CARRIED = (
    "cin", "last_name", "first_name", "dob", "sex", "phone", "address", "city", "state",
    "zip", "populations_of_focus", "referral_date", "homeless", "medicare_dual",
    "language_spoken", "lead_care_manager_name", "lead_care_manager_phone",
)  # fmt: skip
FIELDS = fields(*MCP_FIELDS, *(INBOUND_FIELDS[name] for name in _CARRIED), *PROVIDER_FIELDS)

# Statuses of a member not yet enrolled whom the provider is reaching out to.
REFERABLE_STATUSES = ("pending_outreach", "outreach")


def build(context) -> tuple[pd.DataFrame, list[Finding]]:
    # A member left off for having no episode begun by the period's end (R001, the RTF's
    # concern) has no referral in the period: not the referral file's to report.
    frame, _ = members_with_latest_episode(context)
    start, end = pd.Timestamp(context.period.start), pd.Timestamp(context.period.end)
    referred = frame["referral_date"].between(start, end) & frame["status"].isin(REFERABLE_STATUSES)
    candidates = frame[referred]
    on_roster = candidates["cin"].str.upper().isin(_roster_cins(context))
    assigned = candidates["assigned_date"].notna()
    findings = _already_assigned(context, candidates[~assigned & on_roster])
    frame = candidates[~(assigned | on_roster)].copy()
    for flag in ("homeless", "medicare_dual"):  # blank = no, as on the RTF
        frame[flag] = frame[flag].fillna(False)
    provider_fields(frame, context)
    ordered = frame.sort_values(["referral_date", "cin"], kind="stable")
    return ordered.reset_index(drop=True), findings


def _roster_cins(context) -> set[str]:
    """CINs on any file of this plan ingested into the dataset (MIF, TEL)."""
    rosters = context.dataset.tables["plan_rosters"]
    mine = rosters.loc[rosters["plan"] == context.plan.id, "cin"].dropna()
    return set(mine.astype(str).str.upper())


def _already_assigned(context, left_off: pd.DataFrame) -> list[Finding]:
    """R002 at the member's CIN: a file the plan sent lists them."""
    dataset, plan = context.dataset, context.plan
    out = []
    for member_row, member_id in left_off[[MEMBER_ROW, "member_id"]].itertuples(index=False):
        why = f"the member is on a file {plan.name} sent (ingested into the dataset)"
        out.append(
            R002.in_dataset(
                dataset,
                "members",
                "cin",
                member_row,
                f"{why}: not referred again, left off the {context.file.title}",
                plan=plan.id,
                kind=context.kind,
                member_id=str(member_id),
            )
        )
    return out


REFERRAL = FileKind(
    "referral",
    "Potential ECM Member Referral File",
    "to_plan",
    FIELDS,
    build,
    in_all=False,
    when_empty="no community referrals (referral_date in the period, no assigned_date)",
)


@hookimpl
def ecmx_register_file_kinds(registry) -> None:
    registry.add_file_kind(REFERRAL)
