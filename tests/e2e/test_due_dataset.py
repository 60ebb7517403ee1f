"""``ecmx due --dataset`` in every format: the program completion counts and a capacity
line per plan (lead care managers over the plan's 1:50, from its config's capacity:), the
same in the table, JSON and CSV, never a member; and Partnership's capacity survey, a
calendar event, listed with its date."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

TODAY = "2025-11-30"  # the last day of the period: enrolled as ecmx capacity counts them
END = pd.Timestamp(TODAY)


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """The sample (300 members) with 51 enrolled members under one lead care manager, 50
    under another: (the folder, the plans Bea Full's members belong to)."""
    from tests.e2e.conftest import invoke

    folder = tmp_path_factory.mktemp("due") / "data"
    run = invoke("sample-data", "--out", folder, "--members", "300", "--period", "2025-11")
    assert run.code == 0, run.err
    enrollments = pd.read_csv(folder / "enrollments.csv", dtype=str)
    start = pd.to_datetime(enrollments["enrollment_start"])
    ended = pd.to_datetime(enrollments["enrollment_end"]).fillna(
        pd.to_datetime(enrollments["discontinuation_date"])
    )
    active = enrollments.index[start.notna() & (start <= END) & (ended.isna() | (ended >= END))]
    assert len(active) >= 101, len(active)
    rest = [f"Di Few {n % 9}" for n in range(len(active) - 101)]  # under 50 each
    enrollments.loc[active, "lead_care_manager_name"] = ["Bea Full"] * 51 + ["Cy Even"] * 50 + rest
    enrollments.to_csv(folder / "enrollments.csv", index=False)
    members = pd.read_csv(folder / "members.csv", dtype=str)
    bea = enrollments.loc[active[:51], "member_id"]
    plans = set(members.loc[members["member_id"].isin(bea), "plan"].str.lower())
    return folder, plans


def _due(cli, folder, *extra):
    run = cli("due", "--today", TODAY, "--days", "30", "--dataset", folder, *extra)
    assert run.code == 0, run.err
    return run


def test_one_capacity_line_per_plan_flags_the_manager_over_1_to_50(cli, crowded):
    folder, bea_plans = crowded
    run = _due(cli, folder)
    lines = [line for line in run.out.splitlines() if line.startswith("capacity: ")]
    by_plan = {line.split(" for ")[1].split(" (")[0]: line for line in lines}
    assert set(by_plan) == {"calviva", "chpiv", "chwp", "healthnet", "partnership"}
    for plan, line in by_plan.items():
        over = "1 lead care manager over 1:50" if plan in bea_plans else "no lead care managers"
        assert line.startswith(f"capacity: {over}"), line
    assert "Bea Full" not in run.out  # counts only: `ecmx capacity` names the managers


def test_json_and_csv_carry_the_tables_counts(cli, crowded):
    folder, bea_plans = crowded
    table = _due(cli, folder).out
    records = json.loads(_due(cli, folder, "--format", "json").out)
    sections = {r["section"] for r in records}
    assert {"due", "overdue", "program_completion", "capacity"} <= sections
    capacity = {r["plan"]: r for r in records if r["section"] == "capacity"}
    assert {p for p, r in capacity.items() if r["count"] == 1} == bea_plans
    assert {r["ratio"] for r in capacity.values()} == {"1:50"}
    assert "cannot exceed 1:50" in capacity["healthnet"]["source"]
    assert capacity["partnership"]["report"].startswith("Provider Capacity Survey, every month")
    completions = [r for r in records if r["section"] == "program_completion"]
    assert completions and {r["plan"] for r in completions} <= {"chwp", "healthnet"}
    # each count line of the table is a record's title, word for word
    for record in [*capacity.values(), *completions]:
        assert record["title"] in table
    rows = list(csv.DictReader(io.StringIO(_due(cli, folder, "--format", "csv").out)))
    assert [r["section"] for r in rows] == [r["section"] for r in records]
    got = {r["plan"]: r["count"] for r in rows if r["section"] == "capacity"}
    assert got == {p: str(r["count"]) for p, r in capacity.items()}


def test_no_member_in_any_format(cli, crowded):
    folder, _ = crowded
    people = pd.read_csv(folder / "members.csv", dtype=str)
    for fmt in ("table", "json", "csv"):
        out = _due(cli, folder, "--format", fmt).out
        for column in ("member_id", "cin", "last_name"):
            assert not any(value in out for value in people[column]), (fmt, column)


def test_partnerships_capacity_survey_is_listed_with_its_date(cli):
    records = json.loads(
        cli("due", "--today", "2025-12-15", "--plan", "partnership", "--format", "json").out
    )
    survey = [r for r in records if r.get("event") == "capacity_survey_due"]
    assert [(r["section"], r["date"], r["period"]) for r in survey] == [
        ("due", "2025-12-28", "2025-11"),  # the 4th week of the month after (assumed)
        ("overdue", "2025-11-28", "2025-10"),
    ]
    assert all(r["assumed"] for r in survey)
    assert survey[0]["title"] == "Provider Capacity Survey due (Microsoft Forms)"
    table = cli("due", "--today", "2025-12-15", "--plan", "partnership").out
    assert "Provider Capacity Survey due" in table


def test_without_a_dataset_there_is_no_count_in_any_format(cli):
    records = json.loads(cli("due", "--today", TODAY, "--format", "json").out)
    assert {r["section"] for r in records} <= {"due", "overdue", "correction_window"}
    assert "capacity: " not in cli("due", "--today", TODAY).out
