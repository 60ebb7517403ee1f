"""What ``ecmx send`` records, and the queries that read it back (the month board and the
plan-response reader read sends through here too).

``sends`` holds one row per attempt to put a file made (``files_made``, by ``file_id``)
into a plan's sFTP folder. ``sent_at`` is when the attempt began, ``destination`` the
folder as ``user@host:port:/folder`` (no secret), ``remote_name`` the file's name there.
``outcome`` is one of:

- ``sending``: the upload runs now, in process ``pid`` on ``host``. Taken in one
  transaction after checking that no live process holds a ``sending`` row for the same
  (plan, kind, period): that row is the claim that keeps two sends apart.
- ``sent``: the server's rename into place finished: the file is under ``remote_name``.
  ``size`` and ``sha256`` are the file's as sent, ``checked`` how the server's copy was
  checked (``size``, or ``sha256`` where the server offers a hash), ``finished_at`` when.
  Also ``sent``, with ``checked`` = ``sha256`` and a ``detail`` saying so, when the name
  was found already on the server (a send killed after the rename, before its row knew;
  a copy put there by hand) and its bytes, read back, are identical: nothing uploaded.
  Nothing else is ever ``sent``.
- ``failed``: the attempt stopped (connection refused, host key, login, missing folder,
  a different file of that name already there...): ``detail`` says why in one line, no
  secret.
- ``interrupted``: the process died mid-send (killed, power lost). A ``sending`` row
  whose process no longer runs on this host is read as ``interrupted``, and turned into
  one by the next claim. A hidden ``.NAME.ecmx-part`` may be left on the server or, if
  killed after the rename, the file under its name: the next send reads it back (above).

``resend`` is 1 for a deliberate correction (``ecmx send --resend``) of a (plan, kind,
period) already sent. No member data is recorded: a file's metadata only.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ecmx.core.ledger.db import open_ledger, transaction
from ecmx.core.storage.processes import gone, this_host

SENDING, SENT, FAILED, INTERRUPTED = "sending", "sent", "failed", "interrupted"
OUTCOMES = (SENDING, SENT, FAILED, INTERRUPTED)

_JOINED = (
    "SELECT s.*, m.plan, m.kind, m.period, m.path FROM sends s"
    " JOIN files_made m ON m.id = s.file_id"
)


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def outcome_of(row) -> str:
    """A row's outcome as it stands: a ``sending`` row whose process died is interrupted."""
    if row["outcome"] == SENDING and gone(row["pid"], row["host"]):
        return INTERRUPTED
    return row["outcome"]


def newest_made(
    conn: sqlite3.Connection, plan: str, period: str, kinds: tuple[str, ...]
) -> list[sqlite3.Row]:
    """The newest file made of each of ``kinds`` for ``plan`` and ``period``, by kind."""
    rows = conn.execute(
        "SELECT * FROM files_made WHERE plan = ? AND period = ? ORDER BY id DESC",
        (plan, period),
    ).fetchall()
    newest: dict[str, sqlite3.Row] = {}
    for row in rows:
        if row["kind"] in kinds:
            newest.setdefault(row["kind"], row)
    return sorted(newest.values(), key=lambda r: kinds.index(r["kind"]))


def made_at(conn: sqlite3.Connection, path: Path) -> sqlite3.Row | None:
    """The newest ``files_made`` row of the file at ``path`` (compared resolved)."""
    return conn.execute(
        "SELECT * FROM files_made WHERE path = ? ORDER BY id DESC LIMIT 1",
        (str(Path(path).resolve()),),
    ).fetchone()


def last_sent(conn: sqlite3.Connection, plan: str, kind: str, period: str) -> sqlite3.Row | None:
    """The latest ``sent`` row of any file of (plan, kind, period), with the file's path."""
    return conn.execute(
        _JOINED + " WHERE m.plan = ? AND m.kind = ? AND m.period = ? AND s.outcome = ?"
        " ORDER BY s.id DESC LIMIT 1",
        (plan, kind, period, SENT),
    ).fetchone()


def attempts(workspace: Path, period: str | None = None) -> list[dict]:
    """Every send attempt (of ``period``'s files, or all), oldest first, with the file's
    plan, kind, period and path, and ``outcome`` as it stands (see ``outcome_of``)."""
    with open_ledger(workspace) as conn:
        rows = conn.execute(
            _JOINED + " WHERE ? IS NULL OR m.period = ? ORDER BY s.id", (period, period)
        ).fetchall()
    return [dict(row, outcome=outcome_of(row)) for row in rows]


def latest_id(workspace: Path) -> int:
    """The newest attempt's id (0 for none): a run notes it when it begins."""
    with open_ledger(workspace) as conn:
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM sends").fetchone()[0])


@dataclass(frozen=True)
class Claim:
    """The claim on a file's (plan, kind, period): ``send_id`` to upload under, or none
    and why (``already``: the sent row when it was sent already; ``holder``: a live
    process's text when another send holds it)."""

    send_id: int | None
    already: sqlite3.Row | None = None
    holder: str = ""
    resend: bool = False


def claim(
    workspace: Path, file_row, destination: str, remote_name: str, *, resend: bool,
    since: int,
) -> Claim:  # fmt: skip
    """In one ``BEGIN IMMEDIATE`` transaction: turn dead processes' ``sending`` rows of the
    file's (plan, kind, period) into ``interrupted``; refuse when a live one remains or
    when it was sent already (without ``resend``; with it, when another run sent it since
    this one began: a row id above ``since``, ``latest_id`` then); else insert this
    process's ``sending`` row."""
    key = (file_row["plan"], file_row["kind"], file_row["period"])
    with open_ledger(workspace) as conn, transaction(conn):
        for row in conn.execute(
            _JOINED + " WHERE m.plan = ? AND m.kind = ? AND m.period = ? AND s.outcome = ?",
            (*key, SENDING),
        ).fetchall():
            if outcome_of(row) != INTERRUPTED:
                return Claim(None, holder=f"process {row['pid']} on {row['host']}")
            conn.execute(
                "UPDATE sends SET outcome = ?, finished_at = ? WHERE id = ?",
                (INTERRUPTED, now(), row["id"]),
            )
        sent = last_sent(conn, *key)
        if sent is not None and (not resend or sent["id"] > since):
            return Claim(None, already=sent)
        cursor = conn.execute(
            "INSERT INTO sends (file_id, sent_at, destination, remote_name, outcome, resend,"
            " pid, host) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (file_row["id"], now(), destination, remote_name, SENDING,
             int(resend and sent is not None), os.getpid(), this_host()),
        )  # fmt: skip
        return Claim(int(cursor.lastrowid or 0), resend=resend and sent is not None)


def finish(
    workspace: Path, send_id: int, outcome: str, *, detail: str | None = None,
    size: int | None = None, sha256: str | None = None, checked: str | None = None,
) -> None:  # fmt: skip
    """Close an attempt: ``sent`` (after the rename on the server), ``failed`` or
    ``interrupted``."""
    assert outcome in (SENT, FAILED, INTERRUPTED)
    with open_ledger(workspace) as conn, transaction(conn):
        conn.execute(
            "UPDATE sends SET outcome = ?, detail = ?, size = ?, sha256 = ?, checked = ?,"
            " finished_at = ? WHERE id = ? AND outcome = ?",
            (outcome, detail, size, sha256, checked, now(), send_id, SENDING),
        )
