"""What was billed: the 837P files the ledger recorded, read back with ``x12_read``.

The responses are matched against the files as sent, not against the dataset (which may
have changed since): per claim its CLM01, CLM02, member id and lines, and the envelope's
control numbers a 999 names. A file the ledger recorded but no longer on disk is a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ecmx.core.billing.x12_read import Interchange, Segment, read_interchange
from ecmx.core.errors import InputError

BILLED_KIND = "837p"  # files_made.kind of the 837P claim writer (core/jobs/claims.py _record)


@dataclass(frozen=True)
class BilledLine:
    number: int  # LX01
    control: str  # REF*6R ("" when the 837P carries none)
    procedure: str  # SV101-2
    modifiers: tuple[str, ...]
    charge: Decimal  # SV102
    units: str  # SV104
    service_date: date | None  # DTP*472


@dataclass(frozen=True)
class BilledClaim:
    patient_control: str  # CLM01
    charge: Decimal  # CLM02
    member_id: str  # NM1*IL09: member data (PHI), masked in reports
    transaction: str  # ST02 of the transaction the claim is in
    lines: tuple[BilledLine, ...]


@dataclass(frozen=True)
class BilledFile:
    file_id: int  # files_made.id
    plan: str
    period: str
    dated: str  # its production date (the 837P's own ISA09), else the day it was made
    path: Path
    sender: str  # ISA06
    receiver: str  # ISA08
    interchange: str  # ISA13
    groups: tuple[str, ...]  # GS06 of each transaction, in order
    transactions: tuple[str, ...]  # ST02
    claims: tuple[BilledClaim, ...]


def read_billed(path: Path) -> tuple[Interchange, list[BilledClaim]]:
    """The claims of one 837P; InputError (one line) when it is not one."""
    interchange = read_interchange(path)
    claims: list[BilledClaim] = []
    for transaction in interchange.transactions:
        if transaction.code != "837":
            raise InputError(f"{path}: transaction {transaction.control} is a "
                             f"{transaction.code}, not an 837 claim")  # fmt: skip
        claims += _claims(path, transaction.control, transaction.segments,
                          interchange.component)  # fmt: skip
    return interchange, claims


def _claims(path, st02: str, segments, component: str) -> list[BilledClaim]:
    claims: list[BilledClaim] = []
    member, current, lines = "", None, []  # type: ignore[var-annotated]
    line: dict | None = None

    def close() -> None:
        if current is not None:
            if line is not None:
                lines.append(_line(line))
            claims.append(BilledClaim(current.get(1), _money(path, current, 2), member, st02,
                                      tuple(lines)))  # fmt: skip

    for seg in segments:
        if seg.id == "HL":
            close()
            current, lines, line = None, [], None
        elif seg.id == "NM1" and seg.get(1) == "IL":
            member = seg.get(9)
        elif seg.id == "CLM":
            close()
            current, lines, line = seg, [], None
        elif seg.id == "LX" and current is not None:
            if line is not None:
                lines.append(_line(line))
            line = {"number": int(seg.get(1) or 0), "control": "", "date": None}
        elif line is not None and seg.id == "SV1":
            parts = seg.parts(1, component)
            line.update(procedure=parts[1] if len(parts) > 1 else "", modifiers=tuple(parts[2:]),
                        charge=_money(path, seg, 2), units=seg.get(4))  # fmt: skip
        elif line is not None and seg.id == "DTP" and seg.get(1) == "472":
            line["date"] = _day(seg.get(3))
        elif line is not None and seg.id == "REF" and seg.get(1) == "6R":
            line["control"] = seg.get(2)
    close()
    return claims


def _line(raw: dict) -> BilledLine:
    return BilledLine(raw["number"], raw["control"], raw.get("procedure", ""),
                      raw.get("modifiers", ()), raw.get("charge", Decimal(0)),
                      raw.get("units", ""), raw["date"])  # fmt: skip


def _money(path, seg: Segment, position: int) -> Decimal:
    try:
        return Decimal(seg.get(position) or "0")
    except InvalidOperation:
        raise InputError(
            f"{path}: segment {seg.number} ({seg.id}): {seg.get(position)!r} is not an amount"
        ) from None


def _day(text: str) -> date | None:
    try:
        return datetime.strptime(text[:8], "%Y%m%d").date()
    except ValueError:
        return None


def billed_files(workspace: Path, period: str | None = None, plan: str | None = None,
                 notes: list[str] | None = None) -> list[BilledFile]:  # fmt: skip
    """The 837P files the ledger recorded (oldest first), read back; ``notes`` gets one line
    for each recorded file that is gone or unreadable (it cannot be matched)."""
    from ecmx.core.ledger.db import open_ledger

    with open_ledger(workspace) as conn:
        rows = conn.execute(
            "SELECT * FROM files_made WHERE kind = ? AND (? IS NULL OR period = ?)"
            " AND (? IS NULL OR plan = ?) ORDER BY id",
            (BILLED_KIND, period, period, plan, plan),
        ).fetchall()
    found = []
    for row in rows:
        path = Path(row["path"])
        try:
            interchange, claims = read_billed(path)
        except InputError as exc:
            if notes is not None:
                notes.append(f"billed file {row['id']} cannot be read back: {exc}")
            continue
        found.append(BilledFile(
            int(row["id"]), row["plan"], row["period"],
            row["production_date"] or row["made_at"][:10], path,
            interchange.sender, interchange.receiver, interchange.control,
            tuple(t.group_control for t in interchange.transactions),
            tuple(t.control for t in interchange.transactions), tuple(claims),
        ))  # fmt: skip
    return found
