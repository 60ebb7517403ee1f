"""Reading one value out of a response segment, or saying in one line why it cannot be.

Every reader goes through these, so a malformed file always fails the same way: the
file, the segment's number (as X12 acknowledgements count it, from the ISA), what is
wrong and how to fix it. A value that may be member data (an ID, a name) is never put in
a message; an amount or a date is, since it is what the user must find in the file.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from ecmx.core.billing.x12_read import Interchange, Segment
from ecmx.core.errors import InputError, printable

from .model import Envelope

# X12's decimal type (R): an optional minus, digits with at most one decimal point. Not
# Decimal()'s grammar, which would also take "NaN", "Infinity" and "1E5".
_AMOUNT = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
ASK_AGAIN = "ask the payer (or clearinghouse) to send the file again"


def envelope(interchange: Interchange) -> Envelope:
    return Envelope(
        interchange.path, interchange.sender, interchange.receiver, interchange.control,
        interchange.test,
    )  # fmt: skip


def problem(path: Path, segment: Segment, what: str, fix: str = ASK_AGAIN) -> InputError:
    return InputError(f"{path}: segment {segment.number} ({segment.id}): {what}; {fix}")


def required(path: Path, segment: Segment, position: int, name: str) -> str:
    value = segment.get(position).strip()
    if not value:
        raise problem(path, segment, f"{segment.id}{position:02} ({name}) is empty")
    return value


def amount(path: Path, segment: Segment, position: int, name: str, default: str = "") -> Decimal:
    """The money in element ``position``; ``default`` when it is empty and optional."""
    value = segment.get(position).strip() or default
    if not value:
        raise problem(path, segment, f"{segment.id}{position:02} ({name}) is empty")
    if not _AMOUNT.fullmatch(value):
        raise problem(
            path, segment, f"{segment.id}{position:02} ({name}) is not an amount: "
            f"'{printable(value[:20])}'",
        )  # fmt: skip
    return Decimal(value)


def ccyymmdd(path: Path, segment: Segment, position: int, name: str) -> date | None:
    """The date in element ``position`` (CCYYMMDD); None when the element is empty."""
    value = segment.get(position).strip()
    if not value:
        return None
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise problem(
            path, segment, f"{segment.id}{position:02} ({name}) is not a date (CCYYMMDD): "
            f"'{printable(value[:20])}'",
        ) from None  # fmt: skip


def missing(path: Path, first: Segment, segment_id: str, what: str) -> InputError:
    """A required segment that never came (the transaction starting at ``first``)."""
    return InputError(
        f"{path}: the transaction set starting at segment {first.number} has no {segment_id} "
        f"segment; the file is cut short or is not {what}: {ASK_AGAIN}"
    )
