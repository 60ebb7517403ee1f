"""Write plan due dates as an iCalendar (.ics) file for Outlook, Google Calendar and Apple.

One all-day event per due date. The UID is built from plan, event, period and
date, so importing a regenerated file updates events instead of duplicating
them. The file is made with the ``icalendar`` library (RFC 5545 folding and
escaping are easy to get wrong by hand) and written atomically.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar

from ecmx.core import __version__
from ecmx.core.storage.atomic import atomic_file


def calendar_document(dates, *, stamp: datetime | None = None) -> icalendar.Calendar:
    document = icalendar.Calendar()
    document.add("prodid", f"-//ecmx//ecmx {__version__}//EN")
    document.add("version", "2.0")
    document.add("calscale", "GREGORIAN")
    document.add("method", "PUBLISH")
    document.add("x-wr-calname", "ECM file calendar (ecmx)")
    stamp = stamp or datetime.now(UTC).replace(microsecond=0)
    for due in dates:
        document.add_component(_event(due, stamp))
    return document


def _event(due, stamp: datetime) -> icalendar.Event:
    event = due.event
    entry = icalendar.Event()
    entry.add("uid", f"{due.plan}-{event.name}-{due.period}-{due.date.isoformat()}@ecmx")
    entry.add("dtstamp", stamp)
    entry.add("dtstart", due.date)
    entry.add("dtend", due.date + timedelta(days=1))
    entry.add("summary", f"{due.plan_name}: {event.title} ({due.period})")
    entry.add("description", _description(due))
    entry.add("categories", ["ECM", due.plan_name, event.file.upper()])
    entry.add("transp", "TRANSPARENT")  # a deadline, not a meeting: keep the day free
    return entry


def _description(due) -> str:
    event = due.event
    lines = [
        f"Plan: {due.plan_name} ({due.plan})",
        f"File: {event.file.upper()} - {event.title}",
        f"Reporting period: {due.period}",
        f"Who acts: {event.party}",
        f"Rule: {event.describe()}",
    ]
    if due.start != due.date:
        lines.append(f"Window: {due.start.isoformat()} to {due.date.isoformat()}")
    if due.nominal != due.date:
        lines.append(f"Moved from {due.nominal.isoformat()} (weekend or holiday: {event.adjust})")
    if event.source:
        lines.append(f"Source: {event.source}")
    if event.assumed:
        lines.append(
            "Assumed: not confirmed by the plan" + (f" - {event.note}" if event.note else "")
        )
    elif event.note:
        lines.append(f"Note: {event.note}")
    return "\n".join(lines)


def write_ics(dates, path: Path, *, force: bool = False) -> None:
    document = calendar_document(dates)
    with atomic_file(Path(path), force=force) as tmp:
        tmp.write_bytes(document.to_ical())
