"""The ledger database: ``.ecmx/ledger.sqlite3``, stdlib sqlite3 in WAL mode.

``PRAGMA user_version`` is the schema version. ``MIGRATIONS[i]`` takes a database from
version ``i`` to ``i + 1``; opening a ledger runs the ones it lacks, in order, each in
its own transaction. A ledger made by a newer ecmx is refused: this one cannot know
what the newer schema means. Every write is one transaction (``BEGIN IMMEDIATE``), and a
busy timeout makes a second process wait for the first instead of failing.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ecmx.core.errors import OutputError
from ecmx.core.ledger.workspace import MARKER

LEDGER_NAME = "ledger.sqlite3"
BUSY_TIMEOUT_MS = 30_000

_V1 = """
CREATE TABLE files_made (
    id INTEGER PRIMARY KEY,
    plan TEXT NOT NULL, kind TEXT NOT NULL, period TEXT NOT NULL, production_date TEXT,
    path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, rows INTEGER,
    errors INTEGER NOT NULL DEFAULT 0, warnings INTEGER NOT NULL DEFAULT 0,
    notes INTEGER NOT NULL DEFAULT 0,
    ecmx_version TEXT NOT NULL, plan_config_sha256 TEXT, made_at TEXT NOT NULL
);
CREATE INDEX files_made_period ON files_made (period, plan);
CREATE TABLE files_received (
    id INTEGER PRIMARY KEY,
    plan TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL,
    sha256 TEXT NOT NULL, received_at TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('local', 'sftp')), ingested_at TEXT
);
CREATE INDEX files_received_sha ON files_received (plan, sha256);
CREATE TABLE sends (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files_made (id),
    sent_at TEXT NOT NULL, destination TEXT NOT NULL, remote_name TEXT NOT NULL,
    outcome TEXT NOT NULL, detail TEXT
);
CREATE TABLE responses (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files_made (id),
    status TEXT NOT NULL, reason TEXT, received_at TEXT NOT NULL
);
CREATE TABLE control_numbers (
    sender TEXT NOT NULL, receiver TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ISA', 'GS', 'ST')),
    last_number INTEGER NOT NULL,
    PRIMARY KEY (sender, receiver, kind)
);
"""

# Version 2: what ``fetch``, ``send`` and the plan-response reader record.
# files_received.remote_name: the file's name on the plan's server (fetched over sFTP).
# sends: one row per attempt. ``outcome`` is ``sending`` while the upload runs (``pid`` and
# ``host`` name the process: a row whose process is gone is ``interrupted``, never
# ``sent``), then ``sent`` or ``failed`` (``detail`` says why; on a ``sent`` row: the
# identical file was found on the server already, not uploaded) at ``finished_at``;
# ``size``/``sha256`` are the file's as sent, ``checked`` how the server's copy was checked
# (``size`` or ``sha256``), ``resend`` 1 for a deliberate correction (``--resend``).
# responses.response_id: the received file (files_received) the answer was read from.
_V2 = """
ALTER TABLE files_received ADD COLUMN remote_name TEXT;
ALTER TABLE sends ADD COLUMN size INTEGER;
ALTER TABLE sends ADD COLUMN sha256 TEXT;
ALTER TABLE sends ADD COLUMN checked TEXT;
ALTER TABLE sends ADD COLUMN resend INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sends ADD COLUMN pid INTEGER;
ALTER TABLE sends ADD COLUMN host TEXT;
ALTER TABLE sends ADD COLUMN finished_at TEXT;
CREATE INDEX sends_file ON sends (file_id);
ALTER TABLE responses ADD COLUMN response_id INTEGER REFERENCES files_received (id);
CREATE INDEX responses_file ON responses (file_id);
"""

# Version 3: what a 999, 277CA or 835 said about each claim and line billed (issue 16).
# response_id: the response file read (files_received, kind 999/277ca/835); billed_id: the
# 837P (files_made); claim: its CLM01; line: the billed line's LX01 (0: the whole claim);
# amounts are decimal text (money is never a float); codes: a JSON list, each code with
# its meaning in words. No member data: CLM01 is built from the provider's member id, so a
# claim is named by its place in the billed file (claim_number: 1 = the file's first CLM),
# which the 837P on disk turns back into CLM01 for the status report.
_V3 = """
CREATE TABLE claim_outcomes (
    id INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES files_received (id),
    billed_id INTEGER NOT NULL REFERENCES files_made (id),
    kind TEXT NOT NULL CHECK (kind IN ('999', '277ca', '835')),
    claim_number INTEGER NOT NULL, line INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL,
    billed TEXT NOT NULL, paid TEXT, adjusted TEXT, codes TEXT NOT NULL DEFAULT '[]',
    payer_claim TEXT NOT NULL DEFAULT ''
);
CREATE INDEX claim_outcomes_billed ON claim_outcomes (billed_id, claim_number, line);
CREATE INDEX claim_outcomes_response ON claim_outcomes (response_id)
"""

# Append only: a released migration is never edited (a ledger in the field has run it).
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)


def ledger_path(workspace: Path) -> Path:
    return Path(workspace) / MARKER / LEDGER_NAME


@contextlib.contextmanager
def open_ledger(workspace: Path) -> Iterator[sqlite3.Connection]:
    """The workspace's ledger, made or upgraded to this ecmx's schema; closed on exit."""
    path = ledger_path(workspace)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise OutputError(f"{path}: the ledger cannot be opened ({exc})") from None
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, path)
        yield conn
    except sqlite3.DatabaseError as exc:
        raise OutputError(f"{path}: the ledger cannot be used ({exc})") from None
    finally:
        conn.close()


def check_ledger(workspace: Path | None) -> None:
    """Before a command writes anything: the workspace's ledger can be used (made, or
    upgraded); a ledger it could not record in is an error before, not after, the files."""
    if workspace is not None:
        with open_ledger(workspace):
            pass


def migrate(conn: sqlite3.Connection, path: Path) -> int:
    """Run the migrations ``conn`` lacks; the version it is at. Refuses a newer ledger."""
    while True:
        with transaction(conn):
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise OutputError(
                    f"{path}: this ledger was written by a newer ecmx (schema {version}; this "
                    f"ecmx knows up to {SCHEMA_VERSION}): upgrade ecmx to use this workspace"
                )
            if version == SCHEMA_VERSION:
                return version
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken at once (another process waits up to the busy timeout)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
