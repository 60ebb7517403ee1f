"""What a plan calendar means today: late files, closed correction windows, what is next.

The calendar alone cannot tell a sent file from a forgotten one: here "overdue" means
"its date has passed". In a workspace the ledger records what was sent, and ``ecmx due``
and ``ecmx status`` (``ledger/board.py``) judge each deadline against it: a file sent on
time is no longer overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ecmx.core.calendar.periods import Period
from ecmx.core.calendar.schedule import DueDate, due_dates
from ecmx.core.checks.codes import C001, C002
from ecmx.core.checks.findings import Finding

UPCOMING_DAYS = 14
OVERDUE_DAYS = 31  # a provider deadline older than this is history, not a to-do


@dataclass(frozen=True)
class CorrectionWindow:
    """A period whose files are past due but still accepted as corrections."""

    plan: str
    plan_name: str
    period: Period
    due: date
    cutoff: date
    source: str
    due_closed: str = ""  # "weekend" or a holiday's name when the date is no business day
    cutoff_closed: str = ""


def file_deadline(plan, kind: str, period: Period) -> tuple[DueDate | None, DueDate | None]:
    """The period's due date for the plan's file of ``kind`` (the last, when the plan gives
    several) and the plan's correction cutoff (None when its calendar has none)."""
    dates = due_dates(plan, [period])
    due = [d for d in dates if d.event.role == "due" and d.event.file == kind]
    cutoffs = [d for d in dates if d.event.role == "cutoff"]
    return (
        max(due, key=lambda d: d.date) if due else None,
        max(cutoffs, key=lambda d: d.date) if cutoffs else None,
    )


def lateness_findings(plan, kind: str, period: Period, sent_on: date) -> list[Finding]:
    """C001 when the period's file of ``kind`` is past due on ``sent_on``; C002 when the
    plan's correction window has closed too (the plan will refuse the file)."""
    deadline, cutoff = file_deadline(plan, kind, period)
    if deadline is None or sent_on <= deadline.date:
        return []
    late = (sent_on - deadline.date).days
    what = f"{plan.name}'s {kind.upper()} for {period}"
    if cutoff is not None and sent_on > cutoff.date:
        return [
            C002.finding(
                f"{what} was due {deadline.date} and the correction window closed "
                f"{cutoff.date}: {plan.name} will refuse this file",
                plan=plan.id,
                kind=kind,
                source=cutoff.event.source,
            )
        ]
    until = (
        f"; {plan.name} accepts corrections until {cutoff.date}"
        if cutoff is not None
        else f"; ask {plan.name} whether a late file is still accepted"
    )
    return [
        C001.finding(
            f"{what} is past due: it was due {deadline.date}, {late} day"
            f"{'' if late == 1 else 's'} before this file's production date",
            hint=f"send it as soon as you can{until}",
            plan=plan.id,
            kind=kind,
            source=deadline.event.source,
        )
    ]


def near_dates(plans, today: date) -> list[DueDate]:
    """Every dated event of the plans for the periods around ``today``."""
    current = Period.containing(today)
    periods = [current.shift(offset) for offset in range(-3, 3)]
    return [d for plan in plans for d in due_dates(plan, periods)]


def upcoming(dates: list[DueDate], today: date, days: int = UPCOMING_DAYS) -> list[DueDate]:
    until = today + timedelta(days=days)
    return [d for d in dates if today <= d.date <= until]


def overdue(dates: list[DueDate], today: date) -> list[DueDate]:
    """Provider deadlines passed within the last month (the calendar alone cannot tell
    whether they were met: ``ecmx due`` asks the ledger, when there is one)."""
    since = today - timedelta(days=OVERDUE_DAYS)
    return [
        d
        for d in dates
        if d.event.party == "provider" and d.event.role == "due" and since <= d.date < today
    ]


def open_windows(dates: list[DueDate], today: date) -> list[CorrectionWindow]:
    """Periods past their RTF due date whose correction cutoff is today or later."""
    windows = []
    by_key: dict[tuple, list[DueDate]] = {}
    for d in dates:
        by_key.setdefault((d.plan, d.period), []).append(d)
    for (plan_id, period), group in sorted(by_key.items(), key=lambda item: item[0]):
        dues = [d for d in group if d.event.role == "due" and d.event.file == "rtf"]
        cutoffs = [d for d in group if d.event.role == "cutoff"]
        if not dues or not cutoffs:
            continue
        due = max(dues, key=lambda d: d.date)
        cutoff = max(cutoffs, key=lambda d: d.date)
        if due.date < today <= cutoff.date:
            windows.append(
                CorrectionWindow(
                    plan_id,
                    group[0].plan_name,
                    period,
                    due.date,
                    cutoff.date,
                    cutoff.event.source,
                    due.closed,
                    cutoff.closed,
                )
            )
    return windows


def board_period(plans, today: date) -> Period:
    """The period ``ecmx status`` shows when none is asked for: the one whose RTF was due
    most recently, if any plan still accepts it as a correction on ``today``; else the one
    whose RTF is due next, on or after ``today`` (the earliest of the plans); else the
    month before ``today``'s."""
    current = Period.containing(today)
    still_open, coming = [], []
    for plan in plans:
        for period in (current.shift(offset) for offset in range(-3, 3)):
            due, cutoff = file_deadline(plan, "rtf", period)
            if due is None:
                continue
            if due.date < today and cutoff is not None and today <= cutoff.date:
                still_open.append((due.date, period))
            elif due.date >= today:
                coming.append((due.date, period))
    if still_open:
        return max(still_open)[1]
    if coming:
        return min(coming)[1]
    return current.shift(-1)
