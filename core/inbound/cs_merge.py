"""Merge a plan's CSASF into ``community_supports``, and say what changed.

A CSASF row is one member + Community Supports service (seed 002), matched by CIN and
service. What the plan says is applied or listed, never resolved silently:
- a CIN the dataset lacks: a new member (no ECM episode: a CS member is not an ECM
  member); each of its pairs is ``new`` with field ``members``;
- a known member's details: as a MIF's (contact details replaced, blanks filled, other
  differences a ``conflict``), once per member;
- a pair the dataset lacks: a new ``community_supports`` row (``new``); a blank status is
  ``potential`` (listed without authorization: a "new potential member") and a blank
  referral date the day the file came, the day the pair was listed for the provider;
- a known pair: the plan decides authorizations, so its status, authorization number,
  dates, units and referral date replace the provider's (``changed``, the status
  change dated ``status_date`` = the day the file came), except a status the provider has
  moved further on (``closed`` after an authorization, ``requested`` after ``potential``):
  that is a ``conflict``, listed and left as the provider has it. The provider's own
  columns (service_start, service_end, end_reason) are not on the file: never touched;
- a pair the previous CSASF listed and this one lacks is ``dropped`` (resolved by the
  plan): listed, its row untouched.
The plan's roster of pairs replaces its previous one in ``plan_rosters`` (kind csasf).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ecmx.core.dataset.read import Dataset
from ecmx.core.files.read import FILE_ROW, PlanFile
from ecmx.core.inbound.merge import (
    CHANGED,
    CONFLICT,
    DROPPED,
    NEW,
    Change,
    Merge,
    append_rows,
    cell_text,
    compare_fields,
    new_member_data,
    new_member_ids,
    origins_of,
    other_plan_conflicts,
    replace_roster,
)
from ecmx.core.plans.spec import PlanSpec

TABLE = "community_supports"
# How far a pair has gone: the provider's status further on than the plan's is kept.
STATUS_STEP = {"potential": 0, "requested": 1, "authorized": 2, "denied": 2, "closed": 3}
LISTED = "potential"


def merge_cs_file(
    dataset: Dataset, plan: PlanSpec, kind, plan_file: PlanFile, received: date
) -> Merge:
    tables = {name: frame.copy() for name, frame in dataset.tables.items()}
    members = tables["members"]
    inbound = _unique_pairs(plan_file.frame)
    cin_to_index = {cin: i for i, cin in members["cin"].dropna().str.upper().items()}
    matched = inbound["cin"].map(cin_to_index)
    known = inbound[matched.notna()].assign(_index=matched[matched.notna()].astype(int))
    other_plan = members.loc[known["_index"], "plan"].str.lower().to_numpy() != plan.id
    changes = other_plan_conflicts(known[other_plan].drop_duplicates("cin"), members, plan)
    known = known[~other_plan]
    member_fields = [f for f, (t, _) in origins_of(kind).items() if t == "members" and f in known]
    once = known.drop_duplicates("cin")
    changes += compare_fields(members, once, "_index", member_fields, kind, plan, members)
    known = known.assign(_member_id=members.loc[known["_index"], "member_id"].to_numpy())

    arriving = inbound[matched.isna()]
    first = arriving.drop_duplicates("cin")
    ids = dict(zip(first["cin"], new_member_ids(members, len(first), plan, received), strict=True))
    first = first.assign(_member_id=first["cin"].map(ids))
    tables["members"] = append_rows(members, pd.DataFrame(new_member_data(first, kind, plan)))
    arriving = arriving.assign(_member_id=arriving["cin"].map(ids))

    supports, pair_changes = _merge_pairs(tables[TABLE], known, arriving, kind, received)
    tables[TABLE] = supports
    changes += pair_changes
    changes += _dropped(dataset, tables["members"], plan, kind, inbound)
    tables["plan_rosters"] = replace_roster(
        tables["plan_rosters"], plan, kind, inbound, received, plan_file
    )
    order = {NEW: 0, DROPPED: 1, CHANGED: 2, CONFLICT: 3}
    changes.sort(key=lambda c: (order[c.change], c.member_id, c.service, c.field))
    return Merge(tables, changes, by_service=True)


def _unique_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with a CIN and a service, each pair once (the reader named the others)."""
    frame = frame[frame["cin"].notna() & frame["service"].notna()]
    return frame.drop_duplicates(["cin", "service"], keep="first").reset_index(drop=True)


def _pair_fields(kind, held) -> dict[str, str]:
    """CSASF field -> community_supports column, for the fields the file holds (``held``)."""
    return {
        name: column
        for name, (table, column) in origins_of(kind).items()
        if table == TABLE and name in held and column != "service"
    }


def _merge_pairs(supports, known, arriving, kind, received):
    fields = _pair_fields(kind, known.columns)
    where = {pair: i for i, pair in zip(supports.index, _pairs(supports), strict=True)}
    supports = supports.copy()
    changes: list[Change] = []
    added = []
    for new_member, rows in ((False, known), (True, arriving)):
        for _, row in rows.iterrows():
            index = where.get((row["_member_id"], row["service"]))
            if index is None:
                added.append(_new_pair(row, fields, received))  # each pair once: deduplicated
                changes.append(_change(NEW, row, "members" if new_member else ""))
            else:
                changes += _update_pair(supports, index, row, fields, received)
    if added:
        supports = append_rows(supports, pd.DataFrame(added))
    return supports, changes


def _pairs(frame: pd.DataFrame) -> list[tuple]:
    return list(zip(frame["member_id"], frame["service"], strict=True))


def _new_pair(row, fields: dict[str, str], received: date) -> dict:
    pair = {"member_id": row["_member_id"], "service": row["service"]}
    pair |= {column: _value(row[name]) for name, column in fields.items()}
    pair["status"] = pair.get("status") or LISTED
    if pair.get("referral_date") is None:
        pair["referral_date"] = pd.Timestamp(received)
    pair["status_date"] = pd.Timestamp(received)
    return pair


def _update_pair(supports, index, row, fields, received) -> list[Change]:
    changes = []
    for name, column in fields.items():
        theirs, mine = _value(row[name]), _value(supports.at[index, column])
        if theirs is None or cell_text(theirs) == cell_text(mine):
            continue
        moved_on = (
            column == "status"
            and mine is not None
            and STATUS_STEP.get(str(mine), 0) > STATUS_STEP.get(str(theirs), 0)
        )
        change = CONFLICT if moved_on else CHANGED
        changes.append(_change(change, row, column, cell_text(mine), cell_text(theirs)))
        if moved_on:
            continue
        supports.at[index, column] = theirs
        if column == "status":
            supports.at[index, "status_date"] = pd.Timestamp(received)
    return changes


def _value(value):
    """A cell as compared and stored: None for a blank, whole numbers as int."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _change(change: str, row, field: str = "", mine: str = "", theirs: str = "") -> Change:
    return Change(
        change, str(row["cin"]), str(row["_member_id"]), field, mine, theirs,
        int(row[FILE_ROW]), str(row["service"]),
    )  # fmt: skip


def _dropped(dataset, members, plan, kind, inbound) -> list[Change]:
    """Pairs the plan's previous CSASF listed that this one does not: resolved by the plan."""
    roster = dataset.tables["plan_rosters"]
    if "service" not in roster:
        return []
    before = roster[(roster["plan"] == plan.id) & (roster["kind"] == kind.name)]
    now = set(zip(inbound["cin"], inbound["service"], strict=True))
    member_of = dict(zip(members["cin"].str.upper(), members["member_id"], strict=False))
    return [
        Change(DROPPED, str(cin), str(member_of.get(str(cin).upper(), "")), service=str(service))
        for cin, service in zip(before["cin"], before["service"], strict=True)
        if (cin, service) not in now and isinstance(service, str)
    ]
