"""Checks across files: the RTF against the plan's latest ingested MIF.

Registered through ``ecmx_validate`` like any plugin. They run when the
dataset holds a roster for the plan (``plan_rosters``, written by ``ecmx ingest``):
- a member on the latest MIF but missing from the RTF is an error: the RTF
  must include all new and past enrollments in the most recent MIF (seed 002);
- a member enrolled with the provider but absent from that MIF is a warning:
  put them on the RTF and the plan adds them to the next MIF (seed 002 FAQ on
  enrolled members not showing up on the MIF).
(An OTF attempt made while the member was enrolled is left off when the OTF is
built: rule O001, core/checks/business.py.)
"""

from __future__ import annotations

from ecmx.core.checks.codes import X001, X002
from ecmx.core.hookspecs import hookimpl


@hookimpl
def ecmx_validate(plan, kind, frame, context):
    if kind != "rtf" or context.dataset is None:  # validate without --dataset: no roster
        return None
    rosters = context.dataset.tables["plan_rosters"]
    mine = rosters[(rosters["plan"] == plan.id) & (rosters["kind"] == "mif")]
    if mine.empty:
        return None
    received = mine["received"].max()
    on_mif = mine[mine["received"] == received]
    day = received.date().isoformat()
    # The dataset as a whole (a workbook, or the folder of CSVs), as ever for X001/X002.
    where = {"plan": plan.id, "kind": kind, "file": str(context.dataset.source)}
    return [
        *_missing_from_rtf(context, on_mif, day, where),
        *_missing_from_mif(context, on_mif, day, where),
    ]


def _missing_from_rtf(context, on_mif, day: str, where: dict) -> list:
    """X001 at each roster row whose CIN the RTF lacks."""
    dataset = context.dataset
    rtf_cins = set(context.canonical["cin"].dropna().str.upper())
    member_of = dict(
        zip(dataset.members["cin"].str.upper(), dataset.members["member_id"], strict=False)
    )
    message = f"a member on the latest MIF (received {day}) is missing from the RTF"
    return [
        X001.in_dataset(
            dataset,
            "plan_rosters",
            "cin",
            row,
            message,
            value=cin,
            member_id=member_of.get(cin.upper(), ""),
            **where,
        )
        for row, cin in on_mif[["_row", "cin"]].itertuples(index=False)
        # a blank roster CIN is the dataset's own finding (D101), not a missing member
        if isinstance(cin, str) and cin.upper() not in rtf_cins
    ]


def _missing_from_mif(context, on_mif, day: str, where: dict) -> list:
    """X002 at the members row of each enrolled member the MIF lacks."""
    canonical = context.canonical
    mif_cins = set(on_mif["cin"].str.upper())
    enrolled = canonical[
        (canonical["status"] == "enrolled") & ~canonical["cin"].str.upper().isin(mif_cins)
    ].dropna(subset=["_member_row"])  # validate: a CIN the dataset lacks has no row to name
    message = f"a member enrolled with you is not on the latest MIF (received {day})"
    return [
        X002.in_dataset(
            context.dataset,
            "members",
            "cin",
            row,
            message,
            value=cin,
            member_id=member_id,
            **where,
        )
        for row, cin, member_id in enrolled[["_member_row", "cin", "member_id"]].itertuples(
            index=False
        )
    ]
