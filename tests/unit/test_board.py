"""``ledger/board.judge``: the state of one file from its history and its due date, at the
edges the e2e tests (tests/e2e/test_status.py) do not reach."""

from __future__ import annotations

from datetime import date

import pytest

from ecmx.core.ledger.board import Answer, Attempt, History, Made, judge

DUE, CUTOFF = date(2025, 12, 5), date(2025, 12, 10)
MADE = Made(1, "/x/SUNRISE_HN_ECM_RTF_20251203.xlsx", "2025-12-03T09:00:00", 0, 0)


def sent(day: str, outcome: str = "sent") -> Attempt:
    return Attempt(1, outcome, f"{day}T10:00:00", f"{day}T10:00:05", None, False)


@pytest.mark.parametrize(
    "today, state",
    [
        ("2025-12-05", "made, not sent, due today"),
        ("2025-12-04", "made, not sent, due in 1 day"),
        ("2025-11-21", "made, not sent, due in 14 days"),
        ("2025-11-20", "made, not sent"),
        ("2025-12-06", "late: correctable until 2025-12-10"),
        ("2025-12-10", "late: correctable until 2025-12-10"),
        ("2025-12-11", "late: window closed 2025-12-10"),
    ],
)
def test_an_unsent_file_by_day(today, state):
    assert judge(History(MADE), DUE, CUTOFF, date.fromisoformat(today)).state == state


def test_no_correction_window_known_says_when_it_was_due():
    verdict = judge(History(MADE), DUE, None, date(2025, 12, 6))
    assert (verdict.state, verdict.level) == ("late: was due 2025-12-05", "late")


def test_a_send_on_the_due_date_is_on_time_and_the_day_after_is_late():
    on_time = judge(History(MADE, (sent("2025-12-05"),)), DUE, CUTOFF, date(2025, 12, 20))
    late = judge(History(MADE, (sent("2025-12-06"),)), DUE, CUTOFF, date(2025, 12, 20))
    assert on_time.state == "sent on time" and late.state == "sent late"


def test_a_failed_attempt_is_not_a_send():
    history = History(MADE, (sent("2025-12-04", "failed"), sent("2025-12-04", "interrupted")))
    assert judge(history, DUE, CUTOFF, date(2025, 12, 6)).state.startswith("late:")


def test_an_answer_without_a_recorded_send_still_counts():
    history = History(MADE, (), (Answer(1, "accepted", None, "2025-12-06"),))
    assert judge(history, DUE, CUTOFF, date(2025, 12, 7)).state == "accepted"
    declined = History(MADE, (), (Answer(1, "declined", None, "2025-12-06"),))
    assert judge(declined, DUE, CUTOFF, date(2025, 12, 7)).state == "declined: no reason given"


def test_no_due_date():
    assert judge(History(MADE, (sent("2025-12-06"),)), None, None, date(2026, 1, 1)).state == "sent"
    assert judge(History(), None, None, date(2026, 1, 1)).state == "not made"
