"""A plan's calendar, typed: its ``calendar:`` section parsed when plans load.

The kinds of date rule (``rule: {kind: ...}``) are registered through the
``ecmx_register_calendar_rules`` hook (built-ins in ``calendar/rule_kinds.py``), so a
plan naming a kind nobody registered fails ``ecmx plans check`` with the known kinds,
instead of getting no dates at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from ecmx.core.calendar.periods import Period
from ecmx.core.hints import did_you_mean


def _no_problems(rule: Mapping) -> list[str]:
    return []


@dataclass(frozen=True)
class RuleKind:
    """One kind of date rule, registered with ``registry.add_calendar_rule``.

    :param name: the value of the rule's ``kind:``.
    :param dates: ``dates(rule, period)`` -> the ``(window start, date)`` pairs the rule
        gives for a reporting period, before any weekend/holiday adjustment (start ==
        date unless the rule names a window); ``[]`` when the month has no such date.
    :param describe: ``describe(rule)`` -> the rule in words, as tables and files show it.
    :param check: ``check(rule)`` -> problems with the rule's own fields, one short
        sentence each (the plan's file and key path are added); none by default.
    :param dated: False for an event something else sets off (a referral's approval):
        it is listed but has no dates.
    """

    name: str
    dates: Callable[[Mapping, Period], list[tuple[date, date]]]
    describe: Callable[[Mapping], str]
    check: Callable[[Mapping], list[str]] = _no_problems
    dated: bool = True


@dataclass(frozen=True)
class EventRule:
    """One ``calendar.events`` entry of a plan, as configured."""

    name: str
    title: str
    file: str
    party: str
    role: str
    rule: dict  # as the YAML gives it; ``kind`` says how to read it
    adjust: str
    source: str  # as a user reads it: the source's title and section
    assumed: bool
    note: str
    kind: RuleKind = field(repr=False, compare=False)

    @property
    def dated(self) -> bool:
        """False for an event set off by something else (a referral's approval)."""
        return self.kind.dated

    def describe(self) -> str:
        """The rule in words, e.g. 'the 5th of the month after the period'."""
        return self.kind.describe(self.rule)


@dataclass(frozen=True)
class CalendarSpec:
    """A plan's events in the order its YAML gives them, and its holiday region."""

    events: tuple[EventRule, ...] = ()
    country: str = "US"
    subdivision: str | None = None


def parse_calendar(
    section: Mapping, cite: Callable[[object], str], kinds: Mapping[str, RuleKind], origin: str
) -> tuple[CalendarSpec, list[str]]:
    """The typed calendar of one plan, and its problems as ``origin: key path: what`` lines.

    ``section`` is the plan's merged ``calendar:`` mapping (``{}`` when it has none);
    ``cite`` turns a ``source:`` into what a user reads.
    """
    events, problems = [], []
    for name, entry in (section.get("events") or {}).items():
        at = f"{origin}: calendar.events.{name}.rule"
        rule = dict(entry["rule"])
        kind = kinds.get(rule["kind"])
        if kind is None:
            known = sorted(kinds)
            problems.append(
                f"{at}.kind: unknown rule kind {rule['kind']!r}"
                f"{did_you_mean(rule['kind'], known)}; known kinds: {', '.join(known)}"
            )
            continue
        problems.extend(f"{at}: {problem}" for problem in kind.check(rule))
        events.append(
            EventRule(
                name=name,
                title=entry["title"],
                file=entry["file"],
                party=entry["party"],
                role=entry["role"],
                rule=rule,
                adjust=entry.get("adjust", "none"),
                source=cite(entry.get("source", "")),
                assumed=bool(entry.get("assumed")),
                note=entry.get("note", ""),
                kind=kind,
            )
        )
    region = section.get("holidays") or {}
    spec = CalendarSpec(tuple(events), region.get("country", "US"), region.get("subdivision"))
    return spec, problems
