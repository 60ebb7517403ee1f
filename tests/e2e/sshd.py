"""A real OpenSSH server for the sFTP tests: ``/usr/sbin/sshd`` on 127.0.0.1 and a free
port, with a host key and a client key made by ``ssh-keygen`` for the test, the current
user's login by that key, and the ``internal-sftp`` subsystem (no chroot: remote paths
are this machine's paths). Skipped off CI when OpenSSH's server is not installed
(``apt-get install --no-install-recommends openssh-server``); on CI it must run.

``start_sshd(folder, passwords=True)`` also accepts passwords; ``add_user()`` makes a
temporary local user with a random name and password for it to check (root only: sshd
run as root with ``UsePAM no`` reads /etc/shadow itself), and ``remove_user`` deletes it.
"""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

SSHD = Path("/usr/sbin/sshd")
needs_sshd = pytest.mark.skipif(
    not (SSHD.exists() and shutil.which("ssh-keygen")) and not os.environ.get("CI"),
    reason="OpenSSH's server is not installed: apt-get install openssh-server",
)

needs_root = pytest.mark.skipif(
    not (os.geteuid() == 0 and shutil.which("useradd") and shutil.which("chpasswd"))
    and not os.environ.get("CI"),
    reason="a password login test makes a temporary local user: run as root (CI does)",
)

_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder}/host_key
PidFile none
AuthorizedKeysFile {folder}/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication {passwords}
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
LogLevel ERROR
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def keygen(path: Path) -> Path:
    """A new Ed25519 key pair at ``path`` (and ``path.pub``), without a passphrase."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ecmx-test", "-f",
                    str(path)], check=True)  # fmt: skip
    return path


def fingerprint(public_key: Path) -> str:
    """OpenSSH's own fingerprint of a public key (``ssh-keygen -lf``): SHA256:..."""
    line = subprocess.run(["ssh-keygen", "-lf", str(public_key)], check=True,
                          capture_output=True, text=True).stdout  # fmt: skip
    return line.split()[1]


@dataclass
class Sshd:
    folder: Path
    port: int
    process: subprocess.Popen
    user: str = getpass.getuser()
    host: str = "127.0.0.1"

    @property
    def client_key(self) -> Path:
        return self.folder / "client_key"

    @property
    def host_fingerprint(self) -> str:
        return fingerprint(self.folder / "host_key.pub")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)

    def provider(self, folder: Path, remote: Path, plan: str = "healthnet", **sftp) -> Path:
        """A provider.yaml in ``folder`` whose ``plan`` logs in here, to ``remote``, with
        the client key and ``folder/known_hosts`` (``sftp`` overrides any setting; a
        setting given as None is left out)."""
        settings = {"host": self.host, "port": self.port, "user": self.user,
                    "path": str(remote), "key": str(self.client_key),
                    "known_hosts": str(folder / "known_hosts"), **sftp}  # fmt: skip
        settings = {name: value for name, value in settings.items() if value is not None}
        profile = {"facility_name": "Sunrise Community Health", "npi": "1234567893",
                   "tin": "12-3456789", "plans": {plan: {"sftp": settings}}}  # fmt: skip
        path = folder / "provider.yaml"
        path.write_text(yaml.safe_dump(profile), "utf-8")
        return path


@dataclass
class LoginUser:
    """A temporary local user: its name, password and home (a folder it owns)."""

    name: str
    password: str
    home: Path


def add_user() -> LoginUser:
    """A new local user with a random name and password, and a home in the temporary
    folder it owns; remove it with ``remove_user`` (in a ``finally``)."""
    name, password = f"ecmx{secrets.token_hex(5)}", secrets.token_urlsafe(18)
    home = Path(tempfile.mkdtemp(prefix="ecmx-sshd-"))
    for attempt in range(20):  # another test process may hold /etc/passwd's lock
        made = subprocess.run(["useradd", "-M", "-N", "-d", str(home), "-s", "/bin/sh", name],
                              capture_output=True, text=True)  # fmt: skip
        if made.returncode == 0:
            break
        if attempt == 19:
            shutil.rmtree(home, ignore_errors=True)
            raise RuntimeError(f"useradd failed: {made.stderr}")
        time.sleep(0.1)
    user = LoginUser(name, password, home)
    try:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True,
                       capture_output=True)  # fmt: skip
        shutil.chown(home, name)
    except BaseException:
        remove_user(user)
        raise
    return user


def remove_user(user: LoginUser) -> None:
    for _ in range(20):
        gone = subprocess.run(["userdel", "-f", user.name], capture_output=True, text=True)
        if gone.returncode in (0, 6):  # 6: no such user
            break
        time.sleep(0.1)
    shutil.rmtree(user.home, ignore_errors=True)


def start_sshd(folder: Path, passwords: bool = False) -> Sshd:
    folder.mkdir(parents=True, exist_ok=True)
    keygen(folder / "host_key")
    keygen(folder / "client_key")
    shutil.copy(folder / "client_key.pub", folder / "authorized_keys")
    if os.geteuid() == 0:  # sshd run by root needs its privilege separation folder
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    port = free_port()
    (folder / "sshd_config").write_text(
        _CONFIG.format(port=port, folder=folder, passwords="yes" if passwords else "no"), "utf-8"
    )
    with open(folder / "sshd.log", "wb") as log:  # the child keeps its own copy
        process = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(folder / "sshd_config")],
                                   stderr=log)  # fmt: skip
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited: {(folder / 'sshd.log').read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return Sshd(folder, port, process)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("sshd did not listen within 15 s")
