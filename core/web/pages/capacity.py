"""Capacity: ``ecmx capacity``'s figures for a period from the dataset in use, per plan
(enrolled, pending, lead care managers, the plan's ratio and the managers over it, what
the plan's capacity report asks, from its config's ``capacity:``) and per lead care
manager; and the same as an .xlsx download.

The download is written by the capacity job into a new temporary folder and handed to the
browser (as the calendar's .ics): nothing in the workspace is written or replaced.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ecmx.core.calendar.periods import Period
from ecmx.core.errors import InputError
from ecmx.core.jobs.capacity import CapacityRequest, run_capacity
from ecmx.core.web import current
from ecmx.core.web.pages.common import config_of, period_from, recent_periods
from ecmx.core.web.templating import render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _default_period() -> Period:
    """Last month, as ``ecmx capacity`` counts by default: the last whole one."""
    return Period.containing(date.today()).shift(-1)


def _request(request: Request, report: Path | None = None) -> CapacityRequest | None:
    """The job for the dataset in use (None: no dataset chosen yet)."""
    config = config_of(request)
    dataset = current.current_dataset(config.workspace)
    if dataset is None:
        return None
    period = period_from(request.query_params.get("period")) or _default_period()
    return CapacityRequest(
        dataset, period, report=report,
        provider=current.provider_for(config.workspace, dataset),
        plans_dirs=config.plans_dirs,
    )  # fmt: skip


async def capacity_page(request: Request):
    config = config_of(request)
    job = _request(request)
    period = (job.period if job is not None else None) or _default_period()
    result = run_capacity(job, plugins=config.plugins) if job is not None else None
    names = {p.id: p.name for p in config.registry.concrete_plans()}
    return render(
        request,
        "capacity.html",
        result=result,
        period=period,
        periods=recent_periods(period),
        names=names,
        dataset=job.dataset if job is not None else None,
    )


async def capacity_xlsx(request: Request):
    config = config_of(request)
    with tempfile.TemporaryDirectory(prefix="ecmx-capacity-") as folder:
        path = Path(folder) / "capacity.xlsx"
        job = _request(request, report=path)
        if job is None:
            raise InputError(
                "choose or upload your dataset on Your data first: capacity is counted from it"
            )
        run_capacity(job, plugins=config.plugins)
        body = path.read_bytes()
    name = f"ecmx-capacity-{job.period}.xlsx"
    return Response(
        body, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


routes = [Route("/capacity", capacity_page), Route("/capacity.xlsx", capacity_xlsx)]
