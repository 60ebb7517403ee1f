"""Each billed line's fate from the outcomes the ledger holds (billing/responses/status.py):
an 835 paying or denying a claim as a whole, without its lines; masking."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecmx.core.billing.responses.status import status_rows

from .test_claims_match import billed

D = Decimal


def outcome(status: str, paid: str, kind: str = "835", line: int = 0, response: int = 1):
    return {"billed_id": 1, "claim_number": 1, "kind": kind, "line": line,
            "status": status, "billed": D(250), "paid": D(paid), "adjusted": None,
            "codes": (f"CLP02 1: {status}",), "response_id": response}  # fmt: skip


@pytest.mark.parametrize(
    ("status", "paid", "fate", "line_paid"),
    [("paid", "250", "paid", "125"), ("denied", "0", "denied", "0"),
     ("paid short", "200", "paid short", None)],
)  # fmt: skip
def test_an_835_without_lines_decides_for_every_line(status, paid, fate, line_paid):
    report = status_rows([billed(1, "2025-12-03")], [outcome(status, paid)])
    assert [r["status"] for r in report.rows] == [fate, fate]
    assert {r["paid"] for r in report.rows} == {None if line_paid is None else D(line_paid)}
    assert {r["outstanding"] for r in report.rows} == {D(0)}
    if fate == "paid short":
        assert "paid 200.00 for the claim, not line by line" in report.rows[0]["codes"]
    assert report.totals["chpiv"]["paid"] == D(paid)


def test_a_line_the_835_named_wins_over_the_claim_and_members_are_masked():
    found = [outcome("paid short", "125"), outcome("paid", "125", line=1)]
    report = status_rows([billed(1, "2025-12-03")], found)
    assert [r["status"] for r in report.rows] == ["paid", "not on the 835"]
    assert {r["member"] for r in report.rows} == {"***"}
    shown = status_rows([billed(1, "2025-12-03")], found, show_values=True)
    assert {r["member"] for r in shown.rows} == {"99999999A"}
    assert report.totals["chpiv"]["paid"] == D(125)
