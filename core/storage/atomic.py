"""Write outputs atomically and never replace an existing file silently.

Each output is written to a hidden temporary file in the target directory and
moved into place only when complete, so a crash or Ctrl-C never leaves half a
file under the real name. Without ``force`` the final step is a hard link,
which fails if the name appeared meanwhile: no race can clobber a file.

A temporary file is named ``.ecmx-tmp-<host>-<pid>-<random>`` with the host and
pid of the process that owns it. A process killed mid-write (SIGKILL, power
loss) cannot clean up after itself, so every write first removes the
temporaries of this host's processes that are no longer running; a live
process's are left alone, and so are another host's (a shared network folder:
its pids mean nothing here).

A batch (``atomic_batch``: a convert run's plan files) is written whole to
temporary names, and only then are all of them moved into place: a failure
half-way (a full disk) leaves no file of the batch under its final name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

from ecmx.core.errors import OutputError
from ecmx.core.storage.processes import alive

TEMP_PREFIX = ".ecmx-tmp-"
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"([A-Za-z0-9]*)-(\d+)-")
# the host, in letters and digits only: the name's fields are split on "-"
HOST = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32]


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


def temp_path(folder: Path) -> Path:
    """A fresh temporary name in ``folder``, owned by this process."""
    return Path(folder) / f"{TEMP_PREFIX}{HOST}-{os.getpid()}-{secrets.token_hex(6)}"


def remove_dead_temporaries(folder: Path) -> list[Path]:
    """Remove the temporaries that killed ecmx runs left in ``folder``; return them."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if not match or match[1] != HOST or alive(int(match[2])):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _new_temp_file(folder: Path) -> Path:
    tmp = temp_path(folder)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask())
    os.close(fd)
    return tmp


def os_error_in(exc: BaseException | None) -> OSError | None:
    """The OSError behind ``exc``: itself, its first argument (xlsxwriter wraps it), or its cause."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError):
            return exc
        if exc.args and isinstance(exc.args[0], OSError):
            return exc.args[0]
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def write_failure(exc: OSError, path: Path, *, batch: bool = False) -> OutputError:
    """One line saying what stopped a write, where, and what to do."""
    folder = Path(path).parent
    target = f"the files in {folder}" if batch else str(path)
    kept = "none of them was written" if batch else "nothing was written under that name"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        what = f"the disk holding {folder} is full"
        fix = "free some space or choose another --out"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        what = f"no permission to write in {folder}"
        fix = "choose a folder you can write to"
    elif exc.errno == errno.ENAMETOOLONG:
        what = "the file name is too long for the file system"
        fix = "shorten the name (facility name or file prefix)"
    else:
        what = exc.strerror or type(exc).__name__
        fix = "check the folder and try again"
    return OutputError(f"cannot write {target}: {what}: {kept}; {fix}")


@contextlib.contextmanager
def _translated(path: Path) -> Iterator[None]:
    """An operating-system failure while writing ``path`` becomes a user's OutputError."""
    try:
        yield
    except OutputError:
        raise
    except Exception as exc:
        os_error = os_error_in(exc)
        if os_error is None:
            raise
        raise write_failure(os_error, path) from exc


@contextlib.contextmanager
def atomic_file(path: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it becomes ``path``."""
    path = Path(path)
    with atomic_batch([path], force=force) as temps:
        yield temps[path]


@contextlib.contextmanager
def atomic_batch(paths, *, force: bool = False) -> Iterator[dict[Path, Path]]:
    """Yield ``{final path: temporary path}``; on success every file is moved into place.

    Nothing lands under a final name until every file of the batch is complete.
    Without ``force``, a failure while moving (a name that appeared meanwhile)
    removes the files this batch already moved: they were new.
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        refuse_existing(path, force)
        _check_parent(path)
    for folder in {p.parent for p in paths}:
        remove_dead_temporaries(folder)
    temps: dict[Path, Path] = {}
    try:
        for path in paths:
            with _translated(path):
                temps[path] = _new_temp_file(path.parent)
        yield temps
        moved: list[Path] = []
        try:
            for path in paths:
                with _translated(path):
                    _move_into_place(temps[path], path, force)
                moved.append(path)
        except BaseException:
            if not force:
                for path in moved:
                    path.unlink(missing_ok=True)
            raise
    except BaseException as exc:
        os_error = None if isinstance(exc, OutputError) else os_error_in(exc)
        if os_error is not None and paths:
            # Which file of a batch failed is not known here: name the folder.
            raise write_failure(os_error, paths[0], batch=len(paths) > 1) from exc
        raise
    finally:
        for tmp in temps.values():
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
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} is a file, not a folder: give a folder (or a new name)")
    _check_parent(path)
    remove_dead_temporaries(path.parent)
    tmp = temp_path(path.parent)
    try:
        with _translated(path):
            tmp.mkdir(mode=0o777 & ~_umask())
            yield tmp
            if path.is_dir():
                for item in tmp.iterdir():
                    os.replace(item, path / item.name)
            else:
                os.rename(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
