"""After sending: the plans' 999, 277CA and 835 loaded, and what became of each claim.

- "Load the plan's answers" (POST /claims/responses): the files dropped are kept in
  WORKSPACE/responses/ (never replacing one), then ``ecmx claims load``'s job reads, matches
  and records them; its page says per file what it was, how many outcomes it recorded (or
  that it was read before) and what in it matched nothing.
- "What became of each claim" (GET /claims/status): ``ecmx claims status``'s job, its totals
  per plan and a row per billed line; the same as a .xlsx or .csv download.

Member data: a CLM01 holds the member id; the jobs mask it (rows, downloads, the load's
findings) unless member values are shown (core/billing/responses/masking.py).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ecmx.core.calendar.periods import Period
from ecmx.core.errors import EcmxError, InputError
from ecmx.core.jobs.claims_status import (
    ClaimsLoadRequest,
    ClaimsStatusRequest,
    run_claims_load,
    run_claims_status,
)
from ecmx.core.reports.claims_status_report import cell
from ecmx.core.web.pages.claims import _default_period
from ecmx.core.web.pages.common import config_of, period_from, recent_periods
from ecmx.core.web.templating import render
from ecmx.core.web.uploads import save_upload, upload_form

RESPONSES = "responses"  # WORKSPACE/responses/: the plans' answers, as dropped
# X12 is text under any name; these are the names plans and clearinghouses give it.
SUFFIXES = (".999", ".277", ".277ca", ".835", ".txt", ".edi", ".x12")
KINDS = {
    "999": "999: the plan's acknowledgment of the claim file",
    "277ca": "277CA: the plan's acknowledgment of each claim",
    "835": "835: payment and remittance advice",
}
REPORTS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}  # fmt: skip


def _plan_names(config) -> dict[str, str]:
    return {p.id: p.name for p in config.registry.concrete_plans()}


def _choices(request: Request, source) -> tuple[Period | None, str]:
    """The period (None: every month) and the plan (an id, or "all") asked for."""
    config = config_of(request)
    period = period_from(source.get("period"))
    plan = str(source.get("plan") or "all")
    if plan != "all" and plan not in _plan_names(config):
        raise InputError(f"{plan}: choose a plan from the list, or every plan")
    return period, plan


def _status(request: Request, period: Period | None, plan: str, report: Path | None = None):
    """``ecmx claims status``'s job as the page shows it: claims masked unless member
    values are shown (the job masks: core/billing/responses/masking.py)."""
    config = config_of(request)
    ask = ClaimsStatusRequest(config.workspace, str(period) if period else None, plan,
                              report=report, show_values=config.show_values)  # fmt: skip
    return run_claims_status(ask)


async def status_page(request: Request):
    config = config_of(request)
    period, plan = _choices(request, request.query_params)
    result = await run_in_threadpool(_status, request, period, plan)
    names = _plan_names(config)
    rows = [{**{k: cell(v) if k != "line" else v for k, v in row.items()},
             "plan_name": names.get(row["plan"], row["plan"])} for row in result.rows]  # fmt: skip
    totals = [(plan_id, names.get(plan_id, plan_id), {k: cell(v) for k, v in t.items()})
              for plan_id, t in sorted(result.totals.items())]  # fmt: skip
    return render(
        request,
        "claims_status.html",
        period=period,
        plan=plan,
        periods=recent_periods(period or _default_period()),
        plans=sorted(config.registry.concrete_plans(), key=lambda p: p.name.lower()),
        rows=rows,
        totals=totals,
        notes=result.notes,
        query=request.url.query,
    )


async def download_report(request: Request):
    """The status as a workbook or CSV, the rows the page shows, written into a folder of
    its own and served; nothing is left in the workspace (with member values shown, the
    download is the only copy, and the person keeps it as member records)."""
    kind = request.path_params["kind"]
    if kind not in REPORTS:
        raise InputError(f"{kind}: the report downloads as xlsx or csv")
    period, plan = _choices(request, request.query_params)
    name = f"claims-status-{period or 'every-month'}-{plan}.{kind}"
    with tempfile.TemporaryDirectory(prefix="ecmx-status-") as folder:
        path = Path(folder) / name
        await run_in_threadpool(_status, request, period, plan, path)
        body = path.read_bytes()
    return Response(body, media_type=REPORTS[kind],
                    headers={"content-disposition": f'attachment; filename="{name}"'})  # fmt: skip


async def load(request: Request):
    """Keep the dropped files, then load them in a job (one at a time with the others)."""
    config = config_of(request)
    async with upload_form(request) as form:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        if not files:
            raise InputError("choose the 999, 277CA or 835 files to load first")
        for upload in files:  # every name checked before any file is kept
            if Path(str(upload.filename)).suffix.lower() not in SUFFIXES:
                raise InputError(
                    f"{upload.filename}: ecmx takes the plans' answers as "
                    f"{', '.join(SUFFIXES)} files (X12 text); rename it if it is one"
                )
        plan = str(form.get("plan") or "")
        if plan and plan not in _plan_names(config):
            raise InputError(f"{plan}: choose a plan from the list")
        folder = config.workspace / RESPONSES
        kept = [await save_upload(f, folder, SUFFIXES, "999, 277CA or 835 file") for f in files]
    ask = ClaimsLoadRequest(tuple(kept), config.workspace, plan or None, config.show_values)
    dropped = {path: str(f.filename) for path, f in zip(kept, files, strict=True)}

    def work(job):
        try:
            return run_claims_load(ask, progress=job.progress)
        except EcmxError as exc:  # the page names files by name, not by the workspace's folder
            raise EcmxError(str(exc).replace(f"{config.workspace}{os.sep}", "")) from None

    job = request.app.state.runner.submit(
        "Load the plan's answers", "claims_load", work, back="/claims/status", ask=ask,
        dropped=dropped, kinds=KINDS, names=_plan_names(config),
    )  # fmt: skip
    return RedirectResponse(f"/jobs/{job.id}", 303)


routes = [
    Route("/claims/status", status_page),
    Route("/claims/status/report.{kind}", download_report),
    Route("/claims/responses", load, methods=["POST"]),
]
