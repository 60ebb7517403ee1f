"""The workspace and its ledger (issue 14, point 1): ``ecmx init``, what convert, claims and
ingest record, ``ecmx ledger``, X12 control numbers moved from the JSON file, and that
nothing of a member reaches the database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ecmx.core.ledger.db import SCHEMA_VERSION
from tests.e2e.ledger_rows import db_rows, sha256

PERIOD = "2025-11"
DAY = "2025-12-03"
ECMX_SCRIPT = Path(sys.executable).parent / "ecmx"


def isa13(path: Path) -> int:
    text = Path(path).read_text(encoding="ascii")
    return int(text.split(text[3])[13])


@pytest.fixture
def workspace(cli, tmp_path) -> Path:
    folder = tmp_path / "ws"
    run = cli("init", folder)
    assert run.code == 0, run.err
    return folder


def convert_argv(dataset, out, *extra, plan="all"):
    return ("convert", dataset, "--plan", plan, "--period", PERIOD, "--out", out,
            "--production-date", DAY, *extra)  # fmt: skip


# ----------------------------------------------------------------------------- init


def test_init_makes_a_workspace_once_and_says_so_the_second_time(cli, tmp_path):
    folder = tmp_path / "provider"
    first = cli("init", folder)
    assert first.code == 0, first.err
    assert "made the workspace" in first.err
    ledger = folder / ".ecmx" / "ledger.sqlite3"
    conn = sqlite3.connect(ledger)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert {"files_made", "files_received", "sends", "responses", "control_numbers"} <= tables
    second = cli("init", folder)
    assert second.code == 0, second.err
    assert "already a workspace" in second.err


def test_a_workspace_named_that_is_none_is_one_line(cli, tmp_path):
    run = cli("--workspace", tmp_path, "ledger")
    assert run.code == 2
    run.one_error_line("--workspace", "not an ecmx workspace", "ecmx init")
    assert not (tmp_path / ".ecmx").exists()
    bare = cli("ledger")  # no workspace upward from the test's folder either
    assert bare.code == 2
    bare.one_error_line("no ecmx workspace")


# ----------------------------------------------------------------------------- convert


def test_convert_records_each_file_with_its_own_sha256(cli, samples, workspace, tmp_path):
    out = tmp_path / "files"
    run = cli("--workspace", workspace, *convert_argv(samples["csv"], out))
    assert run.code == 0, run.err
    made = db_rows(workspace, "SELECT * FROM files_made ORDER BY id")
    written = sorted(out.iterdir())
    assert sorted(Path(r["path"]) for r in made) == [p.resolve() for p in written]
    for row in made:
        path = Path(row["path"])
        assert row["sha256"] == sha256(path), path.name
        assert row["size"] == path.stat().st_size
        assert (row["period"], row["production_date"]) == (PERIOD, DAY)
        assert row["kind"] in ("rtf", "otf", "csprtf") and row["rows"] >= 0
        assert row["ecmx_version"] and len(row["plan_config_sha256"]) == 64
    assert {r["plan"] for r in made} == {"calviva", "chpiv", "chwp", "healthnet", "partnership"}

    listed = cli("--workspace", workspace, "ledger", "--plan", "healthnet", "--format", "json")
    assert listed.code == 0, listed.err
    rows = json.loads(listed.out)
    assert {(r["plan"], r["kind"]) for r in rows} == {
        ("healthnet", "rtf"), ("healthnet", "otf"), ("healthnet", "csprtf")
    }  # fmt: skip
    assert all(r["sha256"] == sha256(Path(r["file"])) for r in rows)
    table = cli("--workspace", workspace, "ledger", "--period", PERIOD)
    assert table.code == 0, table.err
    assert rows[0]["sha256"][:12] in table.out and rows[0]["sha256"] not in table.out
    other = cli("--workspace", workspace, "ledger", "--period", "2025-10", "--format", "csv")
    assert other.out.splitlines() == [",".join(("direction", "plan", "kind", "period", "file",
                                               "size", "sha256", "when", "findings"))]  # fmt: skip


def test_the_workspace_is_found_upward_and_from_the_environment(
    cli, samples, workspace, tmp_path, monkeypatch
):
    inside = workspace / "month" / "files"
    inside.mkdir(parents=True)
    monkeypatch.chdir(inside)
    run = cli(*convert_argv(samples["csv"], "out", plan="chwp"))
    assert run.code == 0, run.err
    assert len(db_rows(workspace, "SELECT id FROM files_made")) == 2
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ECMX_WORKSPACE", str(workspace))
    run = cli(*convert_argv(samples["csv"], tmp_path / "elsewhere", plan="chwp"))
    assert run.code == 0, run.err
    assert len(db_rows(workspace, "SELECT id FROM files_made")) == 4


def test_no_workspace_no_ledger_anywhere(cli, samples, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = cli(*convert_argv(samples["csv"], tmp_path / "files"))
    assert run.code == 0, run.err
    run = cli("claims", samples["csv"], "--plan", "all", "--period", PERIOD, "--out",
              tmp_path / "claims", "--production-date", DAY)  # fmt: skip
    assert run.code == 0, run.err
    assert list(tmp_path.rglob(".ecmx*")) == []
    assert not any(p.name == ".ecmx" for p in Path(samples["csv"]).parent.rglob(".ecmx"))


# ----------------------------------------------------------------------------- ingest


def test_ingest_records_the_file_it_read_and_when_it_was_merged(cli, samples, workspace, tmp_path):
    mif_dir = tmp_path / "mif"
    run = cli(*convert_argv(samples["csv"], mif_dir, "--kind", "mif", plan="healthnet"))
    assert run.code == 0, run.err
    [mif] = list(mif_dir.iterdir())
    assert db_rows(workspace, "SELECT id FROM files_received") == []
    run = cli("--workspace", workspace, "ingest", mif, "--plan", "healthnet", "--dataset",
              samples["csv"], "--out", tmp_path / "merged", "--received", "2025-12-05")  # fmt: skip
    assert run.code == 0, run.err
    [row] = db_rows(workspace, "SELECT * FROM files_received")
    assert (row["plan"], row["kind"], row["source"]) == ("healthnet", "mif", "local")
    assert (row["path"], row["sha256"]) == (str(mif.resolve()), sha256(mif))
    assert row["received_at"] == "2025-12-05" and row["ingested_at"]
    listed = json.loads(cli("--workspace", workspace, "ledger", "--format", "json").out)
    assert [r["direction"] for r in listed] == ["received (local)"]


# ----------------------------------------------------------------------------- no member data


def test_nothing_of_a_member_is_in_the_database(cli, samples, workspace, tmp_path, kit):
    data = samples["csv"]
    assert cli("--workspace", workspace, *convert_argv(data, tmp_path / "f")).code == 0
    assert cli("--workspace", workspace, *convert_argv(data, tmp_path / "m", "--kind", "mif",
                                                       plan="healthnet")).code == 0  # fmt: skip
    [mif] = list((tmp_path / "m").iterdir())
    assert cli("--workspace", workspace, "ingest", mif, "--plan", "healthnet", "--dataset", data,
               "--out", tmp_path / "merged").code == 0  # fmt: skip
    assert cli("--workspace", workspace, "claims", data, "--plan", "all", "--period", PERIOD,
               "--out", tmp_path / "c", "--production-date", DAY).code == 0  # fmt: skip
    stored = b"".join(p.read_bytes() for p in (workspace / ".ecmx").iterdir())
    # the month's 13 files (RTF and OTF per plan, 3 CSPRTFs), a MIF and 5 claim files
    assert len(db_rows(workspace, "SELECT id FROM files_made")) == 19
    members = kit.read_csv(data / "members.csv")
    # a name that is part of a file or folder name the ledger records is no leak
    paths = " ".join(r["path"] for r in db_rows(workspace, "SELECT path FROM files_made"))
    secrets = {m["cin"] for m in members} | {m["last_name"] for m in members}
    secrets |= {m["dob"] for m in members} | {m["mrn"] for m in members if m["mrn"]}
    leaked = sorted(s for s in secrets if s and s.encode() in stored and s not in paths)
    assert leaked == []


# ----------------------------------------------------------------------------- control numbers


def claims_argv(data, out, day=DAY, plan="healthnet"):
    return ("claims", data, "--plan", plan, "--period", PERIOD, "--out", out,
            "--production-date", day)  # fmt: skip


def test_control_numbers_move_from_the_json_file_to_the_ledger(cli, samples, workspace, tmp_path):
    out = tmp_path / "claims"
    state = tmp_path / ".claims.ecmx-x12-control.json"
    state.write_text(json.dumps({"last_interchange": 41}), encoding="utf-8")
    before = state.read_bytes()
    run = cli("--workspace", workspace, *claims_argv(samples["csv"], out))
    assert run.code == 0, run.err
    [first] = list(out.iterdir())
    assert isa13(first) == 42
    numbers = db_rows(workspace, "SELECT * FROM control_numbers")
    assert {(r["kind"], r["last_number"]) for r in numbers} == {("ISA", 42), ("GS", 42)}
    assert state.read_bytes() == before  # left in place, untouched
    run = cli("--workspace", workspace, *claims_argv(samples["csv"], out, day="2025-12-04"))
    assert run.code == 0, run.err
    second = next(p for p in out.iterdir() if p != first)
    assert isa13(second) == 43
    assert {r["last_number"] for r in db_rows(workspace, "SELECT * FROM control_numbers")} == {43}
    assert state.read_bytes() == before
    made = db_rows(workspace, "SELECT kind, sha256, rows FROM files_made ORDER BY id")
    assert [(m["kind"], m["sha256"]) for m in made] == [("837p", sha256(first)),
                                                        ("837p", sha256(second))]  # fmt: skip
    assert all(m["rows"] > 0 for m in made)


def test_two_claims_runs_at_once_never_share_a_number(samples, workspace, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("ECMX_WORKSPACE", "PYTHONPATH")}
    runs = [
        subprocess.Popen(
            [
                str(ECMX_SCRIPT),
                "--workspace",
                str(workspace),
                *map(str, claims_argv(samples["csv"], tmp_path / f"claims{i}", plan="all")),
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    for proc in runs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    numbers = [isa13(p) for i in range(3) for p in (tmp_path / f"claims{i}").iterdir()]
    assert len(numbers) == 15 and len(set(numbers)) == 15, sorted(numbers)
    assert len(db_rows(workspace, "SELECT id FROM files_made")) == 15


def test_a_ledger_from_a_newer_ecmx_stops_convert_before_any_file(
    cli, samples, workspace, tmp_path
):
    ledger = workspace / ".ecmx" / "ledger.sqlite3"
    conn = sqlite3.connect(ledger)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    run = cli("--workspace", workspace, *convert_argv(samples["csv"], tmp_path / "files"))
    assert run.code == 2
    run.one_error_line(str(ledger), "newer ecmx", "upgrade ecmx")
    assert not (tmp_path / "files").exists()
