"""The built-in kinds of calendar date rule, registered like a plugin's.

``day_of_month``, ``nth_week`` and ``nth_weekday`` find dates in the month
``month_offset`` months after the period; ``after_trigger`` is counted from
something else happening (a referral's approval) and has no dates. Their fields
are checked by the plan schema; docs/calendar.md describes them.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Mapping
from datetime import date

from ecmx.core.calendar.periods import Period
from ecmx.core.calendar.spec import RuleKind
from ecmx.core.hookspecs import hookimpl

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def month_of(rule: Mapping, period: Period) -> tuple[Period, int]:
    """The month a rule looks in, and its number of days."""
    month = period.shift(rule.get("month_offset", 0))
    return month, stdlib_calendar.monthrange(month.year, month.month)[1]


def _day_of_month(rule: Mapping, period: Period) -> list[tuple[date, date]]:
    # a day past the month's end (the 29th in February) falls on its last day
    month, last = month_of(rule, period)
    days = sorted({min(day, last) for day in rule["days"]})
    return [(date(month.year, month.month, d),) * 2 for d in days]


def _nth_week(rule: Mapping, period: Period) -> list[tuple[date, date]]:
    # week n is days 7n-6 to 7n; week 5 runs to the month's end, when the month has one
    month, last = month_of(rule, period)
    first = 7 * (rule["week"] - 1) + 1
    if first > last:
        return []
    end = last if rule["week"] == 5 else first + 6
    return [(date(month.year, month.month, first), date(month.year, month.month, end))]


def _nth_weekday(rule: Mapping, period: Period) -> list[tuple[date, date]]:
    month, last = month_of(rule, period)
    weekday = WEEKDAYS.index(rule["weekday"])
    days = [d for d in range(1, last + 1) if date(month.year, month.month, d).weekday() == weekday]
    n = rule["n"]
    if n > len(days):
        return []
    day = date(month.year, month.month, days[n - 1] if n > 0 else days[-1])
    return [(day, day)]


def _no_dates(rule: Mapping, period: Period) -> list[tuple[date, date]]:
    return []


def _describe_days(rule: Mapping) -> str:
    month = month_words(rule.get("month_offset", 0))
    return f"the {' and '.join(ordinal(d) for d in rule['days'])} of {month}"


def _describe_week(rule: Mapping) -> str:
    return f"the {ordinal(rule['week'])} week of {month_words(rule.get('month_offset', 0))}"


def _describe_weekday(rule: Mapping) -> str:
    n = "last" if rule["n"] == -1 else ordinal(rule["n"])
    return f"the {n} {rule['weekday'].title()} of {month_words(rule.get('month_offset', 0))}"


def _describe_trigger(rule: Mapping) -> str:
    return f"{rule['days_min']}-{rule['days_max']} calendar days after {rule['trigger']}"


BUILTIN_KINDS = (
    RuleKind("day_of_month", _day_of_month, _describe_days),
    RuleKind("nth_week", _nth_week, _describe_week),
    RuleKind("nth_weekday", _nth_weekday, _describe_weekday),
    RuleKind("after_trigger", _no_dates, _describe_trigger, dated=False),
)


@hookimpl
def ecmx_register_calendar_rules(registry) -> None:
    for kind in BUILTIN_KINDS:
        registry.add_calendar_rule(kind)


def nominal_dates(rule: Mapping, period: Period) -> list[tuple[date, date]]:
    """(window start, date) pairs a built-in rule gives for a period, before any adjustment."""
    return {kind.name: kind for kind in BUILTIN_KINDS}[rule["kind"]].dates(rule, period)


def ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def month_words(offset: int) -> str:
    if offset == 0:
        return "the period's month"
    if offset == 1:
        return "the month after the period"
    if offset > 0:
        return f"the {ordinal(offset)} month after the period"
    return f"{-offset} month(s) before the period"
