"""The benchmark script runs end to end (tiny sizes): it must not rot between releases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


@pytest.mark.slow
def test_the_benchmark_runs_and_writes_its_figures(tmp_path):
    out = tmp_path / "bench-out"
    run = subprocess.run(
        [sys.executable, str(BENCH), "--members", "150", "--small", "60", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "monthly job vs floor" in run.stdout
    result = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    figures = result["figures"]
    for step in (
        "monthly job, xlsx input",
        "monthly job, CSV input",
        "claims (837P)",
        "ingest MIF",
        "validate RTF",
        "floor: read xlsx",
        "floor: write the outputs",
        "write the RTF into a template",
        "baseline",
    ):
        assert step in figures, step
    assert figures["monthly job, xlsx input"]["seconds"] > 0
    assert figures["monthly job, xlsx input"]["peak_mb"] > 0
    assert result["derived"]["job_xlsx_vs_floor"] > 0
    assert result["machine"]["cpus"] >= 1
    template = figures["write the RTF into a template"]
    assert template["rows"] > 0 and len(template["times"]["template"]) == template["pairs"]
    assert "into a template" in run.stdout
