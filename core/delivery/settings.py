"""A plan's ``sftp:`` settings from provider.yaml, and its credentials resolved by reference.

A password or a private key is never in the YAML file: ``password: {env: NAME}`` or
``{keyring: SERVICE}`` (the OS keyring's entry for SERVICE and the sftp user), and
``key: {env: NAME}`` (the key's text in a variable) or ``key: path/to/key`` (a file), with
``passphrase: {env: NAME}`` or ``{keyring: SERVICE}`` when the key has one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ecmx.core.dataset.provider import Provider
from ecmx.core.delivery import keyring_store
from ecmx.core.errors import InputError, printable
from ecmx.core.ledger.workspace import MARKER, resolve_workspace

DEFAULT_PORT = 22
DEFAULT_TIMEOUT = 20.0


@dataclass(frozen=True)
class SftpSettings:
    """Where a plan's folder is and how to log in; secrets only as references."""

    plan: str
    host: str
    user: str
    path: str
    port: int = DEFAULT_PORT
    password_env: str | None = None
    password_keyring: str | None = None  # the OS keyring's service; the user is ``user``
    key_env: str | None = None
    key_file: Path | None = None
    known_hosts: Path = Path("known_hosts")
    timeout: float = DEFAULT_TIMEOUT
    passphrase_env: str | None = None  # the key's passphrase, when it has one
    passphrase_keyring: str | None = None
    fetch_path: str = ""  # the folder ``fetch`` reads; default: ``path``
    send_path: str = ""  # the folder ``send`` writes to; default: ``path``

    @property
    def fetch_from(self) -> str:
        return self.fetch_path or self.path

    @property
    def send_to(self) -> str:
        return self.send_path or self.path

    @property
    def where(self) -> str:
        """``user@host:port`` for messages (no secret in it)."""
        return f"{self.user}@{self.host}:{self.port}"


@dataclass(frozen=True)
class Credentials:
    password: str | None = None
    key_text: str | None = None  # a private key's text, read from a variable or a file
    passphrase: str | None = None  # the key's passphrase

    def __repr__(self) -> str:  # never the secrets
        return "Credentials(...)"


def default_known_hosts(start: Path | None = None) -> Path:
    """``.ecmx/known_hosts`` of the workspace (``$ECMX_WORKSPACE``, else the first folder
    upward from ``start``, the current one, holding ``.ecmx/``), else ``~/.ssh/known_hosts``."""
    workspace = resolve_workspace(None, start)
    if workspace is not None:
        return workspace / MARKER / "known_hosts"
    return Path.home() / ".ssh" / "known_hosts"


def sftp_settings(provider: Provider, plan_id: str, cwd: Path | None = None) -> SftpSettings:
    """The plan's ``sftp:`` block as settings; one line naming what is missing otherwise."""
    where = f"{provider.source or 'provider profile'}: plans.{printable(plan_id)}.sftp"
    block = provider.plan(plan_id).get("sftp")
    if not block:
        raise InputError(
            f"{where}: no sftp settings for this plan; add host, user, path and a password "
            "or key (docs/delivery.md)"
        )
    missing = [name for name in ("host", "user", "path") if not block.get(name)]
    if missing:
        raise InputError(f"{where}: {', '.join(missing)} missing (docs/delivery.md)")
    base = Path(provider.source).parent if provider.source else Path.cwd()
    key = block.get("key")
    known = block.get("known_hosts")
    password, passphrase = block.get("password") or {}, block.get("passphrase") or {}
    return SftpSettings(
        plan=plan_id,
        host=block["host"],
        user=block["user"],
        path=block["path"],
        port=int(block.get("port") or DEFAULT_PORT),
        password_env=password.get("env"),
        password_keyring=password.get("keyring"),
        passphrase_env=passphrase.get("env"),
        passphrase_keyring=passphrase.get("keyring"),
        key_env=key.get("env") if isinstance(key, dict) else None,
        key_file=base / Path(key).expanduser() if isinstance(key, str) else None,
        known_hosts=base / Path(known).expanduser() if known else default_known_hosts(cwd),
        timeout=float(block.get("timeout") or DEFAULT_TIMEOUT),
        fetch_path=block.get("fetch_path") or "",
        send_path=block.get("send_path") or "",
    )


def resolve_credentials(settings: SftpSettings) -> Credentials:
    """The password, key and passphrase the references point at; one line for a reference
    that is empty (a variable not set, nothing in the OS keyring)."""
    password = _from_env(settings, "password", settings.password_env)
    if settings.password_keyring is not None:
        password = _from_keyring(settings, "password", settings.password_keyring)
    key_text = _from_env(settings, "key", settings.key_env)
    if settings.key_file is not None:
        try:
            key_text = settings.key_file.read_text("utf-8")
        except OSError as exc:
            raise InputError(
                f"plans.{printable(settings.plan)}.sftp.key: cannot read the key file "
                f"{settings.key_file} ({exc.strerror or exc})"
            ) from None
    if password is None and key_text is None:
        raise InputError(
            f"plans.{printable(settings.plan)}.sftp: no password or key to log in with; "
            "add password: {env: NAME} / {keyring: SERVICE} or key: {env: NAME} / key: "
            "path/to/key"
        )
    passphrase = None
    if key_text is not None:
        passphrase = _from_env(settings, "passphrase", settings.passphrase_env)
        if settings.passphrase_keyring is not None:
            passphrase = _from_keyring(settings, "passphrase", settings.passphrase_keyring)
    return Credentials(password, key_text, passphrase)


def keyring_service(settings: SftpSettings, field: str) -> str:
    """The OS keyring service ``field`` (password or passphrase) is configured to read;
    one line saying how to configure it otherwise."""
    service = settings.password_keyring if field == "password" else settings.passphrase_keyring
    if service is None:
        raise InputError(
            f"plans.{printable(settings.plan)}.sftp.{field} does not name an OS keyring "
            f"entry; write {field}: {{keyring: SERVICE}} in provider.yaml first (e.g. "
            f"{{keyring: ecmx-{printable(settings.plan)}}})"
        )
    other = settings.passphrase_keyring if field == "password" else settings.password_keyring
    if other == service:
        raise InputError(
            f"plans.{printable(settings.plan)}.sftp: the password and the passphrase name the "
            f"same keyring service {printable(service)!r} for one user; give each its own"
        )
    return service


def set_command(settings: SftpSettings, field: str) -> str:
    """The command that stores ``field``'s secret in the OS keyring."""
    flag = " --passphrase" if field == "passphrase" else ""
    return f"ecmx sftp password {printable(settings.plan)}{flag}"


def _from_keyring(settings: SftpSettings, field: str, service: str) -> str:
    where = f"plans.{printable(settings.plan)}.sftp.{field}"
    keyring_service(settings, field)
    return keyring_store.get_secret(service, settings.user, where, set_command(settings, field))


def _from_env(settings: SftpSettings, field: str, name: str | None) -> str | None:
    if name is None:
        return None
    value = os.environ.get(name)
    if not value:
        raise InputError(
            f"plans.{printable(settings.plan)}.sftp.{field}: the environment variable "
            f"{printable(name)} is not set; set it before running ecmx"
        )
    return value
