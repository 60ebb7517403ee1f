"""``status``: the month board. For one reporting period, one row per plan and file the
plan is owed (RTF, OTF/IOT, and the CSPRTF from a Community Supports provider): made, checked, sent, answered, due, and the state to act on.

It reads the workspace's ledger (``ledger/board.py``) and the plans' calendars; it writes
nothing. Plans: ``--plan``, else provider.yaml's plans and any plan the ledger made a file
for in the period, else every plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.calendar.schedule import DueDate
from ecmx.core.dataset.provider import PROVIDER_FILE, load_provider
from ecmx.core.errors import InputError
from ecmx.core.jobs.common import plugins_for
from ecmx.core.ledger.board import History, Verdict, first_sent, histories, judge

COLUMNS = (
    "plan", "file", "kind", "period", "made", "made_at", "path", "errors", "warnings",
    "sent_at", "sends", "resent", "last_attempt", "last_attempt_at", "last_attempt_detail",
    "answer", "answer_reason", "answered_at", "due", "cutoff", "state", "level",
)  # fmt: skip

_ABBREVIATION = re.compile(r"\(([A-Z][A-Z0-9-]{1,9})\)\s*$")


@dataclass(frozen=True)
class StatusRequest:
    """``ecmx status [--period P] [--plan PLAN ...] [--today DAY] [--provider FILE]``."""

    workspace: Path | None
    period: Period | None = None  # default: deadlines.board_period (see docs/status.md)
    plans: tuple[str, ...] = ()  # plan ids; empty or "all": provider.yaml's (see above)
    today: date | None = None  # judge as of this day; default: today
    provider: Path | None = None  # default: ./provider.yaml, else the workspace's, else none
    plans_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class BoardRow:
    """One plan's file for the period, as the ledger and the calendar see it."""

    plan: str
    plan_name: str
    kind: str
    label: str  # the plan's name for the file: RTF, OTF, IOT
    period: Period
    history: History
    due: DueDate | None
    cutoff: DueDate | None  # the plan's correction cutoff; None when it gives none
    verdict: Verdict

    def record(self) -> dict:
        h, made = self.history, self.history.made
        last = h.attempts[-1] if h.attempts else None
        first = first_sent(h)
        answer = h.answer
        return {
            "plan": self.plan, "file": self.label, "kind": self.kind, "period": str(self.period),
            "made": made.name if made else "", "made_at": made.made_at if made else "",
            "path": made.path if made else "", "errors": made.errors if made else "",
            "warnings": made.warnings if made else "",
            "sent_at": first.when if first else "", "sends": len(h.sent),
            "resent": max(0, len(h.sent) - 1),
            "last_attempt": last.outcome if last else "", "last_attempt_at": last.when if last else "",
            "last_attempt_detail": (last.detail or "") if last else "",
            "answer": answer.status if answer else "",
            "answer_reason": (answer.reason or "") if answer else "",
            "answered_at": answer.received_at if answer else "",
            "due": self.due.date.isoformat() if self.due else "",
            "cutoff": self.cutoff.date.isoformat() if self.cutoff else "",
            "state": self.verdict.state, "level": self.verdict.level,
        }  # fmt: skip


@dataclass(frozen=True)
class StatusResult:
    workspace: Path
    period: Period
    today: date
    rows: list[BoardRow]  # by plan id, then the plan's order of its files
    notes: list[str] = field(default_factory=list)
    columns: tuple[str, ...] = COLUMNS

    @property
    def records(self) -> list[dict]:
        return [row.record() for row in self.rows]


def no_workspace() -> InputError:
    return InputError(
        "no ecmx workspace here: run `ecmx init DIR`, then give --workspace DIR, set "
        "$ECMX_WORKSPACE, or run ecmx inside DIR"
    )


def run_status(request: StatusRequest, *, plugins=None, progress=None) -> StatusResult:
    """The board for the period asked for (or the default one). Raises ``EcmxError``s."""
    from ecmx.core.calendar.deadlines import board_period, file_deadline

    if request.workspace is None:
        raise no_workspace()
    _, registry = plugins_for(request, plugins)
    today = request.today or date.today()
    notes: list[str] = []
    provider = _provider(request)
    plans = _plans(registry, request, provider, notes)
    period = request.period or board_period(plans, today)
    found = histories(request.workspace, [str(period)])
    if not request.plans or "all" in request.plans:
        plans = _with_ledger_plans(registry, plans, {key[0] for key in found})
    rows = []
    for plan in plans:
        recorded = {key[1] for key in found if key[0] == plan.id}
        for kind in _owed_kinds(registry, plan, provider, recorded):
            history = found.get((plan.id, kind, str(period)), History())
            due, cutoff = file_deadline(plan, kind, period)
            verdict = judge(history, _day(due), _day(cutoff), today)
            label = _label(plan, kind)
            rows.append(
                BoardRow(plan.id, plan.name, kind, label, period, history, due, cutoff, verdict)
            )
    return StatusResult(request.workspace, period, today, rows, notes)


def _day(due: DueDate | None) -> date | None:
    return due.date if due is not None else None


def _owed_kinds(registry, plan, provider, recorded: set[str]) -> list[str]:
    """The plan's file kinds that go to the plan, in the plan's order: the month's files
    (``registry.monthly_kinds``: the CSPRTF only for a Community Supports provider), and any
    other sent file once the ledger records one made for the period (Partnership's
    referral file, a CSPRTF made by name)."""
    kinds, monthly = registry.file_kinds, registry.monthly_kinds(plan, provider)
    return [
        k
        for k in plan.files
        if k in monthly or (k in recorded and k in kinds and kinds[k].direction == "to_plan")
    ]


def _label(plan, kind: str) -> str:
    """The plan's short name for a file: the abbreviation its title ends with, else the kind."""
    match = _ABBREVIATION.search(plan.files[kind].title or "")
    return match.group(1) if match else kind.upper()


def _plans(registry, request: StatusRequest, provider, notes: list[str]) -> list:
    from ecmx.core.jobs.calendar import selected_plans

    if request.plans and "all" not in request.plans:
        return selected_plans(registry, request.plans)
    if provider is None:
        return selected_plans(registry, ())
    ids = sorted((provider.get("plans") or {}).keys())
    known = {p.id for p in registry.concrete_plans()}
    for plan_id in ids:
        if plan_id not in known:
            notes.append(f"{provider.source}: plan {plan_id!r} is not a plan ecmx knows: left out")
    return [registry.plan(plan_id) for plan_id in ids if plan_id in known]


def _with_ledger_plans(registry, plans: list, ledger_ids: set[str]) -> list:
    """``plans`` and every known plan the ledger made a file for, by id."""
    known = {p.id: p for p in registry.concrete_plans()}
    chosen = {p.id: p for p in plans}
    chosen.update({i: known[i] for i in ledger_ids if i in known})
    return [chosen[i] for i in sorted(chosen)]


def _provider(request: StatusRequest):
    """The provider profile named, else ./provider.yaml, else the workspace's; or None."""
    if request.provider is not None:
        return load_provider(request.provider)
    for folder in (Path.cwd(), request.workspace):
        if folder is not None and (Path(folder) / PROVIDER_FILE).exists():
            return load_provider(Path(folder) / PROVIDER_FILE)
    return None
