"""Write claims as an X12 837P (005010X222A1) interchange, segment by segment.

No Python X12 library writes 837P well (pyx12 validates and reads, badx12 and
linuxforhealth-x12 parse): the structure ECM needs is small and fixed, so the
segments are written here and every file is checked with pyx12 in the tests.
Values are upper-cased and stripped of the separators, so no member's name
can break the envelope.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ecmx.core.billing.claims import Claim
from ecmx.core.billing.coding import BillingSpec, Separators
from ecmx.core.billing.lines import missing, text_or_blank
from ecmx.core.errors import InputError
from ecmx.core.storage.gcpause import gc_paused

if TYPE_CHECKING:
    from ecmx.core.billing.claim_writers import ClaimFile

IMPLEMENTATION = "005010X222A1"


@dataclass(frozen=True)
class Parties:
    """Who sends and who receives: from provider.yaml and the plan's billing section."""

    submitter_name: str
    submitter_id: str  # ISA06 / GS02 / 1000A NM109
    contact_phone: str
    receiver_name: str
    receiver_id: str  # ISA08 / GS03 / 1000B NM109
    billing_name: str
    billing_npi: str
    billing_tin: str  # 9 digits
    billing_address: str
    billing_city: str
    billing_state: str
    billing_zip: str  # ZIP+4, 9 digits
    taxonomy: str
    payer_name: str
    payer_id: str


@dataclass(frozen=True)
class Control:
    interchange: int  # ISA13, 1-999999999
    group: int  # GS06
    usage: str = "P"  # ISA15: P production, T test


class Segments:
    def __init__(self, separators: Separators) -> None:
        self.sep = separators
        self.items: list[str] = []
        # separators and line breaks inside a value become spaces
        self._unsafe = str.maketrans(dict.fromkeys(separators.all() + "\r\n\t", " "))

    def clean(self, value) -> str:
        if missing(value):  # None, NaN, pd.NA, NaT
            return ""
        text = value if type(value) is str else str(value)
        if not text.isascii():  # X12 wants plain ASCII: José -> JOSE, not JOS?
            text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        text = text.translate(self._unsafe).upper()
        if "  " in text or text[:1] == " " or text[-1:] == " ":
            text = " ".join(text.split())
        return text

    def cut(self, value, width: int) -> str:
        """A cleaned value within the element's maximum length (NM103 60, NM104 35, ...)."""
        return self.clean(value)[:width].rstrip()

    def segment(self, *elements) -> str:
        """A segment's text without its terminator: values cleaned, trailing blanks left out."""
        parts = [
            self.clean(e) if not isinstance(e, Composite) else e.render(self) for e in elements
        ]
        while parts and parts[-1] == "":
            parts.pop()
        return self.sep.element.join(parts)

    def add(self, *elements) -> None:
        self.items.append(self.segment(*elements))


@dataclass(frozen=True)
class Composite:
    parts: tuple

    def render(self, segments: Segments) -> str:
        parts = [segments.clean(p) for p in self.parts]
        while parts and parts[-1] == "":
            parts.pop()
        return segments.sep.component.join(parts)


def amount(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def write_837p(claim_file: ClaimFile, path: Path) -> None:
    """The 837P claim writer (``ecmx claims --format 837p``): one interchange per plan."""
    assert claim_file.parties is not None and claim_file.control is not None  # x12=True
    text = render_837p(
        claim_file.claims,
        claim_file.parties,
        claim_file.spec,
        claim_file.control,
        claim_file.created,
    )
    Path(path).write_bytes(text.encode("ascii", errors="replace"))


def parties_for(provider, plan, spec: BillingSpec) -> Parties:
    """The 837P's parties from the provider profile and the plan's billing section; an
    ``InputError`` names the first thing the profile lacks."""
    mine = provider.plan(plan.id)
    where = provider.source or "the provider profile"
    payer_id = mine.get("payer_id") or spec.payer_id
    if not payer_id:
        raise InputError(
            f"{where}: plans.{plan.id}.payer_id is missing: the 837P names {plan.name} by its "
            "payer ID (from your clearinghouse's payer list or the plan's companion guide)"
        )
    zip_digits = "".join(ch for ch in str(provider.get("zip") or "") if ch.isdigit())
    missing = [k for k in ("address", "city", "state", "phone") if not provider.get(k)]
    if missing:
        raise InputError(
            f"{where}: the 837P needs the billing provider's {', '.join(missing)}: add them"
        )
    if len(zip_digits) != 9:
        raise InputError(
            f"{where}: zip: an 837P needs the billing provider's ZIP+4 (9 digits), "
            'e.g. zip: "93721-2345"'
        )
    return Parties(
        submitter_name=provider.facility_name,
        submitter_id=mine.get("submitter_id") or provider.npi,
        contact_phone=str(provider.get("phone") or ""),
        receiver_name=spec.payer_name,
        receiver_id=mine.get("receiver_id") or payer_id,
        billing_name=provider.facility_name,
        billing_npi=provider.npi,
        billing_tin="".join(ch for ch in provider.tin if ch.isdigit()),
        billing_address=str(provider.get("address")),
        billing_city=str(provider.get("city")),
        billing_state=str(provider.get("state")),
        billing_zip=zip_digits,
        taxonomy=str(provider.get("taxonomy") or ""),
        payer_name=spec.payer_name,
        payer_id=payer_id,
    )


@gc_paused()
def render_837p(
    claims: list[Claim],
    parties: Parties,
    spec: BillingSpec,
    control: Control,
    created: datetime,
) -> str:
    """One interchange, one group, one 837 transaction holding every claim."""
    sep = spec.separators
    body = Segments(sep)
    _transaction(body, claims, parties, spec, created, control)
    isa = _isa(parties, control, created, sep)
    gs = sep.element.join(
        [
            "GS",
            "HC",
            body.clean(parties.submitter_id),
            body.clean(parties.receiver_id),
            created.strftime("%Y%m%d"),
            created.strftime("%H%M"),
            str(control.group),
            "X",
            IMPLEMENTATION,
        ]
    )
    ge = sep.element.join(["GE", "1", str(control.group)])
    iea = sep.element.join(["IEA", "1", f"{control.interchange:09d}"])
    segments = [isa, gs, *body.items, ge, iea]
    return "".join(s + sep.segment for s in segments)


def _isa(parties: Parties, control: Control, created: datetime, sep: Separators) -> str:
    def fixed(value: str, width: int) -> str:
        return value[:width].ljust(width)

    return sep.element.join(
        [
            "ISA",
            "00",
            fixed("", 10),
            "00",
            fixed("", 10),
            "ZZ",
            fixed(parties.submitter_id.upper(), 15),
            "ZZ",
            fixed(parties.receiver_id.upper(), 15),
            created.strftime("%y%m%d"),
            created.strftime("%H%M"),
            sep.repetition,
            "00501",
            f"{control.interchange:09d}",
            "0",
            control.usage,
            sep.component,
        ]
    )


def _transaction(s: Segments, claims, parties: Parties, spec, created, control) -> None:
    start = len(s.items)
    s.add("ST", "837", "0001", IMPLEMENTATION)
    s.add("BHT", "0019", "00", f"{control.interchange}", created.strftime("%Y%m%d"),
          created.strftime("%H%M"), "CH")  # fmt: skip
    # 1000A submitter, 1000B receiver
    s.add("NM1", "41", "2", s.cut(parties.submitter_name, 60), "", "", "", "", "46",
          parties.submitter_id)  # fmt: skip
    s.add("PER", "IC", s.cut(parties.submitter_name, 60), "TE", _digits(parties.contact_phone))
    s.add("NM1", "40", "2", s.cut(parties.receiver_name, 60), "", "", "", "", "46",
          parties.receiver_id)  # fmt: skip
    # 2000A billing provider
    s.add("HL", "1", "", "20", "1")
    if parties.taxonomy:
        s.add("PRV", "BI", "PXC", parties.taxonomy)
    s.add("NM1", "85", "2", s.cut(parties.billing_name, 60), "", "", "", "", "XX",
          parties.billing_npi)  # fmt: skip
    s.add("N3", s.cut(parties.billing_address, 55))
    s.add("N4", s.cut(parties.billing_city, 30), parties.billing_state, parties.billing_zip)
    s.add("REF", "EI", parties.billing_tin)
    # the claims' loops are built column-wise (x12_loops.py), as one item of many segments
    from ecmx.core.billing.x12_loops import claim_loops

    loops, count = claim_loops(s, claims, parties, spec) if claims else ("", 0)
    if loops:
        s.items.append(loops[: -len(s.sep.segment)])  # the join below ends each item
    s.add("SE", str(len(s.items) - start + 1 + max(count - 1, 0)), "0001")


def _digits(value) -> str:
    return "".join(ch for ch in text_or_blank(value) if ch.isdigit())
