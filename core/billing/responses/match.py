"""Matching a 999, 277CA or 835 to what ecmx billed, outcome by outcome.

999: to the claim file by GS06 (AK1-02) and ST02 (AK2-02), from the party it was sent to.
277CA and 835: each claim to a billed claim by CLM01, each line by its line item control
number (REF*6R) when both sides carry one, else by (procedure, charge, service date)
within that claim. Anything that matches nothing is a finding naming it, never dropped;
a CLM01 billed in several files is matched to the latest file made before the response,
and the finding says so. Nothing is matched by a guess across claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ecmx.core.billing.responses.billed import BilledClaim, BilledFile, BilledLine
from ecmx.core.billing.responses.model import (
    Ack277,
    Ack999,
    Adjustment,
    ClaimPayment,
    LinePayment,
    Remit835,
    Response,
)

# Outcome statuses, as the status report words them.
ACCEPTED, REJECTED = "accepted", "rejected"
PAID, SHORT, DENIED, REVERSED = "paid", "paid short", "denied", "reversed"
# 999 IK5-01/AK9-01 codes meaning the transaction was taken in (A accepted, E accepted
# with errors noted). source: X12 005010X231A1 (999), element 717 code list (x12.org).
ACCEPTED_999 = frozenset({"A", "E"})
# 277CA STC01-1 categories of acceptance: A1 receipt, A2 accepted into adjudication, A5
# split on acceptance. source: X12 Claim Status Category Codes (element 1271, x12.org/codes).
ACCEPTED_277 = frozenset({"A1", "A2", "A5"})
# CLP02 22: reversal of a previous payment. source: X12 005010X221A1 (835), element 1029
# claim status code list (x12.org).
REVERSAL = "22"


@dataclass(frozen=True)
class Outcome:
    """What one response said about one billed claim (line == 0) or line."""

    billed_id: int  # files_made.id of the 837P
    plan: str
    claim: str  # CLM01
    line: int  # LX01 of the billed line; 0: the claim as a whole
    status: str
    billed: Decimal
    paid: Decimal | None = None
    adjusted: Decimal | None = None
    codes: tuple[str, ...] = ()  # each code with its meaning in words
    payer_claim: str = ""


@dataclass
class Matched:
    kind: str  # 999, 277ca, 835
    outcomes: list[Outcome] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # one line each: what matched nothing
    # the files dated after the response (never matched: named when they alone would fit)
    after: list[BilledFile] = field(default_factory=list, repr=False)
    day: str = ""  # the response's date (ISA09), ISO

    @property
    def plans(self) -> set[str]:
        return {o.plan for o in self.outcomes}


def match_response(response: Response, billed: list[BilledFile],
                   made_before: str | None = None) -> Matched:  # fmt: skip
    """``response``'s outcomes against ``billed`` (files oldest first). ``made_before``:
    the response's ISO date; a file dated after it cannot be what it answers."""
    files = [f for f in billed if made_before is None or f.dated <= made_before]
    kind = {Ack999: "999", Ack277: "277ca"}.get(type(response), "835")
    result = Matched(kind, after=[f for f in billed if f not in files], day=made_before or "")
    if isinstance(response, Ack999):
        return _match_999(response, files, result)
    if isinstance(response, Ack277):
        return _match_277(response, files, result)
    return _match_835(response, files, result)


def _dated_after(result: Matched, fits) -> str:
    """Why nothing matched, when a file dated after the response would have: a response
    cannot answer a file made after it, so it is still not matched, but said so."""
    later = [f for f in result.after if fits(f)]
    if not later:
        return ""
    file = later[-1]
    return (
        f"; ledger file {file.file_id} ({file.path.name}) would fit, but it is dated "
        f"{file.dated}, after this response ({result.day}): check the response is for it"
    )


def _match_999(ack: Ack999, files: list[BilledFile], result: Matched) -> Matched:
    env = ack.envelope
    candidates = [f for f in files if ack.group_control in f.groups
                  and (f.receiver, f.sender) == (env.sender, env.receiver)]  # fmt: skip
    if not candidates:
        result.findings.append(
            f"999 {env.path.name}: no claim file billed to {env.sender} from {env.receiver} "
            f"has group control number (GS06) {ack.group_control}: was it sent by ecmx?"
            + _dated_after(result, lambda f: ack.group_control in f.groups)
        )
        return result
    file = candidates[-1]
    if len(candidates) > 1:
        result.findings.append(f"999 {env.path.name}: group {ack.group_control} was used by "
                               f"{len(candidates)} claim files; matched to the latest "
                               f"(ledger file {file.file_id})")  # fmt: skip
    for ack_tx in ack.transactions:
        if ack_tx.transaction_control not in file.transactions:
            result.findings.append(f"999 {env.path.name}: transaction {ack_tx.transaction_control}"
                                   f" (AK2-02) is not in the claim file of group "
                                   f"{ack.group_control}")  # fmt: skip
            continue
        status = ACCEPTED if ack_tx.status in ACCEPTED_999 else REJECTED
        codes = (f"{ack_tx.status}: {ack_tx.meaning}", *ack_tx.errors)
        for claim in file.claims:
            if claim.transaction == ack_tx.transaction_control:
                result.outcomes.append(Outcome(file.file_id, file.plan, claim.patient_control,
                                               0, status, claim.charge, codes=codes))  # fmt: skip
    return result


def _match_277(ack: Ack277, files: list[BilledFile], result: Matched) -> Matched:
    batch = getattr(ack, "statuses", ())  # above the claims (the batch, a provider)
    if batch and not all(st.category in ACCEPTED_277 for st in batch):
        said = "; ".join(_status_text(st) for st in batch)
        result.findings.append(
            f"277CA {ack.envelope.path.name}: the payer rejected the batch or the billing "
            f"provider ({said}): the claims under it are not named one by one; correct what "
            "the codes say and send the file again"
        )
    for claim in ack.claims:
        found = _claim(result, files, claim.patient_control, "277CA")
        if found is None:
            continue
        file, billed = found
        status = ACCEPTED if claim.accepted else REJECTED
        codes = tuple(_status_text(s) for s in claim.statuses)
        result.outcomes.append(Outcome(file.file_id, file.plan, billed.patient_control, 0,
                                       status, billed.charge, codes=codes,
                                       payer_claim=claim.payer_claim_number))  # fmt: skip
        if claim.charge != billed.charge:
            result.findings.append(_charge_differs("277CA", billed, claim.charge))
        left = list(billed.lines)
        for number, line_status in enumerate(claim.lines, start=1):
            # a line the 277CA names (REF*FJ = the 837's REF*6R), accepted or not on its own
            key = LinePayment(line_status.line_control, line_status.procedure, (),
                              line_status.charge, Decimal(0), "", None, (), ())  # fmt: skip
            line = _line(left, key, dated=False)
            if line is None:
                result.findings.append(f"277CA: claim {billed.patient_control}: its service "
                                       f"line {number} ({line_status.procedure} "
                                       f"{line_status.charge}) matches no billed line")  # fmt: skip
                continue
            left.remove(line)
            ok = all(st.category in ACCEPTED_277 for st in line_status.statuses)
            result.outcomes.append(Outcome(
                file.file_id, file.plan, billed.patient_control, line.number,
                ACCEPTED if ok else REJECTED, line.charge,
                codes=tuple(_status_text(s) for s in line_status.statuses),
                payer_claim=claim.payer_claim_number,
            ))  # fmt: skip
    return result


def _match_835(remit: Remit835, files: list[BilledFile], result: Matched) -> Matched:
    for payment in remit.claims:
        found = _claim(result, files, payment.patient_control, "835")
        if found is None:
            continue
        file, claim = found
        if payment.charge != claim.charge:
            result.findings.append(_charge_differs("835", claim, payment.charge))
        result.outcomes.append(_claim_outcome(file, claim, payment))
        left = list(claim.lines)
        for number, paid_line in enumerate(payment.lines, start=1):
            line = _line(left, paid_line)
            if line is None:
                # named by its place, code and charge: a service date is member data (PHI)
                control = f", REF*6R {paid_line.line_control}" if paid_line.line_control else ""
                result.findings.append(
                    f"835: claim {claim.patient_control}: its service line {number} "
                    f"({paid_line.procedure} {paid_line.charge}{control}) matches no billed "
                    "line of that claim (by REF*6R, else procedure, charge and service date)"
                )
                continue
            left.remove(line)
            result.outcomes.append(Outcome(
                file.file_id, file.plan, claim.patient_control, line.number,
                _paid_status(line.charge, paid_line.paid, payment.status), line.charge,
                paid_line.paid, sum((a.amount for a in paid_line.adjustments), Decimal(0)),
                _codes(paid_line.adjustments) + tuple(f"{c}: {m}" for c, m in paid_line.remarks),
                payment.payer_claim_number,
            ))  # fmt: skip
    return result


def _claim_outcome(file: BilledFile, claim: BilledClaim, payment: ClaimPayment) -> Outcome:
    adjusted = sum((a.amount for a in payment.adjustments), Decimal(0))
    adjusted += sum((a.amount for ln in payment.lines for a in ln.adjustments), Decimal(0))
    codes = (f"CLP02 {payment.status}: {payment.status_meaning}", *_codes(payment.adjustments))
    return Outcome(file.file_id, file.plan, claim.patient_control, 0,
                   _paid_status(claim.charge, payment.paid, payment.status), claim.charge,
                   payment.paid, adjusted, codes, payment.payer_claim_number)  # fmt: skip


def _paid_status(charge: Decimal, paid: Decimal, clp02: str) -> str:
    if clp02 == REVERSAL:
        return REVERSED
    if paid <= 0:
        return DENIED
    return PAID if paid >= charge else SHORT


def _codes(adjustments: tuple[Adjustment, ...]) -> tuple[str, ...]:
    return tuple(f"{a.group}-{a.reason} {a.amount}: {a.meaning}" for a in adjustments)


def _status_text(status) -> str:
    entity = f":{status.entity}" if status.entity else ""
    return f"{status.category}:{status.code}{entity}: {status.meaning}"


def _claim(result: Matched, files: list[BilledFile], clm01: str, kind: str):
    """The billed claim CLM01 names: in the latest file made before the response."""
    found = [(f, c) for f in files for c in f.claims if c.patient_control == clm01]
    if not found:
        result.findings.append(
            f"{kind}: claim {clm01} (patient control number) matches no claim ecmx billed: "
            "another provider's, or billed outside this workspace"
            + _dated_after(result, lambda f: any(c.patient_control == clm01 for c in f.claims))
        )
        return None
    if len({f.file_id for f, _ in found}) > 1:
        ids = ", ".join(str(f.file_id) for f, _ in found)
        result.findings.append(f"{kind}: claim {clm01} was billed in ledger files {ids}; "
                               f"matched to the latest, {found[-1][0].file_id}")  # fmt: skip
    return found[-1]


def _line(left: list[BilledLine], paid: LinePayment, dated: bool = True) -> BilledLine | None:
    """The billed line ``paid`` answers, among those not yet answered: by REF*6R when both
    carry one, else by procedure, charge and (``dated``: a 277CA line has none) date."""
    if paid.line_control:
        by_control = [b for b in left if b.control == paid.line_control]
        if by_control or any(b.control for b in left):
            return by_control[0] if by_control else None
    same = [b for b in left if (b.procedure, b.charge) == (paid.procedure, paid.charge)
            and (not dated or b.service_date == paid.service_date)]  # fmt: skip
    return same[0] if same else None


def _charge_differs(kind: str, claim: BilledClaim, charge: Decimal) -> str:
    return (f"{kind}: claim {claim.patient_control} was billed {claim.charge}, the payer "
            f"reports {charge}: check the claim was not changed on its way")  # fmt: skip
