"""``ecmx capacity``: the counts a capacity report asks for, checked against the sample's
sheets read here independently (pandas), and the 1:50 flag."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

START, END = pd.Timestamp("2025-11-01"), pd.Timestamp("2025-11-30")
PENDING = {"pending_outreach", "outreach"}


def sheets(path):
    book = pd.read_excel(path, sheet_name=None, engine="openpyxl", dtype={"member_id": str})
    members = book["members"].assign(plan=lambda f: f["plan"].str.lower())
    episodes = book["enrollments"].merge(members[["member_id", "plan"]], on="member_id")
    return members, episodes


def expected(path) -> tuple[dict, dict]:
    """Per plan and per manager, computed from the sheets without ecmx's code."""
    _, e = sheets(path)
    ended = (
        e["enrollment_end"].fillna(e["discontinuation_date"]).where(e["enrollment_start"].notna())
    )
    active = e["enrollment_start"].notna() & (e["enrollment_start"] <= END)
    active &= ended.isna() | (ended >= END)
    enrolled_ids = set(e.loc[active, "member_id"])
    # pending: the member's latest episode begun by the period's end (undated: current)
    began = e["enrollment_start"].fillna(e["assigned_date"]).fillna(e["referral_date"])
    began = began.fillna(e["discontinuation_date"]).fillna(END)
    latest = e.assign(began=began, row=range(len(e)))[began <= END]
    latest = latest.sort_values(["member_id", "began", "row"]).groupby("member_id").tail(1)
    waiting = latest[latest["status"].isin(PENDING) & ~latest["member_id"].isin(enrolled_ids)]
    plans = {}
    for plan, rows in e.groupby("plan"):
        on = rows[active[rows.index]]
        plans[plan] = {
            "enrolled": on["member_id"].nunique(),
            "pending": int((waiting["plan"] == plan).sum()),
            "newly_enrolled": rows.loc[
                rows["enrollment_start"].between(START, END), "member_id"
            ].nunique(),
            "disenrolled": rows.loc[ended[rows.index].between(START, END), "member_id"].nunique(),
            "lead_care_managers": on["lead_care_manager_name"].nunique(),
        }
    managers = e[active].groupby("lead_care_manager_name")["member_id"].nunique().to_dict()
    return plans, managers


def test_the_samples_counts_match_its_sheets(samples, cli, tmp_path):
    report = tmp_path / "capacity.xlsx"
    run = cli(
        "capacity", samples["xlsx"], "--period", "2025-11", "--report", report, "--format", "json"
    )
    assert run.code == 0, run.err
    rows = json.loads(run.out)
    plans, managers = expected(samples["xlsx"])
    got = {r["plan"]: r for r in rows if r["table"] == "plans"}
    assert set(got) == set(plans) == {"healthnet", "calviva", "chpiv", "chwp", "partnership"}
    for plan, counts in plans.items():
        assert {k: got[plan][k] for k in counts} == counts, plan
    assert sum(c["enrolled"] for c in plans.values()) > 0  # the sample has enrolled members
    assert {
        r["lead_care_manager"]: r["enrolled"] for r in rows if r["table"] != "plans"
    } == managers
    # what each plan asks and its ratio come from its config's capacity: section, cited
    assert {r["ratio"] for r in got.values()} == {"1:50"}
    assert got["healthnet"]["asks"].startswith("capacity report, every quarter")
    assert "cannot exceed 1:50" in got["healthnet"]["source"]
    assert "submit an updated capacity report quarterly" in got["healthnet"]["source"]
    assert got["partnership"]["asks"].startswith("Provider Capacity Survey, every month")
    assert "Microsoft Forms" in got["partnership"]["asks"]
    assert "assumed for Partnership HealthPlan of California" in got["partnership"]["source"]
    assert "no capacity report" in got["chwp"]["asks"]
    assert got["chwp"]["source"].startswith("assumed for California Health & Wellness Plan")

    # the xlsx report opens, and holds the same figures; no member id anywhere in it
    book = openpyxl.load_workbook(report, read_only=True)
    assert book.sheetnames == ["plans", "lead_care_managers", "about"]
    table = list(book["plans"].values)
    header, body = table[0], table[1:]
    by_plan = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert by_plan["healthnet"]["enrolled"] == plans["healthnet"]["enrolled"]
    members, _ = sheets(samples["xlsx"])
    text = " ".join(str(c) for s in book.worksheets for r in s.values for c in r)
    assert not any(m in text for m in members["member_id"])
    book.close()


def test_the_table_flags_a_manager_with_51_members(cli, tmp_path):
    folder = tmp_path / "data"
    assert cli("sample-data", "--out", folder, "--members", "300", "--period", "2025-11").code == 0
    enrollments = pd.read_csv(folder / "enrollments.csv", dtype=str)
    start = pd.to_datetime(enrollments["enrollment_start"])
    ended = pd.to_datetime(enrollments["enrollment_end"]).fillna(
        pd.to_datetime(enrollments["discontinuation_date"])
    )
    active = enrollments.index[start.notna() & (start <= END) & (ended.isna() | (ended >= END))]
    assert len(active) >= 101, len(active)
    names = ["Bea Full"] * 51 + ["Cy Even"] * 50 + ["Di Few"] * (len(active) - 101)
    enrollments.loc[active, "lead_care_manager_name"] = names
    enrollments.to_csv(folder / "enrollments.csv", index=False)

    run = cli("capacity", folder, "--period", "2025-11", "--format", "json")
    assert run.code == 0, run.err
    managers = {r["lead_care_manager"]: r for r in json.loads(run.out) if "over_limit" in r}
    assert managers["Bea Full"]["enrolled"] == 51 and managers["Bea Full"]["over_limit"]
    assert managers["Cy Even"]["enrolled"] == 50 and not managers["Cy Even"]["over_limit"]

    table = cli("capacity", folder, "--period", "2025-11")
    line = next(li for li in table.out.splitlines() if "Bea Full" in li)
    assert "51" in line and "OVER" in line
    assert "OVER" not in next(li for li in table.out.splitlines() if "Cy Even" in li)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("--period", "2025-13"), "is not a month"),
        (("--period", "November"), "YYYY-MM"),
        (("--report", "out.txt"), ".xlsx, .csv or .json"),
        (("--plan", "nosuchplan"), "unknown plan"),
    ],
)
def test_bad_input_is_one_line(samples, cli, tmp_path, argv, needle):
    run = cli("capacity", samples["xlsx"], *argv)
    assert run.code == 2
    run.one_error_line(needle)


def test_a_missing_dataset_is_one_line(cli, tmp_path):
    run = cli("capacity", tmp_path / "nowhere.xlsx", "--period", "2025-11")
    assert run.code == 2
    run.one_error_line("nowhere.xlsx", "no such file")


def test_csv_report_and_plan_filter(samples, cli, tmp_path):
    report = tmp_path / "cap.csv"
    run = cli("capacity", samples["xlsx"], "--period", "2025-11", "--plan", "partnership",
              "--report", report)  # fmt: skip
    assert run.code == 0, run.err
    rows = pd.read_csv(report)
    assert set(rows.loc[rows["table"] == "plans", "plan"]) == {"partnership"}
    assert report.exists() and cli("capacity", samples["xlsx"], "--report", report).code == 2


def test_plans_show_lists_the_capacity_section_with_its_sources(cli):
    healthnet = cli("plans", "show", "healthnet", "--kind", "rtf")
    assert healthnet.code == 0, healthnet.err
    text = healthnet.out
    assert "healthnet capacity (ecmx capacity)" in text
    line = next(li for li in text.splitlines() if "lead care managers to members" in li)
    assert "1:50" in line and "CalAIM Resources for Providers and CalAIM FAQ" in line
    assert "cannot exceed 1:50" in line
    report = next(li for li in text.splitlines() if "capacity report, every quarter" in li)
    assert "submit an updated capacity report quarterly" in report

    partnership = cli("plans", "show", "partnership", "--kind", "rtf").out
    line = next(li for li in partnership.splitlines() if "lead care managers to members" in li)
    assert "1:50" in line and "assumed: no page of this plan states a ratio" in line
    survey = next(li for li in partnership.splitlines() if "Provider Capacity Survey, every" in li)
    assert "Enhanced Care Management Provider Reference Guide" in survey

    chwp = cli("plans", "show", "chwp", "--kind", "rtf").out
    assert "none asked for in the plan's config" in chwp
    assumptions = cli("plans", "show", "chwp", "--assumptions").out
    assert "capacity.lead_care_manager_ratio" in assumptions
