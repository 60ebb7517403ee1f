"""Program completion assessments falling due, per plan, for ``ecmx due --dataset``.

The interval is the plan's files.rtf.rules.program_completion_months (CHWP 6, seed 000;
Health Net 12, seed 001), the fact rule B011 warns on. Counts only: ``due`` prints no
member (PHI); ``convert`` names the rows (B011).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

FACT = "program_completion_months"


@dataclass(frozen=True)
class CompletionsDue:
    plan: str  # plan id
    months: int  # the plan's interval
    due: int  # enrolled members whose next assessment falls on or before the window's end
    overdue: int  # of which the date has passed
    source: str  # where the interval comes from (or that it is assumed)

    def line(self, until: date) -> str:
        s = "" if self.due == 1 else "s"
        late = f", {self.overdue} overdue" if self.overdue else ""
        return (
            f"{self.due} program completion assessment{s} due by {until} ({self.plan}{late}): "
            f"every {self.months} months after enrollment, {self.source}"
        )


def interval(plan) -> tuple[int, str] | None:
    """The plan's program completion interval in months and its source; None if unstated."""
    rtf = plan.files.get("rtf")
    fact = rtf.rule_facts.get(FACT) if rtf is not None else None
    if fact is None or fact.value is None:
        return None
    text = f"assumed: {fact.note}" if fact.assumed else fact.source_text
    return int(fact.value), text


def completions_due(dataset, plans, today: date, days: int) -> list[CompletionsDue]:
    """Per plan with an interval: the enrolled members whose next program completion
    assessment (the interval after the later of enrollment start and the last recorded
    one) falls within ``days`` days of ``today``, or has passed."""
    enrollments = dataset.enrollments
    members = dataset.members[["member_id", "plan"]].drop_duplicates("member_id")
    last = pd.Series(dtype="datetime64[ns]")
    if "program_completion_date" in enrollments:
        done = pd.to_datetime(enrollments["program_completion_date"], errors="coerce")
        last = done.groupby(enrollments["member_id"]).max()
    enrolled = enrollments[enrollments["status"] == "enrolled"].copy()
    enrolled["start"] = pd.to_datetime(enrolled["enrollment_start"], errors="coerce")
    enrolled = enrolled.dropna(subset=["start"]).sort_values("start")
    enrolled = enrolled.drop_duplicates("member_id", keep="last").merge(members, on="member_id")
    since = pd.to_datetime(enrolled["member_id"].map(last), errors="coerce")
    enrolled["since"] = since.where(since > enrolled["start"], enrolled["start"])
    now, until = pd.Timestamp(today), pd.Timestamp(today) + pd.Timedelta(days=days)
    found = []
    for plan in plans:
        fact = interval(plan)
        if fact is None:
            continue
        months, source = fact
        mine = enrolled[enrolled["plan"] == plan.id]
        next_due = mine["since"] + pd.DateOffset(months=months)
        due = int((next_due <= until).sum())
        if due:
            found.append(CompletionsDue(plan.id, months, due, int((next_due < now).sum()), source))
    return found
