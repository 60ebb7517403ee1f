"""Calendar configs that are wrong say what and where; late files and what is due today."""

from __future__ import annotations

from datetime import date

import pytest

from ecmx.core.calendar.deadlines import (
    lateness_findings,
    near_dates,
    open_windows,
    overdue,
    upcoming,
)
from ecmx.core.calendar.periods import Period
from ecmx.core.calendar.schedule import due_dates
from ecmx.core.checks.findings import WARNING

D = date.fromisoformat

# A plan with one calendar event of its own; each test breaks one piece of it.
PLAN = """\
id: myplan
name: My Plan
extends: healthnet_family
calendar:
  events:
    report_due:
      title: Report due to the plan
      file: rtf
      party: provider
      role: due
      rule: {rule}
      adjust: {adjust}
      {provenance}
"""


def plan_text(
    rule: str = "{kind: day_of_month, days: [5], month_offset: 1}",
    adjust: str = "none",
    provenance: str = 'source: "my-plan-guide: reporting dates"',
) -> str:
    return PLAN.format(rule=rule, adjust=adjust, provenance=provenance)


def only(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


# ------------------------------------------------------------------ a good config loads


def test_the_config_template_loads(plugins_with):
    _, registry = plugins_with({"myplan.yaml": plan_text()})
    found = {d.event.name: d for d in due_dates(registry.plan("myplan"), [Period(2025, 11)])}
    assert found["report_due"].date == D("2025-12-05")
    assert found["rtf_due"].date == D("2025-12-05")  # inherited from the family


def test_an_inherited_rule_of_another_kind_is_replaced_whole(plugins_with):
    # The family's rtf_due is the 5th of the next month; a plan that makes it a week rule
    # must not keep the family's days or month_offset.
    text = """\
id: myplan
name: My Plan
extends: healthnet_family
calendar:
  events:
    rtf_due:
      rule: {kind: nth_week, week: 2}
      source: "my-plan-guide: reporting dates"
"""
    _, registry = plugins_with({"myplan.yaml": text})
    plan = registry.plan("myplan")
    assert plan.data["calendar"]["events"]["rtf_due"]["rule"] == {"kind": "nth_week", "week": 2}
    found = {d.event.name: d for d in due_dates(plan, [Period(2025, 11)])}
    assert (found["rtf_due"].start, found["rtf_due"].date) == (D("2025-11-08"), D("2025-11-14"))


def test_a_negative_month_offset_loads(plugins_with):
    text = plan_text(rule="{kind: day_of_month, days: [20], month_offset: -1}")
    _, registry = plugins_with({"myplan.yaml": text})
    found = {d.event.name: d for d in due_dates(registry.plan("myplan"), [Period(2026, 1)])}
    assert found["report_due"].date == D("2025-12-20")


def test_the_plans_holiday_calendar_is_the_one_used(plugins_with):
    # Cesar Chavez Day (2025-03-31) is a California holiday, not a New York one
    rule = "{kind: day_of_month, days: [31]}"
    california = plan_text(rule=rule, adjust="next")
    new_york = california.replace(
        "calendar:\n", "calendar:\n  holidays: {country: US, subdivision: NY, assumed: true}\n"
    )
    for text, expected in ((california, "2025-04-01"), (new_york, "2025-03-31")):
        _, registry = plugins_with({"myplan.yaml": text})
        found = {d.event.name: d for d in due_dates(registry.plan("myplan"), [Period(2025, 3)])}
        assert found["report_due"].date == D(expected)
        assert found["report_due"].nominal == D("2025-03-31")


# ------------------------------------------------------------------ broken configs


def test_unknown_rule_kind(config_problems):
    text = plan_text(rule="{kind: day_of_mnth, days: [5]}")
    problem = only(config_problems({"myplan.yaml": text}))
    # the kinds are registered (ecmx_register_calendar_rules): the line names them all
    assert problem.endswith(
        "myplan.yaml: calendar.events.report_due.rule.kind: unknown rule kind 'day_of_mnth' "
        "(did you mean 'day_of_month'?); "
        "known kinds: after_trigger, day_of_month, nth_week, nth_weekday"
    )


def test_unknown_weekday(config_problems):
    text = plan_text(rule="{kind: nth_weekday, n: 1, weekday: fryday}")
    problem = only(config_problems({"myplan.yaml": text}))
    assert "myplan.yaml: calendar.events.report_due.rule.weekday: 'fryday'" in problem
    assert "(did you mean 'friday'?)" in problem


def test_a_key_of_another_rule_kind(config_problems):
    text = plan_text(rule="{kind: day_of_month, days: [5], week: 2}")
    problem = only(config_problems({"myplan.yaml": text}))
    assert "myplan.yaml: calendar.events.report_due.rule: " in problem
    assert "unknown key 'week' for this kind" in problem
    # the line names the keys a day_of_month rule takes
    assert "it takes kind, month_offset, days" in problem


def test_a_trigger_key_on_a_dated_rule(config_problems):
    text = plan_text(rule="{kind: nth_week, week: 2, days_min: 3}")
    problem = only(config_problems({"myplan.yaml": text}))
    assert "calendar.events.report_due.rule: " in problem
    assert "'days_min'" in problem


def test_a_rule_missing_its_key(config_problems):
    text = plan_text(rule="{kind: nth_weekday, n: 2}")
    problem = only(config_problems({"myplan.yaml": text}))
    assert "calendar.events.report_due.rule: 'weekday' is required" in problem


def test_an_event_without_provenance(config_problems):
    text = plan_text(provenance='note: "no idea where this comes from"')
    problem = only(config_problems({"myplan.yaml": text}))
    assert "myplan.yaml: calendar.events.report_due: needs source" in problem
    assert "assumed: true" in problem


def test_an_empty_source_is_no_provenance(config_problems):
    text = plan_text(provenance='source: ""')
    problem = only(config_problems({"myplan.yaml": text}))
    assert "calendar.events.report_due: needs source" in problem


def test_assumed_false_is_no_provenance(config_problems):
    text = plan_text(provenance="assumed: false")
    problem = only(config_problems({"myplan.yaml": text}))
    assert "calendar.events.report_due: needs source" in problem


@pytest.mark.parametrize(
    ("holidays", "named"),
    [
        ("{country: XX, assumed: true}", "XX"),
        ("{country: US, subdivision: ZZ, assumed: true}", "ZZ"),
    ],
)
def test_unknown_holiday_region(holidays, named, config_problems):
    text = f"""\
    id: myplan
    name: My Plan
    extends: healthnet_family
    calendar:
      holidays: {holidays}
    """
    problem = only(config_problems({"myplan.yaml": text}))
    assert "myplan.yaml: calendar.holidays: " in problem
    assert named in problem
    assert "holidays library" in problem


def test_holidays_without_provenance(config_problems):
    text = """\
    id: myplan
    name: My Plan
    extends: healthnet_family
    calendar:
      holidays: {country: US, subdivision: CA}
    """
    problem = only(config_problems({"myplan.yaml": text}))
    assert "myplan.yaml: calendar.holidays: needs source" in problem


def test_days_min_after_days_max(config_problems):
    text = plan_text(
        rule="{kind: after_trigger, trigger: referral approval, days_min: 10, days_max: 5}"
    )
    problem = only(config_problems({"myplan.yaml": text}))
    assert "myplan.yaml: calendar.events.report_due.rule: days_min is after days_max" in problem


@pytest.mark.parametrize(
    ("value", "hint"),
    [("nxt", "(did you mean 'next'?)"), ("following", ""), ("Previous", "")],
)
def test_adjust_not_none_previous_or_next(value, hint, config_problems):
    problem = only(config_problems({"myplan.yaml": plan_text(adjust=value)}))
    assert f"myplan.yaml: calendar.events.report_due.adjust: '{value}' is not one of" in problem
    assert "'none'" in problem and "'previous'" in problem and "'next'" in problem
    assert hint in problem


def test_week_out_of_range(config_problems):
    problem = only(config_problems({"myplan.yaml": plan_text(rule="{kind: nth_week, week: 6}")}))
    assert "calendar.events.report_due.rule.week: 6" in problem


def test_several_calendar_problems_at_once(config_problems):
    text = plan_text(rule="{kind: day_of_month, days: [5], week: 2}", adjust="nxt")
    text = text.replace("calendar:\n", "calendar:\n  holidays: {country: XX, assumed: true}\n")
    problems = config_problems({"myplan.yaml": text})
    assert len(problems) == 3, problems
    assert any("calendar.events.report_due.rule: " in p and "'week'" in p for p in problems)
    assert any("calendar.events.report_due.adjust: 'nxt'" in p for p in problems)
    assert any("calendar.holidays: " in p and "XX" in p for p in problems)


# ------------------------------------------------------------------ late files


def test_a_file_sent_by_its_due_date_is_not_late(plugins):
    _, registry = plugins
    plan = registry.plan("healthnet")
    for sent_on in ("2025-11-20", "2025-12-04", "2025-12-05"):
        assert lateness_findings(plan, "rtf", Period(2025, 11), D(sent_on)) == []


def test_a_late_file_within_the_correction_window(plugins):
    _, registry = plugins
    plan = registry.plan("healthnet")
    [finding] = lateness_findings(plan, "rtf", Period(2025, 11), D("2025-12-06"))
    assert (finding.severity, finding.code) == (WARNING, "C001")
    assert (finding.plan, finding.kind) == ("healthnet", "rtf")
    assert "Health Net's RTF for 2025-11" in finding.message
    assert "2025-12-05" in finding.message
    assert "1 day before" in finding.message
    assert "2025-12-10" in finding.line()
    assert finding.source.startswith("CalAIM Resources for Providers and CalAIM FAQ (FAQ")


def test_the_last_day_of_the_correction_window_is_still_c001(plugins):
    _, registry = plugins
    plan = registry.plan("healthnet")
    [finding] = lateness_findings(plan, "rtf", Period(2025, 11), D("2025-12-10"))
    assert finding.code == "C001"
    assert "5 days before" in finding.message


def test_a_file_after_the_correction_window_will_be_refused(plugins):
    _, registry = plugins
    plan = registry.plan("healthnet")
    [finding] = lateness_findings(plan, "rtf", Period(2025, 11), D("2025-12-11"))
    assert (finding.severity, finding.code) == (WARNING, "C002")
    assert "will refuse this file" in finding.message
    assert "2025-12-05" in finding.message and "2025-12-10" in finding.message
    assert "next period's file" in finding.hint
    # months later: still the one C002, not a C001 as well
    findings = lateness_findings(plan, "rtf", Period(2025, 11), D("2026-04-01"))
    assert [f.code for f in findings] == ["C002"]


def test_otf_lateness(plugins):
    _, registry = plugins
    plan = registry.plan("calviva")
    period = Period(2025, 11)
    assert lateness_findings(plan, "otf", period, D("2025-12-05")) == []
    [late] = lateness_findings(plan, "otf", period, D("2025-12-08"))
    assert late.code == "C001" and late.kind == "otf"
    assert "CalViva Health's OTF for 2025-11" in late.message
    assert "3 days before" in late.message
    [refused] = lateness_findings(plan, "otf", period, D("2025-12-11"))
    assert refused.code == "C002"


def test_december_lateness_is_judged_in_january(plugins):
    _, registry = plugins
    plan = registry.plan("chwp")
    period = Period(2025, 12)
    assert lateness_findings(plan, "rtf", period, D("2026-01-05")) == []
    [late] = lateness_findings(plan, "rtf", period, D("2026-01-06"))
    assert late.code == "C001"
    assert "2026-01-05" in late.message and "2026-01-10" in late.line()
    [refused] = lateness_findings(plan, "rtf", period, D("2026-01-11"))
    assert refused.code == "C002"


def test_a_plan_without_a_cutoff_only_warns_late(plugins):
    _, registry = plugins
    plan = registry.plan("partnership")
    period = Period(2025, 11)  # RTF and IOT due by the end of 2025-12-14 (assumed)
    assert lateness_findings(plan, "rtf", period, D("2025-12-14")) == []
    for sent_on in ("2025-12-15", "2026-03-01"):
        [finding] = lateness_findings(plan, "rtf", period, D(sent_on))
        assert finding.code == "C001"
        assert "2025-12-14" in finding.message
        assert "ask Partnership HealthPlan of California whether" in finding.hint
    [iot] = lateness_findings(plan, "otf", period, D("2025-12-20"))
    assert (iot.code, iot.kind) == ("C001", "otf")
    assert "6 days before" in iot.message


def test_a_file_the_plan_sends_is_never_late(plugins):
    _, registry = plugins
    plan = registry.plan("healthnet")
    assert lateness_findings(plan, "mif", Period(2025, 11), D("2026-01-30")) == []


# ------------------------------------------------------------------ what is due today

TODAY = D("2025-12-07")


def names(dates) -> list[tuple[str, str, str]]:
    return sorted((d.event.name, str(d.period), d.date.isoformat()) for d in dates)


def test_upcoming(plugins):
    _, registry = plugins
    dates = near_dates([registry.plan("healthnet")], TODAY)
    assert names(upcoming(dates, TODAY)) == [
        ("csasf_delivery", "2025-12", "2025-12-15"),
        ("csprtf_due", "2025-11", "2025-12-10"),
        ("mif_delivery", "2025-12", "2025-12-15"),
        ("resubmission_cutoff", "2025-11", "2025-12-10"),
    ]
    assert names(upcoming(dates, TODAY, days=3)) == [
        ("csprtf_due", "2025-11", "2025-12-10"),
        ("resubmission_cutoff", "2025-11", "2025-12-10"),
    ]
    # today counts; the end of the range counts
    assert ("rtf_due", "2025-11", "2025-12-05") in names(upcoming(dates, D("2025-12-05"), days=0))
    assert ("mif_delivery", "2025-12", "2025-12-15") in names(upcoming(dates, D("2025-12-01")))


def test_overdue(plugins):
    _, registry = plugins
    dates = near_dates([registry.plan("healthnet")], TODAY)
    # the provider's deadlines of the last 31 days; not the plan's deliveries or the cutoff
    assert names(overdue(dates, TODAY)) == [
        ("csprtf_due", "2025-10", "2025-11-10"),
        ("csprtf_due", "2025-11", "2025-12-05"),
        ("otf_due", "2025-11", "2025-12-05"),
        ("rtf_due", "2025-11", "2025-12-05"),
    ]
    # on its due date a deadline is not overdue yet
    assert ("rtf_due", "2025-11", "2025-12-05") not in names(overdue(dates, D("2025-12-05")))


def test_open_correction_windows(plugins):
    _, registry = plugins
    healthnet = registry.plan("healthnet")
    dates = near_dates([healthnet], TODAY)
    [window] = open_windows(dates, TODAY)
    assert (window.plan, window.plan_name, window.period) == (
        "healthnet",
        "Health Net",
        Period(2025, 11),
    )
    assert (window.due, window.cutoff) == (D("2025-12-05"), D("2025-12-10"))
    assert window.source.startswith("CalAIM Resources for Providers and CalAIM FAQ (FAQ")
    # open from the day after the due date to the cutoff, both included
    for today, is_open in (
        ("2025-12-05", False),
        ("2025-12-06", True),
        ("2025-12-10", True),
        ("2025-12-11", False),
    ):
        windows = open_windows(near_dates([healthnet], D(today)), D(today))
        assert bool(windows) is is_open, today


def test_open_windows_of_every_plan(plugins):
    _, registry = plugins
    dates = near_dates(registry.concrete_plans(), TODAY)
    windows = open_windows(dates, TODAY)
    # Partnership has no correction cutoff: it has no window to show
    assert [w.plan for w in windows] == ["calviva", "chpiv", "chwp", "healthnet"]
    assert {(w.period, w.due, w.cutoff) for w in windows} == {
        (Period(2025, 11), D("2025-12-05"), D("2025-12-10"))
    }


def test_january_sees_the_december_period(plugins):
    _, registry = plugins
    today = D("2026-01-07")
    dates = near_dates([registry.plan("healthnet")], today)
    assert ("rtf_due", "2025-12", "2026-01-05") in names(overdue(dates, today))
    [window] = open_windows(dates, today)
    assert (window.period, window.cutoff) == (Period(2025, 12), D("2026-01-10"))
