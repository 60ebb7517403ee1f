"""The benchmark's printed tables, its targets, and the machine it ran on."""

from __future__ import annotations

import datetime as dt
import os
import platform
from importlib import metadata

KEY_LIBRARIES = ("ecmx", "pandas", "numpy", "python-calamine", "xlsxwriter", "openpyxl",
                 "cerberus", "fastexcel", "polars", "pyarrow", "rustpy-xlsxwriter")  # fmt: skip
GIB = 2**30


def machine() -> dict:
    """What the figures depend on: the CPU, the cores this run may use, memory, versions."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    memory = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kib = next(int(line.split()[1]) for line in info if line.startswith("MemTotal"))
            memory = round(kib * 1024 / GIB, 1)
    except (OSError, StopIteration):
        pass
    versions = {}
    for name in KEY_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu_model": model,
        "cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "memory_gib": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _f(value, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def pairs_table(title: str, comparison: dict) -> list[str]:
    lines = [f"{title}", f"  A = {comparison['a']}", f"  B = {comparison['b']}",
             f"  {'pair':<7}{'A cpu s':>9}{'B cpu s':>9}{'cpu A/B':>9}{'A wall s':>10}"
             f"{'B wall s':>10}{'wall A/B':>10}{'A peak MB':>11}{'B peak MB':>11}"]  # fmt: skip
    rows = [(str(i + 1), p["a"]["cpu"], p["b"]["cpu"], p["cpu_ratio"], p["a"]["wall"],
             p["b"]["wall"], p["wall_ratio"], p["a"]["peak_mb"], p["b"]["peak_mb"])
            for i, p in enumerate(comparison["pairs"])]  # fmt: skip
    m = comparison["median"]
    rows.append(("median", m["a_cpu"], m["b_cpu"], m["cpu_ratio"], m["a_wall"], m["b_wall"],
                 m["wall_ratio"], m["a_peak_mb"], m["b_peak_mb"]))  # fmt: skip
    for label, a_cpu, b_cpu, cpu_r, a_wall, b_wall, wall_r, a_peak, b_peak in rows:
        lines.append(f"  {label:<7}{_f(a_cpu):>9}{_f(b_cpu):>9}{_f(cpu_r):>9}{_f(a_wall):>10}"
                     f"{_f(b_wall):>10}{_f(wall_r):>10}{_f(a_peak, 0):>11}{_f(b_peak, 0):>11}")  # fmt: skip
    return lines


def runs_table(title: str, repeated: dict) -> list[str]:
    lines = [title, f"  {repeated['a']}",
             f"  {'run':<7}{'cpu s':>9}{'wall s':>9}{'peak MB':>9}"]  # fmt: skip
    rows = [(str(i + 1), r) for i, r in enumerate(repeated["runs"])]
    rows.append(("median", repeated["median"]))
    for label, r in rows:
        lines.append(f"  {label:<7}{_f(r['cpu']):>9}{_f(r['wall']):>9}{_f(r['peak_mb'], 0):>9}")
    return lines


def candidates_table(candidates: dict) -> list[str]:
    lines = ["floor candidates (one fresh process each; CPU of the whole process, prepared rows' "
             "loading not counted; the fastest by CPU is the floor):"]  # fmt: skip
    for kind, ranked in candidates.items():
        lines.append(f"  {kind} (at {ranked['members']:,} members):")
        for name, fig in ranked["figures"].items():
            mark = "  <- floor" if name == ranked["fastest"] else ""
            if fig is None or "not_applicable" in fig.get("reported", {}):
                why = fig["reported"]["not_applicable"] if fig else "not run"
                lines.append(f"    {name:<44}not measured: {why}")
            else:
                lines.append(f"    {name:<44}{_f(fig['cpu']):>7} s cpu{_f(fig['wall']):>8} s wall"
                             f"{_f(fig['peak_mb'], 0):>7} MB{mark}")  # fmt: skip
    return lines


def targets(result: dict) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met?) for each of the issue's targets."""
    c = result["comparisons"]
    found = []
    for key, label in (("job_xlsx", "from xlsx"), ("job_csv", "from CSV")):
        ratio = c[key]["median"]["cpu_ratio"]
        found.append((f"monthly job within 1.5x of the floor {label} (CPU, median of pair ratios)",
                      f"{_f(ratio)}x", ratio is not None and ratio <= 1.5))  # fmt: skip
    rates = result["rates"]
    found.append(("validate >= 50,000 rows/s end to end (rows / median CPU s)",
                  f"{_f(rates['validate_rows_per_cpu_s'], 0)} rows/s "
                  f"({_f(rates['validate_rows_per_wall_s'], 0)} by wall)",
                  rates["validate_rows_per_cpu_s"] >= 50_000))  # fmt: skip
    found.append(("claims >= 50,000 lines/s (SV1 lines / median CPU s)",
                  f"{_f(rates['claim_lines_per_cpu_s'], 0)} lines/s "
                  f"({_f(rates['claim_lines_per_wall_s'], 0)} by wall)",
                  rates["claim_lines_per_cpu_s"] >= 50_000))  # fmt: skip
    peak = max(c["job_xlsx"]["median"]["a_peak_mb"], c["job_csv"]["median"]["a_peak_mb"])
    found.append(("monthly job's peak memory < 1 GB (1,024 MB; tree RSS, sampled, median)",
                  f"{_f(peak, 0)} MB", peak < 1024))  # fmt: skip
    base = result["baseline"]
    found.append((f"naive baseline >= 20x slower (CPU, from {base['members']:,} members "
                  f"scaled x{_f(base['scale'])} by rows)",
                  f"{_f(base['times_slower'], 1)}x ({_f(base['scaled_cpu'], 0)} s)",
                  base["times_slower"] is not None and base["times_slower"] >= 20))  # fmt: skip
    return found


def render(result: dict) -> str:
    c, m = result["comparisons"], result["machine"]
    lines = [f"ecmx benchmark: {result['members']:,} members ({result['input_rows']:,} dataset rows), "
             f"{result['pairs']} alternating pairs; {m['cores']} cores, {m['cpu_model']}, "
             f"{m['memory_gib']} GiB, Python {m['python']}",
             "CPU = user+sys of the whole process tree (kernel accounting); peak = the largest sum "
             "of RSS over the tree, sampled every 20 ms (shared pages count in each process)",
             ""]  # fmt: skip
    rest = result["at_rest"]
    lines.append(f"ecmx at rest (`ecmx plans list`, one run): {_f(rest['cpu'])} s cpu, "
                 f"{_f(rest['wall'])} s wall, {_f(rest['peak_mb'], 0)} MB")  # fmt: skip
    lines += ["", *candidates_table(result["candidates"]), ""]
    for key, title in (("job_xlsx", "monthly job from xlsx vs the floor from xlsx"),
                       ("job_csv", "monthly job from CSV vs the floor from CSV"),
                       ("validate", f"ecmx validate of a {result['rtf_rows']:,}-row RTF vs the floor's bare read of it")):  # fmt: skip
        lines += [*pairs_table(title, c[key]), ""]
    claims = f"ecmx claims --plan all: {result['claim_lines']:,} claim lines (SV1)"
    lines += [*runs_table(claims, c["claims"]), ""]
    base = result["baseline"]
    lines.append(f"naive baseline at {base['members']:,} members (one run, inside timings, CPU s): "
                 + ", ".join(f"{k} {_f(v)}" for k, v in base["cpu"].items())
                 + f"; scaled x{_f(base['scale'])} by dataset rows: {_f(base['scaled_cpu'], 0)} s")  # fmt: skip
    if "template_fill" in result:
        t = result["template_fill"]
        lines.append(f"RTF of {t['rows']:,} rows written into a template: {_f(t['template_seconds'])} s "
                     f"against {_f(t['plain_seconds'])} s plain (medians of {t['pairs']} alternating "
                     f"pairs, one process, wall), read back {_f(t['read_back_seconds'])} s")  # fmt: skip
    doubtful = [
        run for c in result["comparisons"].values() for pair in c.get("pairs", []) for run in pair.values()
        if isinstance(run, dict) and (run.get("cpu_undercounted") or run.get("still_running_after_exit"))
    ]  # fmt: skip
    if doubtful:
        lines.append(f"WARNING: {len(doubtful)} runs left processes running or saw more CPU in "
                     "/proc than the kernel accounted; see bench.json")  # fmt: skip
    lines += ["", "targets:"]
    for target, measured, met in (
        (t["target"], t["measured"], t["met"]) for t in result["targets"]
    ):
        lines.append(f"  {'met    ' if met else 'NOT MET'}  {target}: {measured}")
    budget = result["budget_seconds"]
    lines.append(f"\ntotal run {result['total_seconds'] / 60:.1f} min (workload making "
                 f"{result['workload_seconds'] / 60:.1f} min); budget {budget / 60:.0f} min: "
                 f"{'within' if result['total_seconds'] <= budget else 'OVER'}; "
                 f"load average {m['load_average_at_start']} at start, "
                 f"{result['load_average_at_end']} at end")  # fmt: skip
    return "\n".join(lines)
