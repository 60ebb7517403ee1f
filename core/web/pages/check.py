"""Check a file: any plan file (one ecmx made, one made by hand, one a plan sent) read back
with the plan's layout and checked (``ecmx validate``); the problems found, each with its
row, and a copy of the workbook with each problem marked at its cell, kept in
WORKSPACE/checked/ (never replacing a file there)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from ecmx.core.calendar.periods import Period
from ecmx.core.jobs.validate import ValidateRequest, run_validate
from ecmx.core.web.config import WebConfig
from ecmx.core.web.pages.common import config_of, period_from, recent_periods
from ecmx.core.web.pages.outputs import outcome
from ecmx.core.web.runner import Job
from ecmx.core.web.templating import render
from ecmx.core.web.uploads import TABLES, WORKBOOKS, free_name, save_upload, upload_form

DIRECTION = {"to_plan": "you send to the plan", "from_plan": "the plan sends you"}


async def check_form(request: Request):
    config = config_of(request)
    registry = config.registry
    kinds = [
        (name, f"{kind.title} ({name.upper()}): {DIRECTION.get(kind.direction, kind.direction)}")
        for name, kind in registry.file_kinds.items()
        if kind.direction in DIRECTION
    ]
    last = Period.containing(date.today()).shift(-1)
    return render(
        request,
        "check.html",
        plans=sorted(registry.concrete_plans(), key=lambda p: p.id),
        kinds=sorted(kinds, key=lambda k: (k[1].endswith(DIRECTION["from_plan"]), k[0])),
        periods=recent_periods(last),
    )


async def check_post(request: Request):
    async with upload_form(request) as form:
        return await _check_post(request, form)


async def _check_post(request: Request, form):
    config = config_of(request)
    path = await save_upload(form.get("file"), config.uploads, TABLES, "plan file")
    plan, kind = str(form.get("plan") or ""), str(form.get("kind") or "")
    period = period_from(form.get("period"))
    name = config.registry.plan(plan).name  # an unknown plan: one line, before any work
    show_values = config.show_values  # as the page is now: the report keeps it
    job = request.app.state.runner.submit(
        f"Check {path.name} as {name}'s {kind.upper()}",
        "check",
        lambda job: _check(config, job, path, plan, kind, period, show_values),
        back="/check",
        zip_name=f"checked-{path.stem}",
        file_name=path.name,
        plan_name=name,
    )
    return RedirectResponse(f"/jobs/{job.id}", 303)


def _check(config: WebConfig, job: Job, path: Path, plan: str, kind: str,
           period: Period | None, show_values: bool):  # fmt: skip
    folder = config.workspace / "checked"
    folder.mkdir(exist_ok=True)
    # named on the runner's thread: two checks of files with one name get two reports
    report = free_name(folder, f"{path.stem} checked.xlsx")
    result = run_validate(
        ValidateRequest(path, plan, kind, period, report=report, show_values=show_values,
                        plans_dirs=config.plans_dirs),
        plugins=config.plugins,
        progress=job.progress,
    )  # fmt: skip
    annotated = path.suffix.lower() in WORKBOOKS
    return outcome(result, [report], result.findings, annotated=annotated)


routes = [
    Route("/check", check_form),
    Route("/check", check_post, methods=["POST"]),
]
