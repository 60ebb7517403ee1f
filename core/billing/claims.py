"""Billable claim lines grouped into claims: one claim per member and period (seed 002).

An 837P claim holds at most 50 service lines and 12 diagnoses (005010X222A1),
so a member with more lines gets more claims, each complete on its own.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pandas as pd

from ecmx.core.billing.lines import missing, text_or_blank, text_or_none
from ecmx.core.calendar.periods import Period

MEMBER_FIELDS = ("member_id", "cin", "mrn", "first_name", "last_name", "dob", "sex",
                 "address", "city", "state", "zip")  # fmt: skip
MAX_LINES = 50
MAX_DIAGNOSES = 12
MAX_POINTERS = 4


@dataclass(frozen=True)
class ClaimLine:
    service_date: date
    code: str
    modifiers: tuple[str, ...]
    charge: float
    units: int
    place_of_service: str
    pointers: tuple[int, ...]  # 1-based into the claim's diagnoses
    authorization: str | None
    encounter_row: int  # the dataset row, for the invoice and for tracing a denial
    source: str = "encounters"  # or "outreach": a first attempt billed as the one-time outreach


# CLM05-3, the claim frequency type code (X12's code list "Claim Frequency Type Code",
# the NUBC type-of-bill third digit; source: x12.org/codes/claim-frequency-type-codes):
FREQUENCIES = {
    "1": "original",  # admit through discharge claim: a first bill
    "7": "replacement",  # replacement of prior claim: corrects a claim the payer has
    "8": "void",  # void/cancel of prior claim: withdraws it
}


@dataclass(frozen=True)
class Claim:
    control_number: str  # CLM01, the patient control number the remittance echoes
    member: dict
    subscriber_id: str
    place_of_service: str
    diagnoses: tuple[str, ...]
    lines: tuple[ClaimLine, ...]
    frequency: str = "1"  # CLM05-3: FREQUENCIES
    payer_claim_number: str | None = None  # REF*F8, required for a replacement or a void

    @property
    def total(self) -> float:
        return round(sum(line.charge for line in self.lines), 2)

    def line_control_number(self, number: int) -> str:
        """REF*6R of the claim's line ``number`` (1-based, its LX01): CLM01, a dash, the
        number. CLM01 is unique in an interchange and stable for a member's claim in a
        period, so this is too, and a 277CA (REF*FJ) or 835 (REF*6R) echoes it back to the
        line. At most 23 characters (CLM01 20, 50 lines): REF02 allows 50."""
        return f"{self.control_number}-{number}"


def build_claims(lines: pd.DataFrame, period: Period, subscriber_field: str) -> list[Claim]:
    """Claims from the billable lines (already checked), members in a stable order."""
    claims: list[Claim] = []
    ordered = lines.assign(_day=pd.to_datetime(lines["date"])).sort_values(
        ["member_id", "_day", "_row"]
    )
    # Rows as dicts from column lists: DataFrame.to_dict per group is far slower.
    wanted = [c for c in (*MEMBER_FIELDS, "date", "code", "billed_modifiers", "billed_charge",
              "billed_units", "pos", "diagnoses", "tar", "_row", "source") if c in ordered]  # fmt: skip
    columns = [ordered[c].tolist() for c in wanted]
    by_member: dict[str, list[dict]] = {}
    for values in zip(*columns, strict=True):
        row = dict(zip(wanted, values, strict=True))
        by_member.setdefault(row["member_id"], []).append(row)
    for member_id, rows in by_member.items():
        fallback = next((r["diagnoses"][:1] for r in rows if len(r["diagnoses"]) > 0), ())
        for index, chunk in enumerate(_chunks(rows), start=1):
            diagnoses = _diagnoses(chunk) or fallback
            member = {k: chunk[0].get(k) for k in MEMBER_FIELDS}
            places = Counter(r["pos"] for r in chunk)
            claims.append(
                Claim(
                    control_number=_control_number(str(member_id), period, index),
                    member=member,
                    subscriber_id=text_or_blank(chunk[0].get(subscriber_field)),
                    place_of_service=places.most_common(1)[0][0],
                    diagnoses=diagnoses,
                    lines=tuple(_line(r, diagnoses) for r in chunk),
                )
            )
    return claims


def _chunks(rows: list[dict]) -> list[list[dict]]:
    """Split a member's lines so each claim has at most 50 lines and 12 diagnoses."""
    chunks: list[list[dict]] = [[]]
    seen: list[str] = []
    for row in rows:
        new = [d for d in row["diagnoses"] if d not in seen]
        if chunks[-1] and (
            len(chunks[-1]) >= MAX_LINES or len(seen) + len(new[:MAX_POINTERS]) > MAX_DIAGNOSES
        ):
            chunks.append([])
            seen = []
            new = list(row["diagnoses"])
        chunks[-1].append(row)
        seen.extend(d for d in new[:MAX_POINTERS] if d not in seen)
    return chunks


def _diagnoses(rows: list[dict]) -> tuple[str, ...]:
    found: list[str] = []
    for row in rows:
        for code in row["diagnoses"][:MAX_POINTERS]:
            if code not in found:
                found.append(code)
    return tuple(found[:MAX_DIAGNOSES])  # empty: the caller uses the member's first diagnosis


def _line(row: dict, diagnoses: tuple[str, ...]) -> ClaimLine:
    pointers = tuple(diagnoses.index(d) + 1 for d in row["diagnoses"] if d in diagnoses)
    tar = row.get("tar")
    return ClaimLine(
        service_date=pd.Timestamp(row["date"]).date(),
        code=row["code"],
        modifiers=tuple(row["billed_modifiers"])[:4],
        charge=float(row["billed_charge"]),
        units=int(row["billed_units"]),
        place_of_service=str(row["pos"]),
        pointers=pointers[:MAX_POINTERS] or (1,),
        authorization=text_or_none(tar),
        encounter_row=abs(int(row["_row"])),  # negative in the frame: an outreach row
        source="encounters" if missing(row.get("source")) else str(row["source"]),
    )


def _control_number(member_id: str, period: Period, index: int) -> str:
    """CLM01 (at most 20 characters): member id, period and claim number; hashed if long."""
    text = f"{member_id}-{period.year % 100:02d}{period.month:02d}-{index}"
    if len(text) <= 20:
        return text
    digest = hashlib.sha1(member_id.encode()).hexdigest()[:10].upper()
    return f"{digest}-{period.year % 100:02d}{period.month:02d}-{index}"
