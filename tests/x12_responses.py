"""Make the files a payer sends back after a claim file, for the tests: a 999
(005010X231A1), a 277CA (005010X214) and an 835 (005010X221A1).

The structure follows the loops of the public implementation guides (the examples in
their front matter: a 999 rejecting one 837, a 277CA accepting one claim and rejecting
another, an 835 paying one claim short); the values are made up here. Every file made
is checked by pyx12 in the tests, so a builder that drifts from the guides fails loudly.
Any separators can be asked for, and a line break after each segment, as payers send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Separators:
    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"
    newline: str = ""  # "\n" or "\r\n" after each terminator, as many payers write


@dataclass(frozen=True)
class Envelope:
    sender: str = "PAYERCLEARING"
    receiver: str = "ECMXPROVIDER"
    control: int = 905
    group: int = 77
    date: str = "251210"
    time: str = "0930"


Element = str | tuple[str, ...]  # a tuple is a composite: its parts joined by the component


def render(functional_id: str, version: str, bodies: list[list[list[Element]]],
           seps: Separators = Separators(), env: Envelope = Envelope()) -> str:  # fmt: skip
    """An interchange of one group holding one transaction set per body (ST..SE added)."""

    def seg(*elements: Element) -> str:
        text = seps.element.join(
            seps.component.join(e) if isinstance(e, tuple) else e for e in elements
        )
        return text + seps.segment + seps.newline

    isa = seps.element.join([
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", env.sender.ljust(15), "ZZ",
        env.receiver.ljust(15), env.date, env.time, seps.repetition, "00501",
        f"{env.control:09d}", "0", "T", seps.component,
    ])  # fmt: skip
    out = [isa + seps.segment + seps.newline]
    out.append(seg("GS", functional_id, env.sender, env.receiver, "20" + env.date, env.time,
                   str(env.group), "X", version))  # fmt: skip
    for number, body in enumerate(bodies, start=1):
        control = f"{number:04d}"
        st03 = [] if version == "005010X221A1" else [version]  # the 835 leaves ST03 unused
        out.append(seg("ST", _code(version), control, *st03))
        out += [seg(*s) for s in body]
        out.append(seg("SE", str(len(body) + 2), control))
    out.append(seg("GE", str(len(bodies)), str(env.group)))
    out.append(seg("IEA", "1", f"{env.control:09d}"))
    return "".join(out)


def _code(version: str) -> str:
    # 837P and 277 (X212, the answer to a 276) only so the tests can show they are refused
    return {"005010X231A1": "999", "005010X214": "277", "005010X221A1": "835",
            "005010X222A1": "837", "005010X212": "277"}[version]  # fmt: skip


# ----------------------------------------------------------------------------------- 999
@dataclass(frozen=True)
class ElementError:
    position: str  # IK401, "9" or "3:1" (a component)
    reference: str  # IK402, the data element number
    code: str  # IK403


@dataclass(frozen=True)
class SegmentError:
    segment: str  # IK301
    position: int  # IK302, counted from the 837's ST
    loop: str  # IK303 (at most 4 characters: "2300", not "2010BA")
    code: str  # IK304
    elements: tuple[ElementError, ...] = ()


@dataclass(frozen=True)
class TransactionAck:
    control: str  # the 837's ST02
    status: str  # IK501
    errors: tuple[SegmentError, ...] = ()
    codes: tuple[str, ...] = ()  # IK502..


def ack_999(group: str, acks: list[TransactionAck], status: str) -> list[list[Element]]:
    body: list[list[Element]] = [["AK1", "HC", group, "005010X222A1"]]
    for ack in acks:
        body.append(["AK2", "837", ack.control, "005010X222A1"])
        for error in ack.errors:
            body.append(["IK3", error.segment, str(error.position), error.loop, error.code])
            for element in error.elements:
                position = tuple(element.position.split(":"))
                body.append(["IK4", position, element.reference, element.code])
        body.append(["IK5", ack.status, *ack.codes])
    accepted = sum(a.status in ("A", "E") for a in acks)
    body.append(["AK9", status, str(len(acks)), str(len(acks)), str(accepted)])
    return body


# ----------------------------------------------------------------------------------- 277CA
@dataclass(frozen=True)
class LineStatus277:
    control: str  # REF*FJ
    procedure: str
    charge: str
    status: tuple[str, ...] = ("A2", "20")


@dataclass(frozen=True)
class Claim277:
    control: str  # TRN02: the CLM01
    charge: str
    status: tuple[str, ...]  # STC01: category, code[, entity]
    payer_number: str = ""
    member_id: str = "ZZ1234567"
    more: tuple[tuple[str, ...], ...] = ()  # STC10, STC11
    lines: tuple[LineStatus277, ...] = ()


def ack_277(claims: list[Claim277], batch_status: tuple[str, ...] = ("A1", "19", "PR"),
            received: str = "20251210") -> list[list[Element]]:  # fmt: skip
    total = sum((Decimal(c.charge) for c in claims), Decimal(0))
    body: list[list[Element]] = [
        ["BHT", "0085", "08", "ACK0001", received, "0930", "TH"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", "MEDI-CAL PLAN", "", "", "", "", "PI", "PLAN01"],
        ["TRN", "1", "PAYERTRACE1"],
        ["DTP", "050", "D8", received],
        ["DTP", "009", "D8", received],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "41", "2", "ECM PROVIDER", "", "", "", "", "46", "SUBMIT01"],
        ["TRN", "2", "BATCH0001"],
        ["STC", batch_status, received, "WQ", str(total)],
        ["QTY", "90", str(len(claims))],
        ["AMT", "YU", str(total)],
        ["HL", "3", "2", "19", "1"],
        ["NM1", "85", "2", "ECM PROVIDER", "", "", "", "", "XX", "1234567893"],
        ["TRN", "1", "0"],
        ["STC", batch_status, "", "WQ", str(total)],  # the provider's STC02 is not used
    ]
    for number, claim in enumerate(claims, start=4):
        body += [
            ["HL", str(number), "3", "PT"],
            ["NM1", "QC", "1", "MEMBER", "TEST", "", "", "", "MI", claim.member_id],
            ["TRN", "2", claim.control],
            ["STC", claim.status, received, "WQ", claim.charge, *_more(claim.more)],
        ]
        if claim.payer_number:
            body.append(["REF", "1K", claim.payer_number])
        body.append(["DTP", "472", "RD8", "20251101-20251130"])
        for line in claim.lines:
            body += [
                ["SVC", ("HC", line.procedure), line.charge, "", "", "", "", "1"],
                ["STC", line.status, received, "U"],  # a line's STC04 is not used
                ["REF", "FJ", line.control],
                ["DTP", "472", "D8", "20251105"],
            ]
    return body


def _more(more: tuple[tuple[str, ...], ...]) -> list[Element]:
    """STC10 and STC11 (STC05..09 left empty)."""
    return ["", "", "", "", "", *more] if more else []


# ----------------------------------------------------------------------------------- 835
@dataclass(frozen=True)
class Line835:
    control: str  # REF*6R
    procedure: str
    charge: str
    paid: str
    modifiers: tuple[str, ...] = ()
    units: str = "1"
    date: str = "20251105"
    adjustments: tuple[tuple[str, str, str], ...] = ()  # (group, reason, amount) per CAS
    remarks: tuple[str, ...] = ()  # LQ*HE


@dataclass(frozen=True)
class Claim835:
    control: str  # CLP01
    status: str  # CLP02
    charge: str
    paid: str
    payer_number: str
    patient: str = ""  # CLP05
    frequency: str = "1"
    member_id: str = "ZZ1234567"
    adjustments: tuple[tuple[str, str, str], ...] = ()
    lines: tuple[Line835, ...] = field(default_factory=tuple)


def remit_835(claims: list[Claim835], total: str, trace: str = "EFT00012345",
              paid_on: str = "20251215") -> list[list[Element]]:  # fmt: skip
    body: list[list[Element]] = [
        ["BPR", "I", total, "C", "ACH", "CCP", "01", "121000358", "DA", "12345678",
         "1512345678", "", "01", "322271627", "DA", "87654321", paid_on],
        ["TRN", "1", trace, "1512345678"],
        ["DTM", "405", paid_on],
        ["N1", "PR", "MEDI-CAL PLAN"],
        ["N3", "1 PLAN WAY"],
        ["N4", "SACRAMENTO", "CA", "95814"],
        ["PER", "BL", "EDI SUPPORT", "TE", "8005551212"],
        ["N1", "PE", "ECM PROVIDER", "XX", "1234567893"],
        ["LX", "1"],
    ]  # fmt: skip
    for claim in claims:
        body.append(["CLP", claim.control, claim.status, claim.charge, claim.paid,
                     claim.patient, "MC", claim.payer_number, "", claim.frequency])  # fmt: skip
        body += _cas(claim.adjustments)
        body.append(["NM1", "QC", "1", "MEMBER", "TEST", "", "", "", "MI", claim.member_id])
        for line in claim.lines:
            body.append(["SVC", ("HC", line.procedure, *line.modifiers), line.charge,
                         line.paid, "", line.units])  # fmt: skip
            body.append(["DTM", "472", line.date])
            body += _cas(line.adjustments)
            body.append(["REF", "6R", line.control])
            body += [["LQ", "HE", code] for code in line.remarks]
    return body


def _cas(adjustments: tuple[tuple[str, str, str], ...]) -> list[list[Element]]:
    """One CAS per group code, up to six reason/amount pairs in it, as the guide asks."""
    by_group: dict[str, list[Element]] = {}
    for group, reason, amount in adjustments:
        by_group.setdefault(group, []).extend([reason, amount, ""])
    return [["CAS", group, *pairs[:-1]] for group, pairs in by_group.items()]
