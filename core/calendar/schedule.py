"""Plan calendars: the date of each file event, per reporting period.

A plan's YAML ``calendar.events`` holds one rule per event (docs/calendar.md).
A rule finds the nominal date(s) in the month ``month_offset`` months after the
period; ``adjust`` then moves a date off a weekend or holiday when the plan
says so. Holidays come from the maintained ``holidays`` library, never from a
list kept here.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

from ecmx.core.calendar.periods import Period

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class EventRule:
    """One ``calendar.events`` entry of a plan, as configured."""

    name: str
    title: str
    file: str
    party: str
    role: str
    rule: dict
    adjust: str
    source: str  # as a user reads it: the source's title and section
    assumed: bool
    note: str

    @property
    def dated(self) -> bool:
        """False for an event set off by something else (a referral's approval)."""
        return self.rule["kind"] != "after_trigger"

    def describe(self) -> str:
        """The rule in words, e.g. 'the 5th of the month after the period'."""
        rule = self.rule
        kind = rule["kind"]
        if kind == "after_trigger":
            return f"{rule['days_min']}-{rule['days_max']} calendar days after {rule['trigger']}"
        month = _month_words(rule.get("month_offset", 0))
        if kind == "day_of_month":
            return f"the {' and '.join(ordinal(d) for d in rule['days'])} of {month}"
        if kind == "nth_week":
            return f"the {ordinal(rule['week'])} week of {month}"
        n = "last" if rule["n"] == -1 else ordinal(rule["n"])
        return f"the {n} {rule['weekday'].title()} of {month}"


@dataclass(frozen=True)
class DueDate:
    """One dated event of one plan for one reporting period."""

    plan: str
    plan_name: str
    event: EventRule
    period: Period
    date: date
    start: date  # first day of a week window; the date itself otherwise
    nominal: date  # before a weekend/holiday adjustment
    # why the date is no business day: "weekend", the holiday's name, or both; "" when it is one
    closed: str = ""

    def record(self) -> dict:
        """The JSON/CSV shape: plan, event, kind, period, date, weekday, closed, source, ..."""
        event = self.event
        return {
            "plan": self.plan,
            "event": event.name,
            "kind": event.file,
            "period": str(self.period),
            "date": self.date.isoformat(),
            "weekday": f"{self.date:%A}",
            "closed": self.closed,
            "source": event.source,
            "assumed": event.assumed,
            "title": event.title,
            "party": event.party,
            "role": event.role,
            "start": self.start.isoformat(),
            "nominal_date": self.nominal.isoformat(),
            "rule": event.describe(),
            "adjust": event.adjust,
            "note": event.note,
        }


def plan_events(plan) -> list[EventRule]:
    """The plan's calendar events, in the order its YAML gives them."""
    events = ((plan.data.get("calendar") or {}).get("events")) or {}
    return [
        EventRule(
            name=name,
            title=spec["title"],
            file=spec["file"],
            party=spec["party"],
            role=spec["role"],
            rule=dict(spec["rule"]),
            adjust=spec.get("adjust", "none"),
            source=plan.cite(spec.get("source", "")),
            assumed=bool(spec.get("assumed")),
            note=spec.get("note", ""),
        )
        for name, spec in events.items()
    ]


def due_dates(plan, periods) -> list[DueDate]:
    """Every dated event of ``plan`` for each period, sorted by date."""
    country, subdivision = holiday_region(plan)
    found = []
    for event in plan_events(plan):
        if not event.dated:
            continue
        for period in periods:
            for start, nominal in nominal_dates(event.rule, period):
                day = adjust(nominal, event.adjust, country, subdivision)
                window_start = min(start, day) if start < nominal else day
                closed = closed_because(day, country, subdivision)
                found.append(
                    DueDate(plan.id, plan.name, event, period, day, window_start, nominal, closed)
                )
    return sorted(found, key=lambda d: (d.date, d.plan, d.event.name))


def nominal_dates(rule: dict, period: Period) -> list[tuple[date, date]]:
    """(window start, date) pairs the rule gives for a period, before any adjustment.

    A day past the month's end (the 29th in February) falls on its last day; a
    week or weekday the month does not have gives nothing.
    """
    month = period.shift(rule.get("month_offset", 0))
    last = stdlib_calendar.monthrange(month.year, month.month)[1]
    kind = rule["kind"]
    if kind == "day_of_month":
        days = sorted({min(day, last) for day in rule["days"]})
        return [(date(month.year, month.month, d),) * 2 for d in days]
    if kind == "nth_week":
        first = 7 * (rule["week"] - 1) + 1
        if first > last:
            return []
        end = last if rule["week"] == 5 else first + 6
        return [(date(month.year, month.month, first), date(month.year, month.month, end))]
    if kind == "nth_weekday":
        weekday = WEEKDAYS.index(rule["weekday"])
        days = [
            d for d in range(1, last + 1) if date(month.year, month.month, d).weekday() == weekday
        ]
        n = rule["n"]
        if n > len(days):
            return []
        day = date(month.year, month.month, days[n - 1] if n > 0 else days[-1])
        return [(day, day)]
    return []


def adjust(day: date, policy: str, country: str, subdivision: str | None) -> date:
    """Move ``day`` off a weekend or holiday: 'previous' or 'next' business day; 'none' keeps it."""
    if policy == "none":
        return day
    step = timedelta(days=-1 if policy == "previous" else 1)
    while not is_business_day(day, country, subdivision):
        day += step
    return day


def is_business_day(day: date, country: str = "US", subdivision: str | None = "CA") -> bool:
    return day.weekday() < 5 and day not in holiday_calendar(country, subdivision)


def closed_because(day: date, country: str = "US", subdivision: str | None = "CA") -> str:
    """Why ``day`` is no business day ('weekend', a holiday's name, or both), or ''."""
    reasons = ["weekend"] if day.weekday() >= 5 else []
    holiday = holiday_calendar(country, subdivision).get(day)
    if holiday is not None:
        reasons.append(str(holiday))
    return ", ".join(reasons)


@cache
def holiday_calendar(country: str, subdivision: str | None):
    # years are filled in on demand by the library as dates are looked up
    return holidays.country_holidays(country, subdiv=subdivision)


def holiday_region(plan) -> tuple[str, str | None]:
    spec = (plan.data.get("calendar") or {}).get("holidays") or {}
    return spec.get("country", "US"), spec.get("subdivision")


def year_periods(year: int) -> list[Period]:
    return [Period(year, month) for month in range(1, 13)]


def ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _month_words(offset: int) -> str:
    if offset == 0:
        return "the period's month"
    if offset == 1:
        return "the month after the period"
    if offset > 0:
        return f"the {ordinal(offset)} month after the period"
    return f"{-offset} month(s) before the period"
