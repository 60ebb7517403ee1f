"""docs/jobs.md's example, run exactly as written in a plain Python process where click
cannot be imported: a job needs no command line. What it prints is checked against the
plans' naming and against ``ecmx convert`` run on the same dataset."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import PRODUCTION_DATE

DOC = Path(__file__).parents[2] / "docs" / "jobs.md"
# click is made unimportable before the example runs: importing it raises ModuleNotFoundError.
PRELUDE = "import sys\nsys.modules['click'] = None\n"


def example() -> str:
    [code] = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return code


def test_the_jobs_example_runs_without_click_and_prints_what_convert_writes(
    cli, tmp_path, expected_names
):
    env = {k: v for k, v in os.environ.items() if k not in ("ECMX_PLANS_DIR", "PYTHONPATH")}
    proc = subprocess.run(
        [sys.executable, "-c", PRELUDE + example()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # a job prints nothing of its own
    *wrote, last = proc.stdout.splitlines()
    work = tmp_path / "ecmx-example"
    provider = yaml.safe_load((work / "provider.yaml").read_text(encoding="utf-8"))
    names = sorted(expected_names(provider, PRODUCTION_DATE).values())
    assert sorted(line.removeprefix("wrote ") for line in wrote) == names
    assert sorted(p.name for p in (work / "files").iterdir()) == names

    report = tmp_path / "findings.json"
    run = cli(
        "convert", work / "dataset.xlsx", "--plan", "all", "--period", "2025-11",
        "--out", tmp_path / "cli", "--production-date", "2025-12-03", "--report", report,
    )  # fmt: skip
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    assert last == f"{len(findings)} findings; exit code {run.code}"


def test_the_prelude_really_hides_click():
    proc = subprocess.run(
        [sys.executable, "-c", PRELUDE + "import click"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1 and "import of click halted" in proc.stderr
