"""The Claims page through starlette's TestClient: the sample month billed, each plan's
837P downloaded and read back (pyx12 accepts it; the page's totals are its CLM02s), a
line left off shown with why, and a second run refused unless "replace" is ticked."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest

from ecmx.core.ledger.records import listing
from ecmx.core.web.current import current_dataset
from tests.e2e.test_claims import PLANS, pyx12_accepts, segments, subscriber_loops
from tests.e2e.web import csrf, wait_for_job, web_client

PERIOD = "2025-11"


def bill(client, **fields):
    page = client.post("/claims", data={**csrf(), "period": PERIOD, "plan": "all", **fields})
    assert page.status_code == 303, page.text
    return wait_for_job(client, page.headers["location"])


@pytest.fixture(scope="module")
def billed(tmp_path_factory):
    """A workspace with the sample for 2025-11, billed once for every plan."""
    with web_client(tmp_path_factory.mktemp("claims") / "ws") as client:
        assert client.post("/data/sample", data={**csrf(), "period": PERIOD}).status_code == 303
        yield client, bill(client)


def test_the_form_offers_every_plan_and_format(billed):
    client, _ = billed
    page = client.get(f"/claims?period={PERIOD}").text
    assert f'<option value="{PERIOD}" selected>' in page
    for plan in PLANS:
        assert f'<option value="{plan}">' in page
    assert '<option value="837p" selected>' in page and '<option value="invoice">' in page
    assert 'name="replace"' in page


def test_each_plans_837p_downloads_passes_pyx12_and_adds_up_to_the_page(billed, tmp_path):
    client, page = billed
    assert "Claims for 2025-11, by plan" in page.text and "No problems found." in page.text
    links = re.findall(r'href="(/claims/jobs/\d+/files/\d+)" download>Download ([^<]+)<', page.text)
    assert len(links) == len(PLANS)
    totals = dict(re.findall(r'data-plan="(\w+)">([\d,.]+)<', page.text))
    assert sorted(totals) == sorted(PLANS)
    for link, name in links:
        got = client.get(link)
        assert got.status_code == 200
        disposition = got.headers["content-disposition"]
        assert disposition.startswith("attachment") and quote(html.unescape(name)) in disposition
        path = tmp_path / html.unescape(name)
        path.write_bytes(got.content)
        assert pyx12_accepts(path), name
        assert subscriber_loops(segments(path))  # claims, one loop per member
    # each row's billed amount is the sum of its file's CLM02
    for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", page.text, re.S):
        amount = re.search(r'data-plan="(\w+)">([\d,.]+)<', row)
        link = re.search(r'href="(/claims/jobs/\d+/files/\d+)"', row)
        path = tmp_path / "row.837"
        path.write_bytes(client.get(link.group(1)).content)
        clm = [loop["CLM"][0][2] for loop in subscriber_loops(segments(path))]
        assert sum(Decimal(c) for c in clm) == Decimal(amount.group(2).replace(",", ""))


def test_the_files_are_in_the_workspace_and_the_ledger(billed):
    client, _ = billed
    workspace = client.app.state.config.workspace
    folder = workspace / "claims" / PERIOD
    made = [r for r in listing(workspace, period=PERIOD) if r["kind"] == "837p"]
    assert {r["plan"] for r in made} == set(PLANS)  # (other tests here may bill again)
    files = [p for p in folder.iterdir() if p.suffix == ".837"]
    assert len(files) == len(PLANS)
    assert {Path(r["file"]).name for r in made} == {p.name for p in files}


def test_a_file_not_of_the_job_is_not_served(billed):
    client, page = billed
    job = re.search(r"/claims/jobs/(\d+)/files/", page.text).group(1)
    for path in (f"/claims/jobs/{job}/files/99", "/claims/jobs/999/files/0"):
        answer = client.get(path)
        assert answer.status_code == 400 and "Traceback" not in answer.text


def test_a_second_run_is_refused_in_one_line_unless_replace(billed):
    client, _ = billed
    again = bill(client)
    refusal = re.search(r'<p class="error" role="alert">([^<]*)</p>', again.text)
    assert refusal, again.text
    line = html.unescape(refusal.group(1))
    assert line.startswith(f"claims/{PERIOD}/") and "exists already" in line
    assert 'tick "Replace claim files already made for this month"' in line
    assert "--force" not in line and "Traceback" not in again.text
    replaced = bill(client, replace="yes")
    assert "Claims for 2025-11, by plan" in replaced.text


def test_a_line_with_a_wrong_diagnosis_code_is_left_off_with_why(tmp_path):
    with web_client(tmp_path / "ws") as client:
        assert client.post("/data/sample", data={**csrf(), "period": PERIOD}).status_code == 303
        workspace = client.app.state.config.workspace
        sample = current_dataset(workspace)
        book = openpyxl.load_workbook(sample)
        sheet = book["encounters"]
        header = [c.value for c in sheet[1]]
        day_at, dx_at = header.index("date"), header.index("diagnosis_codes")
        row = next(
            r for r in sheet.iter_rows(min_row=2)
            if str(r[day_at].value).startswith(PERIOD) and r[header.index("kind")].value == "service"
        )  # fmt: skip
        row[dx_at].value = "NOT A CODE"
        book.save(sample.parent / "edited.xlsx")
        chosen = client.post(
            "/data/choose", data={**csrf(), "dataset": "uploads/sample/edited.xlsx"}
        )
        assert chosen.status_code == 303
        page = bill(client)
        text = html.unescape(page.text)
        assert "Must be fixed:" in text and "diagnosis code not ICD-10" in text
        left_off = re.findall(r"<td>(\d+)</td>\s*<td>(?:<a|none)", page.text)
        assert sorted(int(n) for n in left_off)[-1] >= 1
        place = re.search(r'href="(/jobs/\d+/findings/\d+)">([^<]+)<', page.text)
        assert place and f"encounters!{header_letter(dx_at)}{row[0].row}" == place.group(2)
        shown = client.get(place.group(1))
        assert shown.status_code == 200 and "(this problem)" in shown.text
        assert "***" in shown.text  # the row's member values, masked
        again = bill(client, replace="yes").text  # files replaced; the line still left off
        assert "diagnosis code not ICD-10" in html.unescape(again)
        assert re.findall(r"<td>(\d+)</td>\s*<td>(?:<a|none)", again) == left_off


def header_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def test_an_invoice_for_one_plan_downloads_as_a_workbook(billed, tmp_path):
    client, _ = billed
    page = bill(client, plan="healthnet", format="invoice")
    [(link, name)] = re.findall(
        r'href="(/claims/jobs/\d+/files/\d+)" download>Download ([^<]+)<', page.text
    )
    assert name.endswith(".xlsx") and "Invoice" in name
    path = tmp_path / name
    path.write_bytes(client.get(link).content)
    assert openpyxl.load_workbook(path).sheetnames
    assert 'data-plan="healthnet"' in page.text and 'data-plan="calviva"' not in page.text
