"""``plans test PLAN``: synthetic data made for one plan, and the conformance checks run on
it (core/jobs/conformance.py), each reported pass, fail or skip with one line of why."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, ConfigError
from ecmx.core.jobs.common import Progress, no_progress, plugins_for
from ecmx.core.jobs.conformance import FAIL, PASS, Outcome, check_names, make_bench, run_check
from ecmx.core.storage.targets import prepare_folder


@dataclass(frozen=True)
class PlansTestRequest:
    """``ecmx plans test PLAN [--keep DIR] [--period PERIOD]``."""

    plan: str
    keep: Path | None = None  # keep the sample, the files and the claims here (else a temp folder)
    period: Period | None = None  # the period the sample centres on; default: last month
    members: int = 40  # sample members, all of the plan
    seed: int = 7
    plans_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class PlansTestResult:
    plan: str
    outcomes: list[Outcome]  # one per check, in the order run
    kept: Path | None  # where the sample and files are, with --keep
    exit_code: int  # 0 when no check failed, 1 (EXIT_FINDINGS) otherwise

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == FAIL]


def run_plans_test(
    request: PlansTestRequest, *, plugins=None, progress: Progress = no_progress
) -> PlansTestResult:
    """Make the plan's sample, its files and claims, and run every check. An unknown plan
    raises ``EcmxError``; a plan config that does not load fails ``plans check``."""
    plugins = plugins_for(request, plugins)
    try:
        plugins[1].plans  # noqa: B018 - loads and checks every plan config
    except ConfigError as exc:
        lines = list(exc.details) or [str(exc)]
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        outcome = Outcome("plans check", FAIL, lines[0] + more)
        return PlansTestResult(request.plan, [outcome], None, EXIT_FINDINGS)
    plan = plugins[1].plan(request.plan)
    period = request.period or Period.containing(date.today()).shift(-1)
    if request.keep is not None:
        prepare_folder(request.keep)
    folder = Path(request.keep or tempfile.mkdtemp(prefix="ecmx-plans-test-"))
    try:
        bench = make_bench(
            plugins, plan.id, folder, period, request.members, request.seed, progress
        )
        names = check_names(plan, plugins[1])
        outcomes = []
        for done, name in enumerate(names):
            progress("checking", done, len(names), name)
            outcomes.append(run_check(bench, name))
        progress("checking", len(names), len(names), "")
    finally:
        if request.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    failed = any(o.status == FAIL for o in outcomes)
    return PlansTestResult(plan.id, outcomes, request.keep, EXIT_FINDINGS if failed else EXIT_OK)


__all__ = ["PASS", "PlansTestRequest", "PlansTestResult", "run_plans_test"]
