"""Golden files: each plan's files for a fixed dataset, as CSV text, compared in full.

The dataset is ``generate(members=25, seed=11, period=2025-11)`` converted with
production date 2025-12-03; the files a plan sends (MIF, mini-MIF, TEL, written by
``convert --kind``) come from the same dataset plus three planted referrals per plan
(``plant_referrals`` in conftest.py), so that every new-referral file has rows. Each
workbook is read back with python-calamine and written as CSV (dates ISO, whole
numbers without ``.0``) to ``tests/golden/<plan>_<kind>.csv``. After an intended change, regenerate with
``ECMX_UPDATE_GOLDEN=1 pytest tests/plans -k golden`` and review the diff.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
from datetime import date, datetime
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("ECMX_UPDATE_GOLDEN") == "1"


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def as_csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([cell_text(v) for v in row])
    return buffer.getvalue()


def test_output_matches_the_golden_file(golden_case, golden_plan):
    plan_id, kind = golden_plan
    path = GOLDEN / f"{plan_id}_{kind}.csv"
    actual = as_csv(golden_case.rows)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(actual)
        pytest.skip(f"ECMX_UPDATE_GOLDEN=1: wrote {path.name}")
    assert path.is_file(), f"no golden file {path}: run with ECMX_UPDATE_GOLDEN=1 and review it"
    with open(path, encoding="utf-8", newline="") as handle:
        expected = handle.read()
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(),
            actual.splitlines(),
            f"golden/{path.name}",
            f"{golden_case.path.name} (now)",
            lineterm="",
        )
        pytest.fail(
            "output differs from the golden file (ECMX_UPDATE_GOLDEN=1 rewrites it):\n"
            + "\n".join(list(diff)[:80])
        )


def test_golden_files_cover_every_plan_and_kind_and_nothing_else(registry):
    expected = {
        f"{plan.id}_{kind}.csv" for plan in registry.concrete_plans() for kind in plan.files
    }
    if UPDATE:
        pytest.skip("ECMX_UPDATE_GOLDEN=1: golden files are being written")
    assert {p.name for p in GOLDEN.glob("*.csv")} == expected
