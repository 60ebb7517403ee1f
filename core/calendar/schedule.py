"""Plan calendars: the date of each file event, per reporting period.

A plan's YAML ``calendar.events`` holds one rule per event (docs/calendar.md),
parsed when plans load (``calendar/spec.py``). The rule's kind (``calendar/rule_kinds.py``,
or a plugin's) finds the nominal date(s); ``adjust`` then moves a date off a weekend
or holiday when the plan says so. Holidays come from the maintained ``holidays``
library, never from a list kept here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from ecmx.core.calendar.periods import Period
from ecmx.core.calendar.spec import EventRule


@dataclass(frozen=True)
class DueDate:
    """One dated event of one plan for one reporting period."""

    plan: str
    plan_name: str
    event: EventRule
    period: Period
    # datetime.date, not date: inside the class body the field ``date`` shadows the type
    date: datetime.date
    start: datetime.date  # first day of a week window; the date itself otherwise
    nominal: datetime.date  # before a weekend/holiday adjustment
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
    """The plan's calendar events, in the order its YAML gives them (parsed at load)."""
    return list(plan.calendar.events)


def due_dates(plan, periods) -> list[DueDate]:
    """Every dated event of ``plan`` for each period, sorted by date."""
    country, subdivision = plan.calendar.country, plan.calendar.subdivision
    found = []
    for event in plan_events(plan):
        if not event.dated:
            continue
        for period in periods:
            for start, nominal in event.kind.dates(event.rule, period):
                day = adjust(nominal, event.adjust, country, subdivision)
                window_start = min(start, day) if start < nominal else day
                closed = closed_because(day, country, subdivision)
                found.append(
                    DueDate(plan.id, plan.name, event, period, day, window_start, nominal, closed)
                )
    return sorted(found, key=lambda d: (d.date, d.plan, d.event.name))


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
    # years are filled in on demand by the library as dates are looked up; imported here,
    # since a command that never asks for a business day (validate) need not load it
    import holidays

    return holidays.country_holidays(country, subdiv=subdivision)


def year_periods(year: int) -> list[Period]:
    return [Period(year, month) for month in range(1, 13)]
