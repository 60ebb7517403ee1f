"""The plans' ``capacity:`` section: the lead care manager ratio rule B008 and ``ecmx
capacity`` hold each plan to, and the capacity report it asks for, each with its source
(seed 002 for the Health Net family, seed 003 for Partnership, assumed elsewhere)."""

from __future__ import annotations

import textwrap

import pytest

from ecmx.core.checks.business import BUSINESS_RULES
from ecmx.core.checks.rules import run_rules
from tests.unit.test_rules import make_target

B008 = next(r for r in BUSINESS_RULES if r.code == "B008")


def caseload(name: str, count: int) -> list[dict]:
    return [{"ecm_status": "enrolled", "lead_care_manager_name": name}] * count


@pytest.mark.parametrize("plan_id", ["healthnet", "calviva", "chpiv"])
def test_the_health_net_family_states_1_to_50_and_a_quarterly_report(plugins, plan_id):
    capacity = plugins[1].plan(plan_id).capacity
    assert capacity.limit == 50 and not capacity.ratio.assumed
    assert "hn-calaim-resources: FAQ 'How many ECM members can a provider have?'" in (
        capacity.ratio.source_text
    )
    report = capacity.report
    assert (report.every, report.assumed) == ("quarter", False)
    assert any("capacity report quarterly, at a minimum" in s for s in report.source)


def test_partnership_asks_a_monthly_survey_and_gets_the_ratio_as_assumed(plugins):
    plan = plugins[1].plan("partnership")
    report = plan.capacity.report
    assert (report.title, report.every) == ("Provider Capacity Survey", "month")
    assert report.how == "Microsoft Forms survey via email link"
    assert all(s.startswith("phc-ecm-guide: ECM Reporting Schedule") for s in report.source)
    # the survey's due dates are the calendar event it names
    assert report.calendar_event in {e.name for e in plan.calendar.events}
    assert plan.capacity.limit == 50 and plan.capacity.ratio.assumed
    assert "capacity.lead_care_manager_ratio" in dict(plan.assumptions())


def test_chwp_asks_no_report_and_its_ratio_is_assumed_not_cited(plugins):
    plan = plugins[1].plan("chwp")
    assert plan.capacity.report is None
    ratio = plan.capacity.ratio
    assert ratio.value == 50 and ratio.assumed and ratio.source == ""
    assert "does not speak for California Health & Wellness Plan" in ratio.note


def test_b008_holds_each_plan_to_its_own_ratio_and_cites_it(plugins, plugins_with):
    _, registry = plugins_with(
        {
            "myplan.yaml": textwrap.dedent(
                """\
                id: myplan
                name: My Plan
                extends: healthnet
                mcp:
                  identifier: {value: MYPLAN, source: "my-plan-guide: p. 1"}
                  name: {value: My Plan, source: "my-plan-guide: p. 1"}
                billing:
                  payer_name: {value: My Plan, source: "my-plan-guide: p. 1"}
                capacity:
                  lead_care_manager_ratio: {value: 40, source: "my-plan-guide: p. 9, at most 1:40"}
                """
            )
        }
    )
    fields = caseload("Ana Lead", 41) + caseload("Bo Lead", 40)
    mine = run_rules([B008], make_target(registry.plan("myplan"), fields=fields, first_row=2))
    assert [f.row for f in mine] == list(range(2, 43))  # Ana's 41 rows, not Bo's 40
    assert "more than 40" in mine[0].message and "1:40" in mine[0].message
    assert "p. 9, at most 1:40" in mine[0].source
    # Health Net holds the same caseloads to 1:50: no finding
    healthnet = plugins[1].plan("healthnet")
    assert run_rules([B008], make_target(healthnet, fields=fields)) == []
    # an assumed ratio says so in the finding, with the plan's name
    partnership = plugins[1].plan("partnership")
    over = run_rules([B008], make_target(partnership, fields=caseload("Cy Lead", 51)))
    assert over and over[0].source.startswith("assumed for Partnership HealthPlan of California")


def test_a_plan_that_states_no_ratio_has_no_b008(plugins_with):
    _, registry = plugins_with(
        {
            "solo.yaml": textwrap.dedent(
                """\
                id: solo
                name: Solo Plan
                extends: healthnet
                mcp:
                  identifier: {value: SOLO, source: "my-plan-guide: p. 1"}
                  name: {value: Solo Plan, source: "my-plan-guide: p. 1"}
                billing:
                  payer_name: {value: Solo Plan, source: "my-plan-guide: p. 1"}
                capacity:
                  lead_care_manager_ratio: null
                  report: null
                """
            )
        }
    )
    plan = registry.plan("solo")
    assert plan.capacity.limit is None and plan.capacity.report is None
    assert run_rules([B008], make_target(plan, fields=caseload("Ana Lead", 80))) == []


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ("lead_care_manager_ratio: {value: 0, source: 'my-plan-guide: p. 9'}", "capacity"),
        ("lead_care_manager_ratio: {value: 40}", "source"),
        ("report: {title: survey, every: week, asks: x, assumed: true}", "every"),
        ("ratio: {value: 40, assumed: true}", "ratio"),
    ],
)
def test_a_bad_capacity_entry_is_one_problem_naming_it(config_problems, entry, needle):
    problems = config_problems(
        {
            "myplan.yaml": f"""
            id: myplan
            name: My Plan
            extends: healthnet
            mcp:
              identifier: {{value: MYPLAN, source: "my-plan-guide: p. 1"}}
              name: {{value: My Plan, source: "my-plan-guide: p. 1"}}
            billing:
              payer_name: {{value: My Plan, source: "my-plan-guide: p. 1"}}
            capacity:
              {entry}
            """
        }
    )
    assert len(problems) == 1, problems
    assert "myplan.yaml" in problems[0] and "capacity" in problems[0] and needle in problems[0]
