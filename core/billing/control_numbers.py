"""X12 interchange and group control numbers that are never reused in an output folder.

A payer rejects an interchange whose ISA13 it has seen before, so the last
numbers used are kept in a state file next to the output folder: for
``claims/``, ``.claims.ecmx-x12-control.json`` beside it. It is outside the
folder so the folder holds only claim files (a clearinghouse upload or a
validator can take all of them). If the state file is lost, the numbers already
in the folder's 837P files still count: the next number is past every one of
them. A lock file beside it keeps two runs into one folder from taking the same
number. The lock records the process id and host that hold it: a lock left by
a run that was killed (its process no longer alive on this host) is taken over,
with a warning, instead of stopping every later run.

In a workspace (``ecmx init``) the ledger holds the numbers instead, per sender and
receiver (core/ledger/control.py): the state file and the folder's files still set a
floor, so no number used before is reused, and the state file is no longer written.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from ecmx.core.errors import OutputError
from ecmx.core.storage.atomic import atomic_file
from ecmx.core.storage.locks import process_lock

# The engine prints nothing: a message for the user goes to this logger, which the command
# line shows on stderr (cli/console.py) and a script may configure as it likes.
log = logging.getLogger("ecmx")

STATE_SUFFIX = ".ecmx-x12-control.json"
LOCK_SUFFIX = ".ecmx-x12-control.lock"


def state_path(folder: Path) -> Path:
    """``claims/`` -> ``.claims.ecmx-x12-control.json`` beside it (inside it only when the
    folder has no writable parent, e.g. the file system root)."""
    return _beside(folder, STATE_SUFFIX)


def lock_path(folder: Path) -> Path:
    return _beside(folder, LOCK_SUFFIX)


def _beside(folder: Path, suffix: str) -> Path:
    folder = Path(folder).resolve()
    if folder.name and os.access(folder.parent, os.W_OK):
        return folder.parent / f".{folder.name}{suffix}"
    return folder / suffix


MAX_CONTROL = 999_999_999


@contextlib.contextmanager
def reserved_numbers(
    folder: Path, count: int, *, workspace: Path | None = None,
    pairs: list[tuple[str, str]] | None = None,
) -> Iterator[list[int]]:  # fmt: skip
    """Yield ``count`` fresh control numbers; they are recorded before the files are written,
    so a crash never hands the same number out twice (a gap is harmless, a repeat is not).

    With a ``workspace``, its ledger holds them, per (sender, receiver) of ``pairs`` (one
    per file): the next numbers are above the ledger's and this folder's (its JSON file,
    its 837P files), and the JSON file is left as it is (core/ledger/control.py)."""
    folder = Path(folder)
    with process_lock(lock_path(folder), f"is writing claims into {folder}"):
        last = max(_state(folder), _highest_in_files(folder))
        if workspace is not None:
            from ecmx.core.ledger.control import reserve

            numbers = reserve(workspace, pairs or [("", "")] * count, last, MAX_CONTROL)
        else:
            if last + count > MAX_CONTROL:
                raise OutputError(
                    f"{folder}: the X12 control numbers of this folder are used up "
                    f"(last {last}); write new claims into a new folder"
                )
            numbers = [last + i for i in range(1, count + 1)]
            _save(folder, numbers[-1] if numbers else last)
    yield numbers


def _state(folder: Path) -> int:
    path = state_path(folder)
    if not path.exists():
        return 0
    try:
        return int(json.loads(path.read_text("utf-8"))["last_interchange"])
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise OutputError(
            f"{path}: cannot be read ({exc}); it keeps the last X12 control number: "
            "fix it or remove it (numbers in the folder's 837P files are still honoured)"
        ) from None


def _highest_in_files(folder: Path) -> int:
    highest = 0
    for path in folder.glob("*.837"):
        with contextlib.suppress(OSError):
            head = path.read_bytes()[:106]
            fields = head.split(head[3:4]) if head.startswith(b"ISA") else []
            if len(fields) > 13 and fields[13].strip().isdigit():
                highest = max(highest, int(fields[13]))
    return highest


def _save(folder: Path, last: int) -> None:
    text = json.dumps(
        {
            "last_interchange": last,
            "folder": folder.resolve().name,
            "note": "ecmx: the last X12 interchange/group control number used in this folder; "
            "keep this file next to it so numbers are never reused",
        },
        indent=2,
    )
    with atomic_file(state_path(folder), force=True) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
