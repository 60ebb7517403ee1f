"""The calendar: every plan's file dates for a year, and the same as an .ics download
(``ecmx calendar``'s job, written to a temporary folder and handed to the browser)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ecmx.core.errors import InputError
from ecmx.core.jobs.calendar import CalendarRequest, run_calendar
from ecmx.core.web.pages.common import config_of
from ecmx.core.web.templating import render


def _request(request: Request, ics: Path | None = None) -> CalendarRequest:
    config = config_of(request)
    year_text = request.query_params.get("year") or str(date.today().year)
    if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
        raise InputError(f"year {year_text!r}: write it as four digits, e.g. {date.today().year}")
    plan = request.query_params.get("plan") or "all"
    return CalendarRequest((plan,), int(year_text), ics=ics, plans_dirs=config.plans_dirs)


async def calendar(request: Request):
    config = config_of(request)
    job = _request(request)
    result = run_calendar(job, plugins=config.plugins)
    today = date.today()
    plans = sorted(config.registry.concrete_plans(), key=lambda p: p.id)
    return render(
        request,
        "calendar.html",
        result=result,
        year=job.year,
        years=range(today.year - 1, today.year + 2),
        plan=job.plans[0],
        plans=plans,
        today=today,
    )


async def calendar_ics(request: Request):
    config = config_of(request)
    with tempfile.TemporaryDirectory(prefix="ecmx-ics-") as folder:
        path = Path(folder) / "ecmx-calendar.ics"
        job = _request(request, ics=path)
        run_calendar(job, plugins=config.plugins)
        body = path.read_bytes()
    name = f"ecmx-{job.plans[0]}-{job.year}.ics"
    return Response(
        body,
        media_type="text/calendar",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


routes = [Route("/calendar", calendar), Route("/calendar.ics", calendar_ics)]
