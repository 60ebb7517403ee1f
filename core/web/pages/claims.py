"""Claims: bill a period from the dataset in use (``ecmx claims``' job), into
WORKSPACE/claims/<period>/, recorded in the ledger. The result: each plan's totals, the
lines left off and why (each place a link to its row), and each file to download.

"Replace files already made" replaces this period's claim files without billing the
lines that break a rule (ClaimsRequest.replace); the command line's --force, which bills
them too, is not offered here: a refused line is fixed in the dataset, then billed.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse
from starlette.routing import Route

from ecmx.core.calendar.periods import Period
from ecmx.core.errors import EcmxError, InputError
from ecmx.core.jobs.claims import ClaimsRequest, run_claims
from ecmx.core.web import current
from ecmx.core.web.findings_view import grouped
from ecmx.core.web.pages.common import config_of, period_from, recent_periods
from ecmx.core.web.pages.outputs import finished_job
from ecmx.core.web.security import checked_form
from ecmx.core.web.templating import render

MEDIA = {".837": "application/edi-x12", ".xlsx": "application/vnd.openxmlformats-"
         "officedocument.spreadsheetml.sheet"}  # fmt: skip


_WORDS = (
    ("or pass --force to replace it", 'or tick "Replace claim files already made for this month"'),
    ("choose another --format", 'choose another under "What to make"'),
    ("--format: ", ""),
)


def _default_period() -> Period:
    """Last month: a month is billed once its services are done."""
    return Period.containing(date.today()).shift(-1)


async def claims_page(request: Request):
    config = config_of(request)
    period = period_from(request.query_params.get("period")) or _default_period()
    plans = sorted(config.registry.concrete_plans(), key=lambda p: p.name.lower())
    writers = sorted(config.registry.claim_writers.values(), key=lambda w: w.format)
    return render(
        request,
        "claims.html",
        period=period,
        periods=recent_periods(period),
        plans=plans,
        writers=writers,
        dataset=current.current_dataset(config.workspace),
    )


async def bill(request: Request):
    config = config_of(request)
    form = await checked_form(request)
    dataset = current.current_dataset(config.workspace)
    if dataset is None:
        raise InputError("choose or upload your dataset on Your data first: claims come from it")
    period = period_from(form.get("period")) or _default_period()
    plan = str(form.get("plan") or "all")
    if plan != "all" and plan not in {p.id for p in config.registry.concrete_plans()}:
        raise InputError(f"{plan}: choose a plan from the list, or every plan")
    out_dir = config.workspace / "claims" / str(period)
    out_dir.mkdir(parents=True, exist_ok=True)
    ask = ClaimsRequest(
        dataset, plan, period, out_dir, format=str(form.get("format") or "837p").lower(),
        provider=current.provider_for(config.workspace, dataset),
        replace=form.get("replace") == "yes", plans_dirs=config.plans_dirs,
        workspace=config.workspace,
    )  # fmt: skip

    def work(job):
        try:
            result = run_claims(ask, plugins=config.plugins, progress=job.progress)
        except EcmxError as exc:  # the command line's words, said as the page says them
            raise EcmxError(_page_words(str(exc), config.workspace)) from None
        job.extra["groups"] = grouped(result.findings)
        return result

    job = request.app.state.runner.submit(
        f"Claims for {period}", "claims", work, back=f"/claims?period={period}", ask=ask
    )
    return RedirectResponse(f"/jobs/{job.id}", 303)


def _page_words(line: str, workspace: Path) -> str:
    line = line.replace(f"{workspace}{os.sep}", "")
    for cli, page in _WORDS:
        line = line.replace(cli, page)
    return line


async def download(request: Request):
    """One of the job's own claim files; nothing else is served from here."""
    job = finished_job(request, "claims")
    written: list[Path] = job.result.written
    n = request.path_params["n"]
    if not 0 <= n < len(written) or not written[n].is_file():
        raise InputError(f"job {job.id} has no file number {n} (or it was moved since)")
    path = written[n]
    return FileResponse(
        path,
        media_type=MEDIA.get(path.suffix.lower(), "application/octet-stream"),
        filename=path.name,
        content_disposition_type="attachment",
    )


routes = [
    Route("/claims", claims_page),
    Route("/claims", bill, methods=["POST"]),
    Route("/claims/jobs/{job:int}/files/{n:int}", download),
]
