"""Server host keys: each is checked against a known_hosts file (OpenSSH's format) before
any password or key is sent, and recorded there only when the user says so.

Adding appends one line; replacing rewrites the file with the host's old lines left out
and every other line (comments, markers, other hosts) kept as it was.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import paramiko

from ecmx.core.errors import HostKeyError, OutputError

# What a server may present for a known_hosts entry of this type.
_ALGORITHMS = {"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")}


def fingerprint(key: paramiko.PKey) -> str:
    """``SHA256:...``, as ``ssh-keygen -lf`` and OpenSSH's own prompts show it."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def host_entry(host: str, port: int) -> str:
    """The host as known_hosts names it: ``host``, or ``[host]:port`` off port 22."""
    return host if port == 22 else f"[{host}]:{port}"


def _load(path: Path) -> paramiko.HostKeys:
    keys = paramiko.HostKeys()
    if path.exists():
        try:
            keys.load(str(path))
        except (OSError, paramiko.SSHException) as exc:
            raise HostKeyError(f"cannot read the known_hosts file {path}: {exc}") from None
    return keys


def known_keys(path: Path, host: str, port: int) -> dict[str, paramiko.PKey]:
    """The host's trusted keys by type (empty: the host is unknown)."""
    found = _load(path).lookup(host_entry(host, port))
    return dict(found) if found else {}


def preferred_algorithms(known: dict[str, paramiko.PKey], offered: tuple[str, ...]):
    """Of the client's host key algorithms, those of a known key (so the server shows the
    key that was trusted, not another type of its own); all of them for an unknown host."""
    wanted = {alg for name in known for alg in _ALGORITHMS.get(name, (name,))}
    return tuple(alg for alg in offered if alg in wanted) or offered


def status(path: Path, host: str, port: int, key: paramiko.PKey) -> str:
    """``trusted``, ``unknown`` (no key for the host) or ``changed`` (another key)."""
    known = known_keys(path, host, port)
    if not known:
        return "unknown"
    same = known.get(key.get_name())
    return "trusted" if same is not None and same.asbytes() == key.asbytes() else "changed"


def verify(path: Path, host: str, port: int, key: paramiko.PKey, plan: str) -> None:
    """Return if ``key`` is trusted; otherwise one line: what, the fingerprint, what to do."""
    found = status(path, host, port, key)
    if found == "trusted":
        return
    what = (
        f"{host_entry(host, port)} presented a host key not in {path}"
        if found == "unknown"
        else f"the host key of {host_entry(host, port)} has CHANGED since it was trusted in {path}"
    )
    todo = (
        f"if it is the plan's server, trust it with: ecmx sftp trust {plan}"
        if found == "unknown"
        else f"ask the plan whether it changed its key; only then: ecmx sftp trust {plan} --replace"
    )
    raise HostKeyError(f"{what} ({key.get_name()} {fingerprint(key)}); not connecting; {todo}")


def add(path: Path, host: str, port: int, key: paramiko.PKey, *, replace: bool) -> None:
    """Record ``key`` for the host: appended, or in place of the host's lines (``replace``)."""
    entry = host_entry(host, port)
    line = f"{entry} {key.get_name()} {key.get_base64()}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.read_text("utf-8") if path.exists() else ""
        kept = [x for x in old.splitlines(keepends=True) if not (replace and _names(x, entry))]
        if kept and not kept[-1].endswith("\n"):
            kept[-1] += "\n"
        temporary = path.with_name(f".{path.name}.ecmx-part")
        temporary.write_text("".join(kept) + line, "utf-8")
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(
            f"cannot write the known_hosts file {path}: {exc.strerror or exc}"
        ) from None


def _names(line: str, entry: str) -> bool:
    """Whether a known_hosts line is about ``entry`` (plain or hashed names)."""
    if not line.strip() or line.lstrip().startswith(("#", "@")):
        return False
    try:
        parsed = paramiko.hostkeys.HostKeyEntry.from_line(line)
    except (paramiko.SSHException, ValueError):
        return False
    if parsed is None:
        return False
    for name in parsed.hostnames:
        if name.startswith("|1|"):
            salt = name.split("|")[2]
            if paramiko.HostKeys.hash_host(entry, salt) == name:
                return True
        elif name == entry:
            return True
    return False
