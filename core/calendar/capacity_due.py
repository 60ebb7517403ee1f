"""Lead care managers over their plan's ratio today, per plan, for ``ecmx due --dataset``.

The ratio is the plan's ``capacity.lead_care_manager_ratio`` (1:50 in the Health Net
family, seed 002; assumed elsewhere), counted as rule B008 and ``ecmx capacity`` count it
(checks/caseload.py). Counts only: no member, and no manager name either, in ``due``;
``ecmx capacity`` names the managers (staff).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ecmx.core.checks.caseload import managers_over, ratio_of
from ecmx.core.dataset.episodes import active_on


@dataclass(frozen=True)
class CapacityDue:
    plan: str  # plan id
    ratio: int  # N in 1:N
    over: int  # lead care managers of the plan's members above the ratio
    enrolled: int  # the plan's members enrolled today
    managers: int  # lead care managers of those members
    source: str  # where the ratio comes from (or that it is assumed)
    report: str  # the capacity report the plan asks for ("" when none)

    def line(self) -> str:
        s = "" if self.over == 1 else "s"
        staff = f"{self.managers} lead care manager{'' if self.managers == 1 else 's'}"
        named = "; `ecmx capacity` names them" if self.over else ""
        return (
            f"capacity: {self.over or 'no'} lead care manager{s} over 1:{self.ratio} for "
            f"{self.plan} ({self.enrolled} enrolled today, {staff}{named})"
        )

    def record(self, today: date) -> dict:
        return {
            "section": "capacity", "plan": self.plan, "date": today.isoformat(),
            "count": self.over, "ratio": f"1:{self.ratio}", "enrolled": self.enrolled,
            "lead_care_managers": self.managers, "title": self.line(), "source": self.source,
            "report": self.report,
        }  # fmt: skip


def capacity_due(dataset, plans, today: date) -> list[CapacityDue]:
    """Per plan with a ratio and members in the dataset: how many of its lead care managers
    are above the ratio on ``today``."""
    members = dataset.members[["member_id", "plan"]].drop_duplicates("member_id")
    members = members.assign(plan=members["plan"].str.lower())
    episodes = dataset.enrollments.merge(members, on="member_id")
    active = active_on(episodes, today)
    over = managers_over(active, plans)
    found = []
    for plan in plans:
        ratio = ratio_of(plan, by_title=True)
        if ratio is None or not (members["plan"] == plan.id).any():
            continue
        mine = active[active["plan"] == plan.id]
        report = plan.capacity.report
        enrolled = int(mine["member_id"].nunique())
        managers = int(mine["lead_care_manager_name"].dropna().nunique())
        asks = report.describe if report is not None else ""
        found.append(
            CapacityDue(plan.id, ratio[0], len(over[plan.id]), enrolled, managers, ratio[1], asks)
        )
    return found


def capacity_reports(plans, period) -> list[dict]:
    """Per plan asking for a capacity report: what it is and, when the plan's calendar
    dates it (``capacity.report.calendar_event``), its due date for ``period``."""
    from ecmx.core.calendar.schedule import due_dates

    found = []
    for plan in plans:
        report = plan.capacity.report
        if report is None:
            continue
        dated = [d for d in due_dates(plan, [period]) if d.event.name == report.calendar_event]
        due = dated[-1] if dated else None
        found.append(
            {
                "plan": plan.id,
                "plan_name": plan.name,
                "title": report.title,
                "every": report.every,
                "how": report.how,
                "date": due.date if due else None,
                "assumed": bool(due and due.event.assumed),
            }
        )
    return found
