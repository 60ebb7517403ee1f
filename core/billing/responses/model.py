"""What the 999, 277CA and 835 readers return: plain records, no X12 left in them.

Amounts are Decimal (money is never a float here); codes are kept as the payer sent them,
each with its meaning in words (``codes.py``) for a billing clerk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path


@dataclass(frozen=True)
class Envelope:
    path: Path
    sender: str  # ISA06: who sent the response (the payer or its clearinghouse)
    receiver: str  # ISA08
    interchange: str  # ISA13 of the response itself
    test: bool


# --- 999: was the claim file accepted at the door? ------------------------------------
@dataclass(frozen=True)
class TransactionAck:
    """One transaction set of the claim file, as the 999 judges it (AK2 .. IK5)."""

    transaction_control: str  # AK2-02: the ST02 of the 837 acknowledged
    status: str  # IK5-01: A accepted, E accepted with errors, R rejected, ...
    meaning: str
    errors: tuple[str, ...]  # each IK3/IK4/IK5 error in words, with its segment position


@dataclass(frozen=True)
class Ack999:
    envelope: Envelope
    group_control: str  # AK1-02: the GS06 of the 837 acknowledged
    status: str  # AK9-01: A, E, P (partially accepted), R
    meaning: str
    transactions: tuple[TransactionAck, ...]


# --- 277CA: was each claim accepted into the payer's system? ---------------------------
@dataclass(frozen=True)
class Status:
    category: str  # STC01-1, e.g. A1, A2 (accepted), A3, A6, A7 (rejected)
    code: str  # STC01-2, the claim status code
    entity: str  # STC01-3, the entity the status is about ("" when none)
    meaning: str  # category and code in words


@dataclass(frozen=True)
class LineStatus:
    line_control: str  # REF*FJ: the line item control number the 837 sent (REF*6R)
    procedure: str  # SVC01-2
    charge: Decimal
    statuses: tuple[Status, ...]


@dataclass(frozen=True)
class ClaimStatus:
    patient_control: str  # TRN02 in 2200D: the CLM01 the 837 sent
    payer_claim_number: str  # REF*1K ("" when none)
    charge: Decimal  # STC04
    statuses: tuple[Status, ...]
    accepted: bool  # every status category is an acceptance (A1, A2, or A5: split on acceptance)
    lines: tuple[LineStatus, ...]


@dataclass(frozen=True)
class Ack277:
    envelope: Envelope
    claims: tuple[ClaimStatus, ...]
    # statuses above the claims (HL 21 the batch, HL 19 a billing provider): a rejection
    # there (A3 ...) covers every claim under it, often with none of them listed
    statuses: tuple[Status, ...] = ()


# --- 835: what was paid ----------------------------------------------------------------
@dataclass(frozen=True)
class Adjustment:
    group: str  # CAS01: CO, PR, OA, PI, CR
    reason: str  # CARC
    amount: Decimal
    meaning: str  # group and reason in words


@dataclass(frozen=True)
class LinePayment:
    line_control: str  # REF*6R: the line item control number the 837 sent ("" when none)
    procedure: str  # SVC01-2
    modifiers: tuple[str, ...]
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    units: str  # SVC05
    service_date: date | None  # DTM*472
    adjustments: tuple[Adjustment, ...]
    remarks: tuple[tuple[str, str], ...]  # LQ*HE: (RARC, meaning)


@dataclass(frozen=True)
class ClaimPayment:
    patient_control: str  # CLP01: the CLM01 the 837 sent
    status: str  # CLP02: 1 processed as primary, 4 denied, 22 reversal, ...
    status_meaning: str
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal  # CLP05
    payer_claim_number: str  # CLP07
    frequency: str  # CLP09 ("" when none)
    adjustments: tuple[Adjustment, ...]  # claim-level CAS
    lines: tuple[LinePayment, ...]


@dataclass(frozen=True)
class ProviderAdjustment:
    """One PLB adjustment: the payment changed for the provider as a whole, not a claim."""

    reason: str  # PLB03-1 (05-1, ...): WO overpayment recovery, L6 interest, FB, ...
    reference: str  # PLB03-2: the payer's reference (may name a claim: masked where shown)
    amount: Decimal  # positive: taken from the payment; negative: added to it
    meaning: str


@dataclass(frozen=True)
class Remit835:
    envelope: Envelope
    payer: str  # N1*PR name
    total_paid: Decimal  # BPR02
    paid_on: date | None  # BPR16
    trace: str  # TRN02: the check or EFT number
    claims: tuple[ClaimPayment, ...]
    # PLB: so BPR02 = the claims' paid - these (the 835's own balancing rule)
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()


Response = Ack999 | Ack277 | Remit835
