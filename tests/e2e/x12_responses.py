"""A small builder of the plan's answers to a billed 837P, for the tests: a 999, a 277CA
and an 835 as X12 text (structure of the 005010X231A1, X214 and X221A1 guides; values
from the billed file) and the records ``read_response`` returns for them (model.py), so
the matching can be tested before and after the readers land. pyx12 checks the text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from ecmx.core.billing.responses.billed import BilledClaim, read_billed
from ecmx.core.billing.responses.model import (
    Ack277,
    Ack999,
    Adjustment,
    ClaimPayment,
    ClaimStatus,
    Envelope,
    LinePayment,
    Remit835,
    Status,
    TransactionAck,
)

DAY = date(2025, 12, 15)
# Meanings as the public lists word them (x12.org codes; WPC for RARC), for the records.
MEANINGS = {
    "A": "Accepted", "A1": "Acknowledgement/Receipt", "A2": "Acknowledgement/Acceptance into "
    "adjudication system", "A7": "Acknowledgement/Rejected for Invalid Information",
    "20": "Accepted for processing.", "33": "Subscriber and subscriber id not found.",
    "CO-45": "Contractual Obligations: Charge exceeds fee schedule/maximum allowable or "
    "contracted/legislated fee arrangement.",
    "CO-16": "Contractual Obligations: Claim/service lacks information or has "
    "submission/billing error(s).", "M51": "Missing/incomplete/invalid procedure code(s).",
    "1": "Processed as Primary",
}  # fmt: skip


@dataclass
class Billed:
    path: Path
    sender: str  # the provider (ISA06 of the 837P)
    receiver: str  # the plan
    group: str
    transaction: str
    claims: list[BilledClaim]


def billed(path: Path) -> Billed:
    interchange, claims = read_billed(path)
    tx = interchange.transactions[0]
    return Billed(path, interchange.sender, interchange.receiver, tx.group_control, tx.control,
                  claims)  # fmt: skip


@dataclass
class Built:
    segments: list[str] = field(default_factory=list)

    def add(self, *elements) -> None:
        self.segments.append("*".join(str(e) for e in elements))

    def text(self, b: Billed, functional: str, version: str, control: int) -> str:
        """The transaction wrapped in ST/SE, GS/GE, ISA/IEA from the plan to the provider."""
        st, body = self.segments[0], self.segments[1:]
        isa = ("ISA*00*          *00*          *ZZ*" + b.receiver.ljust(15) + "*ZZ*"
               + b.sender.ljust(15) + f"*251215*1200*^*00501*{control:09d}*0*P*:")  # fmt: skip
        lines = [isa, f"GS*{functional}*{b.receiver}*{b.sender}*20251215*1200*{control}*X*{version}",
                 st, *body, f"SE*{len(body) + 2}*0001", f"GE*1*{control}", f"IEA*1*{control:09d}"]  # fmt: skip
        return "~\n".join(lines) + "~\n"


def envelope(path: Path, b: Billed, control: int) -> Envelope:
    return Envelope(path, b.receiver, b.sender, f"{control:09d}", False)


def ack_999(b: Billed, path: Path, status: str = "A", group: str | None = None) -> Ack999:
    group = group or b.group
    x = Built()
    x.add("ST", "999", "0001", "005010X231A1")
    x.add("AK1", "HC", group, "005010X222A1")
    x.add("AK2", "837", b.transaction, "005010X222A1")
    x.add("IK5", status)
    x.add("AK9", status, 1, 1, 1 if status == "A" else 0)
    path.write_text(x.text(b, "FA", "005010X231A1", 101), encoding="ascii")
    tx = TransactionAck(b.transaction, status, MEANINGS.get(status, status), ())
    return Ack999(envelope(path, b, 101), group, status, MEANINGS.get(status, status), (tx,))


def _status(category: str, code: str, entity: str = "") -> Status:
    return Status(category, code, entity, f"{MEANINGS[category]}: {MEANINGS[code]}")


def ack_277(b: Billed, path: Path, rejected: set[str], extra: tuple[str, ...] = (),
            numbered: bool = False) -> Ack277:  # fmt: skip
    """Every billed claim accepted (A2:20) but those in ``rejected`` (A7:33, subscriber id
    not found); ``extra``: CLM01s ecmx never billed, accepted too. ``numbered``: a rejected
    claim carries the payer's claim number too (2200D REF*1K is situational in X214: sent
    when the payer assigned one, as some do to a claim they reject)."""
    x = Built()
    x.add("ST", "277", "0001", "005010X214")
    x.add("BHT", "0085", "08", "277CA1", "20251215", "1200", "TH")
    x.add("HL", 1, "", 20, 1)
    x.add("NM1", "PR", 2, "THE PLAN", "", "", "", "", "PI", b.receiver)
    x.add("TRN", 1, "277CA1")
    x.add("DTP", "050", "D8", "20251215")
    x.add("DTP", "009", "D8", "20251215")
    x.add("HL", 2, 1, 21, 1)
    x.add("NM1", "41", 2, "SUNRISE COMMUNITY HEALTH", "", "", "", "", "46", b.sender)
    x.add("TRN", 2, b.group)
    x.add("STC", "A1:19:PR", "20251215", "WQ", sum(c.charge for c in b.claims))
    x.add("HL", 3, 2, 19, 1)
    x.add("NM1", "85", 2, "SUNRISE COMMUNITY HEALTH", "", "", "", "", "XX", "1654321987")
    x.add("TRN", 1, "0")
    x.add("STC", "A1:19:PR", "", "WQ", sum(c.charge for c in b.claims))
    x.add("REF", "TJ", "123456789")
    claims = [(c.patient_control, c.charge, c.member_id) for c in b.claims]
    claims += [(clm01, Decimal("99"), "99999999A") for clm01 in extra]
    records = []
    for number, (clm01, charge, member) in enumerate(claims, start=4):
        bad = clm01 in rejected
        status = _status("A7", "33", "IL") if bad else _status("A2", "20")
        x.add("HL", number, 3, "PT")
        x.add("NM1", "QC", 1, "MEMBER", "TEST", "", "", "", "MI", member)
        x.add("TRN", 2, clm01)
        x.add("STC", "A7:33:IL" if bad else "A2:20", "20251215", "U" if bad else "WQ", charge)
        has_number = numbered or not bad
        if has_number:
            x.add("REF", "1K", f"PCN{number:04d}")
        x.add("DTP", 472, "RD8", "20251101-20251130")
        records.append(ClaimStatus(clm01, f"PCN{number:04d}" if has_number else "", charge,
                                   (status,), not bad, ()))  # fmt: skip
    path.write_text(x.text(b, "HN", "005010X214", 102), encoding="ascii")
    return Ack277(envelope(path, b, 102), tuple(records))


@dataclass(frozen=True)
class Paid:
    """What the 835 says of one billed line: paid, and the adjustments (group, CARC, amount)."""

    paid: Decimal
    adjustments: tuple[tuple[str, str, Decimal], ...] = ()
    remarks: tuple[str, ...] = ()


def remit_835(b: Billed, path: Path, paid: dict[str, dict[int, Paid]],
              extra: tuple[str, ...] = ()) -> Remit835:  # fmt: skip
    """An 835 for the claims in ``paid`` (CLM01 -> LX01 -> Paid; a line not named is paid in
    full); ``extra``: CLM01s ecmx never billed, paid 99 on one line."""
    claims = [c for c in b.claims if c.patient_control in paid]
    records = []
    x = Built()
    # No ST03: pyx12's 835 map marks it not used (GS08 names the guide); pyx12 then logs
    # an error of its own making its 999 (no ST03 to quote), its verdict unchanged.
    x.add("ST", "835", "0001")
    total = Decimal(0)
    body = Built()
    for number, claim in enumerate(claims, start=1):
        lines, claim_paid = [], Decimal(0)
        for line in claim.lines:
            p = paid[claim.patient_control].get(line.number, Paid(line.charge))
            adjustments = tuple(Adjustment(g, r, a, MEANINGS[f"{g}-{r}"])
                                for g, r, a in p.adjustments)  # fmt: skip
            lines.append((line, p, adjustments))
            claim_paid += p.paid
        total += claim_paid
        body.add("CLP", claim.patient_control, 1, claim.charge, claim_paid, "", "MC",
                 f"PCN{number:04d}", "11", 1)  # fmt: skip
        body.add("NM1", "QC", 1, "MEMBER", "TEST", "", "", "", "MI", claim.member_id)
        payments = []
        for line, p, adjustments in lines:
            code = ":".join(("HC", line.procedure, *line.modifiers))
            body.add("SVC", code, line.charge, p.paid, "", line.units)
            body.add("DTM", 472, f"{line.service_date:%Y%m%d}")
            for group, reason, amount in p.adjustments:
                body.add("CAS", group, reason, amount)
            if line.control:
                body.add("REF", "6R", line.control)
            for remark in p.remarks:
                body.add("LQ", "HE", remark)
            payments.append(LinePayment(
                line.control, line.procedure, line.modifiers, line.charge, p.paid, line.units,
                line.service_date, adjustments, tuple((r, MEANINGS[r]) for r in p.remarks),
            ))  # fmt: skip
        records.append(ClaimPayment(claim.patient_control, "1", MEANINGS["1"], claim.charge,
                                    claim_paid, Decimal(0), f"PCN{number:04d}", "1", (),
                                    tuple(payments)))  # fmt: skip
    for clm01 in extra:
        body.add("CLP", clm01, 1, 99, 99, "", "MC", "PCNX", "11", 1)
        body.add("NM1", "QC", 1, "MEMBER", "TEST", "", "", "", "MI", "99999999A")
        body.add("SVC", "HC:G9008", 99, 99, "", 1)
        body.add("DTM", 472, "20251104")
        line = LinePayment("", "G9008", (), Decimal(99), Decimal(99), "1", date(2025, 11, 4),
                           (), ())  # fmt: skip
        records.append(ClaimPayment(clm01, "1", MEANINGS["1"], Decimal(99), Decimal(99),
                                    Decimal(0), "PCNX", "1", (), (line,)))  # fmt: skip
        total += 99
    x.add("BPR", "I", total, "C", "CHK", *[""] * 11, f"{DAY:%Y%m%d}")
    x.add("TRN", 1, "CHK12345", "1999999999")
    x.add("N1", "PR", "THE PLAN")
    x.add("N3", "1 PLAN WAY")
    x.add("N4", "FRESNO", "CA", "93721")
    x.add("PER", "BL", "EDI", "TE", "5595550199")
    x.add("N1", "PE", "SUNRISE COMMUNITY HEALTH", "XX", "1654321987")
    x.add("LX", 1)
    x.segments += body.segments
    path.write_text(x.text(b, "HP", "005010X221A1", 103), encoding="ascii")
    return Remit835(envelope(path, b, 103), "THE PLAN", total, DAY, "CHK12345", tuple(records))
