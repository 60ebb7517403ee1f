"""Reading a workspace's ledger in tests, as sqlite3 sees it (not through ecmx's code)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path


def db_rows(workspace: Path, sql: str = "SELECT * FROM sends ORDER BY id", *args) -> list[dict]:
    conn = sqlite3.connect(Path(workspace) / ".ecmx" / "ledger.sqlite3")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, args)]
    finally:
        conn.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
