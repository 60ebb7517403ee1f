"""Merging a plan's roster into the dataset (core.roster) on a known pair of rosters.

The dataset holds Health Net members H1..H6 (and one CalViva member); the MIF
lists H1..H4, H6 and two members the dataset lacks (N1, N2), and leaves out H5.
Every difference is planted on purpose, so the report must name exactly these.
"""

from __future__ import annotations

import copy
import datetime as dt

import pandas as pd
import pytest

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset.read import ROW, Dataset
from ecmx.core.files.read import read_plan_file
from ecmx.core.inbound.merge import CHANGED, CONFLICT, DROPPED, NEW, merge_plan_file

NOV = Period(2025, 11)
RECEIVED = dt.date(2025, 12, 5)


def person(mid, cin, plan="healthnet", **extra):
    return {
        "member_id": mid,
        "cin": cin,
        "plan": plan,
        "first_name": f"First{mid}",
        "last_name": f"Last{mid}",
        "dob": "1980-01-02",
        "address": f"{mid} Main St",
        "city": "Fresno",
        "zip": "93721",
        "phone": "559-555-0101",
        **extra,
    }


MEMBERS = [
    person("H1", "91000001A"),  # the plan has a new address for them
    person("H2", "91000002C"),  # blank acuity and language: the plan's fill them
    person("H3", "91000003D"),  # unable_to_contact; the plan says 5 Discontinued: the same
    person("H4", "91000004E"),  # the plan has another dob and status: conflicts
    person("H5", "91000005F"),  # not on the MIF: dropped
    person("H6", "91000006G"),  # on the MIF, no episode in the dataset yet
    person("C1", "92000001A", plan="calviva"),  # another plan's member: not dropped
]
ENROLLMENTS = [
    {"member_id": "H1", "status": "enrolled", "enrollment_start": "2025-03-01", "acuity": "high"},
    {"member_id": "H2", "status": "pending_outreach", "assigned_date": "2025-10-20"},
    {"member_id": "H3", "status": "unable_to_contact", "assigned_date": "2025-06-01",
     "discontinuation_date": "2025-10-01", "discontinuation_reason": "unable_to_contact"},
    {"member_id": "H4", "status": "enrolled", "enrollment_start": "2025-05-01", "acuity": "low"},
    {"member_id": "H5", "status": "enrolled", "enrollment_start": "2025-04-01", "acuity": "low"},
    {"member_id": "C1", "status": "enrolled", "enrollment_start": "2025-02-01"},
]  # fmt: skip

HEADER = [
    "Member Client Index Number (CIN)",
    "Member Last Name",
    "Member First Name",
    "Member Date of Birth",
    "Member Residential Address",
    "City",
    "Zip",
    "Member Phone Number",
    "Member Preferred Spoken Language",
    "Member ECM Status",
    "Member Acuity Level",
    "ECM Assignment Date",
    "ECM Enrollment Start Date",
]


def mif_row(mid, cin, status, *, dob="01/02/1980", address=None, language=None, acuity=None,
            assigned=None, start=None):  # fmt: skip
    return [cin, f"Last{mid}", f"First{mid}", dob, address or f"{mid} Main St", "Fresno",
            "93721", "(559) 555-0101", language, status, acuity, assigned, start]  # fmt: skip


MIF_ROWS = [  # file rows 2..8
    mif_row("H1", "91000001A", "2", address="22 New Ave", acuity="High", start="03/01/2025"),
    mif_row("H2", "91000002C", "1", acuity="Medium", language="Spanish", assigned="10/20/2025"),
    mif_row("H3", "91000003D", "5"),
    mif_row("H4", "91000004E", "1", dob="1990-01-01", start="05/01/2025"),
    mif_row("H6", "91000006G", "1", assigned="11/10/2025"),
    mif_row("N1", "93000001A", "1", assigned="11/15/2025"),
    mif_row("N2", "93000002C", "Enrolled", start="11/20/2025"),
]


@pytest.fixture
def dataset(make_dataset):
    return make_dataset(members=MEMBERS, enrollments=ENROLLMENTS)


@pytest.fixture
def ingest(plugins, write_book, tmp_path):
    """``ingest(dataset, rows, kind=, plan_id=, header=, name=)`` -> Merge: the rows written as
    the plan's file (one sheet, header on row 1), read back and merged."""
    _, registry = plugins

    def run(dataset, rows, kind="mif", plan_id="healthnet", header=HEADER, name="plan.xlsx"):
        plan = registry.plan(plan_id)
        file = plan.files[kind]
        path = write_book(tmp_path / name, {file.sheet: [header, *rows]})
        plan_file = read_plan_file(path, plan, file, file.layout_for(NOV))
        assert [f for f in plan_file.findings if f.severity == "error"] == []
        return merge_plan_file(dataset, plan, registry.kind(kind), plan_file, RECEIVED)

    return run


@pytest.fixture
def merge(dataset, ingest):
    return ingest(dataset, MIF_ROWS)


def changes(merge, kind=None) -> list[tuple]:
    return [
        (c.change, c.member_id, c.field, c.dataset_value, c.plan_value)
        for c in merge.changes
        if kind in (None, c.change)
    ]


def member(merge, member_id) -> pd.Series:
    members = merge.tables["members"]
    return members[members["member_id"] == member_id].iloc[0]


def episodes(merge, member_id) -> pd.DataFrame:
    frame = merge.tables["enrollments"]
    return frame[frame["member_id"] == member_id]


# ------------------------------------------------------------------ the report


def test_the_report_names_exactly_the_new_and_the_dropped_members(merge):
    new = [c for c in merge.changes if c.change == NEW]
    assert sorted(c.cin for c in new) == ["93000001A", "93000002C"]
    assert [c.file_row for c in new] == [7, 8]
    assert [(c.cin, c.member_id, c.file_row) for c in merge.changes if c.change == DROPPED] == [
        ("91000005F", "H5", None)
    ]
    assert (
        merge.count(NEW),
        merge.count(DROPPED),
        merge.count(CHANGED),
        merge.count(CONFLICT),
    ) == (
        2,
        1,
        3,  # H1, H2, H6 (a member counts once, whatever the number of fields)
        1,  # H4
    )


def test_every_change_and_conflict_is_listed_with_its_field_and_values(merge):
    assert changes(merge, CHANGED) == [
        ("changed", "H1", "address", "H1 Main St", "22 New Ave"),
        ("changed", "H2", "acuity", "", "medium"),
        ("changed", "H2", "language_spoken", "", "Spanish"),
        ("changed", "H6", "enrollments", "", "new episode"),
    ]
    assert changes(merge, CONFLICT) == [
        ("conflict", "H4", "dob", "1980-01-02", "1990-01-01"),
        ("conflict", "H4", "status", "enrolled", "pending_outreach"),
    ]
    assert {c.file_row for c in merge.changes if c.member_id == "H4"} == {5}
    assert [c.change for c in merge.changes] == sorted(
        (c.change for c in merge.changes), key=[NEW, DROPPED, CHANGED, CONFLICT].index
    )


def test_a_status_sharing_the_plans_code_is_no_change(merge):
    """unable_to_contact and the file's 5 (read back as disenrolled) are both Discontinued."""
    assert [c for c in merge.changes if c.member_id == "H3"] == []
    assert episodes(merge, "H3")["status"].tolist() == ["unable_to_contact"]


def test_the_same_phone_written_otherwise_is_no_change(merge):
    assert not [c for c in merge.changes if c.field == "phone"]
    assert member(merge, "H1")["phone"] == "559-555-0101"  # the provider's spelling stays


# ------------------------------------------------------------------ the merged tables


def test_contact_changes_and_filled_blanks_are_applied_conflicts_are_not(merge):
    assert member(merge, "H1")["address"] == "22 New Ave"
    assert member(merge, "H2")["language_spoken"] == "Spanish"
    assert episodes(merge, "H2")["acuity"].tolist() == ["medium"]
    h4 = member(merge, "H4")
    assert h4["dob"] == pd.Timestamp("1980-01-02")
    assert episodes(merge, "H4")["status"].tolist() == ["enrolled"]


def test_nothing_else_changes_in_the_known_rows(dataset, merge):
    before = {name: dataset.tables[name].copy() for name in ("members", "enrollments")}
    before["members"].loc[before["members"]["member_id"] == "H1", "address"] = "22 New Ave"
    before["members"].loc[before["members"]["member_id"] == "H2", "language_spoken"] = "Spanish"
    before["enrollments"].loc[before["enrollments"]["member_id"] == "H2", "acuity"] = "medium"
    for name, expected in before.items():
        merged = merge.tables[name].iloc[: len(expected)]
        pd.testing.assert_frame_equal(merged, expected)


def test_new_members_and_episodes(merge):
    members = merge.tables["members"]
    new = members[members["cin"].isin(["93000001A", "93000002C"])]
    assert new["member_id"].tolist() == ["healthnet-20251205-0001", "healthnet-20251205-0002"]
    assert set(new["plan"]) == {"healthnet"}
    assert new["first_name"].tolist() == ["FirstN1", "FirstN2"]
    assert new["dob"].tolist() == [pd.Timestamp("1980-01-02")] * 2
    assert new[ROW].tolist() == [0, 0]  # not rows of the dataset file
    n1 = episodes(merge, "healthnet-20251205-0001").iloc[0]
    assert (n1["status"], n1["assigned_date"]) == ("pending_outreach", pd.Timestamp("2025-11-15"))
    n2 = episodes(merge, "healthnet-20251205-0002").iloc[0]
    # no assignment date on the file: the day it was received
    assert (n2["status"], n2["enrollment_start"], n2["assigned_date"]) == (
        "enrolled",
        pd.Timestamp("2025-11-20"),
        pd.Timestamp(RECEIVED),
    )
    (h6,) = episodes(merge, "H6").itertuples()
    assert (h6.status, h6.assigned_date) == ("pending_outreach", pd.Timestamp("2025-11-10"))
    assert len(merge.tables["enrollments"]) == len(ENROLLMENTS) + 3
    assert len(members) == len(MEMBERS) + 2


def test_the_input_dataset_is_not_modified(dataset, ingest):
    before = copy.deepcopy(dataset.tables)
    ingest(dataset, MIF_ROWS)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(dataset.tables[name], frame)


def test_a_cin_listed_twice_counts_once_the_first_row_wins(dataset, ingest):
    again = mif_row("H1", " 91000001a ", "2", address="99 Other Rd", acuity="High")
    merge = ingest(dataset, [*MIF_ROWS, again])
    assert [c.plan_value for c in merge.changes if c.field == "address"] == ["22 New Ave"]
    roster = merge.tables["plan_rosters"]
    assert roster["cin"].tolist().count("91000001A") == 1


# ------------------------------------------------------------------ plan_rosters


def test_the_roster_is_recorded_and_replaced_per_plan_and_kind(dataset, ingest):
    first = ingest(dataset, MIF_ROWS)
    roster = first.tables["plan_rosters"]
    mif_cins = [row[0] for row in MIF_ROWS]
    assert roster["cin"].tolist() == mif_cins
    assert set(roster["plan"]) == {"healthnet"} and set(roster["kind"]) == {"mif"}
    assert set(roster["received"]) == {pd.Timestamp(RECEIVED)}
    assert set(roster["source_file"]) == {"plan.xlsx"}

    merged = Dataset(dataset.source, dataset.provider, first.tables)
    second = ingest(merged, MIF_ROWS[:3], name="again.xlsx")  # a later MIF: three members
    roster = second.tables["plan_rosters"]
    assert roster["cin"].tolist() == mif_cins[:3]  # replaced, not added to
    assert set(roster["source_file"]) == {"again.xlsx"}
    assert changes(second, NEW) == []  # N1 and N2 are known now
    assert sorted(c.member_id for c in second.changes if c.change == DROPPED) == [
        "H4",
        "H5",
        "H6",
        "healthnet-20251205-0001",
        "healthnet-20251205-0002",
    ]

    third = ingest(
        Dataset(dataset.source, dataset.provider, second.tables),
        [["93000009D", "Newcomb", "1", "11/25/2025"]],
        kind="mini_mif",
        header=[
            "Member Client Index Number (CIN)",
            "Member Last Name",
            "Member ECM Status",
            "ECM Referral Date",
        ],
        name="mini.xlsx",
    )
    roster = third.tables["plan_rosters"]
    assert sorted(zip(roster["kind"], roster["cin"], strict=True)) == sorted(
        [("mif", cin) for cin in mif_cins[:3]] + [("mini_mif", "93000009D")]
    )


# ------------------------------------------------------------------ new-referral files


def test_a_mini_mif_lists_new_referrals_and_never_drops_anyone(dataset, ingest):
    header = [
        "Member Client Index Number (CIN)",
        "Member Last Name",
        "Member First Name",
        "Member Date of Birth",
        "Member ECM Status",
        "ECM Referral Date",
    ]
    rows = [
        ["93000003D", "Newcomb", "Ana", "02/03/1990", "1", "11/25/2025"],
        ["91000002C", "LastH2", "FirstH2", "01/02/1980", "1", None],
    ]
    merge = ingest(dataset, rows, kind="mini_mif", header=header)
    assert [c.change for c in merge.changes] == [NEW]
    assert merge.count(DROPPED) == 0
    (episode,) = episodes(merge, "healthnet-20251205-0001").itertuples()
    assert (episode.status, episode.referral_date, episode.assigned_date) == (
        "pending_outreach",
        pd.Timestamp("2025-11-25"),
        pd.Timestamp(RECEIVED),
    )


def test_a_partnership_tel_adds_pending_outreach_members(make_dataset, ingest):
    dataset = make_dataset(
        members=[
            person("P1", "94000001A", plan="partnership"),
            person("P2", "94000002C", plan="partnership"),
        ],
        enrollments=[
            {"member_id": "P1", "status": "enrolled", "enrollment_start": "2025-01-01"},
            {"member_id": "P2", "status": "enrolled", "enrollment_start": "2025-01-01"},
        ],
    )
    header = ["Member CIN", "Member Last Name", "Member First Name", "Member Date of Birth",
              "Referral Date", "Member Phone Number"]  # fmt: skip
    rows = [
        ["95000001A", "Newcomb", "Rosa", "1975-05-06", "11/18/2025", "707 555 0199"],
        ["94000001A", "LastP1", "FirstP1", "1980-01-02", None, "7075550123"],
    ]
    merge = ingest(dataset, rows, kind="tel", plan_id="partnership", header=header)
    assert changes(merge) == [
        ("new", "partnership-20251205-0001", "", "", ""),
        ("changed", "P1", "phone", "559-555-0101", "7075550123"),
    ]
    assert merge.count(DROPPED) == 0  # P2 is not on a TEL: that says nothing
    new = member(merge, "partnership-20251205-0001")
    # kept as the plan wrote it: the reader does not reformat a value
    assert (new["plan"], new["cin"], new["phone"]) == ("partnership", "95000001A", "707 555 0199")
    (episode,) = episodes(merge, "partnership-20251205-0001").itertuples()
    assert (episode.status, episode.referral_date, episode.assigned_date) == (
        "pending_outreach",
        pd.Timestamp("2025-11-18"),
        pd.Timestamp(RECEIVED),
    )
    assert merge.tables["plan_rosters"]["kind"].tolist() == ["tel", "tel"]


# ------------------------------------------------------------------ suspected bugs


def test_a_member_of_another_plan_on_the_mif_is_listed(dataset, ingest):
    merge = ingest(dataset, [*MIF_ROWS, mif_row("C1", "92000001A", "2", start="02/01/2025")])
    (change,) = [c for c in merge.changes if c.cin == "92000001A"]
    assert (change.change, change.field, change.plan_value) == ("conflict", "plan", "healthnet")
