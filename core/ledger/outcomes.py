"""The claim outcomes the ledger records: what each 999, 277CA and 835 read said about
each claim and line billed (table ``claim_outcomes``, schema version 3). A response file
is recorded once (by plan and sha256): reading it again adds nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from ecmx.core.billing.responses.billed import BilledFile
from ecmx.core.billing.responses.match import Matched, Outcome
from ecmx.core.ledger.db import open_ledger, transaction
from ecmx.core.ledger.records import _now, sha256_of

RESPONSE_KINDS = ("999", "277ca", "835")


def record_outcomes(workspace: Path, plan: str, path: Path, matched: list[Matched],
                    files: list[BilledFile]) -> int | None:  # fmt: skip
    """Record the response file and its outcomes in one transaction; its files_received id,
    or None when this file (same plan, same content) was recorded before: nothing added.
    Its kind: 999, 277ca or 835, or those it bundles joined by "+" (999+277ca). Each claim
    is recorded by its place in its billed file (``files``), never by CLM01."""
    path = Path(path)
    digest = sha256_of(path)
    kind = "+".join(dict.fromkeys(m.kind for m in matched))
    places = {(f.file_id, c.patient_control): n for f in files
              for n, c in enumerate(f.claims, start=1)}  # fmt: skip
    with open_ledger(workspace) as conn, transaction(conn):
        seen = conn.execute(
            "SELECT id FROM files_received WHERE plan = ? AND sha256 = ? AND kind = ?",
            (plan, digest, kind),
        ).fetchone()
        if seen is not None:
            return None
        cursor = conn.execute(
            "INSERT INTO files_received (plan, kind, path, size, sha256, received_at, source,"
            " ingested_at) VALUES (?, ?, ?, ?, ?, ?, 'local', ?)",
            (plan, kind, str(path.resolve()), path.stat().st_size, digest, _now(),
             _now()),
        )  # fmt: skip
        response_id = int(cursor.lastrowid or 0)
        conn.executemany(
            "INSERT INTO claim_outcomes (response_id, billed_id, kind, claim_number, line, status,"
            " billed, paid, adjusted, codes, payer_claim) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [_row(response_id, m.kind, o, places) for m in matched for o in m.outcomes],
        )
    return response_id


def _row(response_id: int, kind: str, o: Outcome, places: dict) -> tuple:
    return (response_id, o.billed_id, kind, places[(o.billed_id, o.claim)], o.line, o.status, str(o.billed),
            _text(o.paid), _text(o.adjusted), json.dumps(list(o.codes)), o.payer_claim)  # fmt: skip


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def outcomes_for(workspace: Path, billed_ids: list[int]) -> list[dict]:
    """Every outcome recorded for these billed files, in the order read (oldest first)."""
    if not billed_ids:
        return []
    marks = ",".join("?" * len(billed_ids))
    with open_ledger(workspace) as conn:
        rows = conn.execute(
            "SELECT o.*, r.path AS response_path FROM claim_outcomes o JOIN files_received r"
            f" ON r.id = o.response_id WHERE o.billed_id IN ({marks}) ORDER BY o.id",
            billed_ids,
        ).fetchall()
    found = []
    for row in rows:
        item = dict(row)
        item["codes"] = tuple(json.loads(row["codes"]))
        for name in ("billed", "paid", "adjusted"):
            item[name] = None if row[name] is None else Decimal(row[name])
        found.append(item)
    return found
