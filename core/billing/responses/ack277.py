"""The 277CA (005010X214): was each claim accepted into the payer's adjudication system?

The 277CA is a tree of HL levels: 20 the payer, 21 the receiver (the submitter of the
claims), 19 the billing provider, PT a patient. Under PT, each claim starts at TRN*2,
whose TRN02 is the CLM01 ecmx sent; its STC segments give the status (category, code
and entity in STC01, the charge in STC04, more statuses in STC10 and STC11), REF*1K the
payer's claim number; a line is SVC, its STC and REF*FJ (the line item control number
ecmx wrote in REF*6R). A status above the claims (levels 21 and 19) is about the whole
batch or billing provider: a rejection there (A3, ...) rejects every claim it covers,
often with no claim listed, so those are kept as well (``Ack277.statuses``).
Patient names and member IDs (NM1*QC) are read past, never kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ecmx.core.billing.x12_read import Interchange, Segment, Transaction

from . import codes
from .fields import amount, envelope, missing, problem, required
from .model import Ack277, ClaimStatus, LineStatus, Status

IMPLEMENTATION = "005010X214"


@dataclass
class _Line:
    svc: Segment
    procedure: str
    charge: Decimal
    control: str = ""
    statuses: list[Status] = field(default_factory=list)


@dataclass
class _Claim:
    trn: Segment
    control: str
    charge: Decimal | None = None
    payer_number: str = ""
    statuses: list[Status] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)


def read_277(interchange: Interchange, transaction: Transaction) -> Ack277:
    path = interchange.path
    level, above, claims = "", [], []  # above: statuses of the batch and billing provider
    claim: _Claim | None = None
    for segment in transaction.segments:
        if segment.id == "HL":
            level, claim = required(path, segment, 3, "the hierarchical level code"), None
        elif segment.id == "TRN" and level == "PT":
            claim = _Claim(segment, required(path, segment, 2, "the claim's CLM01"))
            claims.append(claim)
        elif segment.id == "STC":
            statuses = _statuses(path, segment, interchange.component)
            if level != "PT":
                above += statuses
            elif claim is None:
                raise problem(path, segment, "a claim status (STC) before its claim's TRN")
            elif claim.lines:
                claim.lines[-1].statuses += statuses
            else:
                claim.statuses += statuses
                if claim.charge is None:  # STC04 repeats the charge on every claim STC
                    claim.charge = amount(path, segment, 4, "the claim's charge")
        elif claim is not None:
            _claim_detail(path, segment, claim, interchange.component)
    if not any(s.id == "HL" for s in transaction.segments):
        raise missing(path, transaction.segments[0], "HL", "a 277CA acknowledgement")
    return Ack277(envelope(interchange), tuple(_record(path, c) for c in claims), tuple(above))


def _claim_detail(path: Path, segment: Segment, claim: _Claim, component: str) -> None:
    if segment.id == "SVC":
        parts = segment.parts(1, component)
        procedure = parts[1] if len(parts) > 1 else ""
        charge = amount(path, segment, 2, "the line's charge")
        claim.lines.append(_Line(segment, procedure, charge))
    elif segment.id == "REF" and segment.get(1) == "FJ" and claim.lines:
        claim.lines[-1].control = segment.get(2).strip()
    elif segment.id == "REF" and segment.get(1) == "1K" and not claim.lines:
        claim.payer_number = segment.get(2).strip()


def _statuses(path: Path, stc: Segment, component: str) -> list[Status]:
    """STC01, STC10 and STC11: each a category:code:entity composite."""
    found = []
    for position in (1, 10, 11):
        parts = stc.parts(position, component)
        if not parts:
            if position == 1:
                raise problem(path, stc, "STC01 (the claim status) is empty")
            continue
        category, code, entity = (*parts, "", "")[:3]
        found.append(Status(category, code, entity, codes.status_words(category, code, entity)))
    return found


def _record(path: Path, claim: _Claim) -> ClaimStatus:
    if not claim.statuses:
        raise problem(path, claim.trn, "a claim (TRN*2) with no status (STC) after it")
    lines = tuple(
        LineStatus(line.control, line.procedure, line.charge, tuple(line.statuses))
        for line in claim.lines
    )
    accepted = all(s.category in codes.ACCEPTED_CATEGORIES for s in claim.statuses)
    return ClaimStatus(
        claim.control, claim.payer_number, claim.charge or Decimal(0), tuple(claim.statuses),
        accepted, lines,
    )  # fmt: skip
