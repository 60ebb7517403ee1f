"""``ecmx calendar`` and ``ecmx due``: the plans' file dates, as a table, JSON, CSV or .ics."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from pathlib import Path

import click

from ecmx.core.cli import console as out
from ecmx.core.cli.options import output_options, parse_day, parse_period, pass_state
from ecmx.core.errors import OutputError

FORMATS = ("table", "json", "csv")
plans_option = click.option(
    "--plan", "plan_ids", multiple=True, help="A plan id, or 'all' (the default). Repeatable."
)


def _plans(registry, plan_ids):
    if not plan_ids or "all" in plan_ids:
        return sorted(registry.concrete_plans(), key=lambda p: p.id)
    return [registry.plan(plan_id) for plan_id in dict.fromkeys(plan_ids)]


def _flag(due) -> str:
    """Where the date comes from: the plan's own page, or an assumption to confirm."""
    return "assumed" if due.event.assumed else "plan page"


def _day(due) -> str:
    """The weekday, and why the date is no business day: 'Sat (weekend)', 'Thu (Thanksgiving)'."""
    return _weekday(due.date, due.closed)


def _weekday(day: date, closed: str) -> str:
    return f"{day:%a}" + (f" ({closed})" if closed else "")


@click.command("calendar")
@output_options
@plans_option
@click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    help="The reporting periods January-December of this year (default: this year).",
)
@click.option("--period", callback=parse_period, help="Only this reporting period, YYYY-MM.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="How to print the events on stdout.",
)
@click.option(
    "--ics",
    "ics_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the events to this .ics file (Outlook, Google Calendar).",
)
@click.option("--force", is_flag=True, help="Replace an existing .ics file.")
@pass_state
def calendar_command(state, plan_ids, year, period, output_format, ics_path, force):
    """Every plan's file dates for a year: MIF delivery, RTF/OTF due, correction cutoff, ...

    A period's events include the ones after it: the December RTF is due in
    January of the next year. Dates marked 'assumed' are not in the plan's own
    pages yet: confirm them with the plan. A date on a weekend or holiday says so
    in the day column (the plan's calendar decides whether it moves).
    """
    from ecmx.core.calendar.schedule import due_dates, plan_events, year_periods

    if year and period:
        raise click.UsageError("give --year or --period, not both")
    _, registry = state.plugins()
    plans = _plans(registry, plan_ids)
    periods = [period] if period else year_periods(year or date.today().year)
    dates = sorted(
        (d for plan in plans for d in due_dates(plan, periods)),
        key=lambda d: (d.date, d.plan, d.event.name),
    )
    if ics_path:
        from ecmx.core.calendar.ics import write_ics

        if ics_path.suffix.lower() != ".ics":
            raise OutputError(f"{ics_path}: a calendar file ends in .ics")
        if not ics_path.parent.is_dir():
            raise OutputError(
                f"cannot write {ics_path}: directory {ics_path.parent} does not exist"
            )
        write_ics(dates, ics_path, force=force)
        out.info(f"wrote {ics_path} ({len(dates)} events)")
    records = [d.record() for d in dates]
    if output_format == "json":
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
    elif output_format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]) if records else ["plan"])
        writer.writeheader()
        writer.writerows(
            {k: str(v).lower() if isinstance(v, bool) else v for k, v in r.items()} for r in records
        )
    else:
        label = str(period) if period else f"periods of {year or date.today().year}"
        rows = [
            (d.date.isoformat(), _day(d), d.plan, d.event.title, str(d.period), _flag(d))
            for d in dates
        ]
        out.table(
            f"ECM file calendar, {label}",
            ("date", "day", "plan", "event", "period", "from"),
            rows,
        )
        for plan in plans:
            for event in plan_events(plan):
                if not event.dated:
                    out.info(f"{plan.id} {event.name}: {event.describe()} (no fixed date)")


@click.command("due")
@output_options
@plans_option
@click.option("--today", callback=parse_day, help="Judge as of this date, YYYY-MM-DD.")
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    default=14,
    show_default=True,
    help="How far ahead to look.",
)
@pass_state
def due_command(state, plan_ids, today, days):
    """What is due in the next days, what is overdue, which correction windows are open.

    Always exits 0: it informs, it does not check. ecmx keeps no record of
    what you sent, so 'overdue' means the date has passed.
    """
    from ecmx.core.calendar.deadlines import (
        OVERDUE_DAYS,
        near_dates,
        open_windows,
        overdue,
        upcoming,
    )

    _, registry = state.plugins()
    today = today or date.today()
    dates = sorted(near_dates(_plans(registry, plan_ids), today), key=lambda d: (d.date, d.plan))

    soon = upcoming(dates, today, days)
    _section(
        f"Due or expected in the next {days} days (from {today})",
        ("date", "day", "in", "plan", "event", "period", "who", "from"),
        [
            (
                d.date.isoformat(),
                _day(d),
                _in_days(d.date, today),
                d.plan,
                d.event.title,
                str(d.period),
                d.event.party,
                _flag(d),
            )
            for d in soon
        ],
        f"nothing due in the next {days} days",
    )
    late = overdue(dates, today)
    _section(
        f"Overdue (dates passed in the last {OVERDUE_DAYS} days; done already? ignore it)",
        ("date", "day", "late by", "plan", "event", "period", "from"),
        [
            (
                d.date.isoformat(),
                _day(d),
                f"{(today - d.date).days} d",
                d.plan,
                d.event.title,
                str(d.period),
                _flag(d),
            )
            for d in late
        ],
        "nothing overdue",
    )
    windows = open_windows(dates, today)
    _section(
        "Correction windows still open (late or corrected files still accepted)",
        ("plan", "period", "was due", "accepted until", "days left"),
        [
            (
                w.plan,
                str(w.period),
                f"{w.due.isoformat()} {_weekday(w.due, w.due_closed)}",
                f"{w.cutoff.isoformat()} {_weekday(w.cutoff, w.cutoff_closed)}",
                str((w.cutoff - today).days),
            )
            for w in windows
        ],
        "no correction window is open",
    )


def _section(title, headers, rows, empty) -> None:
    if rows:
        out.table(title, headers, rows)
    else:
        out.stdout.print(f"{title}: {empty}", markup=False)


def _in_days(day: date, today: date) -> str:
    delta = (day - today).days
    return "today" if delta == 0 else f"{delta} d"
