"""Errors a user can act on, and the exit codes they map to.

Exit codes (documented in README.md):
  0  success
  1  findings of severity error, or an invalid plan config (nothing crashed)
  2  usage error or unreadable input (bad flag, missing file, missing sheet or column)
  3  internal error: a bug in ecmx; please report it
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


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
