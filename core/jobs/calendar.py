"""``calendar`` and ``due``: the plans' file dates, for a year or a period, and what is near."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.errors import OutputError
from ecmx.core.jobs.common import plugins_for


@dataclass(frozen=True)
class CalendarRequest:
    """``ecmx calendar [--plan PLAN ...] [--year YEAR | --period PERIOD] [--ics FILE]``."""

    plans: tuple[str, ...] = ()  # plan ids; empty or "all": every plan
    year: int | None = None  # the periods January-December of this year; default: this year
    period: Period | None = None  # only this period (not with ``year``)
    ics: Path | None = None  # also write the events to this .ics file
    force: bool = False  # replace an existing .ics file
    plans_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class CalendarResult:
    plans: list  # the PlanSpecs asked for, by id
    dates: list  # every DueDate, by date, plan and event
    label: str  # "2025-11" or "periods of 2025"
    notes: list[str]  # the .ics written
    undated: list[str]  # each event with no fixed date, described
    records: list[dict]  # the dates as JSON/CSV records


def run_calendar(request: CalendarRequest, *, plugins=None) -> CalendarResult:
    """Every date of the periods asked for. Raises ``EcmxError`` subclasses."""
    from ecmx.core.calendar.schedule import due_dates, plan_events, year_periods

    _, registry = plugins_for(request, plugins)
    plans = selected_plans(registry, request.plans)
    year = request.year or date.today().year
    periods = [request.period] if request.period else year_periods(year)
    dates = sorted(
        (d for plan in plans for d in due_dates(plan, periods)),
        key=lambda d: (d.date, d.plan, d.event.name),
    )
    notes = []
    if request.ics:
        _write_ics(dates, request.ics, request.force)
        notes.append(f"wrote {request.ics} ({len(dates)} events)")
    undated = [
        f"{plan.id} {event.name}: {event.describe()} (no fixed date)"
        for plan in plans
        for event in plan_events(plan)
        if not event.dated
    ]
    label = str(request.period) if request.period else f"periods of {year}"
    return CalendarResult(plans, dates, label, notes, undated, [d.record() for d in dates])


def _write_ics(dates, path: Path, force: bool) -> None:
    from ecmx.core.calendar.ics import write_ics

    if path.suffix.lower() != ".ics":
        raise OutputError(f"{path}: a calendar file ends in .ics")
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: directory {path.parent} does not exist")
    write_ics(dates, path, force=force)


@dataclass(frozen=True)
class DueRequest:
    """``ecmx due [--plan PLAN ...] [--today DAY] [--days N] [--dataset DATA]``."""

    plans: tuple[str, ...] = ()  # plan ids; empty or "all": every plan
    today: date | None = None  # judge as of this day; default: today
    days: int = 14  # how far ahead to look
    plans_dirs: tuple[Path, ...] = ()
    workspace: Path | None = None  # its ledger tells which deadlines were met; None: not known
    # also count program completion assessments due and lead care managers over their
    # plan's ratio (counts only: no names)
    dataset: Path | None = None


@dataclass(frozen=True)
class DueResult:
    today: date
    days: int
    upcoming: list  # DueDates in the next ``days`` days
    overdue: list  # DueDates passed in the last OVERDUE_DAYS days
    windows: list  # CorrectionWindows still open
    overdue_days: int  # how far back ``overdue`` looks
    # With a workspace: the deadlines met (the ledger shows the file sent on time, or
    # accepted), left out of ``upcoming`` and ``overdue``, and what the ledger says of each
    # deadline still listed (``ledger_note``). Without one: None, and no notes.
    met: list | None = None
    ledger_notes: dict = field(default_factory=dict)
    # With a dataset: per plan with an interval, the program completion assessments due
    # by today + days (CompletionsDue, counts only); None without one.
    completions: list | None = None
    # With a dataset: per plan with a ratio and members, the lead care managers over it
    # today (CapacityDue, counts only); None without one.
    capacity: list | None = None

    def ledger_note(self, due) -> str:
        return self.ledger_notes.get((due.plan, due.event.name, str(due.period)), "")


def run_due(request: DueRequest, *, plugins=None) -> DueResult:
    """What is due soon, what is overdue, which correction windows are open. It informs.
    Without a workspace 'overdue' means the date has passed; with one, a deadline whose
    file the ledger shows sent on time (or accepted) is met and left out."""
    from ecmx.core.calendar.deadlines import (
        OVERDUE_DAYS,
        near_dates,
        open_windows,
        overdue,
        upcoming,
    )

    _, registry = plugins_for(request, plugins)
    today = request.today or date.today()
    plans = selected_plans(registry, request.plans)
    dates = sorted(near_dates(plans, today), key=lambda d: (d.date, d.plan))
    result = DueResult(
        today,
        request.days,
        upcoming(dates, today, request.days),
        overdue(dates, today),
        open_windows(dates, today),
        OVERDUE_DAYS,
    )
    if request.dataset is not None:
        result = _with_dataset(result, request.dataset, plans)
    if request.workspace is None:
        return result
    return _with_ledger(result, request.workspace, {plan.id: plan for plan in plans})


def _with_dataset(result: DueResult, path: Path, plans: list) -> DueResult:
    """The dataset's counts: program completions falling due and managers over the ratio."""
    from ecmx.core.calendar.capacity_due import capacity_due
    from ecmx.core.calendar.completion_due import completions_due
    from ecmx.core.dataset.read import read_dataset

    dataset = read_dataset(path)
    return replace(
        result,
        completions=completions_due(dataset, plans, result.today, result.days),
        capacity=capacity_due(dataset, plans, result.today),
    )


def _with_ledger(result: DueResult, workspace: Path, plans: dict) -> DueResult:
    """``result`` without the provider deadlines the ledger shows met (the file sent on or
    before its due date, or accepted), and a note on each one it still lists."""
    from ecmx.core.calendar.deadlines import file_deadline
    from ecmx.core.ledger.board import OK, histories, judge, ledger_note

    listed = [*result.upcoming, *result.overdue]
    found = histories(workspace, {str(d.period) for d in listed})
    met, notes = [], {}
    for d in listed:
        if d.event.party != "provider" or d.event.role not in ("due", "cutoff"):
            continue
        key = (d.plan, d.event.name, str(d.period))
        history = found.get((d.plan, d.event.file, str(d.period)))
        if history is None:  # a file ecmx makes, none made yet; else one ecmx knows nothing of
            notes[key] = "not made" if d.event.file in plans[d.plan].files else ""
            continue
        due, cutoff = file_deadline(plans[d.plan], d.event.file, d.period)
        due_day = due.date if due is not None and d.event.role == "cutoff" else d.date
        verdict = judge(history, due_day, cutoff.date if cutoff else None, result.today)
        if verdict.level == OK and d.event.role == "cutoff":
            # still listed: the last day a correction of the file sent is accepted
            notes[key] = f"{verdict.state}; a correction is accepted until this day"
        elif verdict.level == OK:
            met.append(d)
        else:
            notes[key] = ledger_note(history, verdict)
    return replace(
        result,
        upcoming=[d for d in result.upcoming if d not in met],
        overdue=[d for d in result.overdue if d not in met],
        met=met,
        ledger_notes=notes,
    )


def selected_plans(registry, plan_ids) -> list:
    """The plans named (each once, in the order given), or every plan by id."""
    if not plan_ids or "all" in plan_ids:
        return sorted(registry.concrete_plans(), key=lambda p: p.id)
    return [registry.plan(plan_id) for plan_id in dict.fromkeys(plan_ids)]
