"""``ecmx calendar`` and ``ecmx due``: the plans' file dates, as a table, JSON, CSV or .ics.

The click wiring and the tables; the work is ``ecmx.core.jobs.calendar``.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, timedelta
from pathlib import Path

import click

from ecmx.core.calendar.due_records import due_records
from ecmx.core.cli import console as out
from ecmx.core.cli.options import (
    file_out_options,
    output_options,
    parse_day,
    parse_period,
    pass_state,
    table_format_option,
)
from ecmx.core.jobs.calendar import (
    CalendarRequest,
    DueRequest,
    DueResult,
    run_calendar,
    run_due,
)

plans_option = click.option(
    "--plan", "plan_ids", multiple=True, help="A plan id, or 'all' (the default). Repeatable."
)


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
@table_format_option("How to print the events on stdout.")
@file_out_options(
    "--ics",
    "ics_path",
    "Also write the events to this .ics file (Outlook, Google Calendar).",
    "Replace an existing .ics file.",
)
@pass_state
def calendar_command(state, plan_ids, year, period, output_format, ics_path, force):
    """Every plan's file dates for a year: MIF delivery, RTF/OTF due, correction cutoff, ...

    A period's events include the ones after it: the December RTF is due in
    January of the next year. Dates marked 'assumed' are not in the plan's own
    pages yet: confirm them with the plan. A date on a weekend or holiday says so
    in the day column (the plan's calendar decides whether it moves).
    """
    if year and period:
        raise click.UsageError("give --year or --period, not both")
    request = CalendarRequest(plan_ids, year, period, ics_path, force, tuple(state.plans_dirs))
    result = run_calendar(request, plugins=state.plugins())
    for note in result.notes:
        out.info(note)
    if output_format == "json":
        sys.stdout.write(json.dumps(result.records, indent=2) + "\n")
    elif output_format == "csv":
        _write_csv(result.records)
    else:
        rows = [
            (d.date.isoformat(), _day(d), d.plan, d.event.title, str(d.period), _flag(d))
            for d in result.dates
        ]
        out.table(
            f"ECM file calendar, {result.label}",
            ("date", "day", "plan", "event", "period", "from"),
            rows,
        )
        for line in result.undated:
            out.info(line)


def _write_csv(records: list[dict]) -> None:
    # every key any record has, in first-seen order (due's sections differ in their keys)
    fields = list(dict.fromkeys(k for r in records for k in r)) or ["plan"]
    writer = csv.DictWriter(sys.stdout, fieldnames=fields)
    writer.writeheader()
    writer.writerows(
        {k: str(v).lower() if isinstance(v, bool) else v for k, v in r.items()} for r in records
    )


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
@click.option(
    "--dataset",
    "dataset_path",
    type=click.Path(path_type=Path),
    help="Your dataset (workbook or CSV folder): also count the program completion "
    "assessments due and the lead care managers over their plan's ratio, per plan "
    "(counts only, no names).",
)
@table_format_option("How to print on stdout (json and csv: one record per line, by section).")
@pass_state
def due_command(state, plan_ids, today, days, dataset_path, output_format):
    """What is due in the next days, what is overdue, which correction windows are open.

    Always exits 0: it informs, it does not check. In a workspace, a file the
    ledger shows sent on time (or accepted) is no longer due nor overdue: it is
    counted below the tables, and each deadline still listed says what the ledger
    knows of its file. Without one, 'overdue' means the date has passed.
    """
    request = DueRequest(
        plan_ids, today, days, tuple(state.plans_dirs), state.workspace(), dataset_path
    )
    result = run_due(request, plugins=state.plugins())
    if output_format == "json":
        sys.stdout.write(json.dumps(due_records(result), indent=2) + "\n")
        return
    if output_format == "csv":
        _write_csv(due_records(result))
        return
    _upcoming(result)
    _overdue(result)
    _windows(result)
    if result.completions is not None:
        _completions(result)
    for line in result.capacity or ():
        out.stdout.print(line.line(), markup=False)
    if result.met is not None:
        _met(result)


def _upcoming(result: DueResult) -> None:
    today, days = result.today, result.days
    _section(
        f"Due or expected in the next {days} days (from {today})",
        _ledger_headers(result, ("date", "day", "in", "plan", "event", "period", "who", "from")),
        [
            _ledger_cells(
                result,
                d,
                (
                    d.date.isoformat(),
                    _day(d),
                    _in_days(d.date, today),
                    d.plan,
                    d.event.title,
                    str(d.period),
                    d.event.party,
                    _flag(d),
                ),
            )
            for d in result.upcoming
        ],
        f"nothing due in the next {days} days",
    )


def _overdue(result: DueResult) -> None:
    known = "files sent on time left out" if result.met is not None else "done already? ignore it"
    _section(
        f"Overdue (dates passed in the last {result.overdue_days} days; {known})",
        _ledger_headers(result, ("date", "day", "late by", "plan", "event", "period", "from")),
        [
            _ledger_cells(
                result,
                d,
                (
                    d.date.isoformat(),
                    _day(d),
                    f"{(result.today - d.date).days} d",
                    d.plan,
                    d.event.title,
                    str(d.period),
                    _flag(d),
                ),
            )
            for d in result.overdue
        ],
        "nothing overdue",
    )


def _ledger_headers(result: DueResult, headers: tuple) -> tuple:
    """With a workspace, a last column: what the ledger says of the deadline's file."""
    return headers if result.met is None else (*headers, "ledger")


def _ledger_cells(result: DueResult, due, cells: tuple) -> tuple:
    return cells if result.met is None else (*cells, result.ledger_note(due))


def _completions(result: DueResult) -> None:
    """Counts per plan, never names: the RTF's B011 findings name the members."""
    until = result.today + timedelta(days=result.days)
    title = "Program completion assessments (dataset)"
    if not result.completions:
        out.stdout.print(f"{title}: none due by {until}", markup=False)
    for due in result.completions or ():
        out.stdout.print(due.line(until), markup=False)


def _met(result: DueResult) -> None:
    """How many deadlines were left out because the ledger shows their file sent on time."""
    met = result.met or []
    line = f"Sent on time (ledger): {len(met)} deadline{'' if len(met) == 1 else 's'} met"
    if met:
        periods = sorted({str(d.period) for d in met})
        line += f", left out above (ecmx status --period {periods[-1]} shows them)"
    out.stdout.print(line, markup=False)


def _windows(result: DueResult) -> None:
    _section(
        "Correction windows still open (late or corrected files still accepted)",
        ("plan", "period", "was due", "accepted until", "days left"),
        [
            (
                w.plan,
                str(w.period),
                f"{w.due.isoformat()} {_weekday(w.due, w.due_closed)}",
                f"{w.cutoff.isoformat()} {_weekday(w.cutoff, w.cutoff_closed)}",
                str((w.cutoff - result.today).days),
            )
            for w in result.windows
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
