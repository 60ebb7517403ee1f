"""``ecmx status`` (the month board) and ``ecmx due`` reading the ledger (issue 14, point 5).

The ledger is made for real: ``ecmx convert --workspace`` of the sample for 2025-11, made
2025-12-03. Sends and answers are then written with SQL exactly as ``db.py``'s schema 2
defines them (what ``ecmx send`` and the response reader record): one ``sends`` row per
attempt, ``sent`` or ``failed`` at ``finished_at``, ``sending`` with the pid and host of
the process; ``responses`` against the file made.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from ecmx.core.cli import console

PERIOD = "2025-11"
ECMX_SCRIPT = Path(sys.executable).parent / "ecmx"
PLANS = ("calviva", "chpiv", "chwp", "healthnet", "partnership")


@pytest.fixture(scope="module")
def made(kit, samples, tmp_path_factory) -> Path:
    """A workspace whose ledger holds every plan's RTF and OTF/IOT for 2025-11."""
    base = tmp_path_factory.mktemp("status")
    workspace = base / "ws"
    assert kit.invoke("init", workspace).code == 0
    run = kit.invoke(
        "--workspace", workspace, "convert", samples["csv"], "--plan", "all", "--period", PERIOD,
        "--out", base / "files", "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 0, run.err
    return workspace


@pytest.fixture
def ws(made, tmp_path, monkeypatch) -> Path:
    """A private copy of ``made`` (tests add sends to it); the current folder is empty."""
    workspace = tmp_path / "ws"
    shutil.copytree(made, workspace)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    return workspace


def _file_id(conn, plan: str, kind: str) -> int:
    row = conn.execute(
        "SELECT max(id) FROM files_made WHERE plan = ? AND kind = ? AND period = ?",
        (plan, kind, PERIOD),
    ).fetchone()
    assert row[0], f"no {plan} {kind} in the ledger"
    return row[0]


def send(ws: Path, plan: str, kind: str, day: str, outcome: str = "sent", *, detail=None,
         resend: int = 0, pid: int = 4242, host: str = "provider-pc") -> None:  # fmt: skip
    """One send attempt as ``ecmx send`` records it, started 10:00 Pacific on ``day``."""
    started = f"{day}T10:00:00-08:00"
    finished = None if outcome == "sending" else f"{day}T10:00:07-08:00"
    conn = sqlite3.connect(ws / ".ecmx" / "ledger.sqlite3")
    with conn:
        file_id = _file_id(conn, plan, kind)
        conn.execute(
            "INSERT INTO sends (file_id, sent_at, destination, remote_name, outcome, detail,"
            " size, sha256, checked, resend, pid, host, finished_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (file_id, started, f"sftp://sftp.{plan}.example:22/inbound", f"{plan}_{kind}.xlsx",
             outcome, detail, 1234, "0" * 64, "size" if outcome == "sent" else None, resend,
             pid, host, finished),
        )  # fmt: skip
    conn.close()


def answer(ws: Path, plan: str, kind: str, day: str, status: str, reason=None) -> None:
    """The plan's answer on a file, as the response reader records it."""
    conn = sqlite3.connect(ws / ".ecmx" / "ledger.sqlite3")
    with conn:
        conn.execute(
            "INSERT INTO responses (file_id, status, reason, received_at) VALUES (?, ?, ?, ?)",
            (_file_id(conn, plan, kind), status, reason, f"{day}T08:00:00-08:00"),
        )
    conn.close()


def board(cli, ws: Path, *argv) -> dict[tuple[str, str], dict]:
    run = cli("--workspace", ws, "status", "--format", "json", *argv)
    assert run.code == 0, run.err
    return {(r["plan"], r["file"]): r for r in json.loads(run.out)}


def states(rows: dict) -> dict[tuple[str, str], str]:
    return {key: row["state"] for key, row in rows.items()}


def ecm_states(rows: dict) -> dict[tuple[str, str], str]:
    """The RTF and OTF/IOT rows' states: the CSPRTF's (the sample provider is the Health
    Net family's CS provider) are judged in test_one_row_per_plan_and_file_it_is_owed."""
    return {key: state for key, state in states(rows).items() if key[1] != "CSPRTF"}


def dead_pid() -> int:
    """The pid of a process of this host that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# ----------------------------------------------------------------------------- the board


def test_one_row_per_plan_and_file_it_is_owed_with_what_was_made(cli, ws, made):
    rows = board(cli, ws, "--period", PERIOD, "--today", "2025-12-04")
    assert sorted(rows) == sorted(
        [(p, "RTF") for p in PLANS]
        + [(p, "OTF") for p in PLANS[:4]]
        + [("partnership", "IOT")]
        # the sample provider is the CS provider of the plans that have a CSPRTF
        + [(p, "CSPRTF") for p in ("calviva", "chpiv", "healthnet")]
    )
    files = {p.name for p in (made.parent / "files").iterdir()}
    for (plan, _), row in rows.items():
        assert row["made"] in files and row["path"].endswith(row["made"])
        assert row["period"] == PERIOD and row["errors"] == 0 and isinstance(row["warnings"], int)
        assert row["sends"] == 0 and row["sent_at"] == "" and row["answer"] == ""
        # the CSPRTF is due by the 5th and the 10th (CalAIM FAQ): the row shows the 10th
        due = {"partnership": "2025-12-14"}.get(plan, "2025-12-05")
        assert row["due"] == ("2025-12-10" if _ == "CSPRTF" else due)
    assert rows["healthnet", "RTF"]["cutoff"] == "2025-12-10"
    assert rows["partnership", "IOT"]["cutoff"] == ""  # Partnership names no correction window
    assert states(rows)["healthnet", "RTF"] == "made, not sent, due in 1 day"
    assert states(rows)["partnership", "IOT"] == "made, not sent, due in 10 days"


def test_states_sent_on_time_late_declined_accepted_failed_and_interrupted(cli, ws):
    send(ws, "healthnet", "rtf", "2025-12-04")
    send(ws, "healthnet", "otf", "2025-12-04", "failed", detail="the server closed the connection")
    send(ws, "calviva", "rtf", "2025-12-08")
    send(ws, "calviva", "otf", "2025-12-04")
    answer(ws, "calviva", "otf", "2025-12-05", "declined", "missing outreach dates")
    send(ws, "chpiv", "rtf", "2025-12-03")
    answer(ws, "chpiv", "rtf", "2025-12-04", "accepted")
    send(ws, "chpiv", "otf", "2025-12-08", "sending", pid=dead_pid(), host=socket.gethostname())
    send(ws, "chwp", "rtf", "2025-12-08", "sending", pid=os.getpid(), host=socket.gethostname())
    rows = board(cli, ws, "--period", PERIOD, "--today", "2025-12-09")
    assert ecm_states(rows) == {
        ("healthnet", "RTF"): "sent on time",
        ("healthnet", "OTF"): "late: correctable until 2025-12-10",
        ("calviva", "RTF"): "sent late",
        ("calviva", "OTF"): "declined: missing outreach dates",
        ("chpiv", "RTF"): "accepted",
        ("chpiv", "OTF"): "late: correctable until 2025-12-10",
        ("chwp", "RTF"): "late: correctable until 2025-12-10",
        ("chwp", "OTF"): "late: correctable until 2025-12-10",
        ("partnership", "RTF"): "made, not sent, due in 5 days",
        ("partnership", "IOT"): "made, not sent, due in 5 days",
    }
    failed = rows["healthnet", "OTF"]
    assert failed["last_attempt"] == "failed" and failed["sends"] == 0
    assert failed["last_attempt_detail"] == "the server closed the connection"
    assert rows["chpiv", "OTF"]["last_attempt"] == "interrupted"  # its process is gone
    assert rows["chwp", "RTF"]["last_attempt"] == "sending"  # this process: still running
    assert rows["healthnet", "RTF"]["sent_at"] == "2025-12-04T10:00:07-08:00"
    assert {r["level"] for k, r in rows.items() if r["state"].startswith(("late", "sent late",
            "declined"))} == {"late"}  # fmt: skip


def test_after_the_window_closed(cli, ws):
    send(ws, "healthnet", "rtf", "2025-12-11")
    send(ws, "healthnet", "otf", "2025-12-09")
    rows = ecm_states(board(cli, ws, "--period", PERIOD, "--today", "2025-12-12", "--plan",
                            "healthnet", "--plan", "calviva"))  # fmt: skip
    assert rows == {
        ("healthnet", "RTF"): "sent late: after the window closed 2025-12-10",
        ("healthnet", "OTF"): "sent late",
        ("calviva", "RTF"): "late: window closed 2025-12-10",
        ("calviva", "OTF"): "late: window closed 2025-12-10",
    }


def test_a_correction_resent_counts_and_a_decline_then_a_resend_is_judged_anew(cli, ws):
    send(ws, "healthnet", "rtf", "2025-12-04")
    send(ws, "healthnet", "rtf", "2025-12-08", resend=1)  # a correction, in the window
    send(ws, "healthnet", "otf", "2025-12-04")
    answer(ws, "healthnet", "otf", "2025-12-06", "declined", "wrong layout")
    send(ws, "healthnet", "otf", "2025-12-08", resend=1)
    rows = board(cli, ws, "--period", PERIOD, "--today", "2025-12-09", "--plan", "healthnet")
    assert rows["healthnet", "RTF"]["state"] == "sent on time"
    assert rows["healthnet", "RTF"]["resent"] == 1 and rows["healthnet", "RTF"]["sends"] == 2
    # the declined file does not count: its correction came after the due date
    assert rows["healthnet", "OTF"]["state"] == "sent late"
    assert rows["healthnet", "OTF"]["answer"] == "declined"  # the last answer, still shown
    answer(ws, "healthnet", "otf", "2025-12-09", "accepted")
    rows = board(cli, ws, "--period", PERIOD, "--today", "2025-12-09", "--plan", "healthnet")
    assert rows["healthnet", "OTF"]["state"] == "accepted"


def test_a_period_nothing_was_made_for(cli, ws):
    far = states(board(cli, ws, "--period", "2025-12", "--today", "2025-12-20"))
    # no provider.yaml in the workspace: a CSPRTF is owed only once one was made
    assert set(far.values()) == {"not made"} and len(far) == 10
    near = states(board(cli, ws, "--period", "2025-12", "--today", "2025-12-26"))
    assert near["healthnet", "RTF"] == "not made, due in 10 days"  # due 2026-01-05


@pytest.mark.parametrize(
    "today, period",
    [
        ("2025-12-01", "2025-11"),  # the November RTFs are due next (the 5th)
        ("2025-12-07", "2025-11"),  # past due, but Health Net takes corrections until the 10th
        ("2025-12-12", "2025-11"),  # Partnership's November RTF is due next (week 2)
        ("2025-12-20", "2025-12"),  # every November window closed: December's are next
    ],
)
def test_the_default_period(cli, ws, today, period):
    run = cli("--workspace", ws, "status", "--today", today, "--format", "json")
    assert run.code == 0, run.err
    assert {r["period"] for r in json.loads(run.out)} == {period}
    table = cli("--workspace", ws, "status", "--today", today)
    assert f"ecmx status: period {period}, as of {today}" in table.out


def test_provider_yaml_names_the_plans(cli, ws, samples):
    provider = yaml.safe_load((samples["csv"] / "provider.yaml").read_text(encoding="utf-8"))
    provider["plans"] = {k: v for k, v in provider["plans"].items() if k in ("chwp", "healthnet")}
    Path("provider.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")
    rows = board(cli, ws, "--period", "2025-12", "--today", "2025-12-20")
    # Health Net's CSPRTF too: provider.yaml says community_supports: true for it
    assert sorted(rows) == [("chwp", "OTF"), ("chwp", "RTF"), ("healthnet", "CSPRTF"),
                            ("healthnet", "OTF"), ("healthnet", "RTF")]  # fmt: skip
    # a plan the ledger made files for is shown even when provider.yaml leaves it out
    assert len(board(cli, ws, "--period", PERIOD, "--today", "2025-12-20")) == 10 + 3


def test_csv_has_the_json_rows(cli, ws):
    send(ws, "healthnet", "rtf", "2025-12-04")
    as_json = cli("--workspace", ws, "status", "--period", PERIOD, "--today", "2025-12-09",
                  "--format", "json")  # fmt: skip
    as_csv = cli("--workspace", ws, "status", "--period", PERIOD, "--today", "2025-12-09",
                 "--format", "csv")  # fmt: skip
    import csv

    parsed = list(csv.DictReader(io.StringIO(as_csv.out)))
    records = json.loads(as_json.out)
    assert [r["state"] for r in parsed] == [r["state"] for r in records]
    assert [r["made"] for r in parsed] == [r["made"] for r in records]
    assert list(parsed[0]) == list(records[0])


def test_the_table_says_it_in_words(cli, ws):
    send(ws, "healthnet", "rtf", "2025-12-04")
    send(ws, "healthnet", "rtf", "2025-12-08", resend=1)
    send(ws, "healthnet", "otf", "2025-12-04", "failed", detail="permission denied")
    answer(ws, "healthnet", "rtf", "2025-12-09", "accepted")
    run = cli("--workspace", ws, "status", "--period", PERIOD, "--today", "2025-12-09",
              "--plan", "healthnet")  # fmt: skip
    assert run.code == 0, run.err
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in run.out.splitlines()
            if line.startswith("│")]  # fmt: skip
    assert rows[0][:2] == ["healthnet", "RTF"] and rows[1][:2] == ["healthnet", "OTF"]
    rtf, otf, csprtf = rows  # the sample provider is Health Net's CS provider too
    assert csprtf[:2] == ["healthnet", "CSPRTF"]
    assert rtf[3] == "0 errors, 0 warnings" and rtf[6] == "2025-12-05 Fri"
    assert rtf[4] == "2025-12-04 10:00, resent 1x" and rtf[5] == "accepted"
    assert rtf[7] == "accepted"
    assert otf[4] == "failed 2025-12-04 10:00: permission denied" and otf[5] == ""
    assert otf[7] == "late: correctable until 2025-12-10"


def test_late_rows_stand_out_on_a_terminal_and_not_in_a_pipe(cli, ws, monkeypatch):
    send(ws, "healthnet", "rtf", "2025-12-04")
    argv = ("--workspace", ws, "status", "--period", PERIOD, "--today", "2025-12-12",
            "--plan", "healthnet")  # fmt: skip
    terminal = io.StringIO()
    monkeypatch.setattr(console, "stdout", Console(file=terminal, force_terminal=True,
                                                   color_system="standard", width=300))  # fmt: skip
    assert cli(*argv).code == 0
    lines = {line.split("│")[2].strip(): line for line in _plain_rows(terminal.getvalue())}
    raw = terminal.getvalue().splitlines()
    late = next(line for line in raw if "window closed" in line)
    on_time = next(line for line in raw if "sent on time" in line)
    assert "\x1b[1;31m" in late and "\x1b[1;31m" not in on_time
    assert set(lines) == {"RTF", "OTF", "CSPRTF"}
    piped = subprocess.run(
        [str(ECMX_SCRIPT), *map(str, argv)], capture_output=True, text=True, check=False,
        env={k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "ECMX_WORKSPACE")},
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    assert "late: window closed 2025-12-10" in piped.stdout and "\x1b[" not in piped.stdout


def _plain_rows(text: str) -> list[str]:
    import re

    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return [line for line in plain.splitlines() if line.startswith("│")]


def test_status_needs_a_workspace(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = cli("status")
    assert run.code == 2
    run.one_error_line("no ecmx workspace", "ecmx init")


# ----------------------------------------------------------------------------- due


def due_tables(text: str) -> dict[str, list[list[str]]]:
    """``ecmx due`` rows by section title's first word (Due, Overdue, Correction)."""
    tables: dict[str, list[list[str]]] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("│"):
            tables[current].append([c.strip() for c in line.split("│")[1:-1]])
        elif line and line[0].isalpha():
            current = line.split()[0]
            tables.setdefault(current, [])
    return tables


def test_due_leaves_out_what_was_sent_on_time_and_keeps_the_rest(cli, ws):
    send(ws, "healthnet", "rtf", "2025-12-04")  # on time: met
    send(ws, "healthnet", "otf", "2025-12-04", "failed", detail="refused")
    send(ws, "calviva", "rtf", "2025-12-06")  # late: still listed, as sent late
    send(ws, "calviva", "otf", "2025-12-04")
    answer(ws, "calviva", "otf", "2025-12-05", "declined", "uploaded after the 10th")
    send(ws, "partnership", "rtf", "2025-12-06")  # before its due date (2025-12-14): met
    run = cli("--workspace", ws, "due", "--today", "2025-12-07", "--plan", "healthnet",
              "--plan", "calviva", "--plan", "partnership")  # fmt: skip
    assert run.code == 0, run.err
    tables = due_tables(run.out)
    overdue = {(r[3], r[4]): r[-1] for r in tables["Overdue"]}
    assert ("healthnet", "RTF due to the plan") not in overdue
    assert (
        overdue["healthnet", "OTF due to the plan"] == "made, not sent; last send failed: refused"
    )
    assert overdue["calviva", "RTF due to the plan"] == "sent late"
    assert overdue["calviva", "OTF due to the plan"] == "declined: uploaded after the 10th"
    soon = {(r[3], r[4]): r[-1] for r in tables["Due"]}
    assert not any(plan == "partnership" and "RTF" in event for plan, event in soon)
    assert soon["partnership", "IOT due to Partnership (sFTP folders)"] == "made, not sent"
    assert "Sent on time (ledger): 2 deadlines met" in run.out
    assert "files sent on time left out" in run.out


def test_due_without_a_workspace_is_as_before(cli, ws, made):
    send(ws, "healthnet", "rtf", "2025-12-04")
    outside = cli("due", "--today", "2025-12-07", "--plan", "healthnet")
    assert outside.code == 0
    assert "RTF due to the plan" in outside.out and "ledger" not in outside.out
    assert "Sent on time" not in outside.out and "done already? ignore it" in outside.out
    inside = cli("--workspace", ws, "due", "--today", "2025-12-07", "--plan", "healthnet")
    overdue = due_tables(inside.out)["Overdue"]
    assert all(r[4] != "RTF due to the plan" for r in overdue)
