"""The month board (the home page): each plan's files for a period, made, checked, sent,
answered and due, in the words ``ecmx status`` prints (reports/board_text.py), and the
files the plans sent. Reads the ledger; changes nothing."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from ecmx.core.calendar.capacity_due import capacity_reports
from ecmx.core.jobs.init import LedgerRequest, run_ledger
from ecmx.core.jobs.status import StatusRequest, run_status
from ecmx.core.reports.board_text import HEADERS, cells
from ecmx.core.web.pages.common import config_of, period_from, recent_periods
from ecmx.core.web.templating import render


async def board(request: Request):
    config = config_of(request)
    period = period_from(request.query_params.get("period"))
    status = run_status(
        StatusRequest(config.workspace, period, plans_dirs=config.plans_dirs),
        plugins=config.plugins,
    )
    # the plan by its name, as staff know it (the terminal's table keeps the short id)
    rows = [
        (row.verdict.level.lower(), [row.plan_name, *cells(row.record())[1:]])
        for row in status.rows
    ]
    ledger = run_ledger(LedgerRequest(config.workspace))
    received = [r for r in ledger.rows if r["direction"].startswith("received")][-20:]
    made_other = [
        r
        for r in ledger.rows
        if r["direction"] == "made" and r["period"] == str(status.period)
        and r["kind"] not in {row.kind for row in status.rows}
    ]  # fmt: skip
    owed = dict.fromkeys(row.plan for row in status.rows)
    reports = capacity_reports([config.registry.plan(p) for p in owed], status.period)
    return render(
        request,
        "board.html",
        capacity_reports=reports,
        status=status,
        headers=HEADERS,
        rows=rows,
        received=list(reversed(received)),
        made_other=made_other,
        periods=recent_periods(status.period),
    )


routes = [Route("/", board)]
