"""``capacity``: members per lead care manager and per plan for one period, the figures a
plan's capacity report asks for. What each plan asks, and its lead care manager ratio, are
its config's ``capacity:`` (seed 002: 1:50 and a quarterly report for the Health Net
family; seed 003: Partnership's monthly Provider Capacity Survey; 1:50 assumed elsewhere).

It reads the dataset and writes nothing but the report asked for. Care manager names are
staff, not members: they are shown; no member id is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ecmx.core.calendar.periods import Period
from ecmx.core.checks.caseload import (
    managers_over,
    members_per_lead_care_manager,
    over_limit,
    ratio_of,
)
from ecmx.core.dataset.episodes import active_on, enrollment_ended, episode_began
from ecmx.core.dataset.read import ROW
from ecmx.core.errors import InputError
from ecmx.core.jobs.common import no_progress, plugins_for, read_for_plans
from ecmx.core.storage.atomic import refuse_existing
from ecmx.core.storage.targets import check_file_target, refuse_inputs

NO_MANAGER = "(no lead care manager recorded)"
PENDING = ("pending_outreach", "outreach")  # referred or in outreach, not enrolled
PLAN_COLUMNS = (
    "plan", "enrolled", "pending", "newly_enrolled", "disenrolled",
    "lead_care_managers", "members_per_manager", "ratio", "managers_over_ratio",
    "asks", "source",
)  # fmt: skip
MANAGER_COLUMNS = ("lead_care_manager", "enrolled", "by_plan", "ratio", "over_limit")
REPORT_FORMATS = (".xlsx", ".csv", ".json")

NO_ASK = "no capacity report in this plan's config (none on its pages)"


@dataclass(frozen=True)
class CapacityRequest:
    """``ecmx capacity DATASET [--period P] [--plan PLAN|all] [--report FILE] [--force]``."""

    dataset: Path
    period: Period | None = None  # default: last month (the last whole one)
    plans: tuple[str, ...] = ()  # plan ids; empty or "all": every plan with members
    report: Path | None = None  # .xlsx, .csv or .json
    force: bool = False
    provider: Path | None = None
    today: date | None = None
    plans_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class CapacityResult:
    period: Period
    plans: list[dict]  # PLAN_COLUMNS
    managers: list[dict]  # MANAGER_COLUMNS
    notes: list[str] = field(default_factory=list)
    report: Path | None = None

    @property
    def over(self) -> list[str]:
        return [m["lead_care_manager"] for m in self.managers if m["over_limit"]]


def run_capacity(request: CapacityRequest, *, plugins=None, progress=no_progress):
    """Count for the period. Raises ``EcmxError``s (no dataset, a bad report, an unknown plan)."""
    _check_report(request)
    period = request.period or Period.containing(request.today or date.today()).shift(-1)
    _, registry = plugins_for(request, plugins)
    specs = {p.id: p for p in registry.concrete_plans()}
    chosen = [p for p in request.plans if p.lower() != "all"]
    named = (
        [registry.plan(p.lower()).id for p in chosen] if len(chosen) == len(request.plans) else []
    )
    dataset = read_for_plans(registry, request.dataset, request.provider, progress)
    members = dataset.members.assign(plan=dataset.members["plan"].str.lower())
    plan_ids = named or sorted(members["plan"].dropna().unique())
    episodes = dataset.enrollments.merge(members[["member_id", "plan"]], on="member_id")
    episodes = episodes[episodes["plan"].isin(plan_ids)]
    active = active_on(episodes, period.end)
    notes = _notes(dataset, plan_ids, episodes)
    limits = {p: _ratio(specs.get(p)) for p in plan_ids}
    over = managers_over(active, [specs[p] for p in plan_ids if p in specs])
    counted = (episodes, active, over)
    result = CapacityResult(
        period,
        [_plan_row(specs.get(p), p, counted, period) for p in plan_ids],
        _manager_rows(active, limits),
        notes,
        request.report,
    )
    if request.report:
        from ecmx.core.reports.capacity_report import write_capacity_report

        progress(f"writing {request.report.name}", 0, 0)
        write_capacity_report(result, request.report, force=request.force)
    return result


def _notes(dataset, plan_ids: list[str], episodes: pd.DataFrame) -> list[str]:
    """What the counts leave out: cells the dataset could not read (named by cell, never
    by value: member data), and plans with no enrollments."""
    notes = []
    errors = [f for f in dataset.findings if f.severity == "error"]
    if errors:
        first = errors[0].cell or errors[0].sheet
        notes.append(
            f"{len(errors)} error(s) in the dataset (first: {first}): what they hold is not "
            "counted; `ecmx validate` or `ecmx convert` lists them"
        )
    if not len(episodes):
        notes.append(f"no enrollments for {', '.join(plan_ids) or 'any plan'}")
    return notes


def _check_report(request: CapacityRequest) -> None:
    """Before reading: the report is .xlsx/.csv/.json, new (or --force), not the dataset."""
    path = request.report
    if path is None:
        return
    if path.suffix.lower() not in REPORT_FORMATS:
        raise InputError(
            f"{path}: a capacity report is .xlsx, .csv or .json; name the file with one of them"
        )
    check_file_target(path)
    refuse_inputs([path], [request.dataset])
    refuse_existing(path, request.force)


def _in(period: Period, days: pd.Series) -> pd.Series:
    return (days >= pd.Timestamp(period.start)) & (days <= pd.Timestamp(period.end))


def _pending(episodes: pd.DataFrame, active: pd.DataFrame, period: Period) -> int:
    """Members whose latest episode begun by the period's end is referred or in outreach
    (docs/dataset.md: the RTF's rule), and who are not enrolled on its last day."""
    end = pd.Timestamp(period.end)
    began = episode_began(episodes).fillna(end)
    dated = episodes.assign(_began=began)[began <= end]
    latest = dated.sort_values(["member_id", "_began", ROW], kind="stable").drop_duplicates(
        "member_id", keep="last"
    )
    waiting = latest[latest["status"].isin(PENDING)]["member_id"]
    return int((~waiting.isin(active["member_id"])).sum())


def _ratio(plan) -> int | None:
    return None if plan is None else plan.capacity.limit


def _plan_row(spec, plan: str, counted: tuple, period: Period) -> dict:
    """One plan's figures; ``spec`` is None for a plan id the dataset names and no config
    defines (the dataset's findings say so): counted, with no ratio and no report."""
    episodes, active, over = counted
    mine, enrolled = episodes[episodes["plan"] == plan], active[active["plan"] == plan]
    members = enrolled["member_id"].nunique()
    names = set(enrolled["lead_care_manager_name"].dropna())
    new = mine[_in(period, mine["enrollment_start"])]["member_id"].nunique()
    gone = mine[_in(period, enrollment_ended(mine))]["member_id"].nunique()
    ratio = ratio_of(spec, by_title=True) if spec is not None else None
    report = spec.capacity.report if spec is not None else None
    return {
        "plan": plan,
        "enrolled": members,
        "pending": _pending(mine, enrolled, period),
        "newly_enrolled": new,
        "disenrolled": gone,
        "lead_care_managers": len(names),
        "members_per_manager": round(members / len(names), 1) if names else None,
        "ratio": f"1:{ratio[0]}" if ratio else None,
        "managers_over_ratio": len(over.get(plan, [])),
        "asks": report.describe if report is not None else NO_ASK,
        "source": "; ".join(filter(None, (ratio[1] if ratio else "", _cited(spec, report)))),
    }


def _cited(spec, report) -> str:
    if report is None:
        return ""
    if report.assumed:
        return f"assumed for {spec.name}: {report.note}"
    return spec.cite(report.source)


def _manager_rows(active: pd.DataFrame, limits: dict[str, int | None]) -> list[dict]:
    """Each lead care manager's enrolled members over every plan counted (their caseload),
    held to the strictest ratio among the plans they serve (all 1:50 today)."""
    named = active.assign(
        lead_care_manager_name=active["lead_care_manager_name"].fillna(NO_MANAGER)
    )
    counts = members_per_lead_care_manager(named)
    first = named.drop_duplicates("member_id")
    rows = []
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], str(item[0]))):
        plans = first[first["lead_care_manager_name"] == name]["plan"].value_counts()
        ratios = [r for p in plans.index if (r := limits.get(str(p))) is not None]
        limit = min(ratios) if ratios and name != NO_MANAGER else None
        rows.append(
            {
                "lead_care_manager": name,
                "enrolled": int(count),
                "by_plan": "; ".join(f"{p} {n}" for p, n in sorted(plans.items())),
                "ratio": f"1:{limit}" if limit else None,
                "over_limit": limit is not None and name in over_limit(counts, limit).index,
            }
        )
    return rows
