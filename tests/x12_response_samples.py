"""Sample response files for the reader tests, in the format of the implementation guides:
a 999 rejecting one of two 837 transactions, a 277CA accepting one claim and rejecting
another, an 835 paying one claim short, denying one and reversing one. pyx12, an
independent HIPAA X12 validator, is the tests' check that each is well-formed.
"""

from __future__ import annotations

from pathlib import Path

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
