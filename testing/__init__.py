"""ecmx.testing: the conformance checks of ``ecmx plans test``, for a plan package's pytest.

A plugin (or a folder of YAML-only plans) proves its plans the way ecmx proves its own:
synthetic data made from the plan's config, converted to every file the plan has, each
file read back (validate, or ingest for the files a plan sends), the claims written (837P
through pyx12 when pyx12 is installed), and every column filled or blank by a rule of the
config. One case per check, so a failure names the check and says why in one line::

    # tests/test_conformance.py in your plugin package
    import pytest
    from ecmx.testing import conformance_cases, run_case

    @pytest.mark.parametrize("case", conformance_cases("myplan"), ids=str)
    def test_myplan_conforms(case):
        run_case(case)

``conformance_cases(plan, plans_dirs=[...])`` also takes YAML-only plan folders, as
``--plans-dir`` does; installed plugins (the ``ecmx.plans`` entry point) are found as the
command line finds them. The sample and files of a plan are made once per process.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.errors import ConfigError
from ecmx.core.jobs.conformance import FAIL, PASS, SKIP, Bench, Outcome, check_names, make_bench
from ecmx.core.jobs.conformance import run_check as _run_check
from ecmx.core.jobs.plans_test import PlansTestRequest, PlansTestResult, run_plans_test

__all__ = [
    "FAIL", "PASS", "SKIP", "ConformanceCase", "Outcome", "PlansTestRequest",
    "PlansTestResult", "conformance_cases", "run_case", "run_plans_test",
]  # fmt: skip


@dataclass(frozen=True)
class ConformanceCase:
    """One check of one plan; ``str(case)`` is a test id, ``myplan-columns-rtf``."""

    plan: str
    check: str
    plans_dirs: tuple[Path, ...] = ()
    period: Period | None = None  # default: last month

    def __str__(self) -> str:
        return f"{self.plan}-{self.check.replace(' ', '-')}"


_plugins: dict[tuple, tuple] = {}
_benches: dict[tuple, Bench] = {}


def _plugins_for(plans_dirs: tuple[Path, ...]) -> tuple:
    if plans_dirs not in _plugins:
        from ecmx.core.hooks.manager import make_plugin_manager

        _plugins[plans_dirs] = make_plugin_manager(plans_dirs)
    return _plugins[plans_dirs]


def conformance_cases(plan: str, *, plans_dirs=(), period: Period | None = None) -> list:
    """The cases of ``plan``, one per check, in the order ``ecmx plans test`` runs them.
    Plan configs that do not load give the one case ``plans check``, which fails."""
    dirs = tuple(Path(d) for d in plans_dirs)
    registry = _plugins_for(dirs)[1]
    try:
        names = check_names(registry.plan(plan), registry)
    except ConfigError:
        names = ["plans check"]
    return [ConformanceCase(plan, name, dirs, period) for name in names]


def run_case(case: ConformanceCase) -> Outcome:
    """Run one case: its ``Outcome`` when it passes; ``AssertionError`` with the reason
    when it fails; ``pytest.skip`` when it cannot run here (pyx12 not installed)."""
    plugins = _plugins_for(case.plans_dirs)
    period = case.period or Period.containing(date.today()).shift(-1)
    try:
        plugins[1].plans  # noqa: B018 - loads and checks every plan config
    except ConfigError as exc:
        raise AssertionError(f"plans check: {'; '.join(exc.details) or exc}") from None
    key = (case.plan, case.plans_dirs, period)
    if key not in _benches:
        folder = Path(tempfile.mkdtemp(prefix="ecmx-testing-"))
        atexit.register(shutil.rmtree, folder, True)
        _benches[key] = make_bench(plugins, case.plan, folder, period, 40, 7)
    outcome = _run_check(_benches[key], case.check)
    if outcome.status == FAIL:
        raise AssertionError(f"{case}: {outcome.detail}")
    if outcome.status == SKIP:
        import pytest

        pytest.skip(outcome.detail)
    return outcome
