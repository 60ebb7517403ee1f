"""The README's "After sending: the 999, 277CA and 835", run as a provider runs it: the
sample month billed in a workspace, Health Net's answers loaded (a 999 taking the file in,
a 277CA rejecting a claim, an 835 paying a claim with a line short and a line denied),
each line's fate and the totals shown by `claims status`, and the rejected claim
resubmitted as a replacement naming the payer's number from the 277CA (issue 16, Done
when). The answers are made by the test builder (x12_responses.py) under the README's
file names; pyx12 checks them and the replacement.

As in test_readme_month.py, the README's period (2025-11) is replaced by last month's, and
the answers are dated today: the month a provider bills this week."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from ecmx.core.calendar.periods import Period

from . import readme
from . import x12_responses as x12
from .readme import README_PERIOD, ledger
from .test_claims_resubmit import claim_loops
from .test_claims_status import pyx12_accepts

PLAN = "healthnet"  # the plan the README's resubmit names


def dated(path: Path, day: date, period: Period) -> None:
    """The builder's answer re-dated to ``day`` (ISA09, GS04, BHT, DTP, BPR16) and its
    period's: a response is matched only to files made on or before its date."""
    text = path.read_text("ascii").replace("*251215*", f"*{day:%y%m%d}*")
    text = text.replace("20251215", f"{day:%Y%m%d}")
    first, last = period.start, period.end
    text = text.replace("20251101-20251130", f"{first:%Y%m%d}-{last:%Y%m%d}")
    path.write_text(text, "ascii")


def chosen(b: x12.Billed):
    """The claim the 835 pays (the first with three lines or more) and the one the 277CA
    rejects (the last)."""
    last = b.claims[-1]
    return next(c for c in b.claims if len(c.lines) >= 3 and c is not last), last


def answers(b: x12.Billed, files: list[Path], period: Period) -> dict:
    """Health Net's answers under the README's names (by the kind each name says): the 999
    accepting the file, the 277CA rejecting the last claim (with the payer's number for it),
    the 835 paying one claim: line 2 short (CO-45), line 3 denied (CO-16, M51), the rest
    in full."""
    first, last = chosen(b)
    short, denied = first.lines[1], first.lines[2]
    paid = {first.patient_control: {
        short.number: x12.Paid(short.charge - 25, (("CO", "45", Decimal(25)),)),
        denied.number: x12.Paid(Decimal(0), (("CO", "16", denied.charge),), ("M51",)),
    }}  # fmt: skip
    made = {}
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        if "999" in path.name:
            made["999"] = x12.ack_999(b, path)
        elif "277" in path.name:
            made["277"] = x12.ack_277(b, path, {last.patient_control}, numbered=True)
        else:
            made["835"] = x12.remit_835(b, path, paid)
        dated(path, date.today(), period)
        assert pyx12_accepts(path), f"pyx12 rejects {path.name}"
    assert sorted(made) == ["277", "835", "999"], [p.name for p in files]
    return made


def test_the_readme_after_sending_end_to_end(cli, tmp_path, monkeypatch):
    office = tmp_path / "office"
    office.mkdir()
    monkeypatch.chdir(office)
    monkeypatch.delenv("ECMX_WORKSPACE", raising=False)
    period = Period.containing(date.today()).shift(-1)
    assert cli("sample-data", "--out", "my-dataset.xlsx", "--period", str(period)).code == 0
    commands = [[a.replace(README_PERIOD, str(period)) for a in argv[1:]]
                for argv in readme.commands("After sending: the 999")]  # fmt: skip
    init, bill, load, status, status_shown, resubmit = commands
    assert status_shown == [*status, "--show-values"]

    assert cli(*init).code == 0 and Path(".ecmx").is_dir()
    billed = cli(*bill)
    assert billed.code in (0, 1), billed.err  # 1: a line broke a billing rule, left off
    [made] = ledger(f"SELECT path FROM files_made WHERE plan = '{PLAN}' AND kind = '837p'")
    b = x12.billed(Path(made["path"]))
    first, last = chosen(b)
    records = answers(b, [Path(a) for a in load[2:]], period)

    loaded = cli(*load)
    assert loaded.code == 0, loaded.err
    for path in load[2:]:
        assert f"{Path(path).name}: " in loaded.err and f"for {PLAN}" in loaded.err

    # the terminal table: every fate, the codes in words, the totals
    board = cli(*status)
    assert board.code == 0, board.err
    for fate in ("paid short", "denied", "rejected", "accepted", "outstanding", "totals"):
        assert fate in board.out, fate
    assert "correct and resubmit" in board.out and "wait for the 835" in board.out
    assert all(c.member_id not in board.out for c in b.claims)  # masked
    rows = json.loads(cli(*status_shown, "--format", "json").out)
    ours = [r for r in rows if r["plan"] == PLAN]
    assert len(ours) == sum(len(c.lines) for c in b.claims)
    fate = {(r["claim"], r["line"]): r for r in ours}
    line1, short, denied = (fate[(first.patient_control, n)] for n in (1, 2, 3))
    assert (line1["status"], line1["next_step"]) == ("paid", "nothing")
    assert (short["status"], short["adjusted"]) == ("paid short", "25.00")
    assert "CO-45" in short["codes"] and short["next_step"].startswith("nothing")
    assert denied["status"] == "denied" and "M51: Missing/incomplete" in denied["codes"]
    rejected = [r for r in ours if r["claim"] == last.patient_control]
    assert {r["status"] for r in rejected} == {"rejected"}
    assert all("A7:33:IL" in r["codes"] for r in rejected)
    middle = [r for r in ours if r["claim"] not in (first.patient_control, last.patient_control)]
    assert middle and {r["status"] for r in middle} == {"accepted"}
    others = [r for r in rows if r["plan"] != PLAN]
    assert others and {r["status"] for r in others} == {"outstanding"}  # no answers yet
    report = tmp_path / "status.json"
    assert cli(*status, "--report", report).code == 0
    totals = {t["plan"]: t for t in json.loads(report.read_text())["totals"]}[PLAN]
    assert Decimal(totals["billed"]) == sum(c.charge for c in b.claims)
    assert Decimal(totals["paid"]) == first.charge - 25 - denied_charge(first)
    assert Decimal(totals["denied"]) == denied_charge(first) + last.charge
    assert Decimal(totals["outstanding"]) == sum(c.charge for c in b.claims
                                                 if c not in (first, last))  # fmt: skip

    # the rejected claim, corrected and rebilled: frequency 7, REF*F8 the 277CA's number
    claim_at = resubmit.index("--claim") + 1
    resubmit[claim_at] = last.patient_control
    before = set(Path("claims").iterdir())
    again = cli(*resubmit)
    assert again.code in (0, 1), again.err
    [replacement] = set(Path("claims").iterdir()) - before
    assert replacement.name.endswith("_replacement.837")
    assert pyx12_accepts(replacement), f"pyx12 rejects {replacement.name}"
    [(clm01, loop)] = claim_loops(replacement).items()
    [number] = [c.payer_claim_number for c in records["277"].claims
                if c.patient_control == last.patient_control]  # fmt: skip
    assert number and clm01 == last.patient_control
    assert loop[0][5].endswith(":B:7") and loop[1] == ["REF", "F8", number]
    assert f"REF*F8 {number}" in again.err and "277CA" in again.err
    assert int(control_number(replacement)) > int(control_number(b.path))


def denied_charge(claim) -> Decimal:
    return claim.lines[2].charge


def control_number(path: Path) -> str:
    """ISA13: a replacement is a new interchange."""
    text = path.read_text("ascii")
    return text.split(text[3])[13]
