"""Kills mid-write: every writing command, SIGKILLed at random moments.

After each kill: no file under a final name is incomplete (each is read back),
no process the command started outlives it, and after the next normal run no temporary file is left in any folder
the command writes to.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
import yaml

ECMX = Path(sys.executable).parent / "ecmx"
MEMBERS = "800"
SEED = int(os.environ.get("ECMX_KILL_SEED", "11"))
PERIOD = ("--period", "2025-11", "--production-date", "2025-12-03")
GRACE = 3.0  # seconds for the kernel to end a dead parent's children (a loaded machine)
GRACE_STARTING = 5.0  # ... and for a worker still importing to reach its initializer


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("ECMX_PLANS_DIR", "PYTHONPATH")}
    return env


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return None if fields[0] == "Z" else int(fields[1])  # a zombie is dead


def _descendants(root: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _parent_of(int(entry.name))
            if parent is not None:
                parents[int(entry.name)] = parent
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if _parent_of(pid) is not None}


def _mentioning(text: str) -> set[int]:
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline and _parent_of(int(entry.name)) is not None:
                pids.add(int(entry.name))
    return pids


def _writing(folder: Path) -> bool:
    """A temporary file holds bytes: the command (or one of its workers) is writing."""
    for name in temporaries(folder):
        with contextlib.suppress(OSError):
            if (Path(folder) / name).stat().st_size:
                return True
    return False


def kill_at(argv, cwd: Path, delay: float, *, once_writing: bool = False) -> bool:
    """Run ``ecmx argv`` and SIGKILL it ``delay`` s after it starts (or after a temporary
    file of its first holds bytes); True if it was still running then.

    The process is stopped first, so the set of its children is fixed when it dies.
    Asserts that every child dies with it: at once when killed while writing, since a
    writer worker must not finish its file for nobody; a worker still starting up (Python
    importing ecmx) ends in its initializer, before any work, when it sees its parent gone.
    """
    proc = subprocess.Popen([str(ECMX), *map(str, argv)], cwd=cwd, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    if once_writing:
        while proc.poll() is None and not _writing(cwd):
            time.sleep(0.005)
    time.sleep(delay)
    if proc.poll() is not None:
        return False
    os.kill(proc.pid, signal.SIGSTOP)
    family = _descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + (GRACE if once_writing else GRACE_STARTING)
    while _alive(family) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(family), f"{argv[0]}: processes outlived their parent: {_alive(family)}"
    assert not _mentioning(str(cwd)), f"{argv[0]}: ecmx processes still running"
    return True


def temporaries(folder: Path) -> list[str]:
    """ecmx's temporary files (and those of versions before the pid-named ones)."""
    return sorted(
        str(p.relative_to(folder))
        for p in Path(folder).rglob("*")
        if p.name.startswith(".ecmx-tmp-") or p.name.endswith(".part")
    )


def assert_complete(folder: Path) -> None:
    """Every file under a final name reads back whole."""
    for path in folder.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix in (".xlsx", ".xlsm"):
            openpyxl.load_workbook(path, read_only=True).close()
        elif path.suffix == ".837":
            assert path.read_text().rstrip().endswith("~") and "IEA*" in path.read_text()
        elif path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".yaml":
            yaml.safe_load(path.read_text())
        elif path.suffix == ".csv":
            assert path.read_text(encoding="utf-8").endswith("\n")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    base = tmp_path_factory.mktemp("kill-inputs")
    subprocess.run([str(ECMX), "sample-data", "--out", "d.xlsx", "--members", MEMBERS,
                    "--period", "2025-11"], cwd=base, env=_env(), check=True,
                   capture_output=True)  # fmt: skip
    subprocess.run([str(ECMX), "convert", "d.xlsx", "--plan", "healthnet", "--kind", "mif",
                    *PERIOD, "--out", "mif"], cwd=base, env=_env(), check=True,
                   capture_output=True)  # fmt: skip
    return base


def commands(inputs: Path) -> dict[str, list]:
    mif = next((inputs / "mif").iterdir())
    dataset = inputs / "d.xlsx"
    return {
        "convert": ["convert", dataset, "--plan", "all", *PERIOD, "--out", "out"],
        "claims": ["claims", dataset, "--plan", "all", *PERIOD, "--out", "out"],
        "ingest": ["ingest", mif, "--plan", "healthnet", "--dataset", dataset,
                   "--out", "merged.xlsx", "--report", "changes.xlsx",
                   "--received", "2025-12-01"],
        "demo": ["demo", "--out", "out", "--members", MEMBERS, "--period", "2025-11"],
        "sample-data": ["sample-data", "--out", "s.xlsx", "--members", MEMBERS],
        "validate": ["validate", mif, "--plan", "healthnet", "--kind", "mif",
                     "--period", "2025-11", "--report", "annotated.xlsx"],
    }  # fmt: skip


KILLS = {"convert": 3, "claims": 2, "ingest": 2, "demo": 2, "sample-data": 2, "validate": 2}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(KILLS))
def test_killed_mid_write_leaves_no_partial_file_no_orphan_and_no_litter(inputs, tmp_path, name):
    argv = commands(inputs)[name]
    rng = random.Random(f"{SEED}-{name}")
    kills = 0
    for number in range(KILLS[name]):
        # One moment at random (reading, computing or writing), the others while it writes.
        if number == 0:
            kills += kill_at([*argv, "--force"], tmp_path, rng.uniform(0.3, 2.5))
        else:
            kills += kill_at([*argv, "--force"], tmp_path, rng.uniform(0, 0.3), once_writing=True)
        assert_complete(tmp_path)
    again = subprocess.run([str(ECMX), *map(str, argv), "--force"], cwd=tmp_path, env=_env(),
                           capture_output=True, text=True, check=False)  # fmt: skip
    assert again.returncode in (0, 1), again.stderr
    assert_complete(tmp_path)
    assert temporaries(tmp_path) == []
    assert kills, "every kill came after the command had finished: nothing was tested"
