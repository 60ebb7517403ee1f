"""``ecmx due --format json|csv``: everything the table shows, one record per line of it.

Each record has a ``section``: ``due`` and ``overdue`` (a dated event, as ``ecmx calendar``
gives it, plus ``ledger`` in a workspace), ``met`` (left out: the ledger shows the file
sent on time), ``correction_window``, and with ``--dataset`` the counts:
``program_completion`` and ``capacity``. Counts only: no member is named.
"""

from __future__ import annotations

from datetime import timedelta


def due_records(result) -> list[dict]:
    """The DueResult as records, in the order the table prints them."""
    records = []
    for section, dates in (("due", result.upcoming), ("overdue", result.overdue)):
        for d in dates:
            record = {"section": section, **d.record()}
            if result.met is not None:
                record["ledger"] = result.ledger_note(d)
            records.append(record)
    records += [_window(w, result.today) for w in result.windows]
    until = result.today + timedelta(days=result.days)
    records += [_completion(c, until) for c in result.completions or ()]
    records += [c.record(result.today) for c in result.capacity or ()]
    records += [{"section": "met", **d.record()} for d in result.met or ()]
    return records


def _window(window, today) -> dict:
    return {
        "section": "correction_window",
        "plan": window.plan,
        "period": str(window.period),
        "date": window.due.isoformat(),
        "cutoff": window.cutoff.isoformat(),
        "days_left": (window.cutoff - today).days,
        "source": window.source,
    }


def _completion(due, until) -> dict:
    return {
        "section": "program_completion",
        "plan": due.plan,
        "date": until.isoformat(),
        "count": due.due,
        "overdue": due.overdue,
        "months": due.months,
        "title": due.line(until),
        "source": due.source,
    }
