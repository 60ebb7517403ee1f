"""The Capacity page through starlette's TestClient: the sample's figures per plan as
``ecmx capacity`` counts them, each plan's ratio and report from its config with the
source, a manager over 1:50 flagged in words, and the .xlsx download read back; without a
dataset, a pointer to Your data; a bad period, one line."""

from __future__ import annotations

import io
import json
import re
import shutil

import openpyxl
import pandas as pd
import pytest

from ecmx.core.web.current import current_dataset, set_current_dataset
from tests.e2e.web import csrf, web_client

PERIOD = "2025-11"
PLANS = {
    "healthnet": "Health Net",
    "calviva": "CalViva Health",
    "chpiv": "Community Health Plan of Imperial Valley",
    "chwp": "California Health &amp; Wellness Plan",
    "partnership": "Partnership HealthPlan of California",
}


@pytest.fixture(scope="module")
def sampled(tmp_path_factory):
    """A workspace whose dataset in use is the sample for 2025-11."""
    with web_client(tmp_path_factory.mktemp("capacity") / "ws") as client:
        assert client.post("/data/sample", data={**csrf(), "period": PERIOD}).status_code == 303
        yield client


def cells(page: str, plan: str) -> list[str]:
    row = re.search(rf'<tr data-plan="{plan}">(.*?)</tr>', page, re.S).group(1)
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    ]


def test_the_page_shows_each_plans_figures_as_the_command_counts_them(sampled, cli):
    page = sampled.get(f"/capacity?period={PERIOD}")
    assert page.status_code == 200
    assert "<h1>Capacity: period 2025-11</h1>" in page.text
    assert f'<option value="{PERIOD}" selected>' in page.text
    config = sampled.app.state.config
    run = cli("capacity", current_dataset(config.workspace), "--period", PERIOD, "--format", "json")
    rows = {r["plan"]: r for r in json.loads(run.out) if r["table"] == "plans"}
    assert set(rows) == set(PLANS)
    for plan, name in PLANS.items():
        got = cells(page.text, plan)
        r = rows[plan]
        assert got[0] == name
        assert got[1:7] == [str(r[k]) for k in ("enrolled", "pending", "newly_enrolled",
                            "disenrolled", "lead_care_managers", "members_per_manager")]  # fmt: skip
        assert got[7:] == ["1:50", "none over"]


def test_each_plans_report_is_shown_with_its_source(sampled):
    page = sampled.get(f"/capacity?period={PERIOD}").text
    assert "capacity report, every quarter" in page
    assert "cannot exceed 1:50" in page  # Health Net family's own words, cited
    assert "Provider Capacity Survey, every month (Microsoft Forms survey via email link)" in page
    assert "assumed for Partnership HealthPlan of California" in page  # its 1:50 is assumed
    assert "no capacity report in this plan&#39;s config" in page  # CHWP


def test_the_xlsx_downloads_and_holds_the_pages_figures_and_no_member(sampled):
    got = sampled.get(f"/capacity.xlsx?period={PERIOD}")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="ecmx-capacity-2025-11.xlsx"' in got.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(got.content), read_only=True)
    assert book.sheetnames == ["plans", "lead_care_managers", "about"]
    header, *body = list(book["plans"].values)
    plans = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    page = sampled.get(f"/capacity?period={PERIOD}").text
    for plan in PLANS:
        assert str(plans[plan]["enrolled"]) == cells(page, plan)[1]
        assert plans[plan]["ratio"] == "1:50"
    text = " ".join(str(c) for s in book.worksheets for r in s.values for c in r)
    book.close()
    workspace = sampled.app.state.config.workspace
    members = pd.read_excel(
        current_dataset(workspace), sheet_name="members", dtype=str, engine="openpyxl"
    )
    assert not any(m in text for m in members["member_id"])
    assert not list(workspace.rglob("*capacity*.xlsx"))  # nothing left in the workspace


def test_a_manager_over_the_ratio_is_flagged_in_words(tmp_path, cli):
    folder = tmp_path / "data"
    assert cli("sample-data", "--out", folder, "--members", "300", "--period", PERIOD).code == 0
    enrollments = pd.read_csv(folder / "enrollments.csv", dtype=str)
    start = pd.to_datetime(enrollments["enrollment_start"])
    ended = pd.to_datetime(enrollments["enrollment_end"]).fillna(
        pd.to_datetime(enrollments["discontinuation_date"])
    )
    end = pd.Timestamp("2025-11-30")
    active = enrollments.index[start.notna() & (start <= end) & (ended.isna() | (ended >= end))]
    assert len(active) >= 51
    rest = [f"Di Few {n % 9}" for n in range(len(active) - 51)]
    enrollments.loc[active, "lead_care_manager_name"] = ["Bea Full"] * 51 + rest
    enrollments.to_csv(folder / "enrollments.csv", index=False)
    workspace = tmp_path / "ws"
    with web_client(workspace) as client:
        shutil.copytree(folder, workspace / "data")
        set_current_dataset(workspace, workspace / "data")
        page = client.get(f"/capacity?period={PERIOD}").text
    row = re.search(r"<tr><th scope=\"row\">Bea Full</th>(.*?)</tr>", page, re.S).group(1)
    assert "51" in row and "OVER 1:50" in row and 'class="late"' in row
    assert "rebalance" in page and re.search(r"\d+ over 1:50: rebalance", page)


def test_without_a_dataset_it_points_to_your_data(tmp_path):
    with web_client(tmp_path / "ws") as client:
        page = client.get("/capacity")
        assert page.status_code == 200 and 'href="/data"' in page.text
        assert "capacity is counted from it" in page.text
        download = client.get("/capacity.xlsx")
        assert download.status_code == 400 and "Your data" in download.text


def test_a_bad_period_is_one_line(sampled):
    page = sampled.get("/capacity?period=2025-13")
    assert page.status_code == 400 and "Traceback" not in page.text
    assert "period" in page.text


def test_the_navigation_lists_the_page(sampled):
    assert '<a href="/capacity"' in sampled.get("/").text


def test_the_board_and_the_calendar_show_partnerships_capacity_survey(tmp_path):
    with web_client(tmp_path / "ws") as client:
        board = client.get(f"/?period={PERIOD}").text
        assert "Capacity reports the plans ask for" in board
        assert (
            "Partnership HealthPlan of California: Provider Capacity Survey, every month "
            "(Microsoft Forms survey via email link), due 2025-12-28 Sun (assumed: confirm "
            "with the plan)." in board
        )
        assert "Health Net: capacity report, every quarter; no date in the plan's calendar" in board
        assert f'href="/capacity?period={PERIOD}"' in board
        calendar = client.get("/calendar?year=2025&plan=partnership").text
        row = re.search(r"<tr[^>]*><td>2025-12-28 Sun</td>(.*?)</tr>", calendar, re.S).group(1)
        assert "Provider Capacity Survey due (Microsoft Forms)" in row and "2025-11" in row
