"""Whether a process that left a mark (a lock file, a ledger row) is still running.

Only a process of this host can be told apart: one on another host (a shared folder)
counts as alive, since nothing here can see it.
"""

from __future__ import annotations

import os
import socket


def this_host() -> str:
    return socket.gethostname()


def alive(pid: int) -> bool:
    """Whether process ``pid`` of this host runs (another user's process counts)."""
    if os.name == "nt":  # Windows' os.kill ends the process: nothing here can look safely
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    except (OSError, OverflowError):
        return False
    return True


def gone(pid: int | None, host: str | None) -> bool:
    """True only when the process is known to be dead: this host, and not running."""
    return pid is not None and host == this_host() and not alive(pid)
