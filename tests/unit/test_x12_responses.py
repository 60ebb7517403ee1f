"""The 999, 277CA and 835 readers (core.billing.responses), on files made in the format of
the implementation guides (tests/x12_responses.py) and checked by pyx12, an independent
HIPAA X12 validator: what a billing clerk sees is each claim's and line's fate, its
amounts, and the payer's codes in words; a broken file is one line naming the file and
the segment; member data never appears in a message.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
from decimal import Decimal
from pathlib import Path

import pytest
import pyx12.params
import pyx12.x12n_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecmx.core.billing.responses import codes
from ecmx.core.billing.responses.model import Ack277, Ack999, Remit835
from ecmx.core.billing.responses.read import read_response, read_responses
from ecmx.core.errors import InputError
from tests.x12_responses import (
    Claim277,
    Claim835,
    ElementError,
    Line835,
    LineStatus277,
    SegmentError,
    Separators,
    TransactionAck,
    ack_277,
    ack_999,
    remit_835,
    render,
)

PLAIN = Separators()
MEMBER = "ZZ9876543"  # a made-up member ID: it must never reach a message


def pyx12_accepts(text: str) -> bool:
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)  # pyx12 logs every error it finds
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            return pyx12.x12n_document.x12n_document(
                pyx12.params.params(), io.StringIO(text), io.StringIO(), None, None
            )
    finally:
        logging.disable(previous)


def file_999(seps: Separators = PLAIN) -> str:
    rejected = TransactionAck(
        "0001", "R",
        (SegmentError("CLM", 21, "2300", "8", (ElementError("5:3", "1325", "7"),)),),
        ("I5",),
    )  # fmt: skip
    body = ack_999("1001", [rejected, TransactionAck("0002", "A")], "P")
    return render("FA", "005010X231A1", [body], seps)


def file_277(seps: Separators = PLAIN) -> str:
    accepted = Claim277(
        "ZZ1-2511-01", "150.00", ("A2", "20", "PR"), payer_number="PAYER0001",
        lines=(LineStatus277("ZZ1-2511-01-1", "G9008", "100.00"),
               LineStatus277("ZZ1-2511-01-2", "G9009", "50.00")),
    )  # fmt: skip
    rejected = Claim277(
        "ZZ2-2511-01", "75.00", ("A7", "164", "IL"), member_id=MEMBER,
        more=(("A7", "21", "IL"),),
    )  # fmt: skip
    return render("HN", "005010X214", [ack_277([accepted, rejected])], seps)


def file_835(seps: Separators = PLAIN) -> str:
    short = Claim835(
        "ZZ1-2511-01", "1", "150.00", "120.00", "PAYER0001",
        lines=(
            Line835("ZZ1-2511-01-1", "G9008", "100.00", "70.00", ("U1",),
                    adjustments=(("CO", "45", "30.00"),), remarks=("N130",)),
            Line835("ZZ1-2511-01-2", "G9009", "50.00", "50.00", date="20251112"),
        ),
    )  # fmt: skip
    denied = Claim835(
        "ZZ3-2511-01", "4", "75.00", "0", "PAYER0003", member_id=MEMBER,
        adjustments=(("CO", "16", "75.00"),),
    )  # fmt: skip
    reversal = Claim835("ZZ4-2510-01", "22", "-40.00", "-40.00", "PAYER0004", frequency="8",
                        adjustments=(("CO", "45", "0"),))  # fmt: skip
    return render("HP", "005010X221A1", [remit_835([short, denied, reversal], "80.00")], seps)


def write(tmp_path: Path, text: str, name: str = "response.x12") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("ascii"))
    return path


MAKERS = {"999": file_999, "277CA": file_277, "835": file_835}
SEPARATORS = {
    "*:^~": Separators(),
    "|>^ and a newline terminator": Separators("|", ">", "^", "\n"),
    "*:^~ with CRLF after each": Separators(newline="\r\n"),
}


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


# ----------------------------------------------------------------------- malformed files
def _one_line_error(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_responses(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    assert MEMBER not in message and "ZZ3-2511-01" not in message  # member data stays out
    return message


BROKEN = {
    "an amount that is not a number": (
        file_835,
        "*75.00*0**MC*",
        "*75.00*O**MC*",
        "segment 23 (CLP): CLP04 (the claim's payment) is not an amount: 'O'",
    ),
    "an amount Decimal would take but X12 would not": (
        file_835,
        "*75.00*0**MC*",
        "*75.00*NaN**MC*",
        "CLP04 (the claim's payment) is not an amount",
    ),
    "a date that is not a date": (
        file_835,
        "DTM*472*20251112",
        "DTM*472*20251332",
        "segment 21 (DTM): DTM02 (the service date) is not a date (CCYYMMDD): '20251332'",
    ),
    "a missing BPR": (file_835, "BPR*", "XYZ*", "has no BPR segment; the file is cut short"),
    "a missing AK9": (file_999, "AK9*P*2*2*1~", "", "has no AK9 segment"),
    "an AK2 with no IK5": (
        file_999,
        "IK5*A~",
        "",
        "segment 10 (AK9): the AK2 at segment 9 has no IK5",
    ),
    "a claim with no status": (
        file_277,
        "STC*A7:164:IL",
        "XXX*A7:164:IL",
        "a claim (TRN*2) with no status (STC) after it",
    ),
    "an empty CLM01 in the 277CA": (
        file_277,
        "TRN*2*ZZ2-2511-01",
        "TRN*2*",
        "TRN02 (the claim's CLM01) is empty",
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=BROKEN)
def test_a_malformed_response_is_one_line_naming_file_segment_and_fix(tmp_path, case):
    make, old, new, expected = BROKEN[case]
    text = make()
    assert old in text
    message = _one_line_error(write(tmp_path, text.replace(old, new, 1)))
    assert expected in message


def test_a_file_cut_short_is_one_line(tmp_path):
    text = file_835()
    message = _one_line_error(write(tmp_path, text[: text.index("CLP*ZZ3")]))
    assert "cut short" in message


def test_a_file_that_is_not_x12_is_one_line(tmp_path):
    assert "not an X12 file" in _one_line_error(write(tmp_path, "CLAIM,PAID\n1,2\n"))


# -------------------------------------------------------------------------- code meanings
def test_an_unknown_code_says_so_and_never_guesses():
    assert codes.meaning("carc", "Z99") == "code Z99 (not in ecmx's list: see X12's code list)"
    assert codes.remark("N9999").startswith("code N9999 (not in ecmx's list")
    assert "a code X12 has deactivated" in codes.meaning("carc", "15")


@pytest.mark.parametrize("code_list", codes.LISTS)
def test_each_code_list_cites_its_public_source(code_list):
    assert "x12.org/codes" in codes.source(code_list)
    assert codes.known(code_list)


BRIEF_CARCS = "1 2 3 4 5 6 15 16 18 22 23 24 26 27 29 31 45 50 96 97 109 119 150 151 167 170 " \
              "185 197 204 242 252 253 254".split()  # fmt: skip
BRIEF_RARCS = "N4 N30 N130 N290 M15 M51 M76 M77 MA04 MA130 N56 N362 N517 N54".split()


def test_the_codes_ecm_remittances_carry_have_meanings():
    assert set(BRIEF_CARCS) <= set(codes.known("carc"))
    assert set(BRIEF_RARCS) <= set(codes.known("rarc"))
    assert set("A E M P R W X".split()) <= set(codes.known("ack_group"))
    assert {f"A{n}" for n in range(9)} | {f"E{n}" for n in range(5)} <= set(
        codes.known("status_category")
    )
    assert set(codes.known("adjustment_group")) == {"CO", "PR", "OA", "PI", "CR"}


def test_a_transaction_whose_se_is_lost_is_not_read_into_the_next(tmp_path):
    bodies = [
        remit_835([Claim835("A1", "1", "10", "10", "P1")], "10", trace="EFT1"),
        remit_835([Claim835("A2", "1", "20", "20", "P2")], "20", trace="EFT2"),
    ]
    text = render("HP", "005010X221A1", bodies)
    first_se = text.index("SE*")
    cut = text[:first_se] + text[text.index("~", first_se) + 1 :]
    assert "transaction 0001 has no SE (the file is cut short)" in _one_line_error(
        write(tmp_path, cut)
    )


def test_the_837p_ecmx_writes_is_refused_as_a_claim_file():
    golden = sorted((Path(__file__).parents[1] / "golden").glob("*_837p.837"))
    assert golden, "the golden 837P files are missing"
    with pytest.raises(InputError, match=r"segment 3 \(ST\): this is a claim file \(837\)"):
        read_responses(golden[0])
