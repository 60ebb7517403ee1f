"""``ecmx.testing``: the checks of ``ecmx plans test``, importable by a plan package's own
pytest. Used here exactly as a third-party package would use it: parametrised in this
module, and from a plugin package's test folder run by its own pytest."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import yaml

from ecmx.testing import ConformanceCase, Outcome, conformance_cases, run_case

# The package's own pytest turns warnings into errors, as ecmx's pyproject does.
PYTEST_INI = """\
[pytest]
filterwarnings =
    error
"""


@pytest.mark.parametrize("case", conformance_cases("partnership"), ids=str)
def test_partnership_conforms(case):
    outcome = run_case(case)
    assert isinstance(outcome, Outcome) and outcome.status == "pass", outcome


def test_the_cases_are_the_checks_plans_test_runs():
    names = [str(case) for case in conformance_cases("healthnet")]
    assert names[:2] == ["healthnet-plans-check", "healthnet-codes"]
    assert "healthnet-columns-rtf" in names and "healthnet-round-trip-mini_mif" in names
    assert names[-1] == "healthnet-claims"


def test_a_failing_case_raises_with_the_check_and_why(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    plan = {
        "id": "nullplan", "name": "Null plan", "extends": "healthnet",
        "mcp": {"identifier": {"value": "NUL", "assumed": True},
                "name": {"value": "Null plan", "assumed": True}},
        "billing": {"payer_name": {"value": "Null plan", "assumed": True}},
        "files": {"rtf": {"columns_patch": {"insert": [
            {"after": "cin", "key": "tar", "header": "TAR", "field": "authorization_number",
             "required": True, "assumed": True}]}}},
    }  # fmt: skip
    (plans / "nullplan.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    cases = {str(c): c for c in conformance_cases("nullplan", plans_dirs=[plans])}
    with pytest.raises(AssertionError, match=r"^nullplan-columns-rtf: column 'TAR' \(field "):
        run_case(cases["nullplan-columns-rtf"])
    assert run_case(cases["nullplan-columns-otf"]).status == "pass"


def test_a_case_of_configs_that_do_not_load_fails_plans_check(tmp_path):
    (tmp_path / "bad.yaml").write_text("id: bad\nextends: nowhere\n", encoding="utf-8")
    [case] = conformance_cases("healthnet", plans_dirs=[tmp_path])
    assert case == ConformanceCase("healthnet", "plans check", (tmp_path,))
    with pytest.raises(AssertionError, match=r"^plans check: .*bad\.yaml"):
        run_case(case)


PLUGIN_TEST = """
import pathlib

import pytest
from ecmx.testing import conformance_cases, run_case

PLANS = pathlib.Path(__file__).parent / "plans"


@pytest.mark.parametrize("case", conformance_cases("kinplan", plans_dirs=[PLANS]), ids=str)
def test_kinplan_conforms(case):
    run_case(case)
"""


def test_a_plan_package_runs_the_kit_in_its_own_pytest(tmp_path):
    package = tmp_path / "ecmx-kinplan"
    (package / "tests" / "plans").mkdir(parents=True)
    plan = {
        "id": "kinplan", "name": "Kin Health Plan", "extends": "partnership",
        "mcp": {"identifier": {"value": "KIN", "assumed": True},
                "name": {"value": "Kin Health Plan", "assumed": True}},
        "billing": {"payer_name": {"value": "Kin Health Plan", "assumed": True}},
    }  # fmt: skip
    (package / "tests" / "plans" / "kinplan.yaml").write_text(yaml.safe_dump(plan), "utf-8")
    (package / "tests" / "test_conformance.py").write_text(textwrap.dedent(PLUGIN_TEST), "utf-8")
    (package / "pytest.ini").write_text(PYTEST_INI, "utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"}  # no PYTHONPATH to the repo
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "tests"],
        cwd=package, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    # Partnership's checks, the referral file's three (convert, columns, round trip) included
    assert "16 passed" in proc.stdout, proc.stdout[-2000:]
