"""B011: a program completion assessment every 6 months at CHWP (seed 000), every 12 at
Health Net (seed 001), from the dataset's enrollments.program_completion_date."""

from __future__ import annotations

import datetime as dt

import pytest

from ecmx.core.checks.completion import PROGRAM_COMPLETION
from ecmx.core.checks.rules import run_rules
from tests.unit.test_rules import day, make_target


def found(code: str, target) -> list:
    assert code == PROGRAM_COMPLETION.code
    return run_rules([PROGRAM_COMPLETION], target)


MEMBERS = ("P1", "P2", "P3", "P4", "P5")


def completion_target(plugins, make_dataset, plan_id, starts, done=None, **options):
    """An RTF of members P1.. enrolled on ``starts`` (one each), with their recorded
    program completion dates ``done`` (member -> date) in the dataset."""
    plan = plugins[1].plan(plan_id)
    ids = list(MEMBERS[: len(starts)])
    done = done or {}
    members = [
        {"member_id": m, "cin": f"9{n:07d}A", "plan": plan_id, "first_name": "F",
         "last_name": "L", "dob": dt.date(1980, 1, 2)}
        for n, m in enumerate(ids, start=1)
    ]  # fmt: skip
    enrollments = [
        {"member_id": m, "status": "enrolled", "enrollment_start": day(s).date(),
         "program_completion_date": done.get(m)}
        for m, s in zip(ids, starts, strict=True)
    ]  # fmt: skip
    dataset = make_dataset(members=members, enrollments=enrollments)
    fields = [{"ecm_status": "enrolled", "enrollment_start": day(s)} for s in starts]
    return make_target(plan, fields=fields, dataset=dataset, member_ids=ids, first_row=2, **options)


# production date 2025-12-03 (make_target's default)
@pytest.mark.parametrize(
    ("plan_id", "due", "not_due", "months"),
    [
        ("chwp", "2025-05-01", "2025-07-01", 6),  # 7 months enrolled: due; 5: not yet
        ("healthnet", "2024-11-01", "2025-03-01", 12),  # 13 months: due; 9: not yet
    ],
)
def test_b011_warns_after_the_plans_interval(plugins, make_dataset, plan_id, due, not_due, months):
    target = completion_target(plugins, make_dataset, plan_id, [due, not_due])
    findings = found("B011", target)
    assert [(f.row, f.severity) for f in findings] == [(2, "warning")]
    assert "program completion" in findings[0].message
    assert f"{months} months" in findings[0].message
    assert findings[0].cell == ""  # the RTF has no column for it: the row is named
    assert "enrollments.program_completion_date" in findings[0].hint


def test_b011_cites_the_plans_own_page(plugins, make_dataset):
    chwp = found("B011", completion_target(plugins, make_dataset, "chwp", ["2025-01-01"]))
    hn = found("B011", completion_target(plugins, make_dataset, "healthnet", ["2024-01-01"]))
    assert "every six months" in chwp[0].source
    assert "every 12 months" in hn[0].source


@pytest.mark.parametrize("plan_id", ["calviva", "chpiv", "partnership"])
def test_b011_no_rule_where_the_plan_states_no_interval(plugins, make_dataset, plan_id):
    """Health Net's 12 months is on Health Net's own page: not a fact for CalViva or CHPIV."""
    target = completion_target(plugins, make_dataset, plan_id, ["2023-01-01"])
    assert found("B011", target) == []


def test_b011_a_date_recorded_within_the_interval_silences_it(plugins, make_dataset):
    done = {
        "P1": dt.date(2025, 7, 1),  # 5 months ago: within 6
        "P2": dt.date(2025, 5, 1),  # 7 months ago: due again
        "P3": dt.date(2025, 6, 3),  # exactly 6 months ago: still within
    }
    starts = ["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01"]  # P4: none recorded
    target = completion_target(plugins, make_dataset, "chwp", starts, done)
    assert [f.row for f in found("B011", target)] == [3, 5]


def test_b011_only_enrolled_members_and_needs_the_dataset(plugins, make_dataset):
    target = completion_target(plugins, make_dataset, "chwp", ["2024-01-01", "2024-01-01"])
    target.fields.loc[1, "ecm_status"] = "disenrolled"
    assert [f.row for f in found("B011", target)] == [2]
    target.dataset = None
    assert found("B011", target) == []


def test_completions_due_counts_from_the_later_of_start_and_last_assessment(plugins, make_dataset):
    from ecmx.core.calendar.completion_due import completions_due

    # P1 started 2025-06-10: due 2025-12-10 (in the window); P2 assessed 2025-06-01:
    # overdue since 2025-12-01; P3 assessed 2025-07-01: due 2026-01-01, not in the window;
    # P4 started 2025-06-30: due 2025-12-30, not in the window.
    starts = ["2025-06-10", "2024-01-01", "2024-01-01", "2025-06-30"]
    done = {"P2": dt.date(2025, 6, 1), "P3": dt.date(2025, 7, 1)}
    target = completion_target(plugins, make_dataset, "chwp", starts, done)
    plans = [plugins[1].plan(p) for p in ("chwp", "calviva", "healthnet")]
    (chwp,) = completions_due(target.dataset, plans, dt.date(2025, 12, 3), 14)
    assert (chwp.plan, chwp.months, chwp.due, chwp.overdue) == ("chwp", 6, 2, 1)
    line = chwp.line(dt.date(2025, 12, 17))
    assert line.startswith("2 program completion assessments due by 2025-12-17 (chwp, 1 overdue)")
    assert not any(m in line for m in MEMBERS)
