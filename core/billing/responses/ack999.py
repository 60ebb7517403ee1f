"""The 999 (005010X231A1): was the claim file accepted at the payer's front door?

One 999 transaction acknowledges one functional group (GS) of the claim file: AK1 names
the group, then for each 837 transaction in it AK2 .. IK5 says accepted or rejected and
why (IK3: a segment in error, IK4: an element in it), and AK9 closes with the verdict on
the whole group. The errors are put in words with their position in the 837, so a user
can find the segment ecmx wrote. IK4-04 (a copy of the bad value) and CTX (the claim's
business identifiers) may hold member data: they are never copied into a message.
"""

from __future__ import annotations

from pathlib import Path

from ecmx.core.billing.x12_read import Interchange, Segment, Transaction

from . import codes
from .fields import envelope, missing, problem, required
from .model import Ack999, TransactionAck


def read_999(interchange: Interchange, transaction: Transaction) -> Ack999:
    path, component = interchange.path, interchange.component
    group = status = ""
    acks: list[TransactionAck] = []
    current: tuple[Segment, list[str]] | None = None  # (AK2, its errors so far)
    in_error = ""  # the segment id of the last IK3: what an IK4's element belongs to
    for segment in transaction.segments:
        if segment.id == "AK1":
            group = required(path, segment, 2, "the group control number acknowledged")
        elif segment.id == "AK2":
            _not_open(path, current, segment)
            required(path, segment, 2, "the transaction control number acknowledged")
            current = (segment, [])
        elif segment.id in ("IK3", "IK4"):
            if current is None:
                raise problem(path, segment, f"{segment.id} outside an AK2 .. IK5 loop")
            in_error = segment.get(1) if segment.id == "IK3" else in_error
            current[1].append(_error(segment, component, in_error))
        elif segment.id == "IK5":
            if current is None:
                raise problem(path, segment, "IK5 without its AK2")
            acks.append(_transaction_ack(path, segment, *current))
            current = None
        elif segment.id == "AK9":
            _not_open(path, current, segment)
            status = required(path, segment, 1, "the functional group acknowledge code")
    first = transaction.segments[0]
    if not group:
        raise missing(path, first, "AK1", "a 999 acknowledgement")
    if not status:
        raise missing(path, first, "AK9", "a 999 acknowledgement")
    _not_open(path, current, transaction.segments[-1])
    return Ack999(envelope(interchange), group, status, codes.ack_group(status), tuple(acks))


def _not_open(path: Path, current: tuple[Segment, list[str]] | None, segment: Segment) -> None:
    if current is not None:
        raise problem(path, segment, f"the AK2 at segment {current[0].number} has no IK5")


def _transaction_ack(path: Path, ik5: Segment, ak2: Segment, errors: list[str]) -> TransactionAck:
    status = required(path, ik5, 1, "the transaction set acknowledgment code")
    for position in range(2, 7):
        code = ik5.get(position).strip()
        if code:
            meaning = codes.meaning("transaction_error", code)
            errors.append(f"the transaction set: {meaning} (IK5{position:02} {code})")
    return TransactionAck(ak2.get(2).strip(), status, codes.ack_transaction(status), tuple(errors))


def _error(segment: Segment, component: str, segment_id: str) -> str:
    """An IK3 or IK4 in words, with where the error is in the claim file."""
    if segment.id == "IK3":
        loop = f" in loop {segment.get(3)}" if segment.get(3) else ""
        code = segment.get(4).strip()
        where = f"segment {segment.get(1)} at position {segment.get(2)} of the 837{loop}"
        what = codes.meaning("segment_error", code) if code else "an error in its elements"
        return f"{where}: {what}" + (f" (IK304 {code})" if code else "")
    position = segment.parts(1, component) or ("?",)
    element = position[0].zfill(2) + (f"-{position[1]}" if len(position) > 1 else "")
    reference = f" (data element {segment.get(2)})" if segment.get(2) else ""
    code = segment.get(3).strip()
    words = codes.meaning("element_error", code)
    return f"element {segment_id}{element}{reference}: {words} (IK403 {code})"
