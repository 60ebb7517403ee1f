"""The 835 (005010X221A1): what the payer paid, claim by claim and line by line.

The header is the payment: BPR (BPR02 the total paid, BPR16 its date), TRN (TRN02 the
check or EFT number), N1*PR (the payer). Then each claim is a CLP (CLP01 the CLM01 ecmx
sent, CLP02 its status, CLP03 charged, CLP04 paid, CLP05 the patient's share, CLP07 the
payer's claim number, CLP09 the frequency) with its CAS adjustments, then each line an
SVC (SVC01 the procedure and modifiers, SVC02 charged, SVC03 paid, SVC05 units) with its
DTM*472 date, CAS, REF*6R (the line item control number ecmx wrote) and LQ*HE remarks.
A CAS holds up to six adjustments (reason, amount, quantity) under one group code.
Patient and provider names (NM1) are read past, never kept. PLB holds provider-level
adjustments (up to six reason:reference and amount pairs each): an overpayment recovered
(WO), interest (L6), a balance carried forward (FB), ...; the check total (BPR02) is the
claims' paid minus them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from ecmx.core.billing.x12_read import Interchange, Segment, Transaction

from . import codes
from .fields import amount, ccyymmdd, envelope, missing, problem, required
from .model import Adjustment, ClaimPayment, LinePayment, ProviderAdjustment, Remit835


@dataclass
class _Line:
    svc: Segment
    procedure: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    units: str
    control: str = ""
    service_date: date | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Claim:
    clp: Segment
    adjustments: list[Adjustment] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)


@dataclass
class _Header:
    bpr: Segment | None = None
    trace: str = ""
    payer: str = ""


def read_835(interchange: Interchange, transaction: Transaction) -> Remit835:
    path, component = interchange.path, interchange.component
    header, claims = _Header(), []
    provider: list[ProviderAdjustment] = []
    for segment in transaction.segments:
        if segment.id == "PLB":  # after the claims, in the 835's summary
            provider.extend(_provider_adjustments(path, segment, component))
        elif segment.id == "CLP":
            required(path, segment, 1, "the claim's CLM01")
            claims.append(_Claim(segment))
        elif claims:
            _claim_detail(path, segment, claims[-1], component)
        elif segment.id == "BPR":
            header.bpr = segment
        elif segment.id == "TRN" and segment.get(1) == "1":
            header.trace = required(path, segment, 2, "the check or EFT trace number")
        elif segment.id == "N1" and segment.get(1) == "PR":
            header.payer = required(path, segment, 2, "the payer's name")
    first = transaction.segments[0]
    if header.bpr is None:
        raise missing(path, first, "BPR", "an 835 remittance")
    if not header.trace:
        raise missing(path, first, "TRN", "an 835 remittance")
    if not header.payer:
        raise missing(path, first, "N1*PR", "an 835 remittance")
    return Remit835(
        envelope(interchange), header.payer, amount(path, header.bpr, 2, "the total paid"),
        ccyymmdd(path, header.bpr, 16, "the payment date"), header.trace,
        tuple(_claim_record(path, claim) for claim in claims), tuple(provider),
    )  # fmt: skip


def _provider_adjustments(path: Path, plb: Segment, component: str) -> list[ProviderAdjustment]:
    """PLB03/04 .. PLB13/14: each adjustment's reason:reference and its amount."""
    found = []
    for position in range(3, 15, 2):
        if not plb.get(position):
            continue
        reason, *rest = plb.parts(position, component)
        found.append(ProviderAdjustment(
            reason, rest[0] if rest else "",
            amount(path, plb, position + 1, "a provider-level adjustment's amount"),
            codes.provider_adjustment(reason),
        ))  # fmt: skip
    return found


def _claim_detail(path: Path, segment: Segment, claim: _Claim, component: str) -> None:
    line = claim.lines[-1] if claim.lines else None
    if segment.id == "SVC":
        claim.lines.append(_line(path, segment, component))
    elif segment.id == "CAS":
        (line.adjustments if line else claim.adjustments).extend(_adjustments(path, segment))
    elif line is None:
        return  # claim-level NM1, DTM, REF, AMT: nothing the records keep
    elif segment.id == "REF" and segment.get(1) == "6R":
        line.control = segment.get(2).strip()
    elif segment.id == "DTM" and segment.get(1) in ("472", "150"):
        line.service_date = line.service_date or ccyymmdd(path, segment, 2, "the service date")
    elif segment.id == "LQ" and segment.get(1) == "HE":
        code = required(path, segment, 2, "the remark code")
        line.remarks.append((code, codes.remark(code)))


def _line(path: Path, svc: Segment, component: str) -> _Line:
    parts = svc.parts(1, component)
    if len(parts) < 2 or not parts[1]:
        raise problem(path, svc, "SVC01 has no procedure code")
    return _Line(
        svc, parts[1], tuple(m for m in parts[2:6] if m), amount(path, svc, 2, "the line's charge"),
        amount(path, svc, 3, "the line's payment"), svc.get(5).strip(),
    )  # fmt: skip


def _adjustments(path: Path, cas: Segment) -> list[Adjustment]:
    group = required(path, cas, 1, "the adjustment group code")
    found = []
    for reason_at in range(2, 20, 3):  # CAS02/03/04, 05/06/07, ... 17/18/19
        reason = cas.get(reason_at).strip()
        if not reason:
            continue
        value = amount(path, cas, reason_at + 1, "the adjustment amount")
        found.append(Adjustment(group, reason, value, codes.adjustment_words(group, reason)))
    if not found:
        raise problem(path, cas, "CAS02 (the adjustment reason code) is empty")
    return found


def _claim_record(path: Path, claim: _Claim) -> ClaimPayment:
    clp = claim.clp
    status = required(path, clp, 2, "the claim status code")
    lines = tuple(
        LinePayment(
            line.control, line.procedure, line.modifiers, line.charge, line.paid, line.units,
            line.service_date, tuple(line.adjustments), tuple(line.remarks),
        )
        for line in claim.lines
    )  # fmt: skip
    return ClaimPayment(
        clp.get(1).strip(), status, codes.claim_payment_status(status),
        amount(path, clp, 3, "the claim's charge"), amount(path, clp, 4, "the claim's payment"),
        amount(path, clp, 5, "the patient's share", default="0"), clp.get(7).strip(),
        clp.get(9).strip(), tuple(claim.adjustments), lines,
    )  # fmt: skip
