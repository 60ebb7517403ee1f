"""Each billed line's fate, from the outcomes the ledger holds: accepted or rejected (999,
277CA), paid, paid short, denied (835) or still outstanding, and what to do next.

A claim billed again in a later file is superseded: only the latest file's lines count in
the totals. The latest response of each kind wins (a 277CA read after another replaces it); an 835
line outcome decides the money; a claim the 835 denied as a whole (no lines) denies
each of its lines. Member ids are member data: masked unless show_values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ecmx.core.billing.responses.billed import BilledClaim, BilledFile, BilledLine
from ecmx.core.billing.responses.match import ACCEPTED, DENIED, PAID, REJECTED, REVERSED, SHORT

COLUMNS = ("plan", "period", "claim", "member", "line", "procedure", "service_date", "billed",
           "acknowledged", "status", "paid", "adjusted", "denied", "outstanding", "codes",
           "next_step")  # fmt: skip
TOTALS = ("billed", "paid", "adjusted", "denied", "outstanding")
OUTSTANDING = "outstanding"
MISSING = "not on the 835"  # the 835 paid the claim line by line, but not this line
# CARC 45: "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee
# arrangement", with group CO: a contractual reduction the provider cannot bill on.
# source: X12 Claim Adjustment Reason Codes (x12.org/codes/claim-adjustment-reason-codes).
CONTRACTUAL = ("CO-45",)

NEXT = {
    PAID: "nothing",
    SHORT: "appeal if the payment is wrong (see the codes)",
    DENIED: "correct and resubmit (or appeal if the claim was right)",
    REJECTED: "correct and resubmit",
    REVERSED: "see the payer's reversal; a corrected payment may follow",
    ACCEPTED: "wait for the 835",
    OUTSTANDING: "wait for the 999 and 277CA",
    MISSING: "ask the payer: the 835 paid the claim's other lines, not this one",
}


@dataclass
class StatusReport:
    rows: list[dict] = field(default_factory=list)
    totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # per plan


def status_rows(files: list[BilledFile], outcomes: list[dict],
                show_values: bool = False) -> StatusReport:  # fmt: skip
    """One row per billed line of ``files``; ``outcomes`` as ``outcomes_for`` returns them."""
    by_claim: dict[tuple[int, int], list[dict]] = {}  # (billed file, claim's place in it)
    for item in outcomes:
        by_claim.setdefault((item["billed_id"], item["claim_number"]), []).append(item)
    # A claim billed again in a later file (a replacement, or the month billed again) is
    # superseded: its lines say where, and only the latest counts in the totals.
    latest = {c.patient_control: f for f in files for c in f.claims}
    report = StatusReport()
    for file in files:
        totals = report.totals.setdefault(file.plan, {name: Decimal(0) for name in TOTALS})
        for number, claim in enumerate(file.claims, start=1):
            found = by_claim.get((file.file_id, number), [])
            later = latest[claim.patient_control]
            for line in claim.lines:
                row = _row(file, claim, line, found, show_values)
                if later.file_id != file.file_id:
                    row.update(outstanding=Decimal(0), next_step=f"nothing: billed again in "
                               f"{later.path.name} (ledger file {later.file_id})")  # fmt: skip
                else:
                    for name in TOTALS:
                        totals[name] += row[name] or Decimal(0)
                report.rows.append(row)
            whole = _latest(found, "835")
            if later is file and whole and whole["status"] == SHORT and not _by_line(found, whole):
                totals["paid"] += whole["paid"]  # paid for the claim, on no single line
    return report


def _latest(found: list[dict], kind: str, line: int = 0) -> dict | None:
    matching = [o for o in found if o["kind"] == kind and o["line"] == line]
    return matching[-1] if matching else None


def _by_line(found: list[dict], claim_outcome: dict) -> bool:
    """The 835 that paid the claim named its lines (SVC), or paid the claim as a whole."""
    return any(o["response_id"] == claim_outcome["response_id"] and o["line"] for o in found)


def _row(file: BilledFile, claim: BilledClaim, line: BilledLine, found: list[dict],
         show_values: bool) -> dict:  # fmt: skip
    ack999 = _latest(found, "999")
    ack277 = _latest(found, "277ca", line.number) or _latest(found, "277ca")
    paid_line, paid_claim = _latest(found, "835", line.number), _latest(found, "835")
    acknowledged = ", ".join(f"{kind} {o['status']}" for kind, o in
                             (("999", ack999), ("277CA", ack277)) if o)  # fmt: skip
    codes: tuple[str, ...] = ()
    paid = adjusted = None
    if paid_line is not None:
        status, paid, adjusted, codes = (paid_line["status"], paid_line["paid"],
                                         paid_line["adjusted"], paid_line["codes"])  # fmt: skip
    elif paid_claim is not None and (
        paid_claim["status"] in (DENIED, REVERSED) or not _by_line(found, paid_claim)
    ):
        # the claim as a whole decides: denied or reversed, or an 835 without line detail
        status, codes = paid_claim["status"], paid_claim["codes"]
        paid, adjusted = {PAID: (line.charge, Decimal(0)), DENIED: (Decimal(0), line.charge),
                          REVERSED: (Decimal(0), None)}.get(status, (None, None))  # fmt: skip
        if status == SHORT:
            codes = (*codes, f"paid {paid_claim['paid']:.2f} for the claim, not line by line")
    elif paid_claim is not None:
        status, codes = MISSING, paid_claim["codes"]
    else:
        rejected = [o for o in (ack277, ack999) if o and o["status"] == REJECTED]
        accepted = [o for o in (ack277, ack999) if o and o["status"] == ACCEPTED]
        if rejected:
            status, codes = REJECTED, rejected[0]["codes"]
        elif accepted:
            status, codes = ACCEPTED, accepted[0]["codes"]
        else:
            status = OUTSTANDING
    denied = line.charge if status in (DENIED, REJECTED) else Decimal(0)
    waiting = status in (ACCEPTED, OUTSTANDING, MISSING)
    return {
        "plan": file.plan, "period": file.period, "claim": claim.patient_control,
        "member": claim.member_id if show_values else "***", "line": line.number,
        "procedure": ":".join((line.procedure, *line.modifiers)),
        "service_date": line.service_date.isoformat() if line.service_date else "",
        "billed": line.charge, "acknowledged": acknowledged or "none yet", "status": status,
        "paid": paid, "adjusted": adjusted, "denied": denied,
        "outstanding": line.charge if waiting else Decimal(0), "codes": "; ".join(codes),
        "next_step": _next(status, codes),
    }  # fmt: skip


def _next(status: str, codes: tuple[str, ...]) -> str:
    if status == SHORT:
        adjustments = [c.split(" ", 1)[0] for c in codes if c[:3] in ("CO-", "PR-", "OA-",
                                                                      "PI-", "CR-")]  # fmt: skip
        if adjustments and all(a in CONTRACTUAL for a in adjustments):
            return "nothing: a contractual reduction (CO-45)"
    return NEXT[status]
