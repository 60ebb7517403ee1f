"""One finding's place, as the spreadsheet has it: the row it is about (values masked unless
the page shows member values), the finding's column marked, and what to do. The Your data
and Claims pages link each place of their findings here (findings_view.row_of reads it)."""

from __future__ import annotations

from starlette.requests import Request

from ecmx.core.checks import catalogue
from ecmx.core.checks.findings import mask
from ecmx.core.errors import InputError
from ecmx.core.reports.summary import place
from ecmx.core.web.findings_view import SEVERITY_WORDS, row_of
from ecmx.core.web.pages.common import config_of
from ecmx.core.web.templating import render


def finished_job(request: Request, kind: str):
    """The job the address names, once it has finished (a result to read)."""
    job_id = request.path_params["job"]
    job = request.app.state.runner.get(job_id)
    if job is None or job.kind != kind:
        raise InputError(
            f"there is no job {job_id} here (jobs are forgotten when the page's server restarts)"
        )
    if not job.finished:
        raise InputError(f"job {job_id} has no result yet: wait for it to finish")
    if job.result is None:
        raise InputError(f"job {job_id} did not finish its work: {job.error}")
    return job


def render_finding_row(request: Request, job, findings: list, back: str):
    """The page of finding number ``n`` (the address's) of ``findings``."""
    n = request.path_params["n"]
    if not 0 <= n < len(findings):
        raise InputError(f"job {job.id} has no problem number {n}")
    finding = findings[n]
    config = config_of(request)
    cells = row_of(finding, config.show_values, config.registry.readers.values())
    return render(
        request,
        "row_view.html",
        job=job,
        finding=finding,
        cells=cells,
        words=SEVERITY_WORDS.get(finding.severity, finding.severity),
        title=catalogue.title(finding.code) or finding.message,
        value=finding.value if config.show_values else mask(finding.value),
        where=place(finding) or "the file",
        back=back,
    )
