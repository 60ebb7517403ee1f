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

from ecmx.core.checks.findings import ERROR, WARNING, Finding
from ecmx.core.hookspecs import hookimpl

SOURCE = "seed 002 FAQ: the RTF should include all new and past enrollments present in the most recent MIF"


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
    mif_cins = set(on_mif["cin"].str.upper())
    canonical = context.canonical
    rtf_cins = set(canonical["cin"].dropna().str.upper())
    dataset = context.dataset
    member_of = dict(
        zip(dataset.members["cin"].str.upper(), dataset.members["member_id"], strict=False)
    )
    day = received.date().isoformat()
    findings = [
        Finding(
            ERROR,
            "X001",
            f"a member on the latest MIF (received {day}) is missing from the RTF",
            hint="every MIF member must be on the RTF: give the member an enrollments row",
            plan=plan.id,
            kind=kind,
            file=str(dataset.source),
            sheet=dataset.sheets.get("plan_rosters", "plan_rosters"),
            row=int(row),
            column="cin",
            cell=dataset.cell("plan_rosters", "cin", int(row)),
            value=cin,
            source=SOURCE,
            member_id=member_of.get(cin.upper(), ""),
        )
        for row, cin in on_mif[["_row", "cin"]].itertuples(index=False)
        # a blank roster CIN is the dataset's own finding (D101), not a missing member
        if isinstance(cin, str) and cin.upper() not in rtf_cins
    ]
    enrolled = canonical[
        (canonical["status"] == "enrolled") & ~canonical["cin"].str.upper().isin(mif_cins)
    ].dropna(subset=["_member_row"])  # validate: a CIN the dataset lacks has no row to name
    findings += [
        Finding(
            WARNING,
            "X002",
            f"a member enrolled with you is not on the latest MIF (received {day})",
            hint="keep the member on this RTF: the plan adds them to the next MIF once it has the RTF",
            plan=plan.id,
            kind=kind,
            file=str(dataset.source),
            sheet=dataset.sheets.get("members", "members"),
            row=int(row),
            column="cin",
            cell=dataset.cell("members", "cin", int(row)),
            value=cin,
            source="seed 002 FAQ on enrolled members not showing up on the MIF",
            member_id=member_id,
        )
        for row, cin, member_id in enrolled[["_member_row", "cin", "member_id"]].itertuples(
            index=False
        )
    ]
    return findings
