"""``sample-data``: a synthetic dataset (no real people) covering every plan and the seed edge cases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.jobs.common import Progress, no_progress, plugins_for


@dataclass(frozen=True)
class SampleDataRequest:
    """``ecmx sample-data --out OUT [options]``."""

    out: Path  # a .xlsx workbook (provider.yaml is written beside it) or a folder of CSVs
    members: int = 60
    seed: int = 7  # same seed, same data
    period: Period | None = None  # the period the activity centres on; default: last month
    force: bool = False  # replace existing outputs
    # the plans the members are shared among, by id, or ("all",): every concrete plan known
    # (plugins and plans_dirs too); default: the built-in plans (the same sample everywhere)
    plans: tuple[str, ...] = ()
    plans_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class SampleDataResult:
    written: list[Path]  # every file written, in order


def run_sample_data(
    request: SampleDataRequest, *, plugins=None, progress: Progress = no_progress
) -> SampleDataResult:
    """Generate and write the sample. Raises ``EcmxError`` subclasses (an existing output,
    an unknown plan)."""
    from ecmx.core.dataset.sample import generate, write_sample

    plans = None
    if request.plans:
        registry = plugins_for(request, plugins)[1]
        if "all" in request.plans:
            plans = registry.concrete_plans()
        else:
            plans = [registry.plan(plan_id) for plan_id in request.plans]
    progress(f"generating {request.members} members", 0, 0)
    sample = generate(
        members=request.members, seed=request.seed, period=request.period, plans=plans
    )
    return SampleDataResult(write_sample(sample, request.out, force=request.force))
