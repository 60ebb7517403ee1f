"""Write outputs atomically and never replace an existing file silently.

Each output is written to a hidden temporary file in the target directory and
moved into place only when complete, so a crash or Ctrl-C never leaves half a
file under the real name. Without ``force`` the final step is a hard link,
which fails if the name appeared meanwhile: no race can clobber a file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ecmx.core.errors import OutputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise OutputError(
            f"{path} exists already: choose another name, remove it, or pass --force to replace it"
        )


def _check_parent(path: Path) -> None:
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: directory {path.parent} does not exist")


@contextlib.contextmanager
def atomic_file(path: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it becomes ``path``."""
    path = Path(path)
    refuse_existing(path, force)
    _check_parent(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file private (0600); an output gets the usual umask-based mode.
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        yield tmp
        _move_into_place(tmp, path, force)
    finally:
        tmp.unlink(missing_ok=True)


def _move_into_place(tmp: Path, path: Path, force: bool) -> None:
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputError(
            f"{path} appeared while ecmx was writing it: nothing was replaced; run again"
        ) from None
    except OSError:
        # Filesystems without hard links: the existence check above still holds.
        os.replace(tmp, path)


@contextlib.contextmanager
def atomic_directory(path: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary directory to fill; on success its files land in ``path``.

    A new folder appears whole (one rename). With ``force`` over an existing
    folder, each file written replaces its namesake; files ecmx did not write
    are left alone.
    """
    path = Path(path)
    refuse_existing(path, force)
    _check_parent(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private (0700)
    try:
        yield tmp
        if path.is_dir():
            for item in tmp.iterdir():
                os.replace(item, path / item.name)
        else:
            os.rename(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
