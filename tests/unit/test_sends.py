"""The send claim in the ledger (core/ledger/sends.py): a live process's claim keeps a
second send out, a dead one's becomes 'interrupted', a file sent is not claimed again."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

from ecmx.core.ledger import sends
from ecmx.core.ledger.db import open_ledger, transaction
from ecmx.core.ledger.records import MadeFile, record_made
from ecmx.core.ledger.workspace import init_workspace
from ecmx.core.storage.processes import this_host


def _made(tmp_path):
    init_workspace(tmp_path)
    path = tmp_path / "RTF.xlsx"
    path.write_bytes(b"rtf")
    record_made(tmp_path, [MadeFile("healthnet", "rtf", "2025-11", date(2025, 12, 3), path)])
    with open_ledger(tmp_path) as conn:
        return sends.made_at(conn, path)


def _claim(tmp_path, row, resend=False, since=0):
    return sends.claim(tmp_path, row, "u@h:22:/in", "RTF.xlsx", resend=resend, since=since)


def _holder(tmp_path, send_id, pid, host):
    with open_ledger(tmp_path) as conn, transaction(conn):
        conn.execute("UPDATE sends SET pid = ?, host = ? WHERE id = ?", (pid, host, send_id))


def test_a_live_claim_refuses_a_second_and_a_dead_one_is_interrupted(tmp_path):
    row = _made(tmp_path)
    first = _claim(tmp_path, row)
    assert first.send_id and _claim(tmp_path, row).holder.startswith(f"process {os.getpid()}")
    _holder(tmp_path, first.send_id, 4242, "elsewhere")  # another host: cannot tell, alive
    assert _claim(tmp_path, row).holder == "process 4242 on elsewhere"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    _holder(tmp_path, first.send_id, int(dead.stdout), this_host())
    assert [a["outcome"] for a in sends.attempts(tmp_path)] == ["interrupted"]
    second = _claim(tmp_path, row)
    assert second.send_id and second.send_id != first.send_id
    assert [a["outcome"] for a in sends.attempts(tmp_path, "2025-11")] == ["interrupted",
                                                                           "sending"]  # fmt: skip


def test_a_file_sent_is_claimed_again_only_to_resend_and_not_twice_in_one_run(tmp_path):
    row = _made(tmp_path)
    since = sends.latest_id(tmp_path)
    got = _claim(tmp_path, row)
    sends.finish(tmp_path, got.send_id, sends.SENT, size=3, sha256=row["sha256"], checked="size")
    assert _claim(tmp_path, row).already["id"] == got.send_id
    assert _claim(tmp_path, row, resend=True, since=since).already is not None  # sent meanwhile
    again = _claim(tmp_path, row, resend=True, since=sends.latest_id(tmp_path))
    assert again.send_id and again.resend
    sends.finish(tmp_path, again.send_id, sends.FAILED, detail="refused the connection")
    outcomes = [(a["outcome"], a["resend"], a["detail"]) for a in sends.attempts(tmp_path)]
    assert outcomes == [("sent", 0, None), ("failed", 1, "refused the connection")]
