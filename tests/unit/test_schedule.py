"""Plan calendars: the dates the plans' own pages give, and how a rule becomes a date."""

from __future__ import annotations

import calendar as stdlib_calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecmx.core.calendar.periods import Period
from ecmx.core.calendar.rule_kinds import nominal_dates, ordinal
from ecmx.core.calendar.schedule import (
    adjust,
    due_dates,
    is_business_day,
    plan_events,
    year_periods,
)

HEALTHNET_FAMILY = ("healthnet", "calviva", "chpiv", "chwp")
CONCRETE = (*HEALTHNET_FAMILY, "partnership")

D = date.fromisoformat


def dates_by_event(plan, period: Period) -> dict[str, list[date]]:
    found: dict[str, list[date]] = {}
    for due in due_dates(plan, [period]):
        found.setdefault(due.event.name, []).append(due.date)
    return found


def windows_by_event(plan, period: Period) -> dict[str, list[tuple[date, date]]]:
    found: dict[str, list[tuple[date, date]]] = {}
    for due in due_dates(plan, [period]):
        found.setdefault(due.event.name, []).append((due.start, due.date))
    return found


def in_month(day: date, month: Period) -> bool:
    return (day.year, day.month) == (month.year, month.month)


# ------------------------------------------------------------------ the seeds: Health Net family

# period -> every dated event of the Health Net family (seeds 000, 001, 002)
HEALTHNET_SEEDS = {
    Period(2025, 11): {
        "mif_delivery": ["2025-11-15"],
        "rtf_due": ["2025-12-05"],
        "otf_due": ["2025-12-05"],
        "resubmission_cutoff": ["2025-12-10"],
        "csasf_delivery": ["2025-11-15", "2025-11-29"],
        "csprtf_due": ["2025-12-05", "2025-12-10"],
    },
    # a leap February has a 29th
    Period(2024, 2): {
        "mif_delivery": ["2024-02-15"],
        "rtf_due": ["2024-03-05"],
        "otf_due": ["2024-03-05"],
        "resubmission_cutoff": ["2024-03-10"],
        "csasf_delivery": ["2024-02-15", "2024-02-29"],
        "csprtf_due": ["2024-03-05", "2024-03-10"],
    },
    # no 29th: the second CSASF is the month's last day; 2025-02-15 is a Saturday and stays
    Period(2025, 2): {
        "mif_delivery": ["2025-02-15"],
        "rtf_due": ["2025-03-05"],
        "otf_due": ["2025-03-05"],
        "resubmission_cutoff": ["2025-03-10"],
        "csasf_delivery": ["2025-02-15", "2025-02-28"],
        "csprtf_due": ["2025-03-05", "2025-03-10"],
    },
    # December rolls into January of the next year
    Period(2025, 12): {
        "mif_delivery": ["2025-12-15"],
        "rtf_due": ["2026-01-05"],
        "otf_due": ["2026-01-05"],
        "resubmission_cutoff": ["2026-01-10"],
        "csasf_delivery": ["2025-12-15", "2025-12-29"],
        "csprtf_due": ["2026-01-05", "2026-01-10"],
    },
    Period(2024, 12): {
        "mif_delivery": ["2024-12-15"],
        "rtf_due": ["2025-01-05"],
        "otf_due": ["2025-01-05"],
        "resubmission_cutoff": ["2025-01-10"],
        "csasf_delivery": ["2024-12-15", "2024-12-29"],
        "csprtf_due": ["2025-01-05", "2025-01-10"],
    },
    # January: the RTF is due in February (28 days in 2025)
    Period(2025, 1): {
        "mif_delivery": ["2025-01-15"],
        "rtf_due": ["2025-02-05"],
        "otf_due": ["2025-02-05"],
        "resubmission_cutoff": ["2025-02-10"],
        "csasf_delivery": ["2025-01-15", "2025-01-29"],
        "csprtf_due": ["2025-02-05", "2025-02-10"],
    },
    # a 30-day month: the 29th exists, nothing is pushed to the 30th
    Period(2026, 4): {
        "mif_delivery": ["2026-04-15"],
        "rtf_due": ["2026-05-05"],
        "otf_due": ["2026-05-05"],
        "resubmission_cutoff": ["2026-05-10"],
        "csasf_delivery": ["2026-04-15", "2026-04-29"],
        "csprtf_due": ["2026-05-05", "2026-05-10"],
    },
    Period(2026, 2): {
        "mif_delivery": ["2026-02-15"],
        "rtf_due": ["2026-03-05"],
        "otf_due": ["2026-03-05"],
        "resubmission_cutoff": ["2026-03-10"],
        "csasf_delivery": ["2026-02-15", "2026-02-28"],
        "csprtf_due": ["2026-03-05", "2026-03-10"],
    },
}


@pytest.mark.parametrize("plan_id", HEALTHNET_FAMILY)
@pytest.mark.parametrize("period", list(HEALTHNET_SEEDS), ids=str)
def test_healthnet_family_seed_dates(plugins, plan_id, period):
    _, registry = plugins
    expected = {event: [D(day) for day in days] for event, days in HEALTHNET_SEEDS[period].items()
                if plan_id != "chwp" or not event.startswith("cs")}  # CHWP: no CS files  # fmt: skip
    assert dates_by_event(registry.plan(plan_id), period) == expected


@pytest.mark.parametrize("plan_id", HEALTHNET_FAMILY)
def test_healthnet_family_dates_are_not_moved_off_weekends(plugins, plan_id):
    _, registry = plugins
    plan = registry.plan(plan_id)
    dates = due_dates(plan, [Period(2025, 2), Period(2025, 9), Period(2025, 11)])
    by_key = {(str(d.period), d.event.name): d for d in dates}
    # 2025-02-15 is a Saturday, 2025-10-05 a Sunday, 2025-11-29 a Saturday: they stay
    assert D("2025-02-15").weekday() == 5
    assert by_key[("2025-02", "mif_delivery")].date == D("2025-02-15")
    assert D("2025-10-05").weekday() == 6
    assert by_key[("2025-09", "rtf_due")].date == D("2025-10-05")
    assert (D("2025-11-29") in [
        d.date for d in dates if str(d.period) == "2025-11" and d.event.name == "csasf_delivery"
    ]) == (plan_id != "chwp")  # fmt: skip
    for due in dates:
        assert due.event.adjust == "none"
        assert due.date == due.nominal == due.start


def test_mini_mif_has_no_date(plugins):
    _, registry = plugins
    plan = registry.plan("healthnet")
    assert "mini_mif" in [e.name for e in plan_events(plan)]
    mini = next(e for e in plan_events(plan) if e.name == "mini_mif")
    assert not mini.dated
    assert mini.describe() == "5-10 calendar days after referral approval"
    assert "mini_mif" not in {d.event.name for d in due_dates(plan, year_periods(2025))}


def test_healthnet_event_kinds_and_parties(plugins):
    _, registry = plugins
    records = {
        d.event.name: d.record() for d in due_dates(registry.plan("healthnet"), [Period(2025, 11)])
    }
    assert {name: (r["kind"], r["party"], r["role"]) for name, r in records.items()} == {
        "mif_delivery": ("mif", "plan", "delivery"),
        "rtf_due": ("rtf", "provider", "due"),
        "otf_due": ("otf", "provider", "due"),
        "resubmission_cutoff": ("rtf", "provider", "cutoff"),
        "csasf_delivery": ("csasf", "plan", "delivery"),
        "csprtf_due": ("csprtf", "provider", "due"),
    }
    # stated by the seeds for Health Net; CHWP only assumes the cutoff, and has no CS files
    assert records["resubmission_cutoff"]["assumed"] is False
    chwp = {d.event.name: d for d in due_dates(registry.plan("chwp"), [Period(2025, 11)])}
    assert chwp["resubmission_cutoff"].event.assumed is True
    assert "csasf_delivery" not in chwp and "csprtf_due" not in chwp  # no CS files
    assert chwp["rtf_due"].event.assumed is False


# ------------------------------------------------------------------ the seeds: Partnership

PARTNERSHIP_SEEDS = {
    Period(2025, 11): {
        "mif_delivery": [("2025-11-01", "2025-11-07")],
        "tel_delivery": [("2025-11-01", "2025-11-07")],
        "new_files_preparation": [("2025-11-22", "2025-11-28")],
        "rtf_due": [("2025-12-08", "2025-12-14")],
        "iot_due": [("2025-12-08", "2025-12-14")],
        "plan_review": [("2025-12-15", "2025-12-21")],
        "capacity_survey_due": [("2025-12-22", "2025-12-28")],
    },
    Period(2025, 12): {
        "mif_delivery": [("2025-12-01", "2025-12-07")],
        "tel_delivery": [("2025-12-01", "2025-12-07")],
        "new_files_preparation": [("2025-12-22", "2025-12-28")],
        "rtf_due": [("2026-01-08", "2026-01-14")],
        "iot_due": [("2026-01-08", "2026-01-14")],
        "plan_review": [("2026-01-15", "2026-01-21")],
        "capacity_survey_due": [("2026-01-22", "2026-01-28")],
    },
    # the period before a non-leap February: next month's weeks are in February
    Period(2025, 1): {
        "mif_delivery": [("2025-01-01", "2025-01-07")],
        "tel_delivery": [("2025-01-01", "2025-01-07")],
        "new_files_preparation": [("2025-01-22", "2025-01-28")],
        "rtf_due": [("2025-02-08", "2025-02-14")],
        "iot_due": [("2025-02-08", "2025-02-14")],
        "plan_review": [("2025-02-15", "2025-02-21")],
        "capacity_survey_due": [("2025-02-22", "2025-02-28")],
    },
}


@pytest.mark.parametrize("period", list(PARTNERSHIP_SEEDS), ids=str)
def test_partnership_seed_weeks(plugins, period):
    _, registry = plugins
    expected = {
        event: [(D(start), D(end)) for start, end in windows]
        for event, windows in PARTNERSHIP_SEEDS[period].items()
    }
    assert windows_by_event(registry.plan("partnership"), period) == expected


def test_partnership_assumed_dates_are_flagged(plugins):
    _, registry = plugins
    events = {e.name: e for e in plan_events(registry.plan("partnership"))}
    assumed = {name for name, e in events.items() if e.assumed}
    assert {"rtf_due", "iot_due", "capacity_survey_due"} <= assumed
    assert not events["mif_delivery"].assumed
    assert not events["tel_delivery"].assumed
    assert events["iot_due"].file == "otf"
    assert events["rtf_due"].describe() == "the 2nd week of the month after the period"


# ------------------------------------------------------------------ a full year per plan

YEAR_COUNTS = {
    **{
        plan_id: {
            "mif_delivery": 12,
            "rtf_due": 12,
            "otf_due": 12,
            "resubmission_cutoff": 12,
            # the Community Supports files: not CHWP's (its config drops them)
            **({} if plan_id == "chwp" else {"csasf_delivery": 24, "csprtf_due": 24}),
        }
        for plan_id in HEALTHNET_FAMILY
    },
    "partnership": {
        "mif_delivery": 12,
        "tel_delivery": 12,
        "rtf_due": 12,
        "iot_due": 12,
        "plan_review": 12,
        "capacity_survey_due": 12,
        "new_files_preparation": 12,
    },
}


@pytest.mark.parametrize("year", [2024, 2025, 2026])
@pytest.mark.parametrize("plan_id", CONCRETE)
def test_full_year_calendar(plugins, plan_id, year):
    _, registry = plugins
    plan = registry.plan(plan_id)
    periods = year_periods(year)
    assert periods == [Period(year, month) for month in range(1, 13)]
    dates = due_dates(plan, periods)

    counts: dict[str, int] = {}
    for due in dates:
        counts[due.event.name] = counts.get(due.event.name, 0) + 1
    assert counts == YEAR_COUNTS[plan_id]

    # each event once (or twice) per period, never a duplicate
    keys = [(d.event.name, d.period, d.date) for d in dates]
    assert len(keys) == len(set(keys))
    assert {d.period for d in dates} == set(periods)

    for due in dates:
        month_offset = due.event.rule.get("month_offset", 0)
        assert month_offset in (0, 1)
        assert in_month(due.date, due.period.shift(month_offset))
        assert in_month(due.date, due.period) or in_month(due.date, due.period.shift(1))
        assert due.start <= due.date
        assert due.plan == plan_id
        assert due.plan_name == plan.name

    assert [(d.date, d.plan, d.event.name) for d in dates] == sorted(
        (d.date, d.plan, d.event.name) for d in dates
    )
    # the December period's next-month dates are in the next year
    assert any(d.date.year == year + 1 for d in dates if d.period == Period(year, 12))


def test_due_dates_of_several_plans_do_not_mix(plugins):
    _, registry = plugins
    healthnet = due_dates(registry.plan("healthnet"), [Period(2025, 11)])
    partnership = due_dates(registry.plan("partnership"), [Period(2025, 11)])
    assert {d.plan for d in healthnet} == {"healthnet"}
    assert {d.plan for d in partnership} == {"partnership"}


# ------------------------------------------------------------------ rule kinds


@pytest.mark.parametrize(
    ("rule", "period", "expected"),
    [
        ({"kind": "nth_weekday", "n": 1, "weekday": "monday"}, Period(2025, 9), "2025-09-01"),
        ({"kind": "nth_weekday", "n": 4, "weekday": "thursday"}, Period(2025, 11), "2025-11-27"),
        ({"kind": "nth_weekday", "n": 2, "weekday": "tuesday"}, Period(2025, 11), "2025-11-11"),
        # the last Friday of October 2025 is also its 5th
        ({"kind": "nth_weekday", "n": -1, "weekday": "friday"}, Period(2025, 10), "2025-10-31"),
        ({"kind": "nth_weekday", "n": 5, "weekday": "friday"}, Period(2025, 10), "2025-10-31"),
        # the last Monday of November 2025 is its 4th
        ({"kind": "nth_weekday", "n": -1, "weekday": "monday"}, Period(2025, 11), "2025-11-24"),
        ({"kind": "nth_weekday", "n": 5, "weekday": "saturday"}, Period(2025, 11), "2025-11-29"),
        # a month after the period, across the year end
        (
            {"kind": "nth_weekday", "n": 1, "weekday": "friday", "month_offset": 1},
            Period(2025, 12),
            "2026-01-02",
        ),
        (
            {"kind": "nth_weekday", "n": -1, "weekday": "sunday", "month_offset": 1},
            Period(2024, 1),
            "2024-02-25",
        ),
    ],
)
def test_nth_weekday(rule, period, expected):
    assert nominal_dates(rule, period) == [(D(expected), D(expected))]


@pytest.mark.parametrize(
    ("weekday", "period"),
    [
        ("monday", Period(2025, 11)),  # Mondays 3, 10, 17, 24
        ("sunday", Period(2025, 2)),  # a non-leap February has exactly four of each
        ("thursday", Period(2025, 2)),
    ],
)
def test_a_fifth_weekday_the_month_lacks_gives_nothing(weekday, period):
    assert nominal_dates({"kind": "nth_weekday", "n": 5, "weekday": weekday}, period) == []
    # the month does have a last one
    [(start, day)] = nominal_dates({"kind": "nth_weekday", "n": -1, "weekday": weekday}, period)
    assert in_month(day, period) and day.day > 21 and start == day


def test_nth_week_five_in_february():
    rule = {"kind": "nth_week", "week": 5}
    assert nominal_dates(rule, Period(2025, 2)) == []
    assert nominal_dates(rule, Period(2026, 2)) == []
    assert nominal_dates(rule, Period(2024, 2)) == [(D("2024-02-29"), D("2024-02-29"))]
    # week 4 of any February is 22-28
    assert nominal_dates({"kind": "nth_week", "week": 4}, Period(2025, 2)) == [
        (D("2025-02-22"), D("2025-02-28"))
    ]
    # week 5 of a 31-day month is 29-31; of a 30-day month 29-30
    assert nominal_dates(rule, Period(2025, 10)) == [(D("2025-10-29"), D("2025-10-31"))]
    assert nominal_dates(rule, Period(2025, 11)) == [(D("2025-11-29"), D("2025-11-30"))]
    # via month_offset: January's next month is February
    shifted = {"kind": "nth_week", "week": 5, "month_offset": 1}
    assert nominal_dates(shifted, Period(2025, 1)) == []
    assert nominal_dates(shifted, Period(2024, 1)) == [(D("2024-02-29"), D("2024-02-29"))]


def test_negative_month_offset():
    rule = {"kind": "day_of_month", "days": [5], "month_offset": -1}
    assert nominal_dates(rule, Period(2025, 1)) == [(D("2024-12-05"), D("2024-12-05"))]
    rule = {"kind": "day_of_month", "days": [31], "month_offset": -12}
    assert nominal_dates(rule, Period(2025, 3)) == [(D("2024-03-31"), D("2024-03-31"))]
    rule = {"kind": "nth_week", "week": 1, "month_offset": -2}
    assert nominal_dates(rule, Period(2026, 1)) == [(D("2025-11-01"), D("2025-11-07"))]


def test_days_past_the_month_end_fall_on_its_last_day_once():
    rule = {"kind": "day_of_month", "days": [29, 30, 31]}
    assert nominal_dates(rule, Period(2025, 2)) == [(D("2025-02-28"), D("2025-02-28"))]
    assert [d for _, d in nominal_dates(rule, Period(2024, 2))] == [D("2024-02-29")]
    assert [d for _, d in nominal_dates(rule, Period(2025, 4))] == [
        D("2025-04-29"),
        D("2025-04-30"),
    ]
    # listed out of order: the dates are still in order
    assert [
        d for _, d in nominal_dates({"kind": "day_of_month", "days": [20, 1]}, Period(2025, 5))
    ] == [
        D("2025-05-01"),
        D("2025-05-20"),
    ]


def test_after_trigger_has_no_nominal_date():
    rule = {"kind": "after_trigger", "trigger": "referral approval", "days_min": 5, "days_max": 10}
    assert nominal_dates(rule, Period(2025, 11)) == []


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (15, "15th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (29, "29th"),
        (31, "31st"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
    ],
)
def test_ordinal(number, text):
    assert ordinal(number) == text


def test_rules_are_described_in_words(plugins):
    _, registry = plugins
    healthnet = {e.name: e.describe() for e in plan_events(registry.plan("healthnet"))}
    assert healthnet["rtf_due"] == "the 5th of the month after the period"
    assert healthnet["csasf_delivery"] == "the 15th and 29th of the period's month"
    assert healthnet["csprtf_due"] == "the 5th and 10th of the month after the period"
    partnership = {e.name: e.describe() for e in plan_events(registry.plan("partnership"))}
    assert partnership["mif_delivery"] == "the 1st week of the period's month"
    assert partnership["capacity_survey_due"] == "the 4th week of the month after the period"


# ------------------------------------------------------------------ weekends and holidays

SATURDAY, SUNDAY = D("2025-10-04"), D("2025-10-05")
THANKSGIVING, CESAR_CHAVEZ = D("2025-11-27"), D("2025-03-31")


@pytest.mark.parametrize(
    ("day", "previous", "following"),
    [
        (SATURDAY, "2025-10-03", "2025-10-06"),
        (SUNDAY, "2025-10-03", "2025-10-06"),
        # Thursday; Friday 11-28 is the day after Thanksgiving, a California holiday
        (THANKSGIVING, "2025-11-26", "2025-12-01"),
        # a Monday: previous is the Friday before, next the Tuesday
        (CESAR_CHAVEZ, "2025-03-28", "2025-04-01"),
        # Christmas 2025 is a Thursday; the next business day is Friday 12-26
        (D("2025-12-25"), "2025-12-24", "2025-12-26"),
        # New Year's Day 2022 is a Saturday, observed on Friday 2021-12-31: previous
        # goes back to Thursday, across the year end
        (D("2022-01-01"), "2021-12-30", "2022-01-03"),
    ],
)
def test_adjust_off_a_weekend_or_holiday(day, previous, following):
    assert not is_business_day(day, "US", "CA")
    assert adjust(day, "previous", "US", "CA") == D(previous)
    assert adjust(day, "next", "US", "CA") == D(following)
    assert adjust(day, "none", "US", "CA") == day


@pytest.mark.parametrize("day", [D("2025-11-26"), D("2025-12-01"), D("2025-12-05")])
@pytest.mark.parametrize("policy", ["none", "previous", "next"])
def test_adjust_keeps_a_business_day(day, policy):
    assert is_business_day(day, "US", "CA")
    assert adjust(day, policy, "US", "CA") == day


def test_is_business_day():
    assert is_business_day(D("2025-12-05"))  # a Friday
    assert not is_business_day(SATURDAY)
    assert not is_business_day(SUNDAY)
    assert not is_business_day(THANKSGIVING)
    assert not is_business_day(D("2025-11-28"))  # California: the day after Thanksgiving
    assert not is_business_day(CESAR_CHAVEZ)
    # the day after Thanksgiving and Cesar Chavez Day are California holidays, not federal
    assert is_business_day(D("2025-11-28"), "US", None)
    assert is_business_day(CESAR_CHAVEZ, "US", None)
    assert adjust(THANKSGIVING, "next", "US", None) == D("2025-11-28")


ADJUSTED_PLAN = """\
id: myplan
name: My Plan
extends: healthnet_family
calendar:
  events:
    rtf_due_early:
      title: RTF due, moved back off a weekend
      file: rtf
      party: provider
      role: due
      rule: {kind: day_of_month, days: [5], month_offset: 1}
      adjust: previous
      source: "my-plan-guide: reporting dates"
    rtf_due_late:
      title: RTF due, moved forward off a weekend
      file: rtf
      party: provider
      role: due
      rule: {kind: day_of_month, days: [5], month_offset: 1}
      adjust: next
      assumed: true
    last_thursday:
      title: review meeting
      file: rtf
      party: plan
      role: review
      rule: {kind: nth_weekday, n: -1, weekday: thursday}
      adjust: next
      assumed: true
"""


def test_a_plan_event_on_a_weekend_is_moved(plugins_with):
    _, registry = plugins_with({"myplan.yaml": ADJUSTED_PLAN})
    plan = registry.plan("myplan")
    # 2025-10-05 (the September RTF) is a Sunday
    found = {d.event.name: d for d in due_dates(plan, [Period(2025, 9)])}
    assert found["rtf_due"].date == D("2025-10-05")  # inherited: adjust none
    early, late = found["rtf_due_early"], found["rtf_due_late"]
    assert early.date == D("2025-10-03")
    assert late.date == D("2025-10-06")
    assert early.nominal == late.nominal == D("2025-10-05")
    assert early.record()["date"] == "2025-10-03"
    assert early.record()["nominal_date"] == "2025-10-05"
    assert early.record()["adjust"] == "previous"
    assert late.record()["date"] == "2025-10-06"
    assert late.record()["nominal_date"] == "2025-10-05"
    assert late.record()["assumed"] is True
    # the sorted list follows the moved dates
    names = [d.event.name for d in due_dates(plan, [Period(2025, 9)])]
    assert names.index("rtf_due_early") < names.index("rtf_due") < names.index("rtf_due_late")


def test_a_plan_event_on_a_holiday_is_moved(plugins_with):
    _, registry = plugins_with({"myplan.yaml": ADJUSTED_PLAN})
    plan = registry.plan("myplan")
    found = {d.event.name: d for d in due_dates(plan, [Period(2025, 11)])}
    # the last Thursday of November 2025 is Thanksgiving; Friday is a California holiday
    assert found["last_thursday"].nominal == THANKSGIVING
    assert found["last_thursday"].date == D("2025-12-01")
    # 2025-12-05 is a Friday: nothing moves
    assert found["rtf_due_early"].date == found["rtf_due_late"].date == D("2025-12-05")
    assert found["rtf_due_late"].record()["nominal_date"] == "2025-12-05"


def test_a_single_day_event_moved_forward_starts_on_its_date(plugins_with):
    _, registry = plugins_with({"myplan.yaml": ADJUSTED_PLAN})
    found = {d.event.name: d for d in due_dates(registry.plan("myplan"), [Period(2025, 9)])}
    late = found["rtf_due_late"]
    assert late.date == D("2025-10-06")
    # DueDate.start: "the date itself" for anything but a week window
    assert late.start == late.date


# ------------------------------------------------------------------ properties

periods = st.builds(Period, st.integers(1990, 2100), st.integers(1, 12))
offsets = st.integers(-12, 12)
days_lists = st.lists(st.integers(1, 31), min_size=1, max_size=5, unique=True)
business_range = st.dates(min_value=date(1995, 1, 1), max_value=date(2095, 12, 31))


@settings(max_examples=300, deadline=None)
@given(days=days_lists, period=periods, offset=offsets)
def test_day_of_month_dates_lie_in_the_shifted_month(days, period, offset):
    rule = {"kind": "day_of_month", "days": days, "month_offset": offset}
    month = period.shift(offset)
    last = stdlib_calendar.monthrange(month.year, month.month)[1]
    found = nominal_dates(rule, period)
    for start, day in found:
        assert start == day
        assert in_month(day, month)
    assert [day.day for _, day in found] == sorted({min(d, last) for d in days})


@settings(max_examples=200, deadline=None)
@given(week=st.integers(1, 5), period=periods, offset=offsets)
def test_nth_week_lies_in_the_shifted_month(week, period, offset):
    month = period.shift(offset)
    found = nominal_dates({"kind": "nth_week", "week": week, "month_offset": offset}, period)
    last = stdlib_calendar.monthrange(month.year, month.month)[1]
    if 7 * week - 6 > last:
        assert found == []
        return
    [(start, day)] = found
    assert in_month(start, month) and in_month(day, month)
    assert start.day == 7 * week - 6
    assert day.day == (last if week == 5 else 7 * week)


@settings(max_examples=200, deadline=None)
@given(
    n=st.sampled_from([-1, 1, 2, 3, 4, 5]),
    weekday=st.integers(0, 6),
    period=periods,
    offset=offsets,
)
def test_nth_weekday_is_that_weekday(n, weekday, period, offset):
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    rule = {"kind": "nth_weekday", "n": n, "weekday": names[weekday], "month_offset": offset}
    month = period.shift(offset)
    matching = [
        day
        for day in (month.start + timedelta(days=i) for i in range(31))
        if in_month(day, month) and day.weekday() == weekday
    ]
    found = nominal_dates(rule, period)
    if n > len(matching):
        assert found == []
    else:
        assert found == [(matching[n - 1 if n > 0 else -1],) * 2]


@settings(max_examples=300, deadline=None)
@given(day=business_range)
def test_adjust_moves_to_the_nearest_business_day(day):
    before = adjust(day, "previous", "US", "CA")
    after = adjust(day, "next", "US", "CA")
    assert adjust(day, "none", "US", "CA") == day
    assert before <= day <= after
    assert is_business_day(before, "US", "CA")
    assert is_business_day(after, "US", "CA")
    # nothing in between is a business day: the nearest one, not just any
    between = [before + timedelta(days=i) for i in range(1, (after - before).days)]
    assert not any(is_business_day(d, "US", "CA") for d in between if d != day)
    if is_business_day(day, "US", "CA"):
        assert before == day == after
    else:
        assert before < day < after
    assert (day - before).days <= 5 and (after - day).days <= 5


@settings(max_examples=150, deadline=None)
@given(
    days=days_lists, period=periods, offset=offsets, policy=st.sampled_from(["previous", "next"])
)
def test_adjusted_day_of_month_dates(days, period, offset, policy):
    rule = {"kind": "day_of_month", "days": days, "month_offset": offset}
    for _, nominal in nominal_dates(rule, period):
        moved = adjust(nominal, policy, "US", "CA")
        assert is_business_day(moved, "US", "CA")
        assert moved <= nominal if policy == "previous" else moved >= nominal
        assert abs((moved - nominal).days) <= 5


# ------------------------------------------------------------------ records and provenance

RECORD_KEYS = [
    "plan",
    "event",
    "kind",
    "period",
    "date",
    "weekday",
    "closed",
    "source",
    "assumed",
    "title",
    "party",
    "role",
    "start",
    "nominal_date",
    "rule",
    "adjust",
    "note",
]


def test_record_shape(plugins):
    _, registry = plugins
    found = {d.event.name: d for d in due_dates(registry.plan("healthnet"), [Period(2025, 11)])}
    record = found["rtf_due"].record()
    assert list(record) == RECORD_KEYS
    assert record["plan"] == "healthnet"
    assert record["event"] == "rtf_due"
    assert record["kind"] == "rtf"
    assert record["period"] == "2025-11"
    assert record["date"] == record["start"] == record["nominal_date"] == "2025-12-05"
    # the sources by title, never by an id or a file number
    assert record["source"].startswith("CalAIM Resources for Providers and CalAIM FAQ (FAQ: ")
    assert "Enhanced Care Management End-to-End Process (Step 6: " in record["source"]
    assert (record["weekday"], record["closed"]) == ("Friday", "")
    assert record["assumed"] is False
    assert record["rule"] == "the 5th of the month after the period"
    assert record["adjust"] == "none"

    week = {d.event.name: d for d in due_dates(registry.plan("partnership"), [Period(2025, 11)])}
    record = week["rtf_due"].record()
    assert (record["start"], record["date"]) == ("2025-12-08", "2025-12-14")
    assert record["kind"] == "rtf"
    assert record["assumed"] is True
    assert record["note"]


def test_every_event_of_every_plan_says_where_it_comes_from(plugins):
    _, registry = plugins
    assert set(CONCRETE) <= set(registry.plans)
    for plan in registry.plans.values():
        for event in plan_events(plan):
            assert event.source.strip() or event.assumed, f"{plan.id}: {event.name}"
    for plan_id in CONCRETE:
        for due in due_dates(registry.plan(plan_id), year_periods(2025)):
            record = due.record()
            assert record["source"].strip() or record["assumed"] is True, record
            assert isinstance(record["assumed"], bool)
