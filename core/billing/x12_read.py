"""Reading any X12 5010 interchange: its separators, its segments, and its envelopes.

The separators come from the ISA segment itself (element separator: the byte after
"ISA"; repetition: ISA11; component: ISA16; segment terminator: the byte after ISA16),
so a file with ``~`` or a newline as terminator, line breaks after each segment, or
other separators reads the same. Nothing is guessed past the ISA: a file that does not
start with one is refused in one line. The 837P ecmx writes is read back with this too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ecmx.core.errors import InputError

MAX_X12_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Segment:
    number: int  # 1-based position in the file, as X12 acknowledgements count
    id: str
    elements: tuple[str, ...]  # elements[0] is the first after the id (X12's "01")

    def get(self, position: int, default: str = "") -> str:
        """Element ``position`` as X12 numbers it (1 = the first after the id)."""
        return self.elements[position - 1] if 0 < position <= len(self.elements) else default

    def parts(self, position: int, component: str) -> tuple[str, ...]:
        """A composite element's components (HC:G9008:U1 -> ("HC", "G9008", "U1"))."""
        return tuple(self.get(position).split(component)) if self.get(position) else ()


@dataclass(frozen=True)
class Transaction:
    """One ST..SE transaction set of a functional group."""

    code: str  # ST01: 837, 999, 277, 835
    control: str  # ST02
    version: str  # ST03 (or GS08)
    group_control: str  # GS06
    interchange_control: str  # ISA13
    segments: tuple[Segment, ...]  # ST..SE inclusive


@dataclass(frozen=True)
class Interchange:
    path: Path
    element: str
    component: str
    repetition: str
    terminator: str
    sender: str  # ISA06, trimmed
    receiver: str  # ISA08, trimmed
    control: str  # ISA13
    test: bool  # ISA15 == "T"
    transactions: list[Transaction] = field(default_factory=list)


def read_interchange(path: Path) -> Interchange:
    """Every transaction of the file at ``path``; InputError (one line) when it is not X12."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_X12_BYTES:
            raise InputError(f"{path}: larger than {MAX_X12_BYTES // 2**20} MiB; not an X12 file")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    text = raw.decode("latin-1").lstrip("\ufeff\r\n\t ")
    return parse_interchange(text, path)


def parse_interchange(text: str, path: Path) -> Interchange:
    if not text.startswith("ISA") or len(text) < 106:
        raise InputError(
            f"{path}: not an X12 file (it does not start with an ISA segment); "
            "save the plan's file as it came, without opening it in a text editor"
        )
    element, component, terminator = text[3], text[104], text[105]
    isa = text[:105].split(element)
    if len(isa) != 17:
        raise InputError(f"{path}: the ISA segment has {len(isa) - 1} elements, not 16")
    repetition = isa[11] if isa[12] >= "00501" else ""
    segments = _segments(text, element, terminator)
    interchange = Interchange(
        path, element, component, repetition, terminator, isa[6].strip(), isa[8].strip(),
        isa[13], isa[15] == "T",
    )  # fmt: skip
    _transactions(interchange, segments)
    return interchange


def _segments(text: str, element: str, terminator: str) -> list[Segment]:
    found: list[Segment] = []
    for raw in text.split(terminator):
        raw = raw.strip("\r\n")
        if not raw.strip():
            continue
        parts = raw.split(element)
        found.append(Segment(len(found) + 1, parts[0].strip(), tuple(parts[1:])))
    return found


def _transactions(interchange: Interchange, segments: list[Segment]) -> None:
    path = interchange.path
    group: Segment | None = None
    current: list[Segment] | None = None  # the open ST .. SE, its GS first
    for segment in segments:
        if segment.id == "GS":
            group = segment
        elif segment.id == "ST":
            if group is None:
                raise InputError(f"{path}: segment {segment.number}: ST outside a GS group")
            if current is not None:  # a new ST before the last one's SE: it was cut short
                break
            current = [group, segment]
        elif current is not None:
            current.append(segment)
            if segment.id == "SE":
                gs, st = current[0], current[1]
                interchange.transactions.append(
                    Transaction(st.get(1), st.get(2), st.get(3) or gs.get(8), gs.get(6),
                                interchange.control, tuple(current[1:]))
                )  # fmt: skip
                current = None
    if current is not None:
        raise InputError(
            f"{path}: transaction {current[1].get(2)} has no SE (the file is cut short)"
        )
    if not interchange.transactions:
        raise InputError(f"{path}: an X12 interchange with no transaction in it")
