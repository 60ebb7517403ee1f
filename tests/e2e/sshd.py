"""A real OpenSSH server for the sFTP tests: ``/usr/sbin/sshd`` on 127.0.0.1 and a free
port, with a host key and a client key made by ``ssh-keygen`` for the test, the current
user's login by that key, and the ``internal-sftp`` subsystem (no chroot: remote paths
are this machine's paths). Skipped off CI when OpenSSH's server is not installed
(``apt-get install --no-install-recommends openssh-server``); on CI it must run.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
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

_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder}/host_key
PidFile none
AuthorizedKeysFile {folder}/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
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
        the client key and ``folder/known_hosts`` (``sftp`` overrides any setting)."""
        settings = {"host": self.host, "port": self.port, "user": self.user,
                    "path": str(remote), "key": str(self.client_key),
                    "known_hosts": str(folder / "known_hosts"), **sftp}  # fmt: skip
        profile = {"facility_name": "Sunrise Community Health", "npi": "1234567893",
                   "tin": "12-3456789", "plans": {plan: {"sftp": settings}}}  # fmt: skip
        path = folder / "provider.yaml"
        path.write_text(yaml.safe_dump(profile), "utf-8")
        return path


def start_sshd(folder: Path) -> Sshd:
    folder.mkdir(parents=True, exist_ok=True)
    keygen(folder / "host_key")
    keygen(folder / "client_key")
    shutil.copy(folder / "client_key.pub", folder / "authorized_keys")
    if os.geteuid() == 0:  # sshd run by root needs its privilege separation folder
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    port = free_port()
    (folder / "sshd_config").write_text(_CONFIG.format(port=port, folder=folder), "utf-8")
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
