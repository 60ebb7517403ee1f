"""A plan's billing and rules sections are checked when plans load: ``ecmx plans check``
names the file and key path of each mistake in one line, before any claims run."""

from __future__ import annotations

import textwrap

import pytest

CHILD = """\
id: myplan
name: My Plan
extends: healthnet
mcp:
  name: {value: My Plan, assumed: true}
  identifier: {value: MYP, assumed: true}
"""

BROKEN = {
    "visit-kind-code": (
        """
        billing:
          code_sets:
            doula:
              assumed: true
              visit_kinds: {value: {Z9999: initial}, assumed: true}
        """,
        "billing.code_sets.doula.visit_kinds.value.Z9999: Z9999 is not a code of this set",
    ),
    "visit-limit-kind": (
        """
        billing:
          code_sets:
            doula:
              assumed: true
              visit_limits:
                - {kinds: [postpartum_extnded], max: 2, assumed: true}
        """,
        "billing.code_sets.doula.visit_limits[0].kinds: no code of the set bills a "
        "'postpartum_extnded' visit",
    ),
    "rule-code": (
        """
        rules:
          Q999: {enabled: false, assumed: true}
        """,
        "rules.Q999: no rule has this code",
    ),
    "rule-severity": (
        """
        rules:
          B005: {severity: fatal, assumed: true}
        """,
        "rules.B005.severity: 'fatal' is not one of ['error', 'warning', 'info']",
    ),
}


@pytest.mark.parametrize("section, expected", BROKEN.values(), ids=BROKEN.keys())
def test_plans_check_names_a_broken_billing_or_rules_entry_in_one_line(
    cli, tmp_path, section, expected
):
    plan = tmp_path / "myplan.yaml"
    plan.write_text(CHILD + textwrap.dedent(section), encoding="utf-8")
    run = cli("plans", "check", plan)
    assert run.code == 1
    assert "Traceback" not in run.text
    problem, summary = run.error_lines()
    assert problem.startswith(f"ecmx: {plan}: {expected}"), problem
    assert summary == "ecmx: 1 problem(s) in plan configuration"


def test_the_same_mistake_stops_a_claims_run_before_it_reads_the_dataset(cli, tmp_path):
    """Plans load before anything else: claims reports the plan's line, not a run-time error."""
    folder = tmp_path / "plans"
    folder.mkdir()
    section, expected = BROKEN["visit-limit-kind"]
    (folder / "myplan.yaml").write_text(CHILD + textwrap.dedent(section), encoding="utf-8")
    run = cli(
        "--plans-dir", folder, "claims", tmp_path / "no-dataset", "--plan", "myplan",
        "--period", "2025-11", "--out", tmp_path / "out",
    )  # fmt: skip
    assert run.code == 1
    assert "Traceback" not in run.text
    assert any(expected in line for line in run.error_lines()), run.err
    assert not (tmp_path / "out").exists()


SOLO = """\
id: solo
name: Solo Plan
mcp:
  name: {value: Solo Plan, assumed: true}
  identifier: {value: SOLO, assumed: true}
files: {}
billing:
  payer_id: {value: SOLO1, assumed: true}
  codes:
    clinical: {value: G9008, assumed: true}
    non_clinical: {value: G9012, assumed: true}
  modifiers:
    clinical: {value: U1, assumed: true}
    non_clinical: {value: U2, assumed: true}
    pre_enrollment: {value: U8, assumed: true}
    telehealth: {value: GQ, assumed: true}
  place_of_service:
    in_person: {value: "11", assumed: true}
    telehealth: {value: "10", assumed: true}
"""


def test_a_complete_billing_section_passes_plans_check(cli, tmp_path):
    plan = tmp_path / "solo.yaml"
    plan.write_text(SOLO, encoding="utf-8")
    run = cli("plans", "check", plan)
    assert run.code == 0, run.err


def test_a_billed_plan_must_name_every_modifier_and_place_of_service(cli, tmp_path):
    """Before plans were typed, a missing modifier stopped ``ecmx claims`` mid-run."""
    plan = tmp_path / "solo.yaml"
    incomplete = [line for line in SOLO.splitlines(keepends=True) if "telehealth" not in line]
    plan.write_text("".join(incomplete), encoding="utf-8")
    run = cli("plans", "check", plan)
    assert run.code == 1
    assert "Traceback" not in run.text
    assert run.error_lines() == [
        f"ecmx: {plan}: billing.modifiers.telehealth: is required for a billed plan (see docs/claims.md)",
        f"ecmx: {plan}: billing.place_of_service.telehealth: is required for a billed plan "
        "(see docs/claims.md)",
        "ecmx: 2 problem(s) in plan configuration",
    ]
