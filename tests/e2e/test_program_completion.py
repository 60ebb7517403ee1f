"""B011 through `ecmx convert`: the program completion assessment falls due after 6 months
at CHWP (seed 000) and 12 at Health Net (seed 001), on no other plan; a date recorded in
enrollments.program_completion_date within the interval silences it."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date

import pytest

CSV_ENROLLMENTS = "enrollments.csv"


def _rewrite(folder, completion: str) -> None:
    """Every episode's program_completion_date set to ``completion`` ('' = none recorded)."""
    path = folder / CSV_ENROLLMENTS
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["program_completion_date"] = completion
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _b011(kit, samples, tmp_path, completion: str) -> tuple[list[dict], str]:
    data = tmp_path / "data"
    shutil.copytree(samples["csv"], data)
    _rewrite(data, completion)
    report = tmp_path / "report.json"
    run = kit.invoke(
        "convert", data, "--plan", "all", "--kind", "rtf", "--period", str(kit.PERIOD),
        "--out", tmp_path / "out", "--production-date", kit.PRODUCTION_DATE.isoformat(),
        "--report", report,
    )  # fmt: skip
    assert run.code == 0, run.err
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    return [f for f in findings if f["code"] == "B011"], run.text


def test_the_sample_records_program_completion_dates(samples):
    with open(samples["csv"] / CSV_ENROLLMENTS, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert "program_completion_date" in rows[0]
    assert any(r["program_completion_date"] for r in rows)


def test_none_recorded_warns_at_chwp_and_health_net_only(kit, samples, tmp_path):
    found, text = _b011(kit, samples, tmp_path, "")
    assert found, "members enrolled for months, no program completion recorded: no warning"
    assert {f["plan"] for f in found} == {"chwp", "healthnet"}
    assert {f["severity"] for f in found} == {"warning"}
    assert all("program completion" in f["message"] for f in found)
    assert {f["message"].split(": ")[1] for f in found} == {
        "enrolled over 6 months, none recorded in the last 6 months",
        "enrolled over 12 months, none recorded in the last 12 months",
    }
    assert "B011" in text


@pytest.mark.parametrize("recorded", ["2025-10-01"])
def test_a_date_recorded_within_the_interval_silences_it(kit, samples, tmp_path, recorded):
    assert date.fromisoformat(recorded) < kit.PRODUCTION_DATE
    found, _ = _b011(kit, samples, tmp_path, recorded)
    assert found == []


def _due(kit, samples, tmp_path, completion: str, *extra):
    data = tmp_path / "data"
    shutil.copytree(samples["csv"], data)
    _rewrite(data, completion)
    run = kit.invoke("due", "--today", kit.PRODUCTION_DATE.isoformat(), *extra, "--dataset", data)
    assert run.code == 0, run.err
    return run, data


def test_due_counts_program_completion_assessments_per_plan_without_names(kit, samples, tmp_path):
    run, data = _due(kit, samples, tmp_path, "")
    lines = [line for line in run.out.splitlines() if "program completion" in line]
    assert [line.split(" (")[1].split(",")[0].split(")")[0] for line in lines] == [
        "chwp",
        "healthnet",
    ]
    assert "every 6 months after enrollment" in lines[0]
    assert "every 12 months after enrollment" in lines[1]
    assert all(line.split()[0].isdigit() and "overdue" in line for line in lines)
    with open(data / "members.csv", newline="", encoding="utf-8") as handle:
        people = list(csv.DictReader(handle))
    for person in people:  # no member in the output
        for value in (person["member_id"], person["last_name"], person["cin"]):
            assert value not in run.out


def test_due_with_recent_assessments_has_none_and_without_a_dataset_says_nothing(
    kit, samples, tmp_path
):
    run, _ = _due(kit, samples, tmp_path, "2025-10-01", "--plan", "chwp")
    assert "Program completion assessments (dataset): none due by 2025-12-17" in run.out
    plain = kit.invoke("due", "--today", kit.PRODUCTION_DATE.isoformat())
    assert "program completion" not in plain.out.lower()
