"""The ledger database itself: migrations by ``PRAGMA user_version``, a newer ledger refused,
and two processes writing at once (one waits for the other; nothing lost)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from ecmx.core.errors import OutputError
from ecmx.core.ledger import db
from ecmx.core.ledger.db import SCHEMA_VERSION, ledger_path, open_ledger
from ecmx.core.ledger.records import MadeFile, listing, record_made
from ecmx.core.ledger.workspace import init_workspace, resolve_workspace


@pytest.fixture
def workspace(tmp_path) -> Path:
    assert init_workspace(tmp_path) is True
    assert init_workspace(tmp_path) is False
    return tmp_path


def version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def a_file(workspace: Path, name: str = "a.csv") -> MadeFile:
    path = workspace / name
    path.write_text("header\n", encoding="utf-8")
    return MadeFile("healthnet", "rtf", "2025-11", date(2025, 12, 3), path, rows=0)


def test_an_empty_file_is_brought_to_this_schema(workspace):
    path = ledger_path(workspace)
    sqlite3.connect(path).close()  # an empty database: version 0
    assert version(path) == 0
    with open_ledger(workspace) as conn:
        assert conn.execute("SELECT COUNT(*) FROM files_made").fetchone()[0] == 0
    assert version(path) == SCHEMA_VERSION


def test_an_old_ledger_is_upgraded_in_order_keeping_its_rows(workspace, monkeypatch):
    record_made(workspace, [a_file(workspace)])  # written at this ecmx's schema
    path = ledger_path(workspace)
    assert version(path) == SCHEMA_VERSION
    later = (
        "ALTER TABLE files_made ADD COLUMN checked_at TEXT;"
        "UPDATE files_made SET checked_at = 'upgraded'",
        "CREATE TABLE upgraded_twice (id INTEGER PRIMARY KEY)",
    )
    monkeypatch.setattr(db, "MIGRATIONS", (*db.MIGRATIONS, *later))
    monkeypatch.setattr(db, "SCHEMA_VERSION", SCHEMA_VERSION + 2)
    with open_ledger(workspace) as conn:
        [row] = conn.execute("SELECT plan, checked_at FROM files_made").fetchall()
        assert tuple(row) == ("healthnet", "upgraded")
        conn.execute("SELECT * FROM upgraded_twice")
    assert version(path) == SCHEMA_VERSION + 2


def test_a_version_1_ledger_gains_the_send_and_fetch_columns_keeping_its_rows(workspace):
    """A ledger written by the ecmx before ``send`` (schema 1) opens in this one."""
    path = ledger_path(workspace)
    conn = sqlite3.connect(path)
    conn.executescript(db.MIGRATIONS[0] + "PRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO files_received (plan, kind, path, size, sha256, received_at, source)"
        " VALUES ('partnership', 'mif', '/in/a.xlsx', 3, 'abc', '2025-12-02', 'local')"
    )
    conn.commit()
    conn.close()
    with open_ledger(workspace) as conn:
        [row] = conn.execute("SELECT plan, remote_name FROM files_received").fetchall()
        assert tuple(row) == ("partnership", None)
        columns = {r["name"] for r in conn.execute("PRAGMA table_info(sends)")}
        assert {"size", "sha256", "checked", "resend", "pid", "host", "finished_at"} <= columns
    assert version(path) == SCHEMA_VERSION == 3


def test_a_version_2_ledger_gains_the_claim_outcomes_keeping_its_rows(workspace):
    """A ledger written before the 999/277CA/835 readers (schema 2) opens in this one."""
    path = ledger_path(workspace)
    conn = sqlite3.connect(path)
    conn.executescript(db.MIGRATIONS[0] + db.MIGRATIONS[1] + ";PRAGMA user_version = 2;")
    conn.execute(
        "INSERT INTO files_received (plan, kind, path, size, sha256, received_at, source)"
        " VALUES ('chpiv', 'mif', '/in/a.txt', 3, 'abc', '2025-12-02', 'local')"
    )
    conn.commit()
    conn.close()
    with open_ledger(workspace) as conn:
        assert conn.execute("SELECT count(*) FROM files_received").fetchone()[0] == 1
        columns = {r["name"] for r in conn.execute("PRAGMA table_info(claim_outcomes)")}
        assert {
            "response_id",
            "billed_id",
            "claim_number",
            "line",
            "status",
            "paid",
            "codes",
        } <= columns
        assert "claim" not in columns  # CLM01 holds the member id: never stored
    assert version(path) == 3


def test_a_failed_migration_leaves_the_ledger_as_it_was(workspace, monkeypatch):
    record_made(workspace, [a_file(workspace)])
    monkeypatch.setattr(db, "MIGRATIONS", (*db.MIGRATIONS, "CREATE TABLE files_made (x)"))
    monkeypatch.setattr(db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(OutputError, match="the ledger cannot be used"), open_ledger(workspace):
        pass
    assert version(ledger_path(workspace)) == SCHEMA_VERSION


def test_a_ledger_from_a_newer_ecmx_is_refused_in_one_line(workspace):
    path = ledger_path(workspace)
    with open_ledger(workspace):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(OutputError) as raised:
        listing(workspace)
    message = str(raised.value)
    assert "newer ecmx" in message and "upgrade ecmx" in message and "\n" not in message
    assert path.read_bytes() == before
    assert version(path) == SCHEMA_VERSION + 1


def test_an_unnamed_folder_is_no_workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("ECMX_WORKSPACE", raising=False)
    assert resolve_workspace(None, tmp_path) is None
    init_workspace(tmp_path / "ws")
    (tmp_path / "ws" / "a" / "b").mkdir(parents=True)
    assert resolve_workspace(None, tmp_path / "ws" / "a" / "b") == (tmp_path / "ws").resolve()


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date
    from pathlib import Path
    from ecmx.core.ledger.records import MadeFile, record_made

    workspace, tag = Path(sys.argv[1]), sys.argv[2]
    path = workspace / f"{tag}.csv"
    path.write_text(tag, encoding="utf-8")
    for _ in range(40):
        record_made(workspace, [MadeFile(tag, "rtf", "2025-11", date(2025, 12, 3), path)])
    """
)


def test_two_processes_writing_at_once_both_succeed(workspace):
    with open_ledger(workspace):
        pass
    # one process holds the write lock for a while: the others wait instead of failing
    conn = sqlite3.connect(ledger_path(workspace), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(workspace), tag], stderr=subprocess.PIPE
        )
        for tag in ("one", "two")
    ]
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            procs[0].wait(timeout=1.5)  # blocked on the lock, not failed
    finally:
        conn.execute("COMMIT")
        conn.close()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    plans = [row["plan"] for row in listing(workspace)]
    assert sorted(plans) == ["one"] * 40 + ["two"] * 40
