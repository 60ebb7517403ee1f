"""Check a file on the web page (TestClient): an RTF ecmx made checks clean; one with a
cell changed by hand gets its problem at that cell, the row shown with the cell marked;
the workbook with each problem marked downloads and opens; refusals are one line."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from ecmx.core.calendar.periods import Period
from ecmx.core.jobs.convert import ConvertRequest, run_convert
from ecmx.core.jobs.sample_data import SampleDataRequest, run_sample_data
from tests.e2e.web import csrf, wait_for_job, web_client

PERIOD = "2025-11"


@pytest.fixture(scope="module")
def rtf(tmp_path_factory) -> Path:
    """Health Net's RTF for PERIOD, made by ecmx from the sample dataset."""
    folder = tmp_path_factory.mktemp("made")
    period = Period.parse(PERIOD)
    run_sample_data(SampleDataRequest(out=folder / "sample.xlsx", period=period))
    made = run_convert(
        ConvertRequest(folder / "sample.xlsx", "healthnet", period, folder / "out",
                       kind="rtf", production_date=date(2025, 12, 3))
    )  # fmt: skip
    return made.written[0]


def check(client, name: str, content: bytes, **fields):
    data = {**csrf(), "plan": "healthnet", "kind": "rtf", "period": PERIOD, **fields}
    posted = client.post("/check", data=data, files={"file": (name, content)})
    assert posted.status_code == 303, posted.text
    return wait_for_job(client, posted.headers["location"]), posted.headers["location"]


def damaged(rtf: Path, cell: str, value: str) -> bytes:
    book = openpyxl.load_workbook(rtf)
    book.active[cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_form_has_a_labelled_control_for_each_choice(tmp_path):
    with web_client(tmp_path / "ws") as client:
        page = client.get("/check").text
        assert page.count("<h1>") == 1
        for control in ("file", "plan", "kind", "period"):
            assert f'<label for="{control}"' in page and f'id="{control}"' in page
        assert "Return Transmission File (RTF): you send to the plan" in page
        assert "Member Information File (MIF): the plan sends you" in page


def test_a_made_rtf_checks_clean(tmp_path, rtf):
    workspace = tmp_path / "ws"
    with web_client(workspace) as client:
        page, _ = check(client, rtf.name, rtf.read_bytes())
        assert "12 rows checked as Health Net's RTF" in page.text
        assert "no problems found" in page.text and "No problems found." in page.text
    assert (workspace / "uploads" / rtf.name).read_bytes() == rtf.read_bytes()


def test_a_damaged_rtf_gets_its_problem_at_its_cell_and_a_marked_workbook(tmp_path, rtf):
    workspace = tmp_path / "ws"
    with web_client(workspace) as client:
        page, location = check(client, "by hand.xlsx", damaged(rtf, "Q2", "Extreme"))
        assert "Must be fixed" in page.text and "1 problem found" in page.text
        row_link = re.search(rf'href="({location}/findings/\d+)">RTF!Q2<', page.text)
        assert row_link, "the problem links to its cell's row"
        row = html.unescape(client.get(row_link[1]).text)
        assert "not a code of the plan's acuity list" in row
        here = re.search(r'<tr class="here"><th scope="row">(.*?) <strong>.*?<td>(.*?)</td>', row)
        assert here and here[1] == "Member Acuity Level" and here[2] == "***"
        download = client.get(f"{location}/files/0")
        assert download.status_code == 200
        assert download.headers["content-disposition"].startswith("attachment")
        book = openpyxl.load_workbook(io.BytesIO(download.content))
        marked = [ws for ws in book.worksheets if ws["Q2"].value == "Extreme"]
        assert marked and marked[0]["Q2"].comment is not None  # the problem, at its cell
    kept = list((workspace / "checked").iterdir())
    assert [p.name for p in kept] == ["by hand checked.xlsx"]


def test_two_checks_of_one_name_keep_both_reports(tmp_path, rtf):
    workspace = tmp_path / "ws"
    with web_client(workspace) as client:
        check(client, rtf.name, rtf.read_bytes())
        check(client, rtf.name, rtf.read_bytes())
    names = sorted(p.name for p in (workspace / "checked").iterdir())
    assert names == [f"{rtf.stem} (2) checked.xlsx", f"{rtf.stem} checked.xlsx"]
    assert sorted(p.name for p in (workspace / "uploads").iterdir()) == [
        f"{rtf.stem} (2).xlsx", rtf.name,
    ]  # fmt: skip


def test_a_plan_without_that_file_fails_in_one_line(tmp_path, rtf):
    with web_client(tmp_path / "ws") as client:
        page, _ = check(client, rtf.name, rtf.read_bytes(), kind="tel")
        alerts = re.findall(r'<p class="error" role="alert">(.*?)</p>', page.text)
        assert len(alerts) == 1 and "Health Net has no tel file" in alerts[0]
        assert "Traceback" not in page.text


def test_an_upload_of_the_wrong_type_is_refused(tmp_path):
    with web_client(tmp_path / "ws") as client:
        for name, words in (("notes.docx", "not .docx"), ("rtf.xlsx", "not an Excel workbook")):
            page = client.post(
                "/check", data={**csrf(), "plan": "healthnet", "kind": "rtf"},
                files={"file": (name, b"hello")},
            )  # fmt: skip
            assert page.status_code == 400 and words in page.text, name
        page = client.post(
            "/check", data={**csrf(), "plan": "nosuch", "kind": "rtf"},
            files={"file": ("rtf.csv", b"a,b\n")},
        )  # fmt: skip
        assert page.status_code == 400 and "nosuch" in page.text
