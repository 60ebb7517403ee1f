"""The month board in words, shared by ``ecmx status`` and the web page's board: one
status record (``jobs/status.py`` ``BoardRow.record``) as the cells a person reads."""

from __future__ import annotations

from datetime import date

HEADERS = ("plan", "file", "made", "checked", "sent", "answer", "due", "state")


def cells(r: dict) -> list[str]:
    """A status record (jobs/status.py) as HEADERS' cells, in words."""
    return [r["plan"], r["file"], _made(r), _checked(r), _sent(r), _answer(r), _due(r), r["state"]]


def _made(r: dict) -> str:
    return f"{r['made']} ({_short(r['made_at'])})" if r["made"] else "not made"


def _checked(r: dict) -> str:
    if not r["made"]:
        return ""
    return f"{_count(r['errors'], 'error')}, {_count(r['warnings'], 'warning')}"


def _sent(r: dict) -> str:
    """When it was first sent, how often since, and the last attempt if it went wrong."""
    shown = _short(r["sent_at"]) if r["sends"] else ""
    if r["resent"]:
        shown += f", resent {r['resent']}x"
    last = r["last_attempt"]
    if last in _WRONG:
        detail = r["last_attempt_detail"] if last == "failed" else ""
        trail = f"{_WRONG[last]} {_short(r['last_attempt_at'])}" + (f": {detail}" if detail else "")
        shown = f"{shown}; last attempt {trail}" if shown else trail
    return shown or "not sent"


_WRONG = {"failed": "failed", "interrupted": "interrupted", "sending": "sending now"}


def _answer(r: dict) -> str:
    if r["answer"]:
        return r["answer"] + (f": {r['answer_reason']}" if r["answer_reason"] else "")
    return "none yet" if r["sends"] else ""


def _due(r: dict) -> str:
    return f"{r['due']} {date.fromisoformat(r['due']):%a}" if r["due"] else "no due date"


def _short(when: str) -> str:
    """A ledger time to the minute, as a person reads it: 2025-12-03 10:15."""
    return when[:16].replace("T", " ")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
