"""A CSASF merged into community_supports (core/inbound/cs_merge.py), and the table's checks.

The dataset holds Health Net members H1..H3 and CalViva member C1 with a few CS pairs; each
CSASF row below plants one case, so the merge must report exactly these.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ecmx.core.calendar.periods import Period
from ecmx.core.files.read import read_plan_file
from ecmx.core.inbound.merge import CHANGED, CONFLICT, NEW, merge_plan_file

NOV = Period(2025, 11)
RECEIVED = dt.date(2025, 11, 29)
HEADER = ["Member CIN", "Member Last Name", "CS Service", "Authorization Status",
          "Authorization Number", "Referral Date"]  # fmt: skip


def person(member_id, cin, plan, last_name):
    return {"member_id": member_id, "cin": cin, "plan": plan, "first_name": "Pat",
            "last_name": last_name, "dob": "1980-01-02"}  # fmt: skip


MEMBERS = [
    person("H1", "91000001A", "healthnet", "One"),
    person("H2", "91000002C", "healthnet", "Two"),
    person("H3", "91000003D", "healthnet", "Three"),
    person("C1", "92000001A", "calviva", "Cal"),
]
EPISODES = [{"member_id": "H1", "status": "enrolled", "enrollment_start": "2025-03-01"}]
SUPPORTS = [
    {"member_id": "H1", "service": "housing_deposits", "status": "requested"},
    {"member_id": "H2", "service": "respite_services", "status": "potential",
     "status_date": "2025-11-01", "service_start": "2025-11-10"},
]  # fmt: skip


def cs(member_id, service, status, **extra):
    return {"member_id": member_id, "service": service, "status": status, **extra}


@pytest.fixture
def read(plugins, write_book, tmp_path):
    _, registry = plugins
    plan = registry.plan("healthnet")
    file = plan.files["csasf"]

    def run(rows, name="csasf.xlsx"):
        path = write_book(tmp_path / name, {file.sheet: [HEADER, *rows]})
        kind = registry.kind("csasf")
        return (
            plan,
            kind,
            read_plan_file(
                path, plan, file, file.layout_for(NOV), one_row_per_member=kind.one_row_per_member
            ),
        )

    return run


@pytest.fixture
def merge(make_dataset, read):
    dataset = make_dataset(members=MEMBERS, enrollments=EPISODES, community_supports=SUPPORTS)
    plan, kind, plan_file = read([
        ["91000001A", "One", "Housing Deposits", "New Potential Member", None, None],
        ["91000002C", "Two", "Respite Services", "Authorized", "0007", "10/30/2025"],
        ["91000003D", "Three", "Sobering Centers", None, None, None],
        ["92000001A", "Cal", "Asthma Remediation", "Authorized", "1", None],
    ])  # fmt: skip
    assert [f.code for f in plan_file.findings] == []
    return merge_plan_file(dataset, plan, kind, plan_file, RECEIVED)


def pairs(merge) -> dict[tuple, dict]:
    frame = merge.tables["community_supports"]
    return {(r["member_id"], r["service"]): r for r in frame.to_dict("records")}


def test_a_status_the_provider_moved_on_is_a_conflict_kept(merge):
    [conflict] = [c for c in merge.changes if c.change == CONFLICT and c.member_id == "H1"]
    assert (conflict.field, conflict.dataset_value, conflict.plan_value) == (
        "status", "requested", "potential",
    )  # fmt: skip
    assert conflict.service == "housing_deposits"
    assert pairs(merge)[("H1", "housing_deposits")]["status"] == "requested"


def test_the_plans_authorization_is_taken_and_dated_provider_columns_kept(merge):
    changed = {c.field: c for c in merge.changes if c.change == CHANGED and c.member_id == "H2"}
    assert set(changed) == {"status", "authorization_number", "referral_date"}
    row = pairs(merge)[("H2", "respite_services")]
    assert (row["status"], row["authorization_number"]) == ("authorized", "0007")
    assert row["status_date"] == pd.Timestamp(RECEIVED)
    assert row["service_start"] == pd.Timestamp("2025-11-10")


def test_a_new_pair_without_status_is_a_potential_member_listed_on_the_day_received(merge):
    [new] = [c for c in merge.changes if c.change == NEW]
    assert (new.member_id, new.service, new.field) == ("H3", "sobering_centers", "")
    row = pairs(merge)[("H3", "sobering_centers")]
    assert row["status"] == "potential"
    assert row["referral_date"] == row["status_date"] == pd.Timestamp(RECEIVED)
    assert merge.count(NEW) == 1 and merge.by_service


def test_another_plans_member_is_a_conflict_and_gets_no_pair(merge):
    [other] = [c for c in merge.changes if c.member_id == "C1"]
    assert (other.change, other.field, other.plan_value) == (CONFLICT, "plan", "healthnet")
    assert not [key for key in pairs(merge) if key[0] == "C1"]


def test_a_member_on_two_rows_is_fine_a_pair_twice_or_no_service_is_named(read):
    _, _, plan_file = read([
        ["91000001A", "One", "Housing Deposits", "Authorized", "1", None],
        ["91000001A", "One", "Respite Services", "Authorized", "2", None],
        ["91000001A", "One", "Housing Deposits", "Denied", None, None],
        ["91000002C", "Two", None, "Authorized", "3", None],
    ])  # fmt: skip
    found = sorted((f.code, f.row, f.column) for f in plan_file.findings)
    assert found == [("F003", 4, "CS Service"), ("F005", 5, "CS Service")]


BROKEN = [
    cs("H1", "housing_deposits", "authorized", authorization_number="0001"),
    cs("H1", "housing_deposits", "requested"),  # row 3: the pair again
    cs("H2", "respite_services", "authorized", authorization_start="2025-11-10",
       authorization_end="2025-11-01"),  # row 4: ends first, and no number
]  # fmt: skip


def test_community_supports_checks(make_dataset):
    dataset = make_dataset(
        members=MEMBERS,
        enrollments=EPISODES,
        community_supports=BROKEN,
    )
    found = {(f.code, f.cell) for f in dataset.findings if f.code.startswith("D2")}
    assert found == {
        ("D206", "community_supports!B3"),
        ("D207", "community_supports!F4"),
        ("D208", "community_supports!D4"),
    }
    [twice] = [f for f in dataset.findings if f.code == "D206"]
    assert "row 2" in twice.message and twice.member_id == "H1"
