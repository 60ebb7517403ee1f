"""The benchmark (tests/benchmarks) runs end to end at a tiny size, so it does not rot between
releases, and its measuring counts what it says it counts. Speed is never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
BENCH = BENCHMARKS / "bench.py"


def _measured(code: str, tmp_path: Path) -> dict:
    """measure.run_measured on a script, from a fresh process: the bench makes itself a
    subreaper and reaps every child, which must not happen inside a pytest worker."""
    script = tmp_path / "command.py"
    script.write_text(code, encoding="utf-8")
    driver = textwrap.dedent(f"""
        import json, sys
        from pathlib import Path
        sys.path.insert(0, {str(BENCHMARKS)!r})
        import measure
        assert measure.become_subreaper()
        figures = measure.run_measured([sys.executable, {str(script)!r}], Path({str(tmp_path)!r}), "t")
        print(json.dumps(figures))
    """)
    run = subprocess.run(
        [sys.executable, "-c", driver], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


BURN = "import time\ndef burn(s):\n    t = time.process_time()\n    while time.process_time() - t < s: pass\n"


def test_spawned_workers_cpu_is_counted(tmp_path):
    """A command that works in spawn workers (ProcessPoolExecutor, as a plugin may): their
    CPU is the command's."""
    code = BURN + textwrap.dedent("""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        if __name__ == "__main__":
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(2, mp_context=spawn) as pool:
                list(pool.map(burn, [0.4, 0.4]))
    """)
    figures = _measured(code, tmp_path)
    assert figures["cpu"] >= 0.8, figures
    assert figures["processes_seen"] >= 3, figures  # the command and its two workers
    assert figures["peak_mb"] > figures["largest_process_mb"] * 1.2, figures  # summed over the tree


def test_an_orphaned_descendant_is_reaped_and_counted(tmp_path):
    """A grandchild its parent never waits for comes to the bench (subreaper), CPU and all."""
    grandchild = BURN + "burn(0.5)\n"
    code = f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', {grandchild!r}])\n"
    figures = _measured(code, tmp_path)
    assert figures["command_cpu"] < 0.45, figures  # wait4 of the command alone misses it
    assert figures["cpu"] >= 0.5, figures
    assert "still_running_after_exit" not in figures


def test_the_workload_is_cached_by_size(tmp_path):
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import workload
    finally:
        sys.path.remove(str(BENCHMARKS))
    log = tmp_path / "made.txt"
    fake_sample_data = (  # makes the --out target and notes that it ran
        "import sys, pathlib; out = pathlib.Path(sys.argv[sys.argv.index('--out') + 1]); "
        "out.parent.mkdir(parents=True, exist_ok=True); out.touch(); "
        f"open({str(log)!r}, 'a').write(str(out) + chr(10))"
    )
    ecmx = [sys.executable, "-c", fake_sample_data]
    first = workload.datasets(tmp_path / "cache", [50], ecmx)
    again = workload.datasets(tmp_path / "cache", [50, 60], ecmx)
    assert first[50] == again[50] != again[60]
    made = log.read_text().splitlines()
    assert len(made) == 4  # CSV and xlsx for 50 members, then for 60: 50 was not made again


@pytest.mark.slow
def test_the_benchmark_runs_and_writes_its_figures(tmp_path):
    out = tmp_path / "bench-out"
    argv = [sys.executable, str(BENCH), "--members", "150", "--small", "60", "--pairs", "2",
            "--out", str(out)]  # fmt: skip
    run = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    for heading in ("monthly job from xlsx vs the floor from xlsx", "floor candidates",
                    "cpu A/B", "wall A/B", "median", "claim lines", "naive baseline",
                    "into a template", "targets:", "total run"):  # fmt: skip
        assert heading in run.stdout, heading
    verdicts = [line.split()[0] for line in run.stdout.split("targets:")[1].splitlines()[1:7]]
    assert set(verdicts) <= {"met", "NOT"} and len(verdicts) == 6, run.stdout

    result = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    machine = result["machine"]
    assert machine["cores"] >= 1 and machine["cpu_model"] and machine["memory_gib"]
    assert {"ecmx", "pandas", "python-calamine", "rustpy-xlsxwriter"} <= set(machine["versions"])
    comparisons = result["comparisons"]
    for key in ("job_xlsx", "job_csv", "validate"):
        pairs = comparisons[key]["pairs"]
        assert len(pairs) == 2, key
        for pair in pairs:
            for side in ("a", "b"):
                assert pair[side]["cpu"] > 0 and pair[side]["wall"] > 0, (key, pair)
                assert pair[side]["peak_mb"] > 0, (key, pair)
            assert pair["cpu_ratio"] > 0 and pair["wall_ratio"] > 0
        assert comparisons[key]["median"]["cpu_ratio"] > 0
    for key in ("job_xlsx", "job_csv"):  # the floor read the input and wrote ecmx's rows
        floor = comparisons[key]["pairs"][0]["b"]["reported"]
        assert floor["rows_read"] > 0 and floor["rows_written"] > 0, floor
    assert len(comparisons["claims"]["runs"]) == 2 and result["claim_lines"] > 0
    for ranked in result["candidates"].values():
        assert ranked["fastest"] in ranked["figures"]
    assert result["baseline"]["scaled_cpu"] > 0
    assert len(result["targets"]) == 6
    assert all(isinstance(t["met"], bool) and t["measured"] for t in result["targets"])
    template = result["template_fill"]
    assert template["rows"] > 0 and len(template["times"]["template"]) == template["pairs"]
    assert (out / "workload").is_dir()  # kept for the next run
