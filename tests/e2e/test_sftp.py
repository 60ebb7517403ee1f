"""``ecmx sftp trust|check`` and the sFTP transport against a real OpenSSH sshd (sshd.py):
host keys checked before any login, one-line errors with their exit codes, uploads that
never leave a partial file under the real name, downloads that never replace a file."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from ecmx.core.dataset.provider import load_provider
from ecmx.core.delivery.settings import sftp_settings
from ecmx.core.delivery.sftp import connect, part_name
from ecmx.core.errors import InputError, OutputError, RemoteError
from ecmx.core.jobs.sftp import (
    SftpCheckRequest,
    SftpTrustRequest,
    run_sftp_check,
    run_sftp_trust,
)

from .sshd import free_port, keygen, needs_sshd

pytestmark = needs_sshd


@pytest.fixture
def site(sshd, tmp_path, monkeypatch):
    """A provider folder (the current one) whose healthnet plan logs in to ``sshd``, and
    the plan's remote folder, with one file in it."""
    monkeypatch.chdir(tmp_path)
    remote = tmp_path / "remote"
    remote.mkdir()
    (remote / "MIF_202511.xlsx").write_bytes(b"mif" * 100)
    sshd.provider(tmp_path, remote)
    return tmp_path, remote


def trusted(sshd, site, cli):
    assert cli("sftp", "trust", "healthnet", "--yes").code == 0
    return sftp_settings(load_provider(site[0] / "provider.yaml"), "healthnet")


def test_an_unknown_host_key_is_refused_with_its_fingerprint_and_how_to_trust_it(sshd, site, cli):
    run = cli("sftp", "check", "healthnet")
    assert run.code == 5
    run.one_error_line(sshd.host_fingerprint, "ecmx sftp trust healthnet", "not connecting")
    assert not (site[0] / "known_hosts").exists()


def test_trust_asks_first_and_adds_the_key_only_when_told(sshd, site, cli):
    known = site[0] / "known_hosts"
    refused = cli("sftp", "trust", "healthnet")  # not a terminal: nobody to ask
    assert refused.code == 5 and "not trusted" in refused.err and not known.exists()
    added = cli("sftp", "trust", "healthnet", "--yes")
    assert added.code == 0 and sshd.host_fingerprint in added.err and "added" in added.err
    # OpenSSH itself finds the host in the file ecmx wrote
    entry = f"[127.0.0.1]:{sshd.port}"
    found = subprocess.run(["ssh-keygen", "-F", entry, "-f", str(known)], capture_output=True)
    assert found.returncode == 0
    again = cli("sftp", "trust", "healthnet", "--yes")
    assert "already trusted" in again.err and known.read_text().count(entry) == 1


def test_check_logs_in_and_lists_the_folder(sshd, site, cli):
    trusted(sshd, site, cli)
    (site[1] / part_name("RTF.xlsx")).write_bytes(b"partial")
    run = cli("sftp", "check", "healthnet")
    assert run.code == 0, run.err
    assert "1 file(s)" in run.out and "MIF_202511.xlsx" in run.out and "RTF" not in run.out


def test_a_changed_host_key_is_refused_and_replaced_only_when_asked(sshd, site, cli):
    other = keygen(site[0] / "other_key")
    entry = f"[127.0.0.1]:{sshd.port}"
    public = (other.with_suffix(".pub")).read_text().split()[:2]
    known = site[0] / "known_hosts"
    known.write_text(f"# kept\nexample.org {' '.join(public)}\n{entry} {' '.join(public)}\n")
    run = cli("sftp", "check", "healthnet")
    assert run.code == 5
    run.one_error_line("CHANGED", sshd.host_fingerprint, "--replace")
    assert cli("sftp", "trust", "healthnet", "--yes").code == 5
    replaced = cli("sftp", "trust", "healthnet", "--yes", "--replace")
    assert replaced.code == 0 and "replaced" in replaced.err
    lines = known.read_text().splitlines()
    assert lines[:2] == ["# kept", f"example.org {' '.join(public)}"] and len(lines) == 3
    assert cli("sftp", "check", "healthnet").code == 0


def test_connection_refused_is_one_line(sshd, site, cli):
    sshd.provider(site[0], site[1], port=free_port())
    run = cli("sftp", "check", "healthnet")
    assert run.code == 4
    run.one_error_line("refused the connection")


def test_a_missing_remote_folder_is_one_line(sshd, site, cli):
    trusted(sshd, site, cli)
    sshd.provider(site[0], site[1] / "nowhere")
    run = cli("sftp", "check", "healthnet")
    assert run.code == 4
    run.one_error_line("does not exist", "nowhere")


def test_a_key_the_server_does_not_know_is_refused(sshd, site, cli):
    trusted(sshd, site, cli)
    sshd.provider(site[0], site[1], key=str(keygen(site[0] / "stranger")))
    run = cli("sftp", "check", "healthnet")
    assert run.code == 4
    run.one_error_line("refused the login")


def test_a_password_written_in_provider_yaml_is_refused_without_repeating_it(sshd, site, cli):
    sshd.provider(site[0], site[1], password="hunter2secret")
    run = cli("sftp", "check", "healthnet")
    assert run.code == 2
    line = run.one_error_line("plans.healthnet.sftp.password", "{env: NAME}")
    assert "hunter2secret" not in run.text and "hunter2secret" not in line


def test_a_password_variable_that_is_not_set_is_named(sshd, site, cli, monkeypatch):
    monkeypatch.delenv("ECMX_TEST_NO_SUCH", raising=False)
    data = yaml.safe_load((site[0] / "provider.yaml").read_text())
    del data["plans"]["healthnet"]["sftp"]["key"]
    data["plans"]["healthnet"]["sftp"]["password"] = {"env": "ECMX_TEST_NO_SUCH"}
    (site[0] / "provider.yaml").write_text(yaml.safe_dump(data))
    run = cli("sftp", "check", "healthnet")
    assert run.code == 2
    run.one_error_line("ECMX_TEST_NO_SUCH", "not set")


# ----------------------------------------------------------------------------- transport


def test_upload_lands_under_its_name_and_never_replaces_a_file(sshd, site, cli, tmp_path):
    settings = trusted(sshd, site, cli)
    local = tmp_path / "RTF.xlsx"
    local.write_bytes(b"first")
    with connect(settings) as session:
        sent = session.upload(local, settings.path, "RTF.xlsx")
        assert sent.checked == "size"  # OpenSSH offers no check-file hash
        assert (site[1] / "RTF.xlsx").read_bytes() == b"first"
        local.write_bytes(b"second")
        with pytest.raises(OutputError, match="exists already"):
            session.upload(local, settings.path, "RTF.xlsx")
        assert (site[1] / "RTF.xlsx").read_bytes() == b"first"
        session.upload(local, settings.path, "RTF.xlsx", overwrite=True)
        assert [f.name for f in session.list(settings.path, ["RTF*"])] == ["RTF.xlsx"]
        with pytest.raises(RemoteError, match="does not exist"):
            session.upload(local, settings.path + "/missing", "RTF.xlsx")
    assert (site[1] / "RTF.xlsx").read_bytes() == b"second"
    assert not (site[1] / part_name("RTF.xlsx")).exists()


_SLOW_UPLOAD = """
import sys, time, paramiko
from ecmx.core.dataset.provider import load_provider
from ecmx.core.delivery.settings import sftp_settings
from ecmx.core.delivery.sftp import connect
write = paramiko.SFTPFile.write
def slow(self, data):  # a slow link: the kill lands mid-file
    time.sleep(0.01)
    return write(self, data)
paramiko.SFTPFile.write = slow
settings = sftp_settings(load_provider(sys.argv[1]), "healthnet")
with connect(settings) as session:
    session.upload(sys.argv[2], settings.path, "OTF.xlsx")
"""


def test_a_client_killed_mid_upload_leaves_no_file_under_the_name_and_a_retry_works(
    sshd, site, cli, tmp_path
):
    settings = trusted(sshd, site, cli)
    local = tmp_path / "OTF.xlsx"
    local.write_bytes(os.urandom(8 * 1024 * 1024))
    child = subprocess.Popen([sys.executable, "-c", _SLOW_UPLOAD, str(site[0] / "provider.yaml"),
                              str(local)])  # fmt: skip
    part = site[1] / part_name("OTF.xlsx")
    deadline = time.monotonic() + 30
    while not (part.exists() and part.stat().st_size > 256 * 1024):
        assert child.poll() is None and time.monotonic() < deadline, "upload never started"
        time.sleep(0.02)
    child.kill()
    child.wait()
    time.sleep(0.2)
    assert not (site[1] / "OTF.xlsx").exists()
    assert part.stat().st_size < local.stat().st_size
    with connect(settings) as session:
        session.upload(local, settings.path, "OTF.xlsx")
    digest = hashlib.sha256(local.read_bytes()).digest()
    assert hashlib.sha256((site[1] / "OTF.xlsx").read_bytes()).digest() == digest
    assert not part.exists()


def test_download_never_replaces_a_file_nor_changes_the_remote(sshd, site, cli, tmp_path):
    settings = trusted(sshd, site, cli)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    before = sorted(os.listdir(site[1]))
    with connect(settings) as session:
        got = session.download(settings.path, "MIF_202511.xlsx", inbox)
        assert Path(got.path).read_bytes() == b"mif" * 100
        with pytest.raises(OutputError, match="exists already"):
            session.download(settings.path, "MIF_202511.xlsx", inbox)
        with pytest.raises(RemoteError, match="does not exist"):
            session.download(settings.path, "TEL.xlsx", inbox)
    assert sorted(os.listdir(inbox)) == ["MIF_202511.xlsx"]
    assert sorted(os.listdir(site[1])) == before


def test_digest_reads_a_remote_file_through_and_changes_nothing(sshd, site, cli, tmp_path):
    settings = trusted(sshd, site, cli)
    data = os.urandom(300_000)  # several reads
    (site[1] / "RTF.xlsx").write_bytes(data)
    remote_before = {p.name: p.stat().st_mtime_ns for p in site[1].iterdir()}
    local_before = sorted(p.name for p in tmp_path.rglob("*"))
    with connect(settings) as session:
        assert session.digest(settings.path, "RTF.xlsx") == (
            len(data),
            hashlib.sha256(data).hexdigest(),
        )
        with pytest.raises(RemoteError, match=r"cannot read .*TEL\.xlsx back"):
            session.digest(settings.path, "TEL.xlsx")
    assert {p.name: p.stat().st_mtime_ns for p in site[1].iterdir()} == remote_before
    assert sorted(p.name for p in tmp_path.rglob("*")) == local_before


_LIMITED_DOWNLOAD = """
import resource, signal, sys
from ecmx.core.dataset.provider import load_provider
from ecmx.core.delivery.settings import sftp_settings
from ecmx.core.delivery.sftp import connect
from ecmx.core.errors import OutputError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
settings = sftp_settings(load_provider(sys.argv[1]), "healthnet")
with connect(settings) as session:
    try:
        session.download(settings.path, "BIG.xlsx", sys.argv[2])
    except OutputError as exc:
        print(exc)
        sys.exit(2)
"""


def test_a_local_disk_that_refuses_the_write_leaves_nothing_behind(sshd, site, cli, tmp_path):
    trusted(sshd, site, cli)
    (site[1] / "BIG.xlsx").write_bytes(os.urandom(1024 * 1024))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    child = subprocess.run([sys.executable, "-c", _LIMITED_DOWNLOAD, str(site[0] / "provider.yaml"),
                            str(inbox)], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert child.returncode == 2, child.stderr
    assert "cannot write" in child.stdout and "Traceback" not in child.stderr
    assert os.listdir(inbox) == []
    assert (site[1] / "BIG.xlsx").stat().st_size == 1024 * 1024


def test_a_remote_name_that_is_a_path_is_refused(sshd, site, cli, tmp_path):
    settings = trusted(sshd, site, cli)
    with connect(settings) as session, pytest.raises(InputError, match="plain file name"):
        session.download(settings.path, "../provider.yaml", tmp_path)
    assert not (tmp_path.parent / "provider.yaml").exists()


def test_trust_through_the_job_asks_the_callback_with_the_fingerprint(sshd, site):
    provider = site[0] / "provider.yaml"
    asked = []

    def say(answer):
        return lambda question: asked.append(question) or answer

    declined = run_sftp_trust(SftpTrustRequest("healthnet", provider, confirm=say(False)))
    assert declined.outcome == "not trusted" and declined.exit_code == 5
    added = run_sftp_trust(SftpTrustRequest("healthnet", provider, confirm=say(True)))
    assert added.outcome == "added" and added.fingerprint == sshd.host_fingerprint
    assert all(sshd.host_fingerprint in q for q in asked) and len(asked) == 2
    result = run_sftp_check(SftpCheckRequest("healthnet", provider))
    assert [f.name for f in result.files] == ["MIF_202511.xlsx"]


def test_known_hosts_defaults_to_the_workspace_then_home(tmp_path, monkeypatch):
    provider = load_provider(
        _profile(tmp_path, {"host": "h", "user": "u", "path": "/in", "key": "k"})
    )
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert sftp_settings(provider, "healthnet", inner).known_hosts == (
        tmp_path / "home" / ".ssh" / "known_hosts"
    )
    (tmp_path / ".ecmx").mkdir()
    assert sftp_settings(provider, "healthnet", inner).known_hosts == (
        tmp_path / ".ecmx" / "known_hosts"
    )
    assert sftp_settings(provider, "healthnet").key_file == tmp_path / "k"


def _profile(folder: Path, sftp: dict) -> Path:
    path = folder / "provider.yaml"
    path.write_text(yaml.safe_dump({"facility_name": "S", "npi": "1234567893",
                    "tin": "123456789", "plans": {"healthnet": {"sftp": sftp}}}))  # fmt: skip
    return path
