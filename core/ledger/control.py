"""X12 control numbers kept in the ledger, per sender and receiver.

Without a workspace the numbers live in a JSON file beside the claims folder
(billing/control_numbers.py). With one, the ledger holds them: a run takes the next
numbers above the ledger's last for every sender/receiver pair it writes to, and above
the ``floor`` the folder gives (its JSON file and the 837P files in it), so numbers the
JSON file held before the workspace existed are never reused. The JSON file is read,
never written, once a workspace is used.
"""

from __future__ import annotations

from pathlib import Path

from ecmx.core.errors import OutputError
from ecmx.core.ledger.db import open_ledger, transaction

KINDS = ("ISA", "GS")  # the interchange and the group take the same number


def reserve(workspace: Path, pairs: list[tuple[str, str]], floor: int, maximum: int) -> list[int]:
    """One fresh number per (sender, receiver) in ``pairs``, in order, recorded before it is
    used; all in one transaction, so two runs at once never get the same number."""
    with open_ledger(workspace) as conn, transaction(conn):
        last = floor
        for sender, receiver in set(pairs):
            row = conn.execute(
                "SELECT MAX(last_number) FROM control_numbers WHERE sender = ? AND receiver = ?",
                (sender, receiver),
            ).fetchone()
            last = max(last, row[0] or 0)
        if last + len(pairs) > maximum:
            raise OutputError(
                f"the X12 control numbers in the ledger are used up (last {last}); "
                "ask the receiver how to reset them"
            )
        numbers = [last + i for i in range(1, len(pairs) + 1)]
        for (sender, receiver), number in zip(pairs, numbers, strict=True):
            for kind in KINDS:
                conn.execute(
                    "INSERT INTO control_numbers (sender, receiver, kind, last_number)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (sender, receiver, kind)"
                    " DO UPDATE SET last_number = MAX(last_number, excluded.last_number)",
                    (sender, receiver, kind, number),
                )
    return numbers


def last_numbers(workspace: Path) -> list[tuple[str, str, str, int]]:
    """(sender, receiver, kind, last number) for every pair the ledger holds."""
    with open_ledger(workspace) as conn:
        rows = conn.execute(
            "SELECT sender, receiver, kind, last_number FROM control_numbers ORDER BY 1, 2, 3"
        ).fetchall()
    return [tuple(row) for row in rows]
