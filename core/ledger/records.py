"""What the ledger records: files made and files received, and the listing ``ecmx ledger``
shows. A row holds a file's metadata only (plan, kind, period, path, size, sha256, counts):
never a member's CIN, name or date of birth."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ecmx.core import __version__
from ecmx.core.ledger.db import open_ledger, transaction


@dataclass(frozen=True)
class MadeFile:
    """A file ecmx wrote, as the ledger records it."""

    plan: str
    kind: str
    period: str
    production_date: date | None
    path: Path
    rows: int | None = None
    errors: int = 0
    warnings: int = 0
    notes: int = 0
    plan_config_sha256: str | None = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def plan_config_hash(plan) -> str:
    """The sha256 of a plan's merged config (as loaded): it changes when the config does."""
    text = json.dumps(plan.data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def record_made(workspace: Path, files: list[MadeFile]) -> None:
    """Record files written (after their rename into place), all in one transaction."""
    if not files:
        return
    rows = [
        (f.plan, f.kind, f.period, f.production_date and f.production_date.isoformat(),
         str(Path(f.path).resolve()), Path(f.path).stat().st_size, sha256_of(f.path), f.rows,
         f.errors, f.warnings, f.notes, __version__, f.plan_config_sha256, _now())
        for f in files
    ]  # fmt: skip
    with open_ledger(workspace) as conn, transaction(conn):
        conn.executemany(
            "INSERT INTO files_made (plan, kind, period, production_date, path, size, sha256,"
            " rows, errors, warnings, notes, ecmx_version, plan_config_sha256, made_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def record_received(
    workspace: Path, plan: str, kind: str, path: Path, *, source: str = "local",
    received: date | None = None, ingested: bool = False, remote_name: str | None = None,
) -> int:  # fmt: skip
    """Record a file received from a plan (and, if ``ingested``, merged now); its row id.
    ``remote_name``: its name on the plan's server, for a file fetched (``source='sftp'``)."""
    path = Path(path)
    received_at = received.isoformat() if received else _now()
    with open_ledger(workspace) as conn, transaction(conn):
        cursor = conn.execute(
            "INSERT INTO files_received (plan, kind, path, size, sha256, received_at, source,"
            " ingested_at, remote_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (plan, kind, str(path.resolve()), path.stat().st_size, sha256_of(path),
             received_at, source, _now() if ingested else None, remote_name),
        )  # fmt: skip
        return int(cursor.lastrowid or 0)


LISTING_COLUMNS = ("direction", "plan", "kind", "period", "file", "size", "sha256", "when",
                   "findings")  # fmt: skip


def listing(workspace: Path, period: str | None = None, plan: str | None = None) -> list[dict]:
    """Files made and received, oldest first, as ``ecmx ledger`` lists them. ``period``
    filters files made (a received file has no period); ``plan`` filters both."""
    made_sql = (
        "SELECT * FROM files_made WHERE (? IS NULL OR plan = ?) AND (? IS NULL OR period = ?)"
    )
    got_sql = "SELECT * FROM files_received WHERE (? IS NULL OR plan = ?) AND ? IS NULL"
    with open_ledger(workspace) as conn:
        made = conn.execute(made_sql + " ORDER BY id", (plan, plan, period, period)).fetchall()
        got = conn.execute(got_sql + " ORDER BY id", (plan, plan, period)).fetchall()
    rows = [_made_row(r) for r in made] + [_received_row(r) for r in got]
    return sorted(rows, key=lambda r: r["when"])


def _made_row(row) -> dict:
    return {
        "direction": "made", "plan": row["plan"], "kind": row["kind"], "period": row["period"],
        "file": row["path"], "size": row["size"], "sha256": row["sha256"], "when": row["made_at"],
        "findings": f"{_count(row['errors'], 'error')}, {_count(row['warnings'], 'warning')}",
    }  # fmt: skip


def _received_row(row) -> dict:
    ingested = f"ingested {row['ingested_at']}" if row["ingested_at"] else "not ingested"
    return {
        "direction": f"received ({row['source']})", "plan": row["plan"], "kind": row["kind"],
        "period": "", "file": row["path"], "size": row["size"], "sha256": row["sha256"],
        "when": row["received_at"], "findings": ingested,
    }  # fmt: skip


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
