"""A lock file held by one ecmx process at a time (claims' control numbers, a fetch).

The file records the process id and host holding it. A lock left by a process that died
on this host (killed mid-way) is taken over with a warning; one from another host, or
unreadable, is left alone: whether its run is alive cannot be told from here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from ecmx.core.errors import OutputError
from ecmx.core.storage.processes import alive

log = logging.getLogger("ecmx")


@contextlib.contextmanager
def process_lock(lock: Path, doing: str, wait_seconds: float = 10.0) -> Iterator[None]:
    """Hold ``lock`` for the ``with`` block, waiting up to ``wait_seconds`` for another
    live holder; then one line saying the other run ``doing`` (e.g. "is writing claims
    into DIR") holds it."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            if _take_over_dead(lock):
                continue
            if time.monotonic() > deadline:
                raise OutputError(
                    f"{lock} exists: another ecmx run{_holder_text(lock)} {doing}; wait for "
                    "it, or remove the lock file if no run is active"
                ) from None
            time.sleep(0.1)
    try:
        holder = {"pid": os.getpid(), "host": socket.gethostname()}
        os.write(fd, json.dumps(holder).encode("utf-8"))
        os.close(fd)
        yield
    finally:
        lock.unlink(missing_ok=True)


def _holder(lock: Path) -> dict | None:
    """The pid and host a lock records; None while it is being written or unreadable."""
    try:
        holder = json.loads(lock.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(holder, dict) or type(holder.get("pid")) is not int:
        return None
    return holder


def _holder_text(lock: Path) -> str:
    holder = _holder(lock)
    return "" if holder is None else f" (process {holder['pid']} on {holder.get('host')})"


def _take_over_dead(lock: Path) -> bool:
    """Remove a lock whose holder died on this host (a run killed mid-way); True if done.

    A lock from another host, or without a readable holder, is left alone: whether
    its run is alive cannot be told from here. The lock is first renamed to a name of
    our own and checked again, so two runs never both remove the same live lock.
    """
    holder = _holder(lock)
    if holder is None or holder.get("host") != socket.gethostname() or alive(holder["pid"]):
        return False
    claimed = lock.with_name(f"{lock.name}.stale-{os.getpid()}")
    try:
        os.rename(lock, claimed)
    except FileNotFoundError:  # another run took it over first
        return True
    if _holder(claimed) != holder:  # a new live holder took its place meanwhile: put it back
        with contextlib.suppress(OSError):
            os.link(claimed, lock)
        claimed.unlink(missing_ok=True)
        return False
    claimed.unlink(missing_ok=True)
    log.warning(
        f"{lock}: left by ecmx process {holder['pid']} on {holder['host']}, which is no longer "
        "running (killed?): taken over"
    )
    return True
