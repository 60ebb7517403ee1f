"""Secrets in the OS keyring (the ``keyring`` library: macOS Keychain, Windows Credential
Locker, the Secret Service of a Linux desktop, or any backend its configuration names).

An entry is a service name (``{keyring: SERVICE}`` in provider.yaml) and the sftp user.
Every failure is one line naming the service and user, never the secret: an entry that
is missing (and the command that sets it), a machine with no usable keyring, a keyring
that refused (locked, access denied). ``keyring`` is imported when first needed (it
takes tens of milliseconds, which every other command would pay).
"""

from __future__ import annotations

from types import ModuleType

from ecmx.core.errors import InputError, printable

NO_BACKEND = (
    "no usable OS keyring on this machine (no desktop keyring, no backend configured); "
    "use {env: NAME} instead, or configure a keyring backend (PYTHON_KEYRING_BACKEND or "
    "keyringrc.cfg: https://pypi.org/project/keyring)"
)


def _keyring() -> tuple[ModuleType, ModuleType]:
    import keyring
    import keyring.errors

    return keyring, keyring.errors


def _entry(service: str, user: str) -> str:
    return f"service {printable(service)!r}, user {printable(user)!r}"


def _failed(where: str, service: str, user: str, exc: Exception) -> InputError:
    if isinstance(exc, _keyring()[1].NoKeyringError):
        return InputError(f"{where}: {NO_BACKEND}")
    reason = printable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return InputError(f"{where}: the OS keyring refused ({_entry(service, user)}): {reason}")


def get_secret(service: str, user: str, where: str, set_with: str) -> str:
    """The secret stored for ``service`` and ``user``; one line when there is none
    (``where``: the setting, ``set_with``: the command that stores it)."""
    keyring, errors = _keyring()
    try:
        value = keyring.get_password(service, user)
    except (errors.KeyringError, RuntimeError, OSError, ValueError) as exc:
        raise _failed(where, service, user, exc) from None
    if not value:
        raise InputError(
            f"{where}: nothing in the OS keyring for {_entry(service, user)}; store it with "
            f"{set_with}"
        )
    return value


def set_secret(service: str, user: str, value: str, where: str) -> bool:
    """Store ``value``; True when it replaced an entry that was there."""
    keyring, errors = _keyring()
    try:
        existed = keyring.get_password(service, user) is not None
        keyring.set_password(service, user, value)
    except (errors.KeyringError, RuntimeError, OSError, ValueError) as exc:
        raise _failed(where, service, user, exc) from None
    return existed


def delete_secret(service: str, user: str, where: str) -> bool:
    """Remove the entry; False when there was none."""
    keyring, errors = _keyring()
    try:
        if keyring.get_password(service, user) is None:
            return False
        keyring.delete_password(service, user)
    except errors.PasswordDeleteError:
        return False
    except (errors.KeyringError, RuntimeError, OSError, ValueError) as exc:
        raise _failed(where, service, user, exc) from None
    return True
