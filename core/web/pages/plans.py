"""Plans: each plan's files, layouts, codes, calendar and billing rules, and the values
assumed that a provider should confirm with the plan (the tables of ``ecmx plans show``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from ecmx.core.jobs.plans import PlansRequest, PlansShowRequest, plan_to_show, plans_rows
from ecmx.core.reports import plan_tables
from ecmx.core.web.pages.common import config_of
from ecmx.core.web.templating import render


async def plans(request: Request):
    config = config_of(request)
    listed = sorted(config.registry.concrete_plans(), key=lambda p: p.id)
    rows = plans_rows(PlansRequest(plans_dirs=config.plans_dirs), plugins=config.plugins)
    assumed = {p.id: len(p.assumptions()) for p in listed}
    return render(request, "plans.html", plans=listed, rows=rows, assumed=assumed)


async def plan_page(request: Request):
    config = config_of(request)
    plan, kinds = plan_to_show(
        PlansShowRequest(request.path_params["plan"], plans_dirs=config.plans_dirs),
        plugins=config.plugins,
    )
    files = []
    for kind in kinds:
        layout = plan_tables.layout_for(plan, kind, None)
        files.append(
            (
                plan_tables.file_line(plan, kind, layout),
                plan_tables.layout_table(plan, kind, layout),
            )
        )
    tables = [*plan_tables.code_tables(plan), plan_tables.calendar_table(plan)]
    tables += [plan_tables.billing_table(plan), plan_tables.capacity_table(plan)]
    return render(
        request,
        "plan.html",
        plan=plan,
        files=files,
        tables=[t for t in tables if t[2]],
        assumptions=plan_tables.assumptions_table(plan, kinds),
    )


routes = [Route("/plans", plans), Route("/plans/{plan}", plan_page)]
