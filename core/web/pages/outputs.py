"""What a finished job hands back, shared by Make the month and Check a file: the files it
wrote (downloads, one by one or as a zip) and its findings (each one's row on a page).

A job's work returns an ``Outcome``; these routes serve only the files listed in it, by
their index, so an address can never name another file on the computer.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ecmx.core.checks.findings import Finding, mask
from ecmx.core.errors import InputError
from ecmx.core.web.findings_view import RuleGroup, grouped, row_of
from ecmx.core.web.pages.common import config_of
from ecmx.core.web.runner import DONE, Job
from ecmx.core.web.templating import render


@dataclass(frozen=True)
class Outcome:
    """A job's result as its page shows it."""

    result: Any  # the job's own result (ConvertResult, ValidateResult, ...)
    files: list[Path]  # every file the job wrote, the only ones its page serves
    findings: list[Finding]  # numbered as the row links number them
    groups: list[RuleGroup] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # what the page's template needs beside


def outcome(result, files: list[Path], findings: list[Finding], **extra) -> Outcome:
    return Outcome(result, list(files), list(findings), grouped(list(findings)), extra)


def _finished(request: Request) -> tuple[Job, Outcome]:
    """The job named in the address, once it has ended with an ``Outcome``."""
    job_id = request.path_params["job"]
    job = request.app.state.runner.get(job_id)
    if job is None or job.state != DONE or not isinstance(job.result, Outcome):
        raise InputError(
            f"job {job_id} has no files or findings to show (not finished, failed, or "
            "forgotten when the page's server restarted)"
        )
    return job, job.result


def _nth(items: list, request: Request, what: str):
    number = request.path_params["n"]
    if not 0 <= number < len(items):
        raise InputError(f"there is no {what} {number} in this job")
    return items[number]


def finished_job(request: Request, kind: str) -> Job:
    """The job the address names, of ``kind``, once it has finished with a result."""
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


async def finding_row(request: Request):
    """Any finished job's finding number N: ``result.findings`` (an Outcome's, or the job
    result's own, as claims and ingest keep them), its row read back from its file."""
    job = request.app.state.runner.get(request.path_params["job"])
    if job is None or job.state != DONE:
        raise InputError(
            f"job {request.path_params['job']} has no problems to show (not finished, failed, "
            "or forgotten when the page's server restarted)"
        )
    finding: Finding = _nth(getattr(job.result, "findings", None) or [], request, "finding")
    config = config_of(request)
    row = row_of(finding, config.show_values, config.registry.readers.values())
    return render(
        request,
        "finding.html",
        job=job,
        finding=finding,
        rule=grouped([finding])[0],
        row=row,
        file_name=Path(finding.file).name if finding.file else "",
        value=finding.value if config.show_values else mask(finding.value),
        active=str(job.extra.get("back") or "").split("?")[0] or None,
    )


async def download(request: Request):
    _, made = _finished(request)
    path: Path = _nth(made.files, request, "file")
    if not path.is_file():
        raise InputError(f"{path.name} is no longer in {path.parent}: it was moved or deleted")
    return FileResponse(path, filename=path.name, content_disposition_type="attachment")


async def download_zip(request: Request):
    job, made = _finished(request)
    present = [path for path in made.files if path.is_file()]
    if not present:
        raise InputError("the files this job made are no longer there: moved or deleted")
    buffer = io.BytesIO()  # plan files are small (the largest is a few MB)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in present:
            archive.write(path, arcname=path.name)
    name = f"ecmx-{job.extra.get('zip_name') or f'job-{job.id}'}.zip"
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


routes = [
    Route("/jobs/{job:int}/findings/{n:int}", finding_row),
    Route("/jobs/{job:int}/files/{n:int}", download),
    Route("/jobs/{job:int}/zip", download_zip),
]
