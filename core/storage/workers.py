"""Worker processes that die with the process that started them.

A worker writing plan files must not outlive its parent: killed with SIGKILL,
the parent cannot stop its pool, and an orphaned worker would keep running (and
writing temporary files) with nobody to collect its result. On Linux the
kernel kills the worker when its parent dies (prctl PR_SET_PDEATHSIG); elsewhere,
and as a second guard, a watchdog thread exits the worker once its parent is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


def die_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this process when ``parent_pid`` ends."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # The parent may have died before prctl took effect; then the worker has a new parent.
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid,), daemon=True).start()


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCH_SECONDS)
    os._exit(1)
