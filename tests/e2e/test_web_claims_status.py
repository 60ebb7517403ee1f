"""Claims after sending, on the web page (starlette's TestClient): the sample month billed
to one plan through the Claims page, the plan's 999, 277CA and 835 made from that 837P
(tests/e2e/x12_responses.py, as test_claims_status.py makes them), dropped on the page and
loaded; the status page then shows each line's fate, and its totals are the job's."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from ecmx.core.jobs.claims_status import ClaimsStatusRequest, run_claims_status
from tests.e2e import x12_responses as x12
from tests.e2e.test_claims_status import build_month, pyx12_accepts
from tests.e2e.web import csrf, wait_for_job, web_client

PERIOD, PLAN = "2025-11", "chpiv"
PLAN_NAME = "Community Health Plan of Imperial Valley"


def today_dated(path: Path) -> Path:
    """The builder dates its answers 2025-12-15; the page bills today, and an answer dated
    before the file it answers matches nothing: the interchange and group dated today."""
    today = date.today()
    text = path.read_text(encoding="ascii")
    text = text.replace("*251215*1200*", f"*{today:%y%m%d}*1200*", 1)
    path.write_text(text.replace("*20251215*1200*", f"*{today:%Y%m%d}*1200*", 1), "ascii")
    return path


def upload(client, paths: list[Path], **fields):
    """Drop ``paths`` on "Load the plan's answers"; the response (a redirect to the job)."""
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
    return client.post("/claims/responses", data={**csrf(), **fields}, files=files)


def load(client, paths: list[Path], **fields):
    answer = upload(client, paths, **fields)
    assert answer.status_code == 303, answer.text
    return wait_for_job(client, answer.headers["location"])


def text_of(page) -> str:
    return re.sub(r"\s+", " ", html.unescape(page.text))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """(client, the 837P read back, the answers' files, the load's page)."""
    folder = tmp_path_factory.mktemp("claims-status")
    with web_client(folder / "ws") as client:
        assert client.post("/data/sample", data={**csrf(), "period": PERIOD}).status_code == 303
        billed = client.post("/claims", data={**csrf(), "period": PERIOD, "plan": PLAN})
        assert billed.status_code == 303
        assert (
            "Claims for 2025-11, by plan" in wait_for_job(client, billed.headers["location"]).text
        )
        workspace = client.app.state.config.workspace
        (path,) = sorted((workspace / "claims" / PERIOD).glob("*.837"))
        b = x12.billed(path)
        answers = [today_dated(p) for p in build_month(b, folder)]
        yield client, b, answers, load(client, answers)


def status_rows(page) -> list[dict]:
    """The page's line table: one dict per row, by the column headers."""
    table = page.text.split('<table class="claim-lines">')[1].split("</table>")[0]
    headers = re.findall(r'<th scope="col">([^<]+)</th>', table)
    rows = []
    for row in re.findall(r"<tr data-status=[^>]*>(.*?)</tr>", table, re.S):
        cells = [html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows.append(dict(zip(headers, cells, strict=True)))
    return rows


def test_the_answers_made_pass_pyx12(loaded):
    _, _, answers, _ = loaded
    assert [p.name for p in answers] == ["a.999", "a.277", "a.835"]
    assert all(pyx12_accepts(p) for p in answers)


def test_the_load_says_what_each_file_was_and_what_it_recorded(loaded):
    client, _, _, page = loaded
    text = text_of(page)
    assert "The files loaded" in text and "Traceback" not in text
    rows = re.findall(r'<tr class="loaded"><th scope="row">([^<]+)</th>(.*?)</tr>', page.text, re.S)
    said = {name.strip(): html.unescape(rest) for name, rest in rows}
    assert sorted(said) == ["a.277", "a.835", "a.999"]
    assert "999: the plan's acknowledgment of the claim file" in said["a.999"]
    assert "277CA: the plan's acknowledgment of each claim" in said["a.277"]
    assert "835: payment and remittance advice" in said["a.835"]
    for rest in said.values():
        assert PLAN_NAME in rest and re.search(r"\b[1-9]\d* outcomes recorded", rest)
    assert "Everything in these files matched a claim you billed." in text
    kept = client.app.state.config.workspace / "responses"
    assert {"a.277", "a.835", "a.999"} <= {p.name for p in kept.iterdir()}


def test_the_status_page_shows_each_lines_fate_and_the_jobs_totals(loaded):
    client, b, _, _ = loaded
    page = client.get(f"/claims/status?period={PERIOD}")
    assert page.status_code == 200
    rows = status_rows(page)
    assert len(rows) == sum(len(c.lines) for c in b.claims)
    first, last = b.claims[0], b.claims[-1]
    mine = [r for r in rows if r["claim"] == "claim 1 (***-2511-1)"]  # the first, masked
    assert len(mine) == len(first.lines)
    fate = {int(r["line"]): r for r in mine}
    assert (fate[1]["status"], fate[1]["paid ($)"], fate[1]["next step"]) == ("paid", "125.00",
                                                                               "nothing")  # fmt: skip
    short = fate[2]
    assert (short["status"], short["cut ($)"]) == ("paid short", "25.00")
    assert "CO-45" in short["the payer's codes, in words"] and "fee schedule" in short[
        "the payer's codes, in words"]  # fmt: skip
    denied = fate[3]
    assert denied["status"] == "denied" and "M51: Missing/incomplete" in denied[
        "the payer's codes, in words"]  # fmt: skip
    assert "correct and resubmit" in denied["next step"]
    statuses = {r["status"] for r in rows}
    assert statuses == {"paid", "paid short", "denied", "rejected", "accepted"}
    rejected = [r for r in rows if r["status"] == "rejected"]
    assert len(rejected) == len(last.lines)
    assert all("A7:33:IL" in r["the payer's codes, in words"] for r in rejected)
    waiting = [r for r in rows if r["status"] == "accepted"]
    assert {r["what the 999 and 277CA said"] for r in waiting} == {"999 accepted, 277CA accepted"}
    assert {r["next step"] for r in waiting} == {"wait for the 835"}
    # member values masked: neither the member id nor the CLM01 built from it
    assert {r["member"] for r in rows} == {"***"}
    assert not [c for c in b.claims if c.member_id in page.text]
    assert not [c for c in b.claims if c.patient_control in page.text]
    # the totals are the job's own
    ask = ClaimsStatusRequest(client.app.state.config.workspace, PERIOD)
    job = run_claims_status(ask).totals[PLAN]
    shown = dict(re.findall(rf'data-plan="{PLAN}" data-total="(\w+)">([\d.]+)<', page.text))
    assert {k: Decimal(v) for k, v in shown.items()} == job
    assert job["billed"] == sum(c.charge for c in b.claims)
    assert job["paid"] == first.charge - 25 - first.lines[2].charge


def test_show_member_values_shows_the_member_ids_and_claims(loaded):
    client, b, _, _ = loaded
    back = f"/claims/status?period={PERIOD}&plan={PLAN}"
    assert client.post("/settings/values", data={**csrf(), "show": "yes", "back": back}
                       ).headers["location"] == back  # fmt: skip
    try:
        page = client.get(back)
        assert {r["member"] for r in status_rows(page)} == {c.member_id for c in b.claims}
        assert {r["claim"] for r in status_rows(page)} == {c.patient_control for c in b.claims}
        assert "These downloads hold member ids" in text_of(page)
        # the download holds them too, after its first line: the PHI notice
        shown = client.get(f"/claims/status/report.csv?period={PERIOD}&plan={PLAN}").text
        notice, table = shown.split("\n", 1)
        assert "member data (PHI)" in notice
        claims = {r["claim"] for r in csv.DictReader(io.StringIO(table))}
        assert {c.patient_control for c in b.claims} <= claims
    finally:
        client.post("/settings/values", data={**csrf(), "show": "no", "back": back})
    assert not [c for c in b.claims if c.member_id in client.get(back).text]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_the_status_downloads_as_a_workbook_or_csv(loaded, kind):
    client, b, _, _ = loaded
    page = client.get(f"/claims/status?period={PERIOD}&plan={PLAN}")
    link = html.unescape(re.search(rf'href="(/claims/status/report\.{kind}[^"]*)"', page.text)[1])
    got = client.get(link)
    assert got.status_code == 200
    assert got.headers["content-disposition"] == (
        f'attachment; filename="claims-status-{PERIOD}-{PLAN}.{kind}"'
    )
    if kind == "csv":
        rows = list(csv.DictReader(io.StringIO(got.text)))
        assert len(rows) == sum(len(c.lines) for c in b.claims)
        assert "paid short" in {r["status"] for r in rows}
        assert not [c for c in b.claims if c.member_id in got.text]
        assert "claim 1 (***-2511-1)" in {r["claim"] for r in rows}  # as the page names it
    else:
        book = openpyxl.load_workbook(io.BytesIO(got.content))
        totals = list(book["totals"].iter_rows(values_only=True))
        assert totals[1][0] == PLAN
        assert Decimal(str(totals[1][1])) == sum(c.charge for c in b.claims)
        lines = "\n".join(str(v) for r in book["lines"].iter_rows(values_only=True) for v in r)
        assert not [c for c in b.claims if c.member_id in lines]
    workspace = client.app.state.config.workspace
    assert not list(workspace.rglob(f"claims-status-*.{kind}"))  # no copy left behind


def test_a_second_upload_says_read_before_and_changes_nothing(loaded):
    client, _, answers, _ = loaded
    before = status_rows(client.get(f"/claims/status?period={PERIOD}"))
    again = load(client, answers)
    text = text_of(again)
    assert text.count("read before: nothing added") == 3
    assert "(kept as a (2).999)" in text  # the first copy is never replaced
    assert status_rows(client.get(f"/claims/status?period={PERIOD}")) == before


def test_a_stray_answer_is_a_finding_on_the_page(loaded, tmp_path):
    client, b, _, _ = loaded
    stray = tmp_path / "stray.835"
    x12.remit_835(b, stray, {}, extra=("Z99999-2511-1",))
    page = load(client, [today_dated(stray)])
    text = text_of(page)
    findings = re.findall(r'<li class="finding">([^<]+)</li>', page.text)
    assert len(findings) == 1 and "matches no claim ecmx billed" in html.unescape(findings[0])
    assert "claim ***-2511-1" in text and "Z99999" not in text  # the member id masked
    assert "Everything in these files matched" not in text


def test_files_that_are_not_answers_are_refused_in_one_line(loaded, tmp_path):
    client, _, _, _ = loaded
    kept = client.app.state.config.workspace / "responses"
    before = sorted(kept.iterdir())
    pdf = tmp_path / "remit.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    refused = upload(client, [pdf])
    assert refused.status_code == 400 and "remit.pdf: ecmx takes the plans' answers as" in (
        text_of(refused)
    )
    assert sorted(kept.iterdir()) == before  # nothing kept
    junk = tmp_path / "junk.txt"
    junk.write_text("hello, not X12\n")
    failed = load(client, [junk])
    error = re.search(r'<p class="error" role="alert">([^<]*)</p>', failed.text)
    assert error and "junk.txt" in html.unescape(error[1]) and "Traceback" not in failed.text
    assert str(client.app.state.config.workspace) not in error[1]
    empty = client.post("/claims/responses", data=csrf(), files={"other": ("x", b"")})
    assert empty.status_code == 400 and "choose the 999, 277CA or 835 files" in text_of(empty)


def test_a_form_without_its_csrf_field_is_refused(loaded, tmp_path):
    client, _, answers, _ = loaded
    kept = client.app.state.config.workspace / "responses"
    before = sorted(kept.iterdir())
    files = [("files", (answers[0].name, answers[0].read_bytes(), "text/plain"))]
    refused = client.post("/claims/responses", files=files, data={"plan": PLAN})
    assert refused.status_code == 403 and "Not allowed" in refused.text
    assert sorted(kept.iterdir()) == before


def test_the_claims_page_and_the_board_link_to_it(loaded):
    client, _, _, _ = loaded
    claims = client.get(f"/claims?period={PERIOD}").text
    assert f'href="/claims/status?period={PERIOD}"' in claims
    board = client.get(f"/?period={PERIOD}").text
    assert f'href="/claims/status?period={PERIOD}&amp;plan={PLAN}">what became of' in board
    page = client.get(f"/claims/status?period={PERIOD}&plan={PLAN}")
    assert page.text.count("<h1>") == 1 and 'aria-current="page">Claims<' in page.text
    assert client.get("/claims/status?plan=nowhere").status_code == 400
