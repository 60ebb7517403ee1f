"""A workspace: a folder with an ``.ecmx/`` subfolder (``ecmx init DIR`` makes it), which
holds the ledger. Found from ``--workspace``, ``$ECMX_WORKSPACE``, or upward from a folder."""

from __future__ import annotations

import os
from pathlib import Path

from ecmx.core.errors import InputError, OutputError

MARKER = ".ecmx"
ENV = "ECMX_WORKSPACE"


def is_workspace(folder: Path) -> bool:
    return (Path(folder) / MARKER).is_dir()


def find_workspace(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``.ecmx/``; None if there is none."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if is_workspace(folder):
            return folder
    return None


def resolve_workspace(option: Path | None, cwd: Path | None = None) -> Path | None:
    """``--workspace DIR``, else ``$ECMX_WORKSPACE``, else upward from ``cwd``. A folder named
    explicitly that is not a workspace is a user error (one line); none found is None."""
    named, where = (option, "--workspace") if option else (os.environ.get(ENV) or None, f"${ENV}")
    if named:
        folder = Path(named).expanduser()
        if not is_workspace(folder):
            raise InputError(
                f"{where}: {folder} is not an ecmx workspace (no {MARKER}/ folder in it): "
                f"run `ecmx init {folder}` first"
            )
        return folder.resolve()
    return find_workspace(cwd or Path.cwd())


def init_workspace(folder: Path) -> bool:
    """Make ``folder/.ecmx/`` (and ``folder``); True if made, False if it was already there."""
    folder = Path(folder)
    marker = folder / MARKER
    if marker.is_dir():
        return False
    if marker.exists():
        raise OutputError(f"{marker} exists and is not a folder: move it away, then run again")
    try:
        marker.mkdir(parents=True)
    except FileExistsError:  # another init made it meanwhile
        return False
    except OSError as exc:
        raise OutputError(f"{marker}: cannot be made ({exc.strerror})") from None
    return True
