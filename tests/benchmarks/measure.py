"""Run a command in a fresh process and measure the whole process tree it makes.

- CPU seconds: user + system of the command and of every process it started, from the
  kernel's own accounting. The bench process makes itself a child subreaper (Linux
  prctl), so a descendant that outlives its parent (multiprocessing's resource tracker)
  is handed to us and reaped here instead of by init; the CPU is then the growth of
  ``getrusage(RUSAGE_CHILDREN)`` over the run, which counts every reaped descendant,
  whoever reaped it. ``wait4``'s rusage of the command alone is kept as a cross-check.
- Wall seconds: a monotonic clock around the command, from its start to its exit.
- Peak RSS of the tree: SAMPLED, not exact. A thread sums the resident memory of every
  live descendant every ~20 ms (/proc/PID/statm) and keeps the largest sum; a peak
  shorter than a sample can be missed. The largest single process (``ru_maxrss``) is
  kept beside it. Both see the bench process's own memory in a child not yet exec'd,
  so the bench process imports nothing heavy (about 20 MB).
- The sampler also keeps each descendant's last CPU reading (/proc/PID/stat): their
  sum can only be below the true CPU, so a larger sum means CPU went uncounted.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
SAMPLE_SECONDS = 0.02


def become_subreaper() -> bool:
    """Orphaned descendants come to this process, so their CPU is counted (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    return False


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                found += map(int, Path(f"/proc/{pid}/task/{task}/children").read_text().split())
    return found


def descendants(root: int) -> list[int]:
    seen, todo = [], _children(root)
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo += _children(pid)
    return seen


class TreeSampler(threading.Thread):
    """Every ~20 ms: the summed RSS of this process's descendants, and their CPU so far."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_bytes = 0
        self.cpu_ticks: dict[int, int] = {}
        self.pids: set[int] = set()
        self._done = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self._done.is_set():
            total = 0
            for pid in descendants(me):
                with contextlib.suppress(OSError, ValueError, IndexError):
                    total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
                    stat = Path(f"/proc/{pid}/stat").read_text()
                    fields = stat[stat.rindex(")") + 2 :].split()
                    self.cpu_ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
                    self.pids.add(pid)
            self.peak_bytes = max(self.peak_bytes, total)
            self._done.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _reap_orphans(limit_seconds: float = 30.0) -> list[int]:
    """Wait for descendants handed to us; the pids of any still alive after the limit."""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return []
        if pid == 0:
            time.sleep(0.01)
    return descendants(os.getpid())


def run_measured(argv: list[str], logs: Path, label: str) -> dict:
    """Run argv to its end; its figures, and the JSON it printed last (if any) as "reported"."""
    logs.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() else "-" for c in label)[:80]
    out_path, err_path = logs / f"{safe}.out", logs / f"{safe}.err"
    sampler = TreeSampler()
    _reap_orphans(limit_seconds=5.0)  # anything left from unmeasured work is not this run's
    before = _children_cpu()
    with open(out_path, "w") as out, open(err_path, "w") as err:
        sampler.start()
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        lingering = _reap_orphans()
        sampler.stop()
    child.returncode = code = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
    if code not in (0, 1):  # 1: ecmx found problems, still a complete run
        tail = err_path.read_text(errors="replace")[-2000:]
        raise SystemExit(f"bench: {label} failed ({code}): {' '.join(argv[:8])}\n{tail}")
    cpu = _children_cpu() - before
    figures = {
        "cpu": round(cpu, 3),
        "wall": round(wall, 3),
        "peak_mb": round(sampler.peak_bytes / 2**20, 1),
        "largest_process_mb": round(usage.ru_maxrss / 1024, 1),
        "command_cpu": round(usage.ru_utime + usage.ru_stime, 3),
        "sampled_cpu": round(sum(sampler.cpu_ticks.values()) / TICK, 2),
        "processes_seen": len(sampler.pids),
        "exit": code,
    }
    if lingering:
        figures["still_running_after_exit"] = lingering
    if figures["sampled_cpu"] > cpu * 1.05 + 0.1:  # /proc saw more CPU than was accounted
        figures["cpu_undercounted"] = True
    lines = out_path.read_text(errors="replace").strip().splitlines()
    if lines and lines[-1].startswith("{"):
        figures["reported"] = reported = json.loads(lines[-1])
        if "load_cpu" in reported:  # prepared rows loaded before the timed work: not counted
            figures["cpu_with_load"], figures["wall_with_load"] = figures["cpu"], figures["wall"]
            figures["cpu"] = round(cpu - reported["load_cpu"], 3)
            figures["wall"] = round(wall - reported["load_wall"], 3)
    return figures


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b > 0 else None


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def alternate(label: str, a: Runner, b: Runner, pairs: int, logs: Path) -> dict:
    """A B A B ...: each side in a fresh process, `pairs` times; per pair the ratios A/B
    of CPU and wall, and the medians (the ratio's median is of the pair ratios)."""
    runs = []
    for index in range(pairs):
        first = a.run(index, logs, f"{label} A{index + 1}")
        second = b.run(index, logs, f"{label} B{index + 1}")
        runs.append({"a": first, "b": second,
                     "cpu_ratio": _ratio(first["cpu"], second["cpu"]),
                     "wall_ratio": _ratio(first["wall"], second["wall"])})  # fmt: skip
    median = {f"{side}_{key}": _median([run[side][key] for run in runs])
              for side in "ab" for key in ("cpu", "wall", "peak_mb")}  # fmt: skip
    median |= {key: _median([run[key] for run in runs]) for key in ("cpu_ratio", "wall_ratio")}
    return {"a": a.name, "b": b.name, "pairs": runs, "median": median}


def repeat(label: str, a: Runner, times: int, logs: Path) -> dict:
    """One command `times` times (nothing to pair it with); the medians."""
    runs = [a.run(index, logs, f"{label} {index + 1}") for index in range(times)]
    median = {key: _median([run[key] for run in runs]) for key in ("cpu", "wall", "peak_mb")}
    return {"a": a.name, "runs": runs, "median": median}


class Runner:
    """One side of a comparison: its argv for run i, and what to do after that run
    (outside the timing: keep or prepare outputs, delete them)."""

    def __init__(self, name: str, argv: Callable[[int], list[str]],
                 after: Callable[[int], None] | None = None) -> None:  # fmt: skip
        self.name, self.argv, self.after = name, argv, after

    def run(self, index: int, logs: Path, label: str) -> dict:
        figures = run_measured(self.argv(index), logs, label)
        if self.after:
            self.after(index)
        return figures
