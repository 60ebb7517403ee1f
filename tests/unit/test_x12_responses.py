"""The 999, 277CA and 835 readers (core.billing.responses) on files made in the format of
the implementation guides (tests/x12_responses.py) and checked by pyx12, an independent
HIPAA X12 validator: what a billing clerk sees is each claim's and line's fate, its
amounts, and the payer's codes in words, whatever the separators.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecmx.core.billing.responses.model import Ack277, Ack999, Remit835
from ecmx.core.billing.responses.read import read_response, read_responses
from ecmx.core.billing.x12_read import read_interchange
from ecmx.core.errors import InputError
from tests.pyx12_check import pyx12_accepts
from tests.x12_response_samples import (
    MAKERS,
    SEPARATORS,
    file_277,
    file_835,
    file_999,
    write,
)
from tests.x12_responses import Claim277, Claim835, Separators, ack_277, remit_835, render


# ------------------------------------------------------------- the test files are real 5010
@pytest.mark.parametrize("seps", SEPARATORS.values(), ids=SEPARATORS.keys())
@pytest.mark.parametrize("kind", MAKERS)
def test_each_test_file_passes_pyx12(kind, seps):
    assert pyx12_accepts(MAKERS[kind](seps)), f"pyx12 rejects the {kind} the tests read"


@pytest.mark.parametrize("kind", MAKERS)
def test_pyx12_is_not_a_rubber_stamp(kind):
    text = MAKERS[kind]()
    broken = text.replace("~SE*", "~SE*9", 1)  # a wrong segment count
    assert broken != text and not pyx12_accepts(broken)


# ------------------------------------------------------------------------------- the 999
def test_999_names_the_group_each_837_transaction_and_why_one_was_rejected(tmp_path):
    ack = read_response(write(tmp_path, file_999()))
    assert isinstance(ack, Ack999)
    assert (ack.group_control, ack.status) == ("1001", "P")
    assert ack.meaning == "Partially Accepted, At Least One Transaction Set Was Rejected"
    rejected, accepted = ack.transactions
    assert (rejected.transaction_control, rejected.status, rejected.meaning) == (
        "0001", "R", "Rejected",
    )  # fmt: skip
    assert rejected.errors == (
        "segment CLM at position 21 of the 837 in loop 2300: Segment Has Data Element Errors"
        " (IK304 8)",
        "element CLM05-3 (data element 1325): Invalid Code Value (IK403 7)",
        "the transaction set: Implementation One or More Segments in Error (IK502 I5)",
    )
    assert (accepted.transaction_control, accepted.status, accepted.errors) == ("0002", "A", ())
    assert ack.envelope.sender == "PAYERCLEARING" and ack.envelope.test


# ----------------------------------------------------------------------------- the 277CA
def test_277ca_says_which_claim_was_accepted_and_why_the_other_was_rejected(tmp_path):
    ack = read_response(write(tmp_path, file_277()))
    assert isinstance(ack, Ack277)
    accepted, rejected = ack.claims
    assert (accepted.patient_control, accepted.accepted) == ("ZZ1-2511-01", True)
    assert (accepted.payer_claim_number, accepted.charge) == ("PAYER0001", Decimal("150.00"))
    assert [(line.line_control, line.procedure, line.charge) for line in accepted.lines] == [
        ("ZZ1-2511-01-1", "G9008", Decimal("100.00")),
        ("ZZ1-2511-01-2", "G9009", Decimal("50.00")),
    ]
    assert all(s.category == "A2" for line in accepted.lines for s in line.statuses)

    assert (rejected.patient_control, rejected.accepted) == ("ZZ2-2511-01", False)
    assert [(s.category, s.code, s.entity) for s in rejected.statuses] == [
        ("A7", "164", "IL"), ("A7", "21", "IL"),  # STC01, then STC10
    ]  # fmt: skip
    assert rejected.statuses[0].meaning == (
        "A7 Acknowledgement/Rejected for Invalid Information-The claim/encounter has invalid "
        "information as specified in the Status Details and has been rejected; "
        "164 Entity's contract/member number (entity: Insured or Subscriber)"
    )
    # the batch's own status (HL 21, then HL 19) is kept: a rejection there covers all
    assert [(s.category, s.code) for s in ack.statuses] == [("A1", "19"), ("A1", "19")]


def test_277ca_a_rejection_above_the_claims_is_kept(tmp_path):
    claim = Claim277("ZZ5-2511-01", "20.00", ("A3", "21", "41"))
    text = render("HN", "005010X214", [ack_277([claim], batch_status=("A3", "21", "41"))])
    assert pyx12_accepts(text)
    ack = read_response(write(tmp_path, text))
    assert {s.category for s in ack.statuses} == {"A3"}
    assert ack.statuses[0].meaning.startswith("A3 Acknowledgement/Returned as unprocessable")
    assert not ack.claims[0].accepted


# ------------------------------------------------------------------------------- the 835
def test_835_gives_the_payment_and_each_claim_and_line_paid_adjusted_or_denied(tmp_path):
    remit = read_response(write(tmp_path, file_835()))
    assert isinstance(remit, Remit835)
    assert (remit.payer, remit.total_paid, remit.trace) == (
        "MEDI-CAL PLAN", Decimal("80.00"), "EFT00012345",
    )  # fmt: skip
    assert remit.paid_on is not None and remit.paid_on.isoformat() == "2025-12-15"
    short, denied, reversal = remit.claims

    assert (short.patient_control, short.status_meaning) == ("ZZ1-2511-01", "Processed as Primary")
    assert (short.charge, short.paid, short.patient_responsibility) == (
        Decimal("150.00"), Decimal("120.00"), Decimal(0),
    )  # fmt: skip
    first, second = short.lines
    assert (first.line_control, first.procedure, first.modifiers) == (
        "ZZ1-2511-01-1", "G9008", ("U1",),
    )  # fmt: skip
    assert (first.charge, first.paid, first.units) == (Decimal("100.00"), Decimal("70.00"), "1")
    assert first.service_date is not None and first.service_date.isoformat() == "2025-11-05"
    (adjustment,) = first.adjustments
    assert (adjustment.group, adjustment.reason, adjustment.amount) == ("CO", "45", Decimal("30"))
    assert adjustment.meaning.startswith("CO Contractual Obligations: 45 Charge exceeds fee")
    assert first.remarks == (("N130", "Consult plan benefit documents/guidelines for "
                              "information about restrictions for this service."),)  # fmt: skip
    assert (second.paid, second.adjustments, str(second.service_date)) == (
        Decimal("50.00"), (), "2025-11-12",
    )  # fmt: skip

    assert (denied.status, denied.status_meaning, denied.paid) == ("4", "Denied", Decimal(0))
    assert [(a.group, a.reason, a.amount) for a in denied.adjustments] == [
        ("CO", "16", Decimal("75.00"))
    ]
    assert (reversal.status_meaning, reversal.paid, reversal.frequency) == (
        "Reversal of Previous Payment", Decimal("-40.00"), "8",
    )  # fmt: skip


# ----------------------------------------------------------------- separators and breaks
def _same(records):
    """The records without the file they came from."""
    return [dataclasses.replace(r, envelope=dataclasses.replace(r.envelope, path=None))
            for r in records]  # fmt: skip


# delimiters never found in the values the builders write (letters, digits, - . / space)
DELIMITERS = "*|^~:>!+`{}#$%&@\\\x1c\x1d\x1e\x1f"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    chosen=st.lists(st.sampled_from(DELIMITERS), min_size=4, max_size=4, unique=True),
    terminator_newline=st.booleans(),
    newline=st.sampled_from(["", "\n", "\r\n"]),
    kind=st.sampled_from(sorted(MAKERS)),
)  # fmt: skip
def test_any_separators_and_line_breaks_read_alike(tmp_path, chosen, terminator_newline,
                                                   newline, kind):  # fmt: skip
    element, component, repetition, terminator = chosen
    if terminator_newline:
        terminator, newline = "\n", ""
    seps = Separators(element, component, repetition, terminator, newline)
    expected = read_responses(write(tmp_path, MAKERS[kind](), "plain.x12"))
    got = read_responses(write(tmp_path, MAKERS[kind](seps), "other.x12"))
    assert _same(got) == _same(expected)


# ------------------------------------------------------------------- what is not a response
def test_a_claim_file_is_named_as_such(tmp_path):
    text = render("HC", "005010X222A1", [[["BHT", "0019", "00", "1", "20251203", "0930", "CH"]]])
    with pytest.raises(InputError, match=r"this is a claim file \(837\), not a response"):
        read_response(write(tmp_path, text))


def test_a_claim_status_277_is_not_taken_for_a_277ca(tmp_path):
    text = render("HN", "005010X212", [ack_277([])])
    with pytest.raises(InputError, match=r"not the claim acknowledgement \(277CA, 005010X214\)"):
        read_response(write(tmp_path, text))


def test_several_transaction_sets_are_each_returned(tmp_path):
    bodies = [remit_835([Claim835("A1", "1", "10", "10", "P1")], "10", trace="EFT1"),
              remit_835([Claim835("A2", "1", "20", "20", "P2")], "20", trace="EFT2")]  # fmt: skip
    text = render("HP", "005010X221A1", bodies)
    assert pyx12_accepts(text)
    path = write(tmp_path, text)
    assert [r.trace for r in read_responses(path)] == ["EFT1", "EFT2"]
    with pytest.raises(InputError, match="holds 2 transaction sets, not one; read it with"):
        read_response(path)


# ------------------------------------------------------------ the claims ecmx really writes
def test_responses_naming_the_claims_of_an_ecmx_837p_read_back_to_them(tmp_path):
    """Each CLM01 of a golden 837P, echoed in a 277CA (TRN02) and an 835 (CLP01), reads
    back as sent: the key the reconciliation matches on survives the round trip."""
    golden = sorted((Path(__file__).parents[1] / "golden").glob("*_837p.837"))[0]
    (claim_file,) = read_interchange(golden).transactions
    sent = {s.get(1): s.get(2) for s in claim_file.segments if s.id == "CLM"}
    assert sent
    ack = render("HN", "005010X214", [ack_277(
        [Claim277(clm01, charge, ("A2", "20", "PR")) for clm01, charge in sent.items()]
    )])  # fmt: skip
    remit = render("HP", "005010X221A1", [remit_835(
        [Claim835(clm01, "1", charge, charge, f"P{n}") for n, (clm01, charge) in
         enumerate(sent.items())], str(sum(Decimal(c) for c in sent.values())),
    )])  # fmt: skip
    assert pyx12_accepts(ack) and pyx12_accepts(remit)
    (read_ack,) = read_responses(write(tmp_path, ack, "ack.277"))
    (read_remit,) = read_responses(write(tmp_path, remit, "remit.835"))
    assert {c.patient_control: str(c.charge) for c in read_ack.claims} == sent
    assert {c.patient_control: str(c.paid) for c in read_remit.claims} == sent
    assert all(c.accepted for c in read_ack.claims)


def test_an_835s_provider_level_adjustments_are_read_and_balance_the_check(tmp_path):
    """PLB: an overpayment recovered (WO, taken) and interest (L6, added): the check's
    total is the claims' paid minus them, as the 835 balances; codes in words."""
    from ecmx.core.jobs.claims_status import provider_notes

    text = file_835()
    head, _, tail = text.rpartition("SE*")
    count, rest = tail.split("*", 1)
    plb = "PLB*1234567893*20251231*WO:ZZ9-2510-01*37.50*L6*-2.25~"
    text = f"{head}{plb}SE*{int(count) + 1}*{rest}"
    assert pyx12_accepts(text)
    path = tmp_path / "with-plb.835"
    path.write_text(text, encoding="ascii")
    remit = read_response(path)
    assert isinstance(remit, Remit835)
    wo, l6 = remit.provider_adjustments
    assert (wo.reason, wo.reference, wo.amount, wo.meaning) == (
        "WO",
        "ZZ9-2510-01",
        Decimal("37.50"),
        "Overpayment Recovery",
    )
    assert (l6.reason, l6.amount, l6.meaning) == ("L6", Decimal("-2.25"), "Interest Owed")
    notes = provider_notes(remit)
    assert "WO Overpayment Recovery, -37.50" in notes[0] and "L6 Interest Owed, +2.25" in notes[1]
    assert "ZZ9-2510-01" not in " ".join(notes)  # the payer's reference may name a claim
    assert notes[-1].endswith(
        "the claims' paid 80.00 -35.25 in provider-level adjustments = "
        "44.75; the payment says 80.00: ask the payer about the difference"
    )
    balanced = text.replace("BPR*I*80.00*", "BPR*I*44.75*", 1)
    assert balanced != text and pyx12_accepts(balanced)
    path.write_text(balanced, encoding="ascii")
    assert provider_notes(read_response(path))[-1].endswith("= 44.75")
