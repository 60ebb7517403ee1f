"""Errors a user can act on, and the exit codes they map to.

Exit codes (documented in README.md):
  0  success
  1  findings of severity error, or an invalid plan config (nothing crashed)
  2  usage error or unreadable input (bad flag, missing file, missing sheet or column)
  3  internal error: a bug in ecmx; please report it
  4  the remote server: cannot connect, login refused, a remote folder missing, a timeout
  5  the server's host key is unknown or has changed (``ecmx sftp trust PLAN``)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_REMOTE = 4
EXIT_HOST_KEY = 5


def printable(text: object) -> str:
    """Text from an input (a key, a name) safe inside a one-line message: escapes shown."""
    text = str(text)
    return text if text.isprintable() else repr(text)[1:-1]


class EcmxError(Exception):
    """A problem the user can fix. ``str(err)`` is one line: what, where, how to fix."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, details: list[str] | None = None):
        super().__init__(message)
        self.details = details or []


class InputError(EcmxError):
    """An input file cannot be read or lacks a required structure (sheet, column)."""


class ConfigError(EcmxError):
    """A plan configuration is invalid; ``details`` holds every problem found."""

    exit_code = EXIT_FINDINGS


class OutputError(EcmxError):
    """An output cannot be written (exists already, directory missing, ...)."""


class RemoteError(EcmxError):
    """The remote sFTP server cannot be reached, refuses the login, lacks a folder or times out."""

    exit_code = EXIT_REMOTE


class HostKeyError(RemoteError):
    """The server's host key is not the one trusted (unknown, or changed since it was)."""

    exit_code = EXIT_HOST_KEY
