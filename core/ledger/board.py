"""The month board: what the ledger says of each file a plan is owed, and what that means.

``histories`` reads (SQL only, nothing written) the files made for some periods, every send
attempt of them and the plans' answers; ``judge`` turns one file's history and its due date
into the state a person acts on. ``ecmx status`` shows one row per plan and file kind,
``ecmx due`` leaves out the deadlines met. The meaning of each column is ``db.py``'s
(schema 2): a send attempt is ``sending`` (``pid`` on ``host``) until it is ``sent`` or
``failed`` at ``finished_at``; a ``sending`` row whose process is gone was interrupted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ecmx.core.ledger.db import open_ledger
from ecmx.core.storage.processes import gone

UPCOMING_DAYS = 14  # an unsent file due within this many days says so in its state

# How a state reads at a glance (the table's colour, the JSON's ``level``).
OK, TODO, LATE = "ok", "todo", "late"

Key = tuple[str, str, str]  # plan, kind, period


@dataclass(frozen=True)
class Made:
    """The newest file made for a plan, kind and period."""

    file_id: int
    path: str
    made_at: str
    errors: int
    warnings: int

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass(frozen=True)
class Attempt:
    """One send attempt, oldest first; ``outcome``: sent, failed, sending or interrupted."""

    file_id: int
    outcome: str
    started: str
    finished: str | None
    detail: str | None
    resend: bool

    @property
    def when(self) -> str:
        return self.finished or self.started


@dataclass(frozen=True)
class Answer:
    """What the plan said of a sent file: ``status`` accepted or declined, and why."""

    file_id: int
    status: str
    reason: str | None
    received_at: str


@dataclass(frozen=True)
class History:
    made: Made | None = None
    attempts: tuple[Attempt, ...] = ()
    answers: tuple[Answer, ...] = ()

    @property
    def sent(self) -> list[Attempt]:
        return [a for a in self.attempts if a.outcome == "sent"]

    @property
    def answer(self) -> Answer | None:
        return self.answers[-1] if self.answers else None


@dataclass(frozen=True)
class Verdict:
    state: str
    level: str  # OK, TODO or LATE


def histories(workspace: Path, periods: Iterable[str]) -> dict[Key, History]:
    """Every (plan, kind, period) the ledger made a file for in ``periods``: the newest
    file made, the send attempts and answers of all its files (a correction made anew
    counts with the first), oldest first."""
    wanted = sorted(set(periods))
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    of_files = f"file_id IN (SELECT id FROM files_made WHERE period IN ({marks}))"
    with open_ledger(workspace) as conn:
        made = conn.execute(
            f"SELECT * FROM files_made WHERE period IN ({marks}) ORDER BY made_at, id", wanted
        ).fetchall()
        sends = conn.execute(f"SELECT * FROM sends WHERE {of_files} ORDER BY id", wanted).fetchall()
        answers = conn.execute(
            f"SELECT * FROM responses WHERE {of_files} ORDER BY received_at, id", wanted
        ).fetchall()
    key_of: dict[int, Key] = {}
    newest: dict[Key, Made] = {}
    for row in made:
        key = (row["plan"], row["kind"], row["period"])
        key_of[row["id"]] = key
        newest[key] = Made(row["id"], row["path"], row["made_at"], row["errors"], row["warnings"])
    attempts: dict[Key, list[Attempt]] = {}
    for row in sends:
        attempts.setdefault(key_of[row["file_id"]], []).append(_attempt(row))
    said: dict[Key, list[Answer]] = {}
    for row in answers:
        said.setdefault(key_of[row["file_id"]], []).append(
            Answer(row["file_id"], row["status"], row["reason"], row["received_at"])
        )
    return {
        key: History(newest[key], tuple(attempts.get(key, ())), tuple(said.get(key, ())))
        for key in newest
    }


def _attempt(row) -> Attempt:
    outcome = row["outcome"]
    if outcome == "sending" and gone(row["pid"], row["host"]):
        outcome = "interrupted"
    return Attempt(
        row["file_id"], outcome, row["sent_at"], row["finished_at"], row["detail"],
        bool(row["resend"]),
    )  # fmt: skip


def judge(history: History, due: date | None, cutoff: date | None, today: date) -> Verdict:
    """The state of one file: answered, sent (on time or late) or still to do."""
    sent = history.sent
    answer = history.answer
    if answer is not None and (not sent or instant(answer.received_at) >= instant(sent[-1].when)):
        if is_declined(answer.status):
            return Verdict(f"declined: {answer.reason or 'no reason given'}", LATE)
        if answer.status.lower() == "accepted":
            return Verdict("accepted", OK)
    if sent:
        return _sent_verdict(history, due, cutoff)
    if due is not None and today > due:
        if cutoff is None:
            return Verdict(f"late: was due {due}", LATE)
        if today > cutoff:
            return Verdict(f"late: window closed {cutoff}", LATE)
        return Verdict(f"late: correctable until {cutoff}", LATE)
    state = "not made" if history.made is None else "made, not sent"
    if due is not None and (due - today).days <= UPCOMING_DAYS:
        days = (due - today).days
        state += ", due today" if days == 0 else f", due in {days} day{'' if days == 1 else 's'}"
    return Verdict(state, TODO)


def _sent_verdict(history: History, due: date | None, cutoff: date | None) -> Verdict:
    """On time when the first send counts: the first after the plan's last decline (a
    resent correction after that does not make an on-time file late)."""
    sent = history.sent
    declines = [a for a in history.answers if is_declined(a.status)]
    if declines:
        after = [a for a in sent if instant(a.when) > instant(declines[-1].received_at)]
        sent = after or sent
    day = instant(sent[0].when).date()
    if due is None:
        return Verdict("sent", OK)
    if day <= due:
        return Verdict("sent on time", OK)
    if cutoff is not None and day > cutoff:
        return Verdict(f"sent late: after the window closed {cutoff}", LATE)
    return Verdict("sent late", LATE)


def ledger_note(history: History, verdict: Verdict) -> str:
    """What ``ecmx due`` says of a deadline still listed: the file's state in the ledger
    (``made, not sent``, ``sent late``, ``declined: ...``), and a last attempt gone wrong."""
    if verdict.level == OK:
        return verdict.state
    if not history.sent and not history.answers:
        note = "not made" if history.made is None else "made, not sent"
    else:
        note = verdict.state
    last = history.attempts[-1] if history.attempts else None
    if last is not None and last.outcome in ("failed", "interrupted"):
        note += f"; last send {last.outcome}" + (f": {last.detail}" if last.detail else "")
    return note


def is_declined(status: str) -> bool:
    return status.lower() in ("declined", "rejected")


def first_sent(history: History) -> Attempt | None:
    sent = history.sent
    return sent[0] if sent else None


def instant(text: str) -> datetime:
    """A ledger time (ISO 8601, with or without offset, or a day) as an aware datetime;
    one without an offset is this machine's local time. The date part is as written."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.astimezone()
