"""``ecmx fetch`` and ``ecmx response`` against a real OpenSSH sshd (sshd.py): each plan's
MIF brought into the workspace's inbox once, recorded in the ledger, merged with
``--ingest``; a plan whose server fails does not stop the others; nothing on a server
changes; the plans' responses recorded against the files sent."""

from __future__ import annotations

import hashlib
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

from tests.e2e.ledger_rows import db_rows

from .sshd import free_port, needs_sshd

pytestmark = needs_sshd

HN_MIF = "SUNRISE_HN_ECM_MIF_20251203.xlsx"
CIN_HEADER = "Member Client Index Number (CIN)"


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) and its sha256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


@pytest.fixture(scope="module")
def mifs(kit, samples, tmp_path_factory) -> dict[str, Path]:
    """Health Net's and Partnership's MIFs for 2025-11, as ``convert --kind mif`` writes them."""
    out = tmp_path_factory.mktemp("mifs")
    made = {}
    for plan in ("healthnet", "partnership"):
        run = kit.invoke("convert", samples["csv"], "--plan", plan, "--kind", "mif", "--period",
                         "2025-11", "--out", out / plan, "--production-date", "2025-12-03")  # fmt: skip
        assert run.code == 0, run.err
        [made[plan]] = list((out / plan).iterdir())
    assert made["healthnet"].name == HN_MIF
    return made


@pytest.fixture
def site(sshd, cli, samples, mifs, tmp_path, monkeypatch):
    """A workspace (the current folder) whose provider.yaml (the sample's, plus sftp:) logs
    in to ``sshd`` for two plans, each with its own remote folder holding its MIF."""
    ws = tmp_path / "ws"
    assert cli("init", ws).code == 0
    monkeypatch.chdir(ws)
    remote = tmp_path / "remote"
    for plan, mif in mifs.items():
        (remote / plan).mkdir(parents=True)
        shutil.copy(mif, remote / plan / mif.name)
    (remote / "healthnet" / "README.txt").write_text("not a plan file")
    profile = yaml.safe_load((samples["csv"] / "provider.yaml").read_text())
    for plan in mifs:
        profile["plans"].setdefault(plan, {})["sftp"] = {
            "host": sshd.host, "port": sshd.port, "user": sshd.user, "path": str(remote / plan),
            "key": str(sshd.client_key), "known_hosts": str(ws / "known_hosts"),
        }  # fmt: skip
    (ws / "provider.yaml").write_text(yaml.safe_dump(profile))
    assert cli("sftp", "trust", "healthnet", "--yes").code == 0  # one server for both plans
    return ws, remote


def received(ws: Path) -> list[dict]:
    return db_rows(ws, "SELECT * FROM files_received ORDER BY id")


def test_fetch_brings_each_plans_mif_once_and_changes_nothing_remote(site, cli, mifs):
    ws, remote = site
    before = tree(remote)
    run = cli("fetch")
    assert run.code == 0, run.err
    for plan, mif in mifs.items():
        got = ws / "inbox" / plan / mif.name
        assert got.read_bytes() == mif.read_bytes()
        assert f"{plan}" in run.out and mif.name in run.out
    assert "README.txt" in run.out and "not matched: no pattern matches" in run.out
    assert not (ws / "inbox" / "healthnet" / "README.txt").exists()
    rows = received(ws)
    assert [(r["plan"], r["kind"], r["remote_name"], r["source"]) for r in rows] == [
        ("healthnet", "mif", HN_MIF, "sftp"),
        ("partnership", "mif", mifs["partnership"].name, "sftp"),
    ]
    assert all(r["received_at"] == "2025-12-03" and r["ingested_at"] is None for r in rows)
    again = cli("fetch", "--plan", "all", "--format", "csv")
    assert again.code == 0, again.err
    assert again.out.count(",already had,") == 2 and ",fetched," not in again.out
    assert len(received(ws)) == 2
    assert tree(remote) == before  # nothing deleted, renamed or changed; no temporary left
    assert tree(ws / "inbox") == {f"{p}/{m.name}": tree(m.parent)[m.name] for p, m in mifs.items()}


def test_a_file_changed_on_the_server_is_fetched_again_and_kept_beside_the_first(site, cli, mifs):
    ws, remote = site
    assert cli("fetch", "--plan", "healthnet").code == 0
    first = (ws / "inbox" / "healthnet" / HN_MIF).read_bytes()
    (remote / "healthnet" / HN_MIF).write_bytes(first + b"-corrected")
    run = cli("fetch", "--plan", "healthnet", "--format", "json")
    assert run.code == 0, run.err
    [entry] = [r for r in yaml.safe_load(run.out) if r["file"] == HN_MIF]
    assert entry["outcome"].startswith("fetched: kept in ")
    second = Path(entry["path"])
    assert second.parent.parent == ws / "inbox" / "healthnet" and second.name == HN_MIF
    assert second.read_bytes() == first + b"-corrected"
    assert (ws / "inbox" / "healthnet" / HN_MIF).read_bytes() == first  # not overwritten
    assert [r["remote_name"] for r in received(ws)] == [HN_MIF, HN_MIF]
    assert "partnership" not in run.out


def test_fetch_ingest_merges_every_readable_mif_into_one_dataset(site, cli, kit, samples, mifs):
    ws, remote = site
    data = kit.copy_csv_sample(samples, ws / "data")
    _, rows = kit.calamine_sheet(mifs["healthnet"])
    cins = [dict(zip(rows[0], row, strict=True))[CIN_HEADER] for row in rows[1:]]
    members = kit.read_csv(data / "members.csv")
    gone = {m["member_id"] for m in members if m["cin"] in cins[-2:]}
    kit.write_csv(data / "members.csv", [m for m in members if m["member_id"] not in gone])
    for table in ("enrollments", "outreach", "encounters"):
        kept = [r for r in kit.read_csv(data / f"{table}.csv") if r["member_id"] not in gone]
        kit.write_csv(data / f"{table}.csv", kept)
    broken = "SUNRISE_HN_ECM_MIF_20251210.xlsx"
    (remote / "healthnet" / broken).write_bytes(b"not a workbook")
    dataset_before = tree(data)
    run = cli("fetch", "--ingest", "--dataset", data, "--out", ws / "merged")
    assert run.code == 1, run.err  # the broken file: not merged, a finding
    assert "P004" in run.out + run.err and broken in run.out + run.err
    assert tree(data) == dataset_before
    merged = {m["cin"] for m in kit.read_csv(ws / "merged" / "members.csv")}
    assert set(cins) <= merged
    rosters = kit.read_csv(ws / "merged" / "plan_rosters.csv")
    assert {r["plan"] for r in rosters if r["kind"] == "mif"} >= {"healthnet", "partnership"}
    ingested = {r["remote_name"]: r["ingested_at"] for r in received(ws)}
    assert ingested[broken] is None
    assert ingested[HN_MIF] and ingested[mifs["partnership"].name]
    assert "2 new" in run.err
    again = cli("fetch", "--ingest", "--dataset", data, "--out", ws / "merged2")
    assert again.code == 0 and not (ws / "merged2").exists()  # nothing new: nothing written


def test_a_plan_whose_server_refuses_does_not_stop_the_other(site, cli, mifs):
    ws, _ = site
    profile = yaml.safe_load((ws / "provider.yaml").read_text())
    profile["plans"]["partnership"]["sftp"]["port"] = free_port()
    (ws / "provider.yaml").write_text(yaml.safe_dump(profile))
    run = cli("fetch")
    assert run.code == 4
    assert (ws / "inbox" / "healthnet" / HN_MIF).exists()
    assert not (ws / "inbox" / "partnership").exists()
    [line] = [line for line in run.error_lines() if "partnership" in line]
    assert "refused the connection" in line and "Traceback" not in run.text


def test_a_plan_whose_host_key_is_not_trusted_is_refused_and_the_other_fetched(site, cli):
    ws, _ = site
    profile = yaml.safe_load((ws / "provider.yaml").read_text())
    profile["plans"]["partnership"]["sftp"]["known_hosts"] = str(ws / "empty_known_hosts")
    (ws / "provider.yaml").write_text(yaml.safe_dump(profile))
    run = cli("fetch", "--plan", "partnership", "--plan", "healthnet")
    assert run.code == 5
    assert (ws / "inbox" / "healthnet" / HN_MIF).exists()
    assert not (ws / "inbox" / "partnership").exists()
    [line] = [line for line in run.error_lines() if "partnership" in line]
    assert "not connecting" in line and "Traceback" not in run.text
    assert [r["plan"] for r in received(ws)] == ["healthnet"]


def test_two_fetches_at_once_record_each_file_once(site, mifs):
    """Two ``ecmx fetch`` processes started together: one fetches, the other waits for it
    (then has nothing new) or, after 5 s, says another fetch holds the workspace."""
    ws, _ = site
    script = Path(sys.executable).parent / "ecmx"
    env = {k: v for k, v in os.environ.items() if k != "ECMX_WORKSPACE"}
    runs = [subprocess.Popen([str(script), "fetch"], cwd=ws, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]  # fmt: skip
    outcomes = [(run.wait(120), *run.communicate()) for run in runs]
    for code, _, err in outcomes:
        assert code == 0 or (code == 2 and "is fetching into this workspace" in err), err
        assert "Traceback" not in err
    assert sorted(r["remote_name"] for r in received(ws)) == sorted(m.name for m in mifs.values())
    assert not (ws / ".ecmx" / "fetch.lock").exists()
    assert sorted(p.name for p in (ws / "inbox").rglob("*") if p.is_file()) == sorted(
        m.name for m in mifs.values()
    )


def test_a_fetch_lock_left_by_a_killed_fetch_is_taken_over(site, cli, mifs):
    ws, _ = site
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    lock = ws / ".ecmx" / "fetch.lock"
    lock.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname()}))
    run = cli("fetch")
    assert run.code == 0, run.err
    assert "no longer running (killed?): taken over" in run.err
    assert len(received(ws)) == len(mifs) and not lock.exists()


def test_fetch_needs_a_workspace(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = cli("fetch")
    assert run.code == 2
    run.one_error_line("workspace", "ecmx init")


_FULL_DISK = """
import resource, signal, sys
from ecmx.core.cli.main import main
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
main(["fetch", "--plan", "healthnet"])
"""


def test_a_full_local_disk_while_fetching_leaves_nothing_and_records_nothing(site, cli):
    ws, remote = site
    (remote / "healthnet" / HN_MIF).write_bytes(os.urandom(1024 * 1024))
    child = subprocess.run([sys.executable, "-c", _FULL_DISK], cwd=ws, capture_output=True,
                           text=True, timeout=120)  # fmt: skip
    assert child.returncode == 2, child.stderr
    assert "cannot write" in child.stdout and "Traceback" not in child.stderr
    assert tree(ws / "inbox") == {}
    assert received(ws) == []


# ----------------------------------------------------------------------------- responses

RTF = "SUNRISE_HN_ECM_RTF_20251203.xlsx"
OTF = "SUNRISE_HN_ECM_OTF_20251203.xlsx"


def sent(ws: Path, name: str) -> int:
    """A file made and sent to healthnet, as send records it (db.py's _V2 comment)."""
    conn = sqlite3.connect(ws / ".ecmx" / "ledger.sqlite3")
    try:
        with conn:
            made = conn.execute(
                "INSERT INTO files_made (plan, kind, period, path, size, sha256, ecmx_version,"
                " made_at) VALUES ('healthnet', 'rtf', '2025-11', ?, 10, 'aa', 'test', ?)",
                (f"/out/{name}", "2025-12-03T09:00:00"),
            ).lastrowid
            conn.execute(
                "INSERT INTO sends (file_id, sent_at, destination, remote_name, outcome,"
                " finished_at) VALUES (?, ?, 'sftp', ?, 'sent', ?)",
                (made, "2025-12-04T09:00:00", name, "2025-12-04T09:00:05"),
            )
    finally:
        conn.close()
    return int(made or 0)


def response_csv(path: Path) -> Path:
    path.write_text(
        "File Name,Status,Reason,Date\n"
        f"{RTF},Accepted,,12/05/2025\n"
        f"/inbound/{OTF},DECLINED,uploaded after the 10th,12/11/2025\n"
        "SOMEONE_ELSES_RTF.xlsx,Accepted,,12/05/2025\n"
    )
    return path


def test_a_fetched_response_is_recorded_against_the_files_sent(site, cli):
    ws, remote = site
    assert cli("fetch", "--plan", "healthnet").code == 0  # the ledger now exists
    rtf, otf = sent(ws, RTF), sent(ws, OTF)
    response_csv(remote / "healthnet" / "SUNRISE_HN_RTF_20251203_Response.csv")
    run = cli("fetch", "--plan", "healthnet")
    assert run.code == 0, run.err  # an unmatched row is a warning
    assert "P003" in run.out + run.err and "SOMEONE_ELSES_RTF.xlsx" in run.out + run.err
    answers = db_rows(ws, "SELECT file_id, status, reason, received_at, response_id"
                          " FROM responses ORDER BY file_id")  # fmt: skip
    [got] = [r for r in received(ws) if r["kind"] == "response"]
    assert answers == [
        {"file_id": rtf, "status": "accepted", "reason": None, "received_at": "2025-12-05",
         "response_id": got["id"]},
        {"file_id": otf, "status": "declined", "reason": "uploaded after the 10th",
         "received_at": "2025-12-11", "response_id": got["id"]},
    ]  # fmt: skip
    # the same response again, by email: nothing recorded twice
    again = cli("response", got["path"], "--plan", "healthnet")
    assert again.code == 0, again.err
    assert again.out.count("already recorded") == 2 and "no such file sent" in again.out
    assert len(db_rows(ws, "SELECT * FROM responses")) == 2
    assert len(received(ws)) == 2


def test_an_emailed_response_with_an_unknown_status_and_a_missing_column(site, cli, tmp_path):
    ws, _ = site
    assert cli("fetch", "--plan", "healthnet").code == 0
    sent(ws, RTF)
    emailed = tmp_path / "emailed.csv"
    emailed.write_text(f"File Name,Status\n{RTF},Pending\n\n{RTF},Rejected\n")
    run = cli("response", emailed, "--plan", "healthnet", "--format", "json")
    assert run.code == 0, run.err
    [row] = yaml.safe_load(run.out)
    assert (row["row"], row["status"], row["outcome"]) == (4, "declined", "recorded")
    assert "P002" in run.err and "Pending" in run.err
    broken = tmp_path / "broken.csv"
    broken.write_text("Name,Result\nx,y\n")
    bad = cli("response", broken, "--plan", "healthnet")
    assert bad.code == 1 and "P001" in bad.out + bad.err and "File Name" in bad.out + bad.err
