"""``ecmx sftp trust PLAN`` and ``ecmx sftp check PLAN``: a plan's server, from provider.yaml.

``trust`` shows the server's host key fingerprint and records it in known_hosts only
when told (``yes``, or the ``confirm`` callback answering yes); a changed key only with
``replace``. ``check`` logs in (host key verified first), lists the plan's folder and
says what is there. Neither changes anything on the server. ``password`` stores (or,
with ``delete``, removes) the plan's password or key passphrase in the OS keyring, under
the service provider.yaml names (``{keyring: SERVICE}``) and the sftp user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ecmx.core.dataset.provider import PROVIDER_FILE, load_provider
from ecmx.core.delivery import hostkeys, keyring_store
from ecmx.core.delivery.settings import SftpSettings, keyring_service, sftp_settings
from ecmx.core.delivery.sftp import RemoteFile, connect, server_key
from ecmx.core.errors import EXIT_HOST_KEY, EXIT_OK, HostKeyError, InputError, printable
from ecmx.core.jobs.common import Progress, no_progress


@dataclass(frozen=True)
class SftpCheckRequest:
    plan: str
    provider: Path = Path(PROVIDER_FILE)
    plans_dirs: tuple = ()


@dataclass(frozen=True)
class SftpTrustRequest:
    plan: str
    provider: Path = Path(PROVIDER_FILE)
    yes: bool = False
    replace: bool = False
    # asked the one-line question (host, key type, fingerprint) when not ``yes``; None: no
    confirm: Callable[[str], bool] | None = None
    plans_dirs: tuple = ()


@dataclass(frozen=True)
class SftpPasswordRequest:
    plan: str
    provider: Path = Path(PROVIDER_FILE)
    secret: str | None = field(default=None, repr=False)  # what to store; never shown
    passphrase: bool = False  # the key's passphrase, not the login password
    delete: bool = False
    plans_dirs: tuple = ()


@dataclass
class SftpPasswordResult:
    settings: SftpSettings
    field: str  # password | passphrase
    service: str
    outcome: str  # stored | replaced | deleted | nothing stored
    exit_code: int = EXIT_OK


@dataclass
class SftpCheckResult:
    settings: SftpSettings
    fingerprint: str
    files: list[RemoteFile] = field(default_factory=list)
    exit_code: int = EXIT_OK


@dataclass
class SftpTrustResult:
    settings: SftpSettings
    key_type: str
    fingerprint: str
    outcome: str  # already trusted | added | replaced | not trusted
    exit_code: int = EXIT_OK


def _settings(request) -> SftpSettings:
    return sftp_settings(load_provider(request.provider), request.plan)


def run_sftp_check(
    request: SftpCheckRequest, plugins=None, progress: Progress = no_progress
) -> SftpCheckResult:
    settings = _settings(request)
    progress(f"connecting to {settings.where}", 0, 0)
    with connect(settings) as session:
        key = session.host_key()
        files = session.list(settings.path)
    return SftpCheckResult(settings, hostkeys.fingerprint(key), files)


def run_sftp_trust(
    request: SftpTrustRequest, plugins=None, progress: Progress = no_progress
) -> SftpTrustResult:
    settings = _settings(request)
    progress(f"connecting to {settings.where}", 0, 0)
    key = server_key(settings)
    found = hostkeys.status(settings.known_hosts, settings.host, settings.port, key)
    result = SftpTrustResult(settings, key.get_name(), hostkeys.fingerprint(key), "already trusted")
    if found == "trusted":
        return result
    entry = hostkeys.host_entry(settings.host, settings.port)
    if found == "changed" and not request.replace:
        raise HostKeyError(
            f"the host key of {entry} has CHANGED since it was trusted in "
            f"{settings.known_hosts} (now {result.key_type} {result.fingerprint}); not "
            f"replaced: ask the plan whether it changed its key, then ecmx sftp trust "
            f"{request.plan} --replace"
        )
    question = f"trust {entry} {result.key_type} {result.fingerprint} (in {settings.known_hosts})?"
    if not (request.yes or (request.confirm is not None and request.confirm(question))):
        result.outcome, result.exit_code = "not trusted", EXIT_HOST_KEY
        return result
    hostkeys.add(
        settings.known_hosts, settings.host, settings.port, key, replace=found == "changed"
    )
    result.outcome = "replaced" if found == "changed" else "added"
    return result


def password_target(request: SftpPasswordRequest) -> tuple[SftpSettings, str, str]:
    """The settings, the field (password or passphrase) and the keyring service the request
    is about; one line when provider.yaml names no keyring entry for it."""
    settings = _settings(request)
    field_name = "passphrase" if request.passphrase else "password"
    return settings, field_name, keyring_service(settings, field_name)


def run_sftp_password(
    request: SftpPasswordRequest, plugins=None, progress: Progress = no_progress
) -> SftpPasswordResult:
    settings, field_name, service = password_target(request)
    where = f"plans.{printable(request.plan)}.sftp.{field_name}"
    result = SftpPasswordResult(settings, field_name, service, "deleted")
    if request.delete:
        if not keyring_store.delete_secret(service, settings.user, where):
            result.outcome = "nothing stored"
        return result
    if not request.secret:
        raise InputError(f"{where}: an empty {field_name} is not stored; nothing changed")
    if "\n" in request.secret or "\r" in request.secret:
        raise InputError(f"{where}: the {field_name} holds a line break; nothing stored")
    replaced = keyring_store.set_secret(service, settings.user, request.secret, where)
    result.outcome = "replaced" if replaced else "stored"
    return result
