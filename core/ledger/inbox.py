"""What ``fetch`` and the plan-response reader ask of the ledger: which files of a plan's
server it already has, which were merged, and the plan's answers about files sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ecmx.core.ledger.db import open_ledger, transaction
from ecmx.core.ledger.records import _now

MATCHED, ALREADY, UNMATCHED = "recorded", "already recorded", "no such file sent"


def already_received(workspace: Path, plan: str, remote_name: str, size: int) -> bool:
    """The plan's server file ``remote_name`` of ``size`` bytes was fetched before."""
    with open_ledger(workspace) as conn:
        row = conn.execute(
            "SELECT 1 FROM files_received WHERE plan = ? AND remote_name = ? AND size = ?",
            (plan, remote_name, size),
        ).fetchone()
    return row is not None


def received_with_hash(workspace: Path, plan: str, sha256: str, remote_name: str | None = None):
    """The plan's received file with this content (and remote name, if given); None if none."""
    with open_ledger(workspace) as conn:
        return conn.execute(
            "SELECT * FROM files_received WHERE plan = ? AND sha256 = ?"
            " AND (? IS NULL OR remote_name = ?) ORDER BY id LIMIT 1",
            (plan, sha256, remote_name, remote_name),
        ).fetchone()


def mark_ingested(workspace: Path, received_ids: list[int]) -> None:
    """``ingested_at`` now, for exactly these received files (merged into a dataset)."""
    if not received_ids:
        return
    now = _now()
    with open_ledger(workspace) as conn, transaction(conn):
        conn.executemany(
            "UPDATE files_received SET ingested_at = ? WHERE id = ?",
            [(now, rid) for rid in received_ids],
        )


@dataclass(frozen=True)
class Answer:
    """One row of a plan's response: the file it names and what the plan said."""

    row: int
    file: str
    status: str  # accepted | declined
    reason: str = ""
    when: date | None = None


def record_answers(
    workspace: Path, plan: str, response_id: int, answers: list[Answer]
) -> list[tuple[Answer, str, int | None]]:
    """Each answer against the plan's newest send of the file it names: ``(answer, outcome,
    file_id)``; outcome ``recorded``, ``already recorded`` (this response, read before) or
    ``no such file sent`` (nothing recorded)."""
    done: list[tuple[Answer, str, int | None]] = []
    with open_ledger(workspace) as conn, transaction(conn):
        for answer in answers:
            sent = conn.execute(
                "SELECT s.file_id FROM sends s JOIN files_made f ON f.id = s.file_id"
                " WHERE f.plan = ? AND s.remote_name = ? COLLATE NOCASE AND s.outcome = 'sent'"
                " ORDER BY s.finished_at DESC, s.id DESC LIMIT 1",
                (plan, answer.file),
            ).fetchone()
            if sent is None:
                done.append((answer, UNMATCHED, None))
                continue
            file_id = sent["file_id"]
            seen = conn.execute(
                "SELECT 1 FROM responses WHERE file_id = ? AND response_id = ? AND status = ?"
                " AND coalesce(reason, '') = ?",
                (file_id, response_id, answer.status, answer.reason),
            ).fetchone()
            if seen is None:
                when = answer.when.isoformat() if answer.when else _now()
                conn.execute(
                    "INSERT INTO responses (file_id, status, reason, received_at, response_id)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (file_id, answer.status, answer.reason or None, when, response_id),
                )
            done.append((answer, MATCHED if seen is None else ALREADY, file_id))
    return done
