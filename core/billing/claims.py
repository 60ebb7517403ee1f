"""Billable claim lines grouped into claims: one claim per member and period (seed 002).

An 837P claim holds at most 50 service lines and 12 diagnoses (005010X222A1),
so a member with more lines gets more claims, each complete on its own.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ecmx.core.billing.columns import codes, firsts, objects, per_distinct, row_codes
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
    """Claims from the billable lines (already checked), members in a stable order.

    Column-wise: the lines are sorted by member and date, claims are runs of them (a
    member's lines, split where a claim would pass 50 lines or 12 diagnoses), and each
    value is converted once per distinct value (``columns.per_distinct``)."""
    ordered = lines.assign(_day=pd.to_datetime(lines["date"])).sort_values(
        ["member_id", "_day", "_row"]
    )
    if ordered.empty:
        return []
    diagnoses = ordered["diagnoses"].to_numpy()
    member = codes(ordered["member_id"].to_numpy())
    starts, index_in_member = _claim_runs(member, diagnoses)
    sizes = np.diff(np.append(starts, len(ordered)))
    claim_of_line = np.repeat(np.arange(len(starts)), sizes)
    claim_dx = _claim_diagnoses(diagnoses, claim_of_line, starts, member)
    claim_places = _places(ordered["pos"].to_numpy(), claim_of_line, starts)
    line_dx = np.repeat(objects(claim_dx, len(claim_dx)), sizes)
    pointers = per_distinct(_pointers, diagnoses, line_dx)
    column = ordered.get
    source = column("source")
    claim_lines = [
        ClaimLine(*values)
        for values in zip(
            per_distinct(lambda v: pd.Timestamp(v).date(), ordered["date"]),
            ordered["code"].tolist(),
            per_distinct(lambda m: tuple(m)[:4], ordered["billed_modifiers"]),
            per_distinct(float, ordered["billed_charge"]),
            per_distinct(int, ordered["billed_units"]),
            per_distinct(str, ordered["pos"]),
            pointers,
            per_distinct(text_or_none, ordered["tar"]) if "tar" in ordered else [None] * len(ordered),
            np.abs(ordered["_row"].to_numpy(dtype=np.int64)).tolist(),  # negative: outreach
            ["encounters"] * len(ordered) if source is None else per_distinct(
                lambda v: "encounters" if missing(v) else str(v), source),
            strict=True,
        )
    ]  # fmt: skip
    firsts = ordered.iloc[starts]
    fields = {k: firsts[k].tolist() if k in firsts else [None] * len(starts) for k in MEMBER_FIELDS}
    subscribers = per_distinct(text_or_blank, objects(fields[subscriber_field], len(starts)))
    member_ids = fields["member_id"]
    return [
        Claim(
            control_number=_control_number(str(member_ids[k]), period, index_in_member[k]),
            member={f: fields[f][k] for f in MEMBER_FIELDS},
            subscriber_id=subscribers[k],
            place_of_service=claim_places[k],
            diagnoses=claim_dx[k],
            lines=tuple(claim_lines[start : start + size]),
        )
        for k, (start, size) in enumerate(zip(starts.tolist(), sizes.tolist(), strict=True))
    ]


def _claim_runs(member: np.ndarray, diagnoses: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Where each claim starts among the sorted lines, and its number within its member.
    A member with at most 50 lines and 12 distinct diagnoses has one claim; the others
    are split line by line (``_chunks``)."""
    new_member = np.append(True, member[1:] != member[:-1])
    member_starts = np.flatnonzero(new_member)
    owner = np.cumsum(new_member) - 1
    counts = per_distinct(len, diagnoses).astype(np.int64)
    flat = codes(objects(code for row in diagnoses for code in row))
    pairs = np.repeat(owner, counts)
    distinct = np.bincount(pairs[firsts(row_codes(pairs, flat))], minlength=len(member_starts))
    sizes = np.diff(np.append(member_starts, len(member)))
    simple = (sizes <= MAX_LINES) & (distinct <= MAX_DIAGNOSES)
    starts: list[int] = []
    numbers: list[int] = []
    for first, size, one in zip(member_starts.tolist(), sizes.tolist(), simple, strict=True):
        chunks = [size] if one else _chunks(list(diagnoses[first : first + size]))
        offsets = np.cumsum([0, *chunks[:-1]]) + first
        starts += offsets.tolist()
        numbers += range(1, len(chunks) + 1)
    return np.array(starts, dtype=np.int64), numbers


def _chunks(diagnoses: list[tuple[str, ...]]) -> list[int]:
    """The sizes of a member's claims: each at most 50 lines and 12 diagnoses."""
    sizes = [0]
    seen: list[str] = []
    for row in diagnoses:
        new = [d for d in row if d not in seen]
        if sizes[-1] and (
            sizes[-1] >= MAX_LINES or len(seen) + len(new[:MAX_POINTERS]) > MAX_DIAGNOSES
        ):
            sizes.append(0)
            seen = []
            new = list(row)
        sizes[-1] += 1
        seen.extend(d for d in new[:MAX_POINTERS] if d not in seen)
    return sizes


def _claim_diagnoses(diagnoses, claim_of_line, starts, member) -> list[tuple[str, ...]]:
    """Each claim's diagnoses: the first four of each line, once each, at most 12; a
    claim without any takes its member's first diagnosis."""
    first_four = per_distinct(lambda row: row[:MAX_POINTERS], diagnoses)
    counts = per_distinct(len, first_four).astype(np.int64)
    flat = objects(code for row in first_four for code in row)
    owner = np.repeat(claim_of_line, counts)
    # the first time each code appears in a claim, in line order
    first = firsts(row_codes(owner, codes(flat)))
    kept_owner = owner[first]
    bounds = np.searchsorted(kept_owner, np.arange(len(starts) + 1))
    kept = flat[first]
    found = [tuple(kept[a:b][:MAX_DIAGNOSES]) for a, b in itertools.pairwise(bounds)]
    for k in [k for k, dx in enumerate(found) if not dx]:
        mine = np.flatnonzero(member == member[starts[k]])
        found[k] = next((diagnoses[i][:1] for i in mine if len(diagnoses[i]) > 0), ())
    return found


def _places(places: np.ndarray, claim_of_line: np.ndarray, starts: np.ndarray) -> list:
    """Each claim's place of service: its lines' most common, the first seen on a tie
    (as ``Counter.most_common``)."""
    place = codes(places)
    keys = claim_of_line * (int(place.max()) + 2) + place + 1
    _, first, count = np.unique(keys, return_index=True, return_counts=True)
    claim = claim_of_line[first]
    best = np.lexsort((first, -count, claim))
    chosen = best[np.append(True, claim[best][1:] != claim[best][:-1])]
    return places[first[chosen]].tolist()


def _pointers(row: tuple[str, ...], diagnoses: tuple[str, ...]) -> tuple[int, ...]:
    pointers = tuple(diagnoses.index(d) + 1 for d in row if d in diagnoses)
    return pointers[:MAX_POINTERS] or (1,)


def _control_number(member_id: str, period: Period, index: int) -> str:
    """CLM01 (at most 20 characters): member id, period and claim number; hashed if long."""
    text = f"{member_id}-{period.year % 100:02d}{period.month:02d}-{index}"
    if len(text) <= 20:
        return text
    digest = hashlib.sha1(member_id.encode()).hexdigest()[:10].upper()
    return f"{digest}-{period.year % 100:02d}{period.month:02d}-{index}"
