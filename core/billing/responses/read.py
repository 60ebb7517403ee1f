"""Read what a payer sent back: pick the reader by each transaction set's code (ST01).

One file may hold several transaction sets, even of different kinds (a clearinghouse
can bundle a 999 and a 277CA in one interchange). They are not merged: each 999
acknowledges its own functional group and each 835 is its own payment (check or EFT,
with its own trace number), so merging would lose what reconciling needs.
``read_responses`` returns one record per transaction set, in file order;
``read_response`` is the common case of a file with exactly one.

No X12 parser library is used for reading: pyx12 (a test dependency) validates
whole files against the implementation guides, but it stops short of giving records,
and ecmx already reads the envelope (x12_read, separators from the ISA). The readers
walk the segments by their ids, and pyx12 checks, in the tests, that every file they
are tested on is well-formed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ecmx.core.billing.x12_read import Interchange, Transaction, read_interchange
from ecmx.core.errors import InputError, printable

from .ack277 import IMPLEMENTATION as X214
from .ack277 import read_277
from .ack999 import read_999
from .model import Response
from .remit835 import read_835

READERS: dict[str, Callable[[Interchange, Transaction], Response]] = {
    "999": read_999,
    "277": read_277,
    "835": read_835,
}
NOT_RESPONSES = {
    "837": "this is a claim file (837), not a response: load the 999, 277CA or 835 the "
    "payer sent back for it",
    "997": "this is a 997, the acknowledgement before 5010: ask the payer or clearinghouse "
    "for the 999 (005010X231A1)",
}


def read_responses(path: Path) -> tuple[Response, ...]:
    """Every 999, 277CA and 835 transaction set in the file at ``path``, in file order."""
    interchange = read_interchange(Path(path))
    return tuple(_read(interchange, t) for t in interchange.transactions)


def read_response(path: Path) -> Response:
    """The one 999, 277CA or 835 in the file at ``path``."""
    records = read_responses(path)
    if len(records) != 1:
        raise InputError(
            f"{path}: holds {len(records)} transaction sets, not one; read it with "
            "read_responses, which returns each"
        )
    return records[0]


def _read(interchange: Interchange, transaction: Transaction) -> Response:
    path, code = interchange.path, transaction.code.strip()
    where = f"{path}: segment {transaction.segments[0].number} (ST)"
    if code in NOT_RESPONSES:
        raise InputError(f"{where}: {NOT_RESPONSES[code]}")
    reader = READERS.get(code)
    if reader is None:
        raise InputError(
            f"{where}: transaction set {printable(code[:6]) or '(empty)'} is not a response "
            "ecmx reads (999, 277CA, 835): check this is the file the payer sent back"
        )
    if code == "277" and transaction.version and transaction.version != X214:
        raise InputError(
            f"{where}: this 277 is {printable(transaction.version[:12])}, not the claim "
            f"acknowledgement (277CA, {X214}): ecmx reads the 277CA the payer sends after "
            "a claim file"
        )
    return reader(interchange, transaction)
