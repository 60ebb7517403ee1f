"""A job's page (/jobs/N): its progress while it runs, then its result, rendered by the
template of the page that started it (``job_<kind>.html``), or its one line of error.
And the switch that shows or masks member values on every page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from ecmx.core.errors import InputError
from ecmx.core.web.pages.common import config_of
from ecmx.core.web.security import checked_form
from ecmx.core.web.templating import render, templates


async def job_page(request: Request):
    runner = request.app.state.runner
    job_id = request.path_params["job"]
    job = runner.get(job_id)
    if job is None:
        raise InputError(
            f"there is no job {job_id} (jobs are forgotten when the page's server restarts)"
        )
    name = f"job_{job.kind}.html"
    template = name if name in templates.env.list_templates() else "job.html"
    # the nav marks the page that started the job
    active = str(job.extra.get("back") or "").split("?")[0] or None
    return render(
        request, template, job=job, ahead=runner.ahead_of(job), active=active, **job.extra
    )


async def show_values(request: Request):
    form = await checked_form(request)
    config_of(request).show_values = form.get("show") == "yes"
    back = str(form.get("back") or "/")
    return RedirectResponse(
        back if back.startswith("/") and not back.startswith("//") else "/", 303
    )


routes = [
    Route("/jobs/{job:int}", job_page),
    Route("/settings/values", show_values, methods=["POST"]),
]
