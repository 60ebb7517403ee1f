"""``ecmx send`` against a real OpenSSH sshd (sshd.py): the files ``convert --workspace``
made go to each plan's folder under their own names, once; a correction is ``--resend``;
refused files, server faults, a killed client and two sends at once leave nothing
recorded 'sent' that is not on the server, and nothing on it twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from ecmx.core.delivery.sftp import part_name
from tests.e2e.ledger_rows import db_rows, sha256

from .sshd import free_port, keygen, needs_sshd

pytestmark = needs_sshd

PERIOD = "2025-11"
DAY = "2025-12-03"
ON_TIME = "2025-12-04"
PLANS = ("calviva", "chpiv", "chwp", "healthnet", "partnership")


class Site:
    """A provider folder: the sample dataset (its provider.yaml sending every plan to its
    own folder on ``sshd``), a workspace, and the files convert made in it."""

    def __init__(self, root: Path, sshd, cli, kit, samples):
        self.root, self.sshd, self.cli = root, sshd, cli
        self.data = kit.copy_csv_sample(samples, root / "data")
        self.workspace = root / "ws"
        self.out = root / "files"
        self.remote = root / "remote"
        assert cli("init", self.workspace).code == 0
        for plan in PLANS:
            (self.remote / plan).mkdir(parents=True)
            self.set_sftp(plan)
        # an ECM provider only: each plan's month is its RTF and OTF (the CSPRTF of a
        # Community Supports provider is sent alike: test_readme_month.py sends it)
        data = yaml.safe_load(self.provider.read_text("utf-8"))
        for settings in data["plans"].values():
            settings.pop("community_supports", None)
        self.provider.write_text(yaml.safe_dump(data), "utf-8")
        known = cli("sftp", "trust", "healthnet", "--yes", "--provider", self.provider)
        assert known.code == 0, known.err

    @property
    def provider(self) -> Path:
        return self.data / "provider.yaml"

    def set_sftp(self, plan: str, **changes) -> None:
        data = yaml.safe_load(self.provider.read_text("utf-8"))
        settings = {"host": self.sshd.host, "port": self.sshd.port, "user": self.sshd.user,
                    "path": str(self.remote / plan), "key": str(self.sshd.client_key),
                    "known_hosts": str(self.root / "known_hosts"), **changes}  # fmt: skip
        data["plans"][plan]["sftp"] = settings
        self.provider.write_text(yaml.safe_dump(data), "utf-8")

    def convert(self, *extra, plan: str = "all"):
        run = self.cli("--workspace", self.workspace, "convert", self.data, "--plan", plan,
                       "--period", PERIOD, "--out", self.out, "--production-date", DAY,
                       *extra)  # fmt: skip
        return run

    def send(self, *args):
        return self.cli("--workspace", self.workspace, "send", "--provider", self.provider,
                        *args)  # fmt: skip

    def argv(self, *args) -> list[str]:
        return ["--workspace", str(self.workspace), "send", "--provider", str(self.provider),
                *map(str, args)]  # fmt: skip

    def made(self, plan: str, kind: str) -> Path:
        rows = db_rows(self.workspace, "SELECT * FROM files_made ORDER BY id DESC")
        return Path(next(r["path"] for r in rows if (r["plan"], r["kind"]) == (plan, kind)))

    def remote_files(self, plan: str) -> list[str]:
        return sorted(os.listdir(self.remote / plan))


@pytest.fixture
def site(sshd, cli, kit, samples, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    made = Site(tmp_path, sshd, cli, kit, samples)
    run = made.convert()
    assert run.code == 0, run.err
    return made


def test_send_delivers_each_plans_files_once_and_a_second_send_sends_nothing(site):
    run = site.send("--period", PERIOD, "--plan", "all", "--today", ON_TIME)
    assert run.code == 0, run.err
    assert "Traceback" not in run.text and "C00" not in run.err
    sent = db_rows(site.workspace)
    assert len(sent) == 10 and {r["outcome"] for r in sent} == {"sent"}
    for row in sent:
        made = db_rows(site.workspace, f"SELECT * FROM files_made WHERE id = {row['file_id']}")[0]
        remote = site.remote / made["plan"] / Path(made["path"]).name
        assert row["remote_name"] == remote.name and sha256(remote) == made["sha256"]
        assert (row["sha256"], row["size"], row["checked"]) == (made["sha256"], made["size"],
                                                               "size")  # fmt: skip
        assert row["resend"] == 0 and row["finished_at"] and row["pid"] == os.getpid()
        assert row["destination"].endswith(f":{site.remote / made['plan']}")
    for plan in PLANS:
        assert len(site.remote_files(plan)) == 2, site.remote_files(plan)
    assert "Sunrise Community Health_ECM - IOT_12032025.xlsx" in site.remote_files("partnership")

    again = site.send("--period", PERIOD, "--today", ON_TIME, "--format", "json")
    assert again.code == 0, again.err
    assert "everything was sent already" in again.err and "use --resend" in again.err
    assert db_rows(site.workspace) == sent
    assert {r["outcome"] for r in json.loads(again.out)} == {"already sent"}


def test_a_correction_is_resent_and_replaces_the_remote_file(site, kit):
    assert site.send("--period", PERIOD, "--plan", "healthnet", "--today", ON_TIME).code == 0
    otf = site.made("healthnet", "otf")
    first = sha256(site.remote / "healthnet" / otf.name)
    outreach = kit.read_csv(site.data / "outreach.csv")
    kit.write_csv(site.data / "outreach.csv", outreach[:-3])  # a corrected month
    assert site.convert("--force", plan="healthnet").code == 0
    assert sha256(otf) != first

    dry = site.send("--period", PERIOD, "--plan", "healthnet", "--resend", "--dry-run")
    assert dry.code == 0 and dry.out.count("would send (replacing the copy sent") == 2
    plain = site.send("--period", PERIOD, "--plan", "healthnet", "--today", ON_TIME)
    assert plain.code == 0 and f"already sent {otf.name}" in plain.err
    assert sha256(site.remote / "healthnet" / otf.name) == first
    resent = site.send("--period", PERIOD, "--plan", "healthnet", "--today", "2025-12-08",
                       "--resend")  # fmt: skip
    assert resent.code == 0, resent.err
    assert sha256(site.remote / "healthnet" / otf.name) == sha256(otf)
    assert "C001" in resent.err and "corrections accepted until 2025-12-10" in resent.err
    rows = db_rows(site.workspace)
    assert [(r["outcome"], r["resend"]) for r in rows] == [("sent", 0)] * 2 + [("sent", 1)] * 2
    assert site.remote_files("healthnet") == sorted([otf.name, site.made("healthnet", "rtf").name])


def test_a_file_with_errors_an_edited_and_a_missing_file_are_refused(site, kit):
    members = {m["member_id"]: m["plan"] for m in kit.read_csv(site.data / "members.csv")}
    episodes = kit.read_csv(site.data / "enrollments.csv")
    next(e for e in episodes if members[e["member_id"]] == "healthnet")["status"] = "bogus"
    kit.write_csv(site.data / "enrollments.csv", episodes)
    assert site.convert("--force", plan="healthnet").code == 1  # written all the same
    rtf = site.made("healthnet", "rtf")
    edited, missing = site.made("calviva", "rtf"), site.made("calviva", "otf")
    with open(edited, "ab") as handle:
        handle.write(b"\0")
    missing.unlink()
    run = site.send("--period", PERIOD, "--plan", "healthnet", "--plan", "calviva",
                    "--plan", "chpiv", "--today", ON_TIME)  # fmt: skip
    assert run.code == 1
    lines = run.error_lines()
    assert any(rtf.name in line and "error finding" in line for line in lines), lines
    assert any(edited.name in line and "changed since ecmx made it; run convert again" in line
               for line in lines), lines  # fmt: skip
    assert any(missing.name in line and "missing" in line for line in lines), lines
    assert site.remote_files("calviva") == []
    assert len(lines) == 4, lines  # the RTF and the OTF have errors
    assert site.remote_files("healthnet") == []
    assert len(site.remote_files("chpiv")) == 2  # the other files still go
    assert [r["outcome"] for r in db_rows(site.workspace)] == ["sent", "sent"]


def test_dry_run_says_what_would_go_where_and_touches_neither_server_nor_ledger(site):
    site.set_sftp("chwp", port=free_port())  # nothing listens there: a connection would fail
    run = site.send("--period", PERIOD, "--dry-run", "--today", "2025-12-20", "--format", "csv")
    assert run.code == 0, run.err
    rtf = site.made("chwp", "rtf")
    where = f"{site.sshd.user}@127.0.0.1:"
    assert f"{where}{site.sshd.port}:{site.remote / 'healthnet'}/" in run.out
    line = next(line for line in run.out.splitlines() if rtf.name in line)
    assert "would send (new)" in line and f"/{rtf.name}" in line
    assert "C002" in run.err and "will refuse this file" in run.err
    assert db_rows(site.workspace) == []
    assert all(site.remote_files(plan) == [] for plan in PLANS)


def test_a_dry_run_lists_a_plan_without_sftp_for_secure_email_and_a_send_refuses_it(site):
    """The seeds' fallback (secure email while sFTP is not set up): the dry run says which
    files to attach; a real send of that plan is one line naming the missing settings."""
    data = yaml.safe_load(site.provider.read_text("utf-8"))
    del data["plans"]["chpiv"]["sftp"]
    site.provider.write_text(yaml.safe_dump(data), "utf-8")
    run = site.send("--period", PERIOD, "--dry-run", "--today", ON_TIME, "--format", "csv")
    assert run.code == 0, run.err
    rtf = site.made("chpiv", "rtf")
    line = next(line for line in run.out.splitlines() if rtf.name in line)
    assert ",secure email,would send (no sftp settings for the plan)," in line
    assert run.out.count("secure email") == 2 and run.out.count("would send (new)") == 8
    refused = site.send("--period", PERIOD, "--plan", "chpiv")
    assert refused.code == 2 and "plans.chpiv.sftp: no sftp settings" in refused.err
    assert db_rows(site.workspace) == [] and site.remote_files("chpiv") == []


def test_named_files_must_be_files_ecmx_made_here(site, tmp_path):
    stranger = tmp_path / "RTF.xlsx"
    stranger.write_bytes(b"not ecmx's")
    rtf = site.made("chpiv", "rtf")
    run = site.send(stranger, rtf, "--today", ON_TIME)
    assert run.code == 1
    run.one_error_line("RTF.xlsx", "not made by ecmx in this workspace",
                       "run ecmx convert with --workspace")  # fmt: skip
    assert site.remote_files("chpiv") == [rtf.name]
    otf = site.made("chpiv", "otf")
    (site.remote / "chpiv" / otf.name).write_bytes(b"put there by hand")
    there = site.send(otf, "--today", ON_TIME)
    assert there.code == 2
    there.one_error_line(otf.name, "exists already", "--resend")
    assert (site.remote / "chpiv" / otf.name).read_bytes() == b"put there by hand"
    assert [r["outcome"] for r in db_rows(site.workspace)] == ["sent", "failed"]
    no_sftp = site.send("--period", PERIOD, "--plan", "nosuch")
    assert no_sftp.code == 2
    no_sftp.one_error_line("plans.nosuch.sftp", "no sftp settings")
    no_workspace = site.cli("send", "--period", PERIOD, "--provider", site.provider)
    assert no_workspace.code == 2
    no_workspace.one_error_line("no ecmx workspace", "ecmx init")


def test_server_faults_record_a_failed_attempt_and_the_other_plans_still_go(site):
    site.set_sftp("healthnet", port=free_port())
    refused = site.send("--period", PERIOD, "--plan", "healthnet", "--plan", "chpiv",
                        "--today", ON_TIME)  # fmt: skip
    assert refused.code == 4
    assert all("refused the connection" in line for line in refused.error_lines())
    assert len(refused.error_lines()) == 2
    rows = db_rows(site.workspace)
    assert sorted(r["outcome"] for r in rows) == ["failed", "failed", "sent", "sent"]
    assert site.remote_files("chpiv") and site.remote_files("healthnet") == []
    assert all("refused the connection" in r["detail"] for r in rows if r["outcome"] == "failed")

    site.set_sftp("healthnet", path=str(site.remote / "nowhere"))
    missing = site.send("--period", PERIOD, "--plan", "healthnet", "--today", ON_TIME)
    assert missing.code == 4 and "does not exist" in missing.err
    other = keygen(site.root / "other_key").with_suffix(".pub").read_text().split()[:2]
    entry = f"[127.0.0.1]:{site.sshd.port}"
    (site.root / "known_hosts").write_text(f"{entry} {' '.join(other)}\n")  # a changed key
    site.set_sftp("healthnet")
    changed = site.send("--period", PERIOD, "--plan", "healthnet", "--today", ON_TIME)
    assert changed.code == 5 and "CHANGED" in changed.err and "--replace" in changed.err
    assert [r["outcome"] for r in db_rows(site.workspace)].count("sent") == 2
    assert site.remote_files("healthnet") == []


# A send whose rename on the server waits: it says so in a file, then sleeps; with
# ECMX_TEST_PAUSE_AFTER_RENAME=1 the rename is done first (the file is in place on the
# server, the ledger does not know yet).
_PAUSED_SEND = """
import os, sys, time, pathlib, paramiko
from ecmx.core.cli.main import main
rename = paramiko.SFTPClient.rename
after = os.environ.get("ECMX_TEST_PAUSE_AFTER_RENAME") == "1"
def paused(self, old, new):
    if after:
        rename(self, old, new)
    pathlib.Path(sys.argv[1]).touch()
    time.sleep(float(sys.argv[2]))
    if not after:
        return rename(self, old, new)
paramiko.SFTPClient.rename = paused
main(sys.argv[3:])
"""


def _paused_send(site, marker: Path, seconds: float, *args, after=False) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "ECMX_WORKSPACE"}
    env["ECMX_TEST_PAUSE_AFTER_RENAME"] = "1" if after else "0"
    return subprocess.Popen(
        [sys.executable, "-c", _PAUSED_SEND, str(marker), str(seconds), *site.argv(*args)],
        cwd=site.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wait_for(path: Path, child: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the send never reached the rename"
        time.sleep(0.02)


def test_a_send_killed_mid_upload_is_never_sent_and_the_next_send_succeeds(site):
    marker = site.root / "renaming"
    child = _paused_send(site, marker, 600, "--period", PERIOD, "--plan", "healthnet",
                         "--today", ON_TIME)  # fmt: skip
    _wait_for(marker, child)
    child.kill()
    child.communicate()
    name = site.made("healthnet", "rtf").name
    assert site.remote_files("healthnet") == [part_name(name)]
    rows = db_rows(site.workspace)  # the plan's RTF and OTF, claimed by the dead process
    assert [(r["outcome"], r["pid"]) for r in rows] == [("sending", child.pid)] * 2

    retry = site.send("--period", PERIOD, "--plan", "healthnet", "--today", ON_TIME)
    assert retry.code == 0, retry.err
    rows = db_rows(site.workspace)
    assert [r["outcome"] for r in rows] == ["interrupted"] * 2 + ["sent"] * 2
    otf = site.made("healthnet", "otf").name
    assert site.remote_files("healthnet") == sorted([name, otf])
    assert sha256(site.remote / "healthnet" / name) == sha256(site.made("healthnet", "rtf"))


def test_two_sends_at_once_put_each_file_on_the_server_once(site):
    args = ("--period", PERIOD, "--plan", "chwp", "--today", ON_TIME)
    first = _paused_send(site, site.root / "first", 2, *args)
    _wait_for(site.root / "first", first)
    second = _paused_send(site, site.root / "second", 0, *args)
    outputs = [child.communicate(timeout=120) for child in (first, second)]
    assert first.returncode == 0, outputs[0][1]
    assert second.returncode == 1, outputs[1][1]
    assert "being sent by process" in outputs[1][1] and str(first.pid) in outputs[1][1]
    rows = db_rows(site.workspace)
    assert [r["outcome"] for r in rows] == ["sent", "sent"]
    assert len(site.remote_files("chwp")) == 2
    assert all(not name.startswith(".") for name in site.remote_files("chwp"))


def test_a_send_killed_after_the_rename_is_found_on_the_server_and_recorded_sent(site, cli):
    marker = site.root / "renamed"
    child = _paused_send(site, marker, 600, "--period", PERIOD, "--plan", "healthnet",
                         "--today", ON_TIME, after=True)  # fmt: skip
    _wait_for(marker, child)
    child.kill()
    child.communicate()
    rtf, otf = site.made("healthnet", "rtf"), site.made("healthnet", "otf")
    assert site.remote_files("healthnet") == [rtf.name]  # in place; the ledger never knew
    assert [r["outcome"] for r in db_rows(site.workspace)] == ["sending"] * 2
    there = (site.remote / "healthnet" / rtf.name).stat()

    retry = site.send("--period", PERIOD, "--plan", "healthnet", "--today", ON_TIME,
                      "--format", "json")  # fmt: skip
    assert retry.code == 0, retry.err
    outcomes = {Path(r["file"]).name: (r["outcome"], r["checked"]) for r in json.loads(retry.out)}
    assert outcomes == {rtf.name: ("already on the server (identical)", "sha256"),
                        otf.name: ("sent", "size")}  # fmt: skip
    again = (site.remote / "healthnet" / rtf.name).stat()
    assert (again.st_ino, again.st_mtime_ns) == (there.st_ino, there.st_mtime_ns)  # not uploaded
    assert sha256(site.remote / "healthnet" / rtf.name) == sha256(rtf)
    rows = db_rows(site.workspace)
    assert [r["outcome"] for r in rows] == ["interrupted"] * 2 + ["sent"] * 2
    found = (rows[2]["checked"], rows[2]["sha256"], rows[2]["size"])
    assert found == ("sha256", sha256(rtf), rtf.stat().st_size)
    assert "found already on the server, identical" in rows[2]["detail"]
    assert rows[3]["checked"] == "size" and rows[3]["detail"] is None

    board = cli("--workspace", site.workspace, "status", "--period", PERIOD, "--plan",
                "healthnet", "--provider", site.provider, "--today", ON_TIME,
                "--format", "json")  # fmt: skip
    assert board.code == 0, board.err
    assert {(r["file"], r["sends"], r["last_attempt"]) for r in json.loads(board.out)} == {
        ("RTF", 1, "sent"), ("OTF", 1, "sent")}  # fmt: skip
    third = site.send("--period", PERIOD, "--plan", "healthnet", "--today", ON_TIME)
    assert third.code == 0 and "everything was sent already" in third.err
    assert len(db_rows(site.workspace)) == 4


def test_a_name_taken_on_the_server_is_read_back_identical_sent_different_refused(site):
    rtf, otf = site.made("calviva", "rtf"), site.made("calviva", "otf")
    (site.remote / "calviva" / rtf.name).write_bytes(b"another file of that name")
    (site.remote / "calviva" / otf.name).write_bytes(otf.read_bytes())  # put there by hand
    run = site.send("--period", PERIOD, "--plan", "calviva", "--today", ON_TIME)
    assert run.code == 2, run.err
    line = run.one_error_line(rtf.name, f"a different file {rtf.name} is on the server",
                              "not replaced", "--resend")  # fmt: skip
    assert "Traceback" not in run.text and str(site.remote / "calviva") in line
    assert (site.remote / "calviva" / rtf.name).read_bytes() == b"another file of that name"
    assert (site.remote / "calviva" / otf.name).read_bytes() == otf.read_bytes()
    assert site.remote_files("calviva") == sorted([rtf.name, otf.name])  # no part left
    assert "already on the server (identical)" in run.out
    rows = db_rows(site.workspace, "SELECT s.*, m.kind FROM sends s JOIN files_made m"
                                   " ON m.id = s.file_id ORDER BY s.id")  # fmt: skip
    assert [(r["kind"], r["outcome"]) for r in rows] == [("rtf", "failed"), ("otf", "sent")]
    assert "a different file" in rows[0]["detail"] and rows[0]["sha256"] is None
    assert rows[1]["checked"] == "sha256" and "identical" in rows[1]["detail"]
