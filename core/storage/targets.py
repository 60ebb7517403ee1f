"""Every output target checked before the first byte is written.

Each writing command names its inputs and its outputs here, once, before it
writes anything: an output that is one of the inputs (same path, a symlink or
a hard link to it), two outputs with one name, a file name the file system
would refuse, a folder that is a file, not writable, or too small for the
batch. Each problem is one line naming the path(s), exit 2.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from ecmx.core.dataset.provider import PROVIDER_FILE
from ecmx.core.errors import OutputError
from ecmx.core.storage.atomic import temp_path, write_failure

# The longest file name (in bytes) common file systems hold (ext4, NTFS, APFS: 255).
MAX_NAME_BYTES = 255


def dataset_inputs(dataset: Path | None, provider: Path | None = None) -> list[Path]:
    """The files a run reads for a dataset: the workbook or each file of the CSV
    folder, and the provider profile (given, or beside the workbook)."""
    paths: list[Path] = []
    if dataset is not None:
        dataset = Path(dataset)
        if dataset.is_dir():
            paths += [p for p in dataset.iterdir() if p.is_file()]
        else:
            paths += [dataset, dataset.parent / PROVIDER_FILE]
    if provider is not None:
        paths.append(Path(provider))
    return paths


def _same_file(a: Path, b: Path) -> bool:
    """Same path once resolved (symlinks), or the same inode (hard links)."""
    try:
        if a.resolve() == b.resolve():
            return True
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        pass
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def refuse_inputs(outputs: Iterable[Path | None], inputs: Iterable[Path | None]) -> None:
    """No output may be an input, --force or not: ecmx never writes over what it reads."""
    sources = [Path(p) for p in inputs if p is not None]
    for output in outputs:
        if output is None:
            continue
        for source in sources:
            if _same_file(Path(output), source):
                same = "" if str(output) == str(source) else f" (the same file as {source})"
                raise OutputError(
                    f"{output} is an input of this run{same}: ecmx never writes over its "
                    "input; choose another output name"
                )


def refuse_shared_names(targets: Iterable[tuple[str, Path | None]]) -> None:
    """``(what, path)`` pairs: no two outputs of one run may land on one file.

    Names are compared case-insensitively: on Windows and macOS ``A.xlsx`` and
    ``a.xlsx`` are one file.
    """
    seen: dict[str, tuple[str, Path]] = {}
    for what, path in targets:
        if path is None:
            continue
        key = os.path.normcase(os.path.abspath(path)).casefold()
        if key in seen and seen[key][0] != what:
            other = seen[key][0]
            raise OutputError(
                f"{other} and {what} would both write {path}: give each its own name "
                "(file_prefix in the provider profile, or the plan's naming), or write them "
                "one at a time"
            )
        seen.setdefault(key, (what, Path(path)))


def file_name_problem(name: str) -> str | None:
    """Why a file system would refuse ``name`` (or it would name no real file), or None."""
    if not name or not name.strip(" ."):
        return "the file name is empty"
    if "/" in name or "\\" in name or "\0" in name:
        return "a file name cannot hold / or \\"
    stem, dot, _ = name.rpartition(".")
    if dot and not stem.strip(" ."):
        return f"the file name {name!r} is only an extension"
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        return f"the file name is {size} bytes long; file systems hold at most {MAX_NAME_BYTES}"
    return None


def check_file_names(targets: Iterable[tuple[str, str | None]], fix: str) -> None:
    """``(what, file name)`` pairs; ``fix`` says where the names come from."""
    for what, name in targets:
        if name is None:
            continue
        problem = file_name_problem(name)
        if problem:
            shown = name if len(name) <= 80 else name[:60] + "..."
            raise OutputError(f"{what}: cannot name a file {shown!r}: {problem}; {fix}")


def check_file_target(path: Path | None) -> None:
    """An output file may replace a file, never a folder."""
    if path is not None and Path(path).is_dir():
        raise OutputError(f"{path} is a folder: give a file name")


def prepare_folder(folder: Path, bytes_needed: int = 0) -> None:
    """Make ``folder`` if missing, then prove it takes files and has room for the batch.

    Checked by doing: a probe file is created and removed, which also catches a
    read-only file system (where even root cannot write).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder: give a folder for --out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{folder}: a part of this path is a file: give a folder") from None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            raise OutputError(f"{folder}: a part of this path is a file: give a folder") from None
        raise write_failure(exc, folder / "x", batch=True) from None
    probe = temp_path(folder)
    try:
        probe.touch(exist_ok=False)
        probe.unlink()
    except OSError as exc:
        raise write_failure(exc, probe, batch=True) from None
    if bytes_needed:
        free = shutil.disk_usage(folder).free
        if free < bytes_needed:
            raise OutputError(
                f"cannot write the files in {folder}: they need about {_size(bytes_needed)} "
                f"and the disk has {_size(free)} free; free some space or choose another --out"
            )


def _size(count: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1024
    return f"{count} bytes"


def check_batch(
    folder: Path,
    targets: list[tuple[str, Path | None]],
    *,
    others: Sequence[tuple[str, Path | None]] = (),
    inputs: Iterable[Path | None],
    force: bool,
    bytes_needed: int = 0,
    fix_names: str = "shorten the facility name or the plan's file_prefix in the provider profile",
) -> None:
    """Everything a batch of outputs needs, before its first file is written.

    ``targets`` are ``(what, path)``: the files of the batch; ``others`` the run's
    other outputs (a report, a file held back by its errors this time), so that no
    two land on one name.
    """
    from ecmx.core.storage.atomic import refuse_existing

    every = [*targets, *others]
    check_file_names(((what, p.name) for what, p in every if p is not None), fix_names)
    refuse_shared_names(every)
    refuse_inputs((p for _, p in every), inputs)
    for _, path in targets:
        if path is not None:
            check_file_target(path)
            refuse_existing(path, force)
    if any(path is not None for _, path in targets):  # nothing to write: no folder made
        prepare_folder(folder, bytes_needed)
