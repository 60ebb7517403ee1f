"""``ecmx claims load`` and ``ecmx claims status`` (issue 16): the sample month billed,
the plan's 999, 277CA and 835 made from the billed 837P (tests/e2e/x12_responses.py,
each checked by pyx12), matched back, and each line's fate and the totals checked."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ecmx.core.jobs.claims_status import ClaimsLoadRequest, run_claims_load
from tests.pyx12_check import pyx12_accepts

from . import x12_responses as x12
from .conftest import BILLED_PLAN

PLAN = BILLED_PLAN  # the plan billed_month bills


def load(workspace: Path, records: dict[Path, object], show_values: bool = True):
    """``ecmx claims load`` with the records the readers return for these files (claims
    named whole in its findings unless ``show_values`` is False)."""
    request = ClaimsLoadRequest(tuple(records), workspace, show_values=show_values)
    return run_claims_load(request, reader=lambda p: records[p])


def status(cli, workspace: Path, *extra) -> list[dict]:
    """The status rows, claims named whole (--show-values: the tests match them by CLM01)."""
    run = cli("--workspace", workspace, "claims", "status", "--period", "2025-11",
              "--format", "json", "--show-values", *extra)  # fmt: skip
    assert run.code == 0, run.err
    return json.loads(run.out)


def the_month(workspace: Path, b: x12.Billed, folder: Path):
    """The month's responses (``build_month``), loaded as their records."""
    records = build_month(b, folder)
    return records, load(workspace, records)


def build_month(b: x12.Billed, folder: Path) -> dict:
    """The 999 accepting the file, a 277CA rejecting the last claim, an 835 paying the first
    claim: line 2 short (CO-45), line 3 denied (CO-16, M51), the rest in full."""
    first, last = b.claims[0], b.claims[-1]
    short, denied = first.lines[1], first.lines[2]
    paid = {first.patient_control: {
        short.number: x12.Paid(short.charge - 25, (("CO", "45", Decimal(25)),)),
        denied.number: x12.Paid(Decimal(0), (("CO", "16", denied.charge),), ("M51",)),
    }}  # fmt: skip
    return {
        folder / "a.999": x12.ack_999(b, folder / "a.999"),
        folder / "a.277": x12.ack_277(b, folder / "a.277", {last.patient_control}),
        folder / "a.835": x12.remit_835(b, folder / "a.835", paid),
    }


def test_the_responses_made_for_the_tests_pass_pyx12(billed_month, tmp_path):
    workspace, _, b = billed_month
    records, _ = the_month(workspace, b, tmp_path)
    for path in records:
        assert pyx12_accepts(path), f"pyx12 rejects {path.name}"


def test_status_names_each_lines_fate_and_the_totals(cli, billed_month, tmp_path):
    workspace, _, b = billed_month
    _, loaded = the_month(workspace, b, tmp_path)
    assert loaded.exit_code == 0, [f.findings for f in loaded.files]
    rows = status(cli, workspace)
    first, last = b.claims[0], b.claims[-1]
    assert len(rows) == sum(len(c.lines) for c in b.claims)
    fate = {(r["claim"], r["line"]): r for r in rows}
    line1, short, denied = (fate[(first.patient_control, n)] for n in (1, 2, 3))
    assert (line1["status"], line1["paid"], line1["next_step"]) == ("paid", "125.00", "nothing")
    assert (short["status"], short["paid"], short["adjusted"]) == ("paid short", "100.00", "25.00")
    assert "CO-45" in short["codes"] and short["next_step"].startswith("nothing")
    assert (denied["status"], denied["paid"]) == ("denied", "0.00")
    assert "CO-16" in denied["codes"] and "M51: Missing/incomplete" in denied["codes"]
    assert "correct and resubmit" in denied["next_step"]
    rejected = [r for r in rows if r["claim"] == last.patient_control]
    assert {r["status"] for r in rejected} == {"rejected"}
    assert all("A7:33:IL" in r["codes"] and r["next_step"] == "correct and resubmit"
               for r in rejected)  # fmt: skip
    middle = [r for r in rows if r["claim"] not in (first.patient_control, last.patient_control)]
    assert middle and {r["status"] for r in middle} == {"accepted"}
    assert {r["acknowledged"] for r in middle} == {"999 accepted, 277CA accepted"}
    assert {r["next_step"] for r in middle} == {"wait for the 835"}
    assert {r["member"] for r in rows} == {c.member_id for c in b.claims}  # shown: asked for
    # totals: what was billed, what the 835 paid, what is still waiting
    report = tmp_path / "status.json"
    cli("--workspace", workspace, "claims", "status", "--report", report)
    totals = json.loads(report.read_text())["totals"][0]
    billed = sum(c.charge for c in b.claims)
    assert Decimal(totals["billed"]) == billed
    assert Decimal(totals["paid"]) == first.charge - 25 - first.lines[2].charge
    assert Decimal(totals["outstanding"]) == sum(c.charge for c in b.claims[1:-1])
    assert Decimal(totals["denied"]) == first.lines[2].charge + last.charge


def test_the_terminal_table_and_show_values(cli, billed_month, tmp_path):
    workspace, _, b = billed_month
    the_month(workspace, b, tmp_path)
    run = cli("--workspace", workspace, "claims", "status")
    assert run.code == 0
    assert "paid short" in run.out and "totals" in run.out
    assert all(c.member_id not in run.out for c in b.claims)
    masked = cli("--workspace", workspace, "claims", "status", "--format", "json")
    assert all(c.member_id not in masked.out for c in b.claims)  # CLM01 holds it: masked too
    assert "claim 1 (***-2511-1)" in masked.out
    shown = status(cli, workspace, "--show-values")
    assert {r["member"] for r in shown} == {c.member_id for c in b.claims}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_report_as_csv_and_xlsx(cli, billed_month, tmp_path, suffix):
    workspace, _, b = billed_month
    the_month(workspace, b, tmp_path)
    report = tmp_path / f"status{suffix}"
    assert cli("--workspace", workspace, "claims", "status", "--report", report).code == 0
    if suffix == ".csv":
        text = report.read_text()
        assert "paid short" in text and b.claims[0].member_id not in text
    else:
        import openpyxl

        book = openpyxl.load_workbook(report)
        assert {"lines", "totals"} <= set(book.sheetnames)
        totals = list(book["totals"].iter_rows(values_only=True))
        assert totals[1][0] == PLAN and Decimal(str(totals[1][1])) == sum(
            c.charge for c in b.claims
        )


def test_reading_the_same_responses_twice_adds_nothing(cli, billed_month, tmp_path):
    workspace, _, b = billed_month
    records, first = the_month(workspace, b, tmp_path)
    before = status(cli, workspace)
    again = load(workspace, records)
    assert all(f.already and f.outcomes == 0 for f in again.files)
    assert all(not f.already and f.outcomes for f in first.files)
    assert status(cli, workspace) == before
    # the ledger names a claim by its place in the billed file: neither the subscriber id
    # (CIN) of the 837P nor CLM01 (built from the provider's member id) is in it
    ledger = b"".join(p.read_bytes() for p in (workspace / ".ecmx").glob("ledger.sqlite3*"))
    assert not [c for c in b.claims if c.member_id.encode() in ledger]
    assert not [c for c in b.claims if c.patient_control.encode() in ledger]


def test_a_response_for_an_unknown_claim_is_a_finding(cli, billed_month, tmp_path):
    workspace, _, b = billed_month
    path = tmp_path / "stray.835"
    record = x12.remit_835(b, path, {}, extra=("Z99999-2511-1",))
    assert pyx12_accepts(path)
    loaded = load(workspace, {path: record})
    assert loaded.exit_code == 1
    (finding,) = loaded.files[0].findings
    assert "Z99999-2511-1" in finding and "matches no claim ecmx billed" in finding
    assert {r["status"] for r in status(cli, workspace)} == {"outstanding"}


def test_a_999_for_a_file_ecmx_did_not_send_is_a_finding(billed_month, tmp_path):
    workspace, _, b = billed_month
    path = tmp_path / "other.999"
    loaded = load(workspace, {path: x12.ack_999(b, path, group="424242")})
    (finding,) = loaded.files[0].findings
    assert "group control number (GS06) 424242" in finding


def test_a_rejected_file_rejects_every_claim_in_it(cli, billed_month, tmp_path):
    workspace, _, b = billed_month
    path = tmp_path / "r.999"
    assert load(workspace, {path: x12.ack_999(b, path, status="R")}).exit_code == 0
    rows = status(cli, workspace)
    assert {r["status"] for r in rows} == {"rejected"}
    assert {r["acknowledged"] for r in rows} == {"999 rejected"}


def test_ecmx_claims_load_reads_the_files_and_status_shows_the_same(cli, billed_month, tmp_path):
    """The command line end to end, with the readers of core/billing/responses/read.py:
    the same fates as the records the builder made for the same files."""
    pytest.importorskip("ecmx.core.billing.responses.read")
    workspace, _, b = billed_month
    shadow = tmp_path / "ws2"
    assert cli("init", shadow).code == 0
    records, _ = the_month(workspace, b, tmp_path)
    run = cli("--workspace", workspace, "claims", "load", *records)
    assert run.code == 0, run.err
    assert "read before: nothing added" in run.err  # the_month loaded them already
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    copies = []
    for path in records:  # the same content: read before, by plan and sha256
        (fresh / path.name).write_bytes(path.read_bytes())
        copies.append(fresh / path.name)
    assert "nothing added" in cli("--workspace", workspace, "claims", "load", *copies).err
    rows = status(cli, workspace)
    assert {r["status"] for r in rows} == {"paid", "paid short", "denied", "rejected", "accepted"}


def test_ecmx_claims_load_matches_as_the_records_do(cli, samples, tmp_path):
    """Loaded by ``ecmx claims load`` (the readers) into a fresh workspace: the same status
    as the records loaded directly."""
    pytest.importorskip("ecmx.core.billing.responses.read")
    results = []
    for name, use_cli in (("direct", False), ("cli", True)):
        workspace = tmp_path / name / "ws"
        assert cli("init", workspace).code == 0
        out = tmp_path / name / "claims"
        cli("--workspace", workspace, "claims", samples["csv"], "--plan", PLAN, "--period",
            "2025-11", "--out", out, "--production-date", "2025-12-03")  # fmt: skip
        (path,) = sorted(out.glob("*.837"))
        folder = tmp_path / name
        if use_cli:
            records = build_month(x12.billed(path), folder)
            run = cli("--workspace", workspace, "claims", "load", *records)
            assert run.code == 0, run.err
        else:
            the_month(workspace, x12.billed(path), folder)
        results.append(
            [{k: v for k, v in r.items() if k != "codes"} for r in status(cli, workspace)]
        )
    assert results[0] == results[1]


def test_a_billed_file_gone_from_disk_is_a_note_not_a_traceback(cli, billed_month):
    workspace, _, b = billed_month
    b.path.unlink()
    run = cli("--workspace", workspace, "claims", "status")
    assert run.code == 0 and "Traceback" not in run.text
    assert "cannot be read back" in run.err and "no 837P billed" in run.err


def test_status_without_a_workspace_or_with_a_bad_report_is_one_line(
    cli, billed_month, tmp_path, monkeypatch
):
    workspace, _, _ = billed_month
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    run = cli("claims", "status")
    run.one_error_line("ecmx init")
    assert run.code == 2
    run = cli("--workspace", workspace, "claims", "status", "--report", tmp_path / "s.txt")
    run.one_error_line("s.txt", ".json, .csv or .xlsx")
    assert run.code == 2


def test_a_month_billed_again_counts_once_and_responses_go_to_the_latest_file(
    cli, billed_month, samples, tmp_path
):
    workspace, _, first = billed_month
    out = tmp_path / "again"
    run = cli("--workspace", workspace, "claims", samples["csv"], "--plan", PLAN, "--period",
              "2025-11", "--out", out, "--production-date", "2025-12-05")  # fmt: skip
    assert run.code in (0, 1), run.err
    (path,) = sorted(out.glob("*.837"))
    second = x12.billed(path)
    records = {tmp_path / "b.835": x12.remit_835(second, tmp_path / "b.835",
                                                 {second.claims[0].patient_control: {}})}  # fmt: skip
    loaded = load(workspace, records)
    clm01 = second.claims[0].patient_control
    assert any(f"claim {clm01} was billed in ledger files" in f for f in loaded.files[0].findings)
    rows = status(cli, workspace)
    assert len(rows) == 2 * sum(len(c.lines) for c in first.claims)
    old = [r for r in rows if r["next_step"].startswith("nothing: billed again in")]
    assert len(old) == len(rows) // 2 and path.name in old[0]["next_step"]
    paid = [r for r in rows if r["claim"] == clm01 and r["status"] == "paid"]
    assert len(paid) == len(second.claims[0].lines)  # the latest file's lines, not the first's
    report = tmp_path / "s.json"
    cli("--workspace", workspace, "claims", "status", "--report", report)
    totals = json.loads(report.read_text())["totals"][0]
    assert Decimal(totals["billed"]) == sum(c.charge for c in first.claims)
    assert Decimal(totals["paid"]) == second.claims[0].charge
