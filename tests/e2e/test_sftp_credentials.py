"""Credentials against a real OpenSSH sshd (sshd.py): a password login for a temporary
local user, the password from a variable or the OS keyring (``ecmx sftp password``; the
keyring is keyrings.alt's file backend in a temporary folder), and private keys protected
by a passphrase (``ssh-keygen -N``). No secret in any output or log line."""

from __future__ import annotations

import logging
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import keyring
import keyring.core
import pytest
import yaml

from .conftest import ECMX_SCRIPT
from .sshd import add_user, needs_root, needs_sshd, remove_user, start_sshd

pytestmark = needs_sshd
SERVICE = "ecmx-test-healthnet"
KEY_SERVICE = "ecmx-test-healthnet-key"


@pytest.fixture(scope="module")
def password_sshd(tmp_path_factory):
    """An sshd that takes passwords, and a temporary user it checks them for."""
    user = add_user()
    server = None
    try:
        server = start_sshd(tmp_path_factory.mktemp("sshd-pw"), passwords=True)
        server.user = user.name
        yield server, user
    finally:
        if server is not None:
            server.stop()
        remove_user(user)


@pytest.fixture
def os_keyring(tmp_path, monkeypatch):
    """The OS keyring as keyrings.alt's file backend in a temporary folder (this process,
    and any ecmx it starts, through PYTHON_KEYRING_BACKEND)."""
    previous = keyring.get_keyring()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "keyring-data"))
    keyring.core.init_backend()
    yield tmp_path / "keyring-data"
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(monkeypatch):
    previous = keyring.get_keyring()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core.init_backend()
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def pw_site(password_sshd, tmp_path, monkeypatch, cli):
    """A provider folder whose healthnet plan logs in to ``password_sshd`` by password
    (from $ECMX_TEST_PW), its host key trusted, and the user's remote folder with a file."""
    server, user = password_sshd
    monkeypatch.chdir(tmp_path)
    remote = user.home / "remote"
    if not remote.exists():
        remote.mkdir()
        (remote / "MIF_202511.xlsx").write_bytes(b"mif")
        shutil.chown(remote, user.name)
    monkeypatch.setenv("ECMX_TEST_PW", user.password)
    server.provider(tmp_path, remote, key=None, password={"env": "ECMX_TEST_PW"})
    assert cli("sftp", "trust", "healthnet", "--yes").code == 0
    return tmp_path, server, user


def set_sftp(folder: Path, **changes) -> None:
    """Change plans.healthnet.sftp in ``folder/provider.yaml`` (None removes a setting)."""
    path = folder / "provider.yaml"
    data = yaml.safe_load(path.read_text())
    block = data["plans"]["healthnet"]["sftp"]
    for name, value in changes.items():
        if value is None:
            block.pop(name, None)
        else:
            block[name] = value
    path.write_text(yaml.safe_dump(data))


def piped(cli, monkeypatch, text: str, *argv):
    """``ecmx *argv`` with ``text`` on stdin (not a terminal, as in a script)."""
    monkeypatch.setattr(sys, "stdin", _Stdin(text))
    return cli(*argv)


class _Stdin:
    def __init__(self, text: str):
        self._lines = text.splitlines(keepends=True)

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return self._lines.pop(0) if self._lines else ""


def assert_secret_nowhere(secret: str, *texts: str) -> None:
    for text in texts:
        assert secret not in text


# ------------------------------------------------------------------------------ passwords


@needs_root
def test_the_right_password_logs_in_and_a_wrong_one_is_one_line(pw_site, cli, caplog, monkeypatch):
    _, server, user = pw_site
    caplog.set_level(logging.DEBUG)  # paramiko's own log too
    run = cli("sftp", "check", "healthnet")
    assert run.code == 0, run.err
    assert "MIF_202511.xlsx" in run.out and f"{user.name}@127.0.0.1" in run.err
    monkeypatch.setenv("ECMX_TEST_PW", user.password + "x")
    wrong = cli("sftp", "check", "healthnet")
    assert wrong.code == 4
    wrong.one_error_line("refused the login", "password", user.name)
    log = (server.folder / "sshd.log").read_text()
    assert_secret_nowhere(user.password, run.text, wrong.text, caplog.text, log)


@needs_root
def test_the_password_from_the_os_keyring_logs_in(pw_site, cli, os_keyring, monkeypatch, caplog):
    folder, server, user = pw_site
    caplog.set_level(logging.DEBUG)
    set_sftp(folder, password={"keyring": SERVICE})
    missing = cli("sftp", "check", "healthnet")
    assert missing.code == 2
    missing.one_error_line(SERVICE, user.name, "ecmx sftp password healthnet")
    stored = piped(cli, monkeypatch, user.password + "\n", "sftp", "password", "healthnet")
    assert stored.code == 0, stored.err
    assert "stored" in stored.err and SERVICE in stored.err
    assert keyring.get_password(SERVICE, user.name) == user.password
    run = cli("sftp", "check", "healthnet")
    assert run.code == 0, run.err
    assert "MIF_202511.xlsx" in run.out
    replaced = piped(cli, monkeypatch, "not-it\n", "sftp", "password", "healthnet")
    assert replaced.code == 0 and "replaced" in replaced.err
    refused = cli("sftp", "check", "healthnet")
    assert refused.code == 4
    refused.one_error_line("refused the login")
    deleted = cli("sftp", "password", "healthnet", "--delete")
    assert deleted.code == 0 and "deleted" in deleted.err
    assert keyring.get_password(SERVICE, user.name) is None
    again = cli("sftp", "password", "healthnet", "--delete")
    assert again.code == 0 and "nothing stored" in again.err
    texts = (stored.text, run.text, replaced.text, caplog.text)
    assert_secret_nowhere(user.password, *texts, (server.folder / "sshd.log").read_text())


def test_password_refuses_a_plan_whose_password_is_not_in_the_keyring(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _profile(tmp_path, {"password": {"env": "X"}})
    run = piped(cli, monkeypatch, "secret\n", "sftp", "password", "healthnet")
    assert run.code == 2
    run.one_error_line("plans.healthnet.sftp.password", "{keyring: SERVICE}")
    passphrase = cli("sftp", "password", "healthnet", "--passphrase")
    assert passphrase.code == 2
    passphrase.one_error_line("plans.healthnet.sftp.passphrase")


def test_an_empty_password_is_not_stored(tmp_path, cli, monkeypatch, os_keyring):
    monkeypatch.chdir(tmp_path)
    _profile(tmp_path, {"password": {"keyring": SERVICE}})
    run = piped(cli, monkeypatch, "", "sftp", "password", "healthnet")
    assert run.code == 2
    run.one_error_line("empty", "nothing changed")
    assert keyring.get_password(SERVICE, "sunrise") is None


def test_a_machine_without_a_keyring_is_one_line(tmp_path, cli, monkeypatch, no_keyring):
    monkeypatch.chdir(tmp_path)
    _profile(tmp_path, {"password": {"keyring": SERVICE}})
    check = cli("sftp", "check", "healthnet")
    assert check.code == 2
    check.one_error_line("plans.healthnet.sftp.password", "no usable OS keyring", "{env: NAME}")
    store = piped(cli, monkeypatch, "secret\n", "sftp", "password", "healthnet")
    assert store.code == 2
    store.one_error_line("no usable OS keyring")
    assert "secret" not in store.text


def test_on_a_terminal_password_asks_twice_without_echo(tmp_path, os_keyring):
    _profile(tmp_path, {"password": {"keyring": SERVICE}})
    code, screen = _on_terminal(tmp_path, ["sftp", "password", "healthnet"], ["s3cr3t-pw", "other"])
    assert code == 2 and "differ" in screen and "s3cr3t-pw" not in screen
    assert keyring.get_password(SERVICE, "sunrise") is None
    code, screen = _on_terminal(tmp_path, ["sftp", "password", "healthnet"], ["s3cr3t-pw"] * 2)
    assert code == 0 and "stored" in screen and "s3cr3t-pw" not in screen
    assert screen.count("password for sunrise@") == 2  # the two prompts
    keyring.core.init_backend()
    assert keyring.get_password(SERVICE, "sunrise") == "s3cr3t-pw"


# The child makes the pseudo-terminal its controlling one (getpass talks to /dev/tty),
# then becomes ecmx; no fork() in this (threaded) test process.
_ON_TTY = "import fcntl, os, sys, termios; os.setsid(); fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
_ON_TTY += "os.execv(sys.argv[1], sys.argv[1:])"


def _on_terminal(folder: Path, argv: list[str], answers: list[str]) -> tuple[int, str]:
    """Run the ecmx script on a new pseudo-terminal, typing each answer at a prompt."""
    fd, tty = pty.openpty()
    child = subprocess.Popen([sys.executable, "-c", _ON_TTY, str(ECMX_SCRIPT), *argv],
                             cwd=folder, stdin=tty, stdout=tty, stderr=tty)  # fmt: skip
    os.close(tty)
    screen, typed, deadline = b"", 0, time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
        asked = screen.count(b"password for ")  # typed after its prompt: getpass
        if typed < min(asked, len(answers)) and screen.endswith(b": "):  # flushes before
            os.write(fd, answers[typed].encode() + b"\r")
            typed += 1
    os.close(fd)
    return child.wait(30), screen.decode(errors="replace")


# ----------------------------------------------------------------------- key passphrases


@pytest.fixture
def key_site(sshd, tmp_path, monkeypatch, cli):
    """A provider folder whose healthnet plan logs in to ``sshd`` with a key protected by
    the passphrase 'secret-phrase' (ssh-keygen -N), which the server accepts."""
    monkeypatch.chdir(tmp_path)
    remote = tmp_path / "remote"
    remote.mkdir()
    (remote / "MIF_202511.xlsx").write_bytes(b"mif")
    key = tmp_path / "protected"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret-phrase", "-f", str(key)],
                   check=True)  # fmt: skip
    with open(sshd.folder / "authorized_keys", "a") as keys:
        keys.write(key.with_suffix(".pub").read_text())
    sshd.provider(tmp_path, remote, key=str(key))
    assert cli("sftp", "trust", "healthnet", "--yes").code == 0
    return tmp_path, key


def test_a_protected_key_without_a_passphrase_says_to_add_it(key_site, cli):
    run = cli("sftp", "check", "healthnet")
    assert run.code == 2
    run.one_error_line("plans.healthnet.sftp.key", "passphrase", "{env: NAME}")


def test_a_wrong_passphrase_is_one_line_and_the_right_one_logs_in(key_site, cli, monkeypatch):
    set_sftp(key_site[0], passphrase={"env": "ECMX_TEST_PHRASE"})
    monkeypatch.setenv("ECMX_TEST_PHRASE", "not-the-phrase")
    wrong = cli("sftp", "check", "healthnet")
    assert wrong.code == 2
    wrong.one_error_line("plans.healthnet.sftp.passphrase", "does not open the key")
    assert "not-the-phrase" not in wrong.text
    monkeypatch.setenv("ECMX_TEST_PHRASE", "secret-phrase")
    run = cli("sftp", "check", "healthnet")
    assert run.code == 0, run.err
    assert "MIF_202511.xlsx" in run.out and "secret-phrase" not in run.text


def test_an_rsa_key_with_a_passphrase_logs_in(sshd, key_site, cli, monkeypatch):
    key = key_site[0] / "protected-rsa"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "rsa-phrase",
                    "-f", str(key)], check=True)  # fmt: skip
    with open(sshd.folder / "authorized_keys", "a") as keys:
        keys.write(key.with_suffix(".pub").read_text())
    set_sftp(key_site[0], key=str(key), passphrase={"env": "ECMX_TEST_PHRASE"})
    monkeypatch.setenv("ECMX_TEST_PHRASE", "wrong")
    assert cli("sftp", "check", "healthnet").one_error_line("does not open the key")
    monkeypatch.setenv("ECMX_TEST_PHRASE", "rsa-phrase")
    assert cli("sftp", "check", "healthnet").code == 0


def test_the_passphrase_from_the_os_keyring_logs_in(key_site, cli, monkeypatch, os_keyring):
    set_sftp(key_site[0], passphrase={"keyring": KEY_SERVICE})
    missing = cli("sftp", "check", "healthnet")
    assert missing.code == 2
    missing.one_error_line(KEY_SERVICE, "ecmx sftp password healthnet --passphrase")
    stored = piped(cli, monkeypatch, "secret-phrase\n", "sftp", "password", "healthnet",
                   "--passphrase")  # fmt: skip
    assert stored.code == 0 and "passphrase stored" in stored.err
    assert "secret-phrase" not in stored.text
    run = cli("sftp", "check", "healthnet")
    assert run.code == 0, run.err


def test_a_passphrase_written_in_provider_yaml_is_refused_without_repeating_it(key_site, cli):
    set_sftp(key_site[0], passphrase="secret-phrase")
    run = cli("sftp", "check", "healthnet")
    assert run.code == 2
    run.one_error_line("plans.healthnet.sftp.passphrase", "{env: NAME}", "{keyring: SERVICE}")
    assert "secret-phrase" not in run.text


@pytest.mark.parametrize(
    "reference, needle",
    [({"env": "A", "keyring": "B"}, "one of the two"), ({}, "{keyring: SERVICE}")],
)
def test_a_reference_names_one_variable_or_one_keyring_entry(tmp_path, cli, reference, needle):
    _profile(tmp_path, {"password": reference})
    run = cli("sftp", "check", "healthnet", "--provider", tmp_path / "provider.yaml")
    assert run.code == 2
    run.one_error_line("plans.healthnet.sftp.password", "{env: NAME}", needle)


def _profile(folder: Path, sftp: dict) -> Path:
    settings = {"host": "127.0.0.1", "port": 1, "user": "sunrise", "path": "/in", **sftp}
    path = folder / "provider.yaml"
    path.write_text(yaml.safe_dump({"facility_name": "S", "npi": "1234567893", "tin": "123456789",
                                    "plans": {"healthnet": {"sftp": settings}}}))  # fmt: skip
    return path
