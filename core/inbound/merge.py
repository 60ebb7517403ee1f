"""Merge a plan's inbound file (MIF, mini-MIF, TEL) into the dataset, and say what changed.

Matched by CIN. What the plan says is applied or listed, never resolved silently:
- a CIN the dataset lacks: a new member with a new episode (status from the
  file, else pending_outreach; assigned on the file's date, else the day received);
- contact details (address, city, state, zip, phone): the plan's newer value
  replaces the provider's (``changed``);
- any other field: a blank in the dataset is filled (``changed``); two different
  values are a ``conflict``, listed and left as the provider has it. A status is
  the same when both translate to the same plan code (several statuses share one);
- a plan member missing from a full MIF is ``dropped``: listed, data untouched
  (the provider decides); a mini-MIF or TEL lists new referrals only.
The plan's roster (who was on the file) replaces that plan's earlier one in
``plan_rosters``, for the cross-file checks of ``convert``. A file whose fields go to
``community_supports`` (the CSASF: one row per member and CS service) is cs_merge.py's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import pandas as pd

from ecmx.core.dataset.episodes import episode_began
from ecmx.core.dataset.read import ROW, Dataset
from ecmx.core.files.read import FILE_ROW, PlanFile
from ecmx.core.plans.spec import PlanSpec

CONTACT_FIELDS = ("address", "city", "state", "zip", "phone")
FULL_ROSTER_KINDS = ("mif",)  # kinds that list every assigned member (others: new referrals)
NEW, DROPPED, CHANGED, CONFLICT = "new", "dropped", "changed", "conflict"


@dataclass(frozen=True)
class Change:
    change: str
    cin: str
    member_id: str
    field: str = ""
    dataset_value: str = ""
    plan_value: str = ""
    file_row: int | None = None
    service: str = ""  # the CS service, for a CSASF row (one per member and service)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Merge:
    tables: dict[str, pd.DataFrame]
    changes: list[Change]
    by_service: bool = False  # a CSASF: counted per member and CS service, not per member

    def count(self, change: str) -> int:
        return len({(c.cin, c.member_id, c.service) for c in self.changes if c.change == change})


def merge_plan_file(
    dataset: Dataset, plan: PlanSpec, kind, plan_file: PlanFile, received: date
) -> Merge:
    if any(table == "community_supports" for table, _ in origins_of(kind).values()):
        from ecmx.core.inbound.cs_merge import merge_cs_file  # it builds on this module

        return merge_cs_file(dataset, plan, kind, plan_file, received)
    tables = {name: frame.copy() for name, frame in dataset.tables.items()}
    inbound = _unique_cins(plan_file.frame)
    members, episodes = tables["members"], tables["enrollments"]
    cin_to_index = {cin: i for i, cin in members["cin"].dropna().str.upper().items()}
    matched = inbound["cin"].map(cin_to_index)
    changes: list[Change] = []

    known = inbound[matched.notna()].assign(_index=matched[matched.notna()].astype(int))
    # A CIN the dataset has under another plan: the plan's claim is listed, not merged.
    other_plan = members.loc[known["_index"], "plan"].str.lower().to_numpy() != plan.id
    changes += other_plan_conflicts(known[other_plan], members, plan)
    known = known[~other_plan]
    member_fields = [
        f for f, (table, _) in origins_of(kind).items() if table == "members" and f in inbound
    ]
    episode_fields = [
        f for f, (table, _) in origins_of(kind).items() if table == "enrollments" and f in inbound
    ]
    changes += compare_fields(members, known, "_index", member_fields, kind, plan, members)
    latest = _latest_episode_index(episodes, members.loc[known["_index"], "member_id"])
    with_episode = known.assign(_episode=known["_index"].map(latest))
    no_episode = with_episode[with_episode["_episode"].isna()]
    with_episode = with_episode[with_episode["_episode"].notna()].astype({"_episode": int})
    changes += compare_fields(
        episodes, with_episode, "_episode", episode_fields, kind, plan, members
    )

    new_rows = inbound[matched.isna()]
    tables["members"], tables["enrollments"], added = _add_members(
        members, episodes, new_rows, no_episode, plan, kind, received
    )
    changes += added
    if kind.name in FULL_ROSTER_KINDS:
        changes += _dropped(members, set(inbound["cin"]), plan)
    tables["plan_rosters"] = replace_roster(
        tables["plan_rosters"], plan, kind, inbound, received, plan_file
    )
    order = {NEW: 0, DROPPED: 1, CHANGED: 2, CONFLICT: 3}
    changes.sort(key=lambda c: (order[c.change], c.member_id, c.field))
    return Merge(tables, changes)


def other_plan_conflicts(rows, members, plan) -> list[Change]:
    return [
        Change(
            CONFLICT,
            str(cin),
            str(members.at[index, "member_id"]),
            "plan",
            str(members.at[index, "plan"]),
            plan.id,
            int(file_row),
        )
        for cin, index, file_row in zip(rows["cin"], rows["_index"], rows[FILE_ROW], strict=True)
    ]


def origins_of(kind) -> dict[str, tuple[str, str]]:
    return {name: spec.origin for name, spec in kind.fields.items() if spec.origin}


def _unique_cins(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[frame["cin"].notna()]
    return frame.drop_duplicates("cin", keep="first").reset_index(drop=True)


def _latest_episode_index(episodes: pd.DataFrame, member_ids: pd.Series) -> dict:
    """members index -> enrollments index of the member's latest episode."""
    began = episode_began(episodes).fillna(pd.Timestamp.max)  # undated: the latest
    ordered = episodes.assign(_began=began).sort_values(["member_id", "_began", ROW], kind="stable")
    last = ordered.drop_duplicates("member_id", keep="last")
    by_member = dict(zip(last["member_id"], last.index, strict=True))
    return {index: by_member.get(member_id) for index, member_id in member_ids.items()}


def compare_fields(target, rows, index_column, fields, kind, plan, members) -> list[Change]:
    """Apply or list each field's differences between ``rows`` (the plan) and ``target``."""
    changes: list[Change] = []
    if rows.empty:
        return changes
    at = rows[index_column].to_numpy()
    member_ids = (members.loc[rows["_index"], "member_id"]).to_numpy()
    for field_name in fields:
        column = kind.fields[field_name].origin[1]
        plan_values = rows[field_name]
        mine = target.loc[at, column].reset_index(drop=True)
        theirs = plan_values.reset_index(drop=True)
        mine_n, theirs_n = _normal(mine, field_name, plan), _normal(theirs, field_name, plan)
        differs = theirs_n.notna() & (mine_n.isna() | (mine_n != theirs_n))
        if not differs.any():
            continue
        apply = differs if field_name in CONTACT_FIELDS else differs & mine_n.isna()
        target.loc[at[apply.to_numpy()], column] = theirs[apply].to_numpy()
        for i in differs[differs].index:
            changes.append(
                Change(
                    CHANGED if apply[i] else CONFLICT,
                    str(rows["cin"].iloc[i]),
                    str(member_ids[i]),
                    column,
                    cell_text(mine.iloc[i]),
                    cell_text(theirs.iloc[i]),
                    int(rows[FILE_ROW].iloc[i]),
                )
            )
    return changes


def _normal(series: pd.Series, field_name: str, plan: PlanSpec) -> pd.Series:
    """Values as compared: digits for phones, five digits for ZIPs, the plan code for a status."""
    series = series.astype(object).where(series.notna(), None)
    if field_name == "phone":
        return _map_distinct(
            series, lambda v: "".join(c for c in str(v) if c.isdigit()) or None if v else None
        )
    if field_name == "zip":
        return _map_distinct(
            series, lambda v: "".join(c for c in str(v) if c.isdigit())[:5].zfill(5) if v else None
        )
    if field_name == "ecm_status" and "ecm_status" in plan.codes:
        codes = plan.codes["ecm_status"].mapping()
        return _map_distinct(series, lambda v: codes.get(v, v) if v else None)
    if field_name == "populations_of_focus":
        return _map_distinct(series, lambda v: ";".join(sorted(str(v).split(";"))) if v else None)
    return _map_distinct(series, lambda v: cell_text(v) or None)


def _map_distinct(series: pd.Series, func) -> pd.Series:
    """``series.map(func)``, calling func once per distinct value (statuses, cities repeat)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:] = [*(func(u) for u in uniques), func(None)]
    return pd.Series(table[codes], index=series.index, dtype=object)


def cell_text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _add_members(members, episodes, new_rows, no_episode, plan, kind, received):
    """New members (and an episode for known members that had none) from the plan's rows."""
    changes: list[Change] = []
    origins = origins_of(kind)
    new_rows = new_rows.assign(_member_id=new_member_ids(members, len(new_rows), plan, received))
    member_data = new_member_data(new_rows, kind, plan)
    known_ids = members.loc[no_episode["_index"], "member_id"].to_numpy() if len(no_episode) else []
    episode_source = pd.concat(
        [new_rows, no_episode.assign(_member_id=known_ids)], ignore_index=True
    )
    episode_data = {"member_id": episode_source["_member_id"]}
    for name, (table, column) in origins.items():
        if table == "enrollments" and name in episode_source:
            episode_data[column] = episode_source[name]
    episode_frame = pd.DataFrame(episode_data)
    if "status" not in episode_frame:
        episode_frame["status"] = None
    episode_frame["status"] = episode_frame["status"].fillna("pending_outreach")
    assigned = episode_frame.get("assigned_date", pd.Series(pd.NaT, index=episode_frame.index))
    episode_frame["assigned_date"] = pd.to_datetime(assigned).fillna(pd.Timestamp(received))
    members = append_rows(members, pd.DataFrame(member_data).reset_index(drop=True))
    episodes = append_rows(episodes, episode_frame)
    for cin, member_id, file_row in zip(
        new_rows["cin"], new_rows["_member_id"], new_rows[FILE_ROW], strict=True
    ):
        changes.append(Change(NEW, str(cin), member_id, file_row=int(file_row)))
    for cin, member_id, file_row in zip(
        no_episode["cin"], known_ids, no_episode[FILE_ROW], strict=True
    ):
        changes.append(
            Change(CHANGED, str(cin), member_id, "enrollments", "", "new episode", int(file_row))
        )
    return members, episodes, changes


def new_member_ids(members: pd.DataFrame, count: int, plan: PlanSpec, received: date) -> list[str]:
    """Ids for members a plan file brings: ``<plan>-<received>-0001``, none already used."""
    used = set(members["member_id"].dropna())
    ids, next_number = [], 1
    for _ in range(count):
        while (candidate := f"{plan.id}-{received:%Y%m%d}-{next_number:04d}") in used:
            next_number += 1
        used.add(candidate)
        ids.append(candidate)
    return ids


def new_member_data(new_rows: pd.DataFrame, kind, plan: PlanSpec) -> dict:
    """The members columns of new rows (``_member_id`` set), as the plan file gives them."""
    data = {"member_id": new_rows["_member_id"], "plan": plan.id}
    origins = origins_of(kind).items()
    return data | {c: new_rows[n] for n, (t, c) in origins if t == "members" and n in new_rows}


def append_rows(frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return frame
    rows = rows.reindex(columns=frame.columns)
    rows[ROW] = 0  # not from the dataset file
    combined = pd.concat(
        [frame, rows.astype(frame.dtypes.to_dict(), errors="ignore")], ignore_index=True
    )
    return combined.astype(frame.dtypes.to_dict(), errors="ignore")


def _dropped(members: pd.DataFrame, on_file: set, plan: PlanSpec) -> list[Change]:
    mine = members[(members["plan"].str.lower() == plan.id) & members["cin"].notna()]
    gone = mine[~mine["cin"].str.upper().isin(on_file)]
    return [
        Change(DROPPED, str(cin), str(member_id))
        for cin, member_id in zip(gone["cin"], gone["member_id"], strict=True)
    ]


def replace_roster(roster, plan, kind, inbound, received, plan_file) -> pd.DataFrame:
    keep = roster[~((roster["plan"] == plan.id) & (roster["kind"] == kind.name))]
    rows = pd.DataFrame(
        {
            "plan": plan.id,
            "kind": kind.name,
            "cin": inbound["cin"].to_numpy(),
            "received": pd.Timestamp(received),
            "source_file": plan_file.path.name,
        }
    )
    if "service" in inbound:  # a CSASF lists pairs: its next file's dropped pairs need them
        rows["service"] = inbound["service"].to_numpy()
    return append_rows(keep.reset_index(drop=True), rows)
