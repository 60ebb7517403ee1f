"""X12 interchange and group control numbers that are never reused in an output folder.

A payer rejects an interchange whose ISA13 it has seen before, so the last
numbers used are kept in a state file next to the output folder: for
``claims/``, ``.claims.ecmx-x12-control.json`` beside it. It is outside the
folder so the folder holds only claim files (a clearinghouse upload or a
validator can take all of them). If the state file is lost, the numbers already
in the folder's 837P files still count: the next number is past every one of
them. A lock file beside it keeps two runs into one folder from taking the same
number.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

from ecmx.core.atomic import atomic_file
from ecmx.core.errors import OutputError

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
def reserved_numbers(folder: Path, count: int) -> Iterator[list[int]]:
    """Yield ``count`` fresh control numbers; they are recorded before the files are written,
    so a crash never hands the same number out twice (a gap is harmless, a repeat is not)."""
    folder = Path(folder)
    with _locked(folder):
        last = max(_state(folder), _highest_in_files(folder))
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


@contextlib.contextmanager
def _locked(folder: Path, wait_seconds: float = 10.0) -> Iterator[None]:
    lock = lock_path(folder)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise OutputError(
                    f"{lock} exists: another ecmx run is writing claims into {folder}; "
                    "wait for it, or remove the lock file if no run is active"
                ) from None
            time.sleep(0.1)
    try:
        os.close(fd)
        yield
    finally:
        lock.unlink(missing_ok=True)
