"""``ecmx claims resubmit --claim CLM01`` without ``=PAYERNUMBER`` (issue 16, point 4): the
payer's claim number is taken from the ledger, where ``ecmx claims load`` recorded the
277CA's REF*1K and the 835's CLP07 for the claim of the period's latest 837P billing it.
The responses are made by the test builder (x12_responses.py) and checked by pyx12."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from . import x12_responses as x12
from .conftest import BILLED_PLAN
from .test_claims_resubmit import claim_loops, new_files
from .test_claims_status import load, pyx12_accepts

PLAN = BILLED_PLAN  # the plan billed_month bills


def answered(workspace: Path, b: x12.Billed, folder: Path) -> None:
    """A 277CA rejecting the last claim (with the payer's number: PCN000N, N its HL) and
    accepting the rest; an 835 paying the first claim (CLP07 PCN0001), one line denied."""
    first, last = b.claims[0], b.claims[-1]
    denied = first.lines[-1]
    paid = {first.patient_control: {denied.number: x12.Paid(Decimal(0),
                                                             (("CO", "16", denied.charge),))}}  # fmt: skip
    records = {
        folder / "a.277": x12.ack_277(b, folder / "a.277", {last.patient_control}, numbered=True),
        folder / "a.835": x12.remit_835(b, folder / "a.835", paid),
    }
    for path in records:
        assert pyx12_accepts(path), f"pyx12 rejects {path.name}"
    assert load(workspace, records).exit_code == 0


def resubmit(cli, workspace, dataset, out, *claims, day="2025-12-20", extra=()):
    args = [a for clm01 in claims for a in ("--claim", clm01)]
    ws = ("--workspace", workspace) if workspace else ()
    return cli(*ws, "claims", "resubmit", dataset, "--plan", PLAN, "--period", "2025-11",
               *args, "--out", out, "--production-date", day, *extra)  # fmt: skip


def test_the_payer_numbers_come_from_the_277ca_and_the_835(cli, samples, billed_month, tmp_path):
    workspace, out, b = billed_month
    answered(workspace, b, tmp_path)
    first, last = b.claims[0].patient_control, b.claims[-1].patient_control
    run = resubmit(cli, workspace, samples["csv"], out, last.lower(), first)
    assert run.code in (0, 1), run.err
    [path] = new_files(out, b.path)
    assert pyx12_accepts(path), f"pyx12 rejects {path.name}"
    loops = claim_loops(path)
    assert list(loops) == [last, first]
    # the rejected claim: its 277CA number (the 4th HL is the first claim's); the paid one:
    # the 835's CLP07, the number it was adjudicated under, before the 277CA's
    rejected_number = f"PCN{3 + len(b.claims):04d}"
    assert loops[last][0][5].endswith(":B:7") and loops[last][1] == ["REF", "F8", rejected_number]
    assert loops[first][0][5].endswith(":B:7") and loops[first][1] == ["REF", "F8", "PCN0001"]
    assert f"--claim #1: REF*F8 {rejected_number}" in run.err + run.out
    assert "from the 277CA (REF*1K) a.277" in run.err + run.out
    assert "--claim #2: REF*F8 PCN0001, the payer's claim number from the 835 (CLP07) a.835" in (
        run.err + run.out
    )


def test_a_given_number_wins_and_a_void_takes_the_ledgers_too(cli, samples, billed_month, tmp_path):
    workspace, out, b = billed_month
    answered(workspace, b, tmp_path)
    first, second = b.claims[0].patient_control, b.claims[1].patient_control
    run = resubmit(cli, workspace, samples["csv"], out, f"{first}=TYPED-1", second,
                   extra=("--void",))  # fmt: skip
    assert run.code in (0, 1), run.err
    [path] = new_files(out, b.path)
    loops = claim_loops(path)
    assert loops[first][1] == ["REF", "F8", "TYPED-1"]
    assert loops[second][0][5].endswith(":B:8") and loops[second][1] == ["REF", "F8", "PCN0005"]
    assert pyx12_accepts(path)


def test_no_response_loaded_is_one_line_and_writes_nothing(cli, samples, billed_month):
    workspace, out, b = billed_month
    run = resubmit(cli, workspace, samples["csv"], out, b.claims[0].patient_control)
    assert run.code == 2
    line = run.one_error_line("--claim #1", "no 277CA or 835 loaded names the payer's claim "
                              "number", b.path.name, "ecmx claims load", "CLM01=NUMBER")  # fmt: skip
    assert b.claims[0].patient_control not in line and b.claims[0].member_id not in line
    assert new_files(out, b.path) == []


def test_a_999_alone_names_no_payer_number(cli, samples, billed_month, tmp_path):
    workspace, out, b = billed_month
    path = tmp_path / "a.999"
    load(workspace, {path: x12.ack_999(b, path)})
    run = resubmit(cli, workspace, samples["csv"], out, b.claims[0].patient_control)
    assert run.code == 2
    run.one_error_line("--claim #1", "load its 277CA or 835 first")


def test_the_latest_837p_billing_the_claim_decides(cli, samples, billed_month, tmp_path):
    """After a replacement, the payer's number is the replacement's own answer: the first
    bill's 277CA no longer names it (a payer gives a replacement a new number)."""
    workspace, out, b = billed_month
    answered(workspace, b, tmp_path)
    first = b.claims[0].patient_control
    assert resubmit(cli, workspace, samples["csv"], out, first).code in (0, 1)
    [replacement] = new_files(out, b.path)
    run = resubmit(cli, workspace, samples["csv"], out, first, day="2025-12-21")
    assert run.code == 2
    run.one_error_line("--claim #1", replacement.name, "the latest 837P billing it")
    assert new_files(out, b.path) == [replacement]


def test_without_a_workspace_or_a_billed_claim_it_is_one_line(cli, samples, billed_month, tmp_path):
    _, _, b = billed_month
    clm01 = b.claims[0].patient_control
    bare = resubmit(cli, None, samples["csv"], tmp_path / "elsewhere", clm01)
    assert bare.code == 2
    bare.one_error_line("--claim #1", "no workspace ledger", "CLM01=NUMBER")
    # billed outside the workspace: its ledger holds no 837P with that claim
    other = tmp_path / "ws2"
    assert cli("init", other).code == 0
    second = b.claims[1].patient_control
    run = resubmit(cli, other, samples["csv"], tmp_path / "elsewhere", f"{clm01}=P1", second)
    assert run.code == 2
    run.one_error_line("--claim #2", f"no 837P recorded in this workspace for {PLAN} 2025-11")
    assert not (tmp_path / "elsewhere").exists() or not list((tmp_path / "elsewhere").iterdir())
