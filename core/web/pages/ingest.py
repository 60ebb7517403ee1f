"""A plan's MIF, mini-MIF or TEL dropped on Your data: first a preview of the merge, then
accept or discard.

- The preview is ``ingest`` into a new file in uploads/previews/, with no workspace: the
  ledger records nothing, and the page shows the new, dropped, changed and conflicting
  members and the plan file's problems.
- Accept runs ``ingest`` again, for real: the ledger records the file received and
  merged; the merged dataset is a new file beside the current one ("<dataset> + <plan
  file>.xlsx", never replacing one) and becomes the current dataset; the preview goes.
  If the dataset changed since the preview, accepting is refused: the preview no longer
  says what the merge would do.
- Discard deletes the preview only (the plan file dropped stays in uploads/plan-files/).
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from ecmx.core.errors import InputError
from ecmx.core.jobs.ingest import IngestRequest, run_ingest
from ecmx.core.web import current
from ecmx.core.web.findings_view import grouped
from ecmx.core.web.pages.common import config_of
from ecmx.core.web.pages.outputs import finished_job
from ecmx.core.web.runner import DONE
from ecmx.core.web.security import checked_form
from ecmx.core.web.uploads import (
    TABLES,
    check_size,
    free_name,
    save_upload,
    upload_form,
    uploads_dir,
)

PREVIEWS, PLAN_FILES = "previews", "plan-files"  # folders of uploads/


def sources(registry) -> list[tuple[str, str]]:
    """The (value, words) of every file a plan sends: "healthnet:mif", "Health Net: ..."."""
    found = []
    for plan in sorted(registry.concrete_plans(), key=lambda p: p.name.lower()):
        for name in plan.files:
            kind = registry.file_kinds[name]
            if kind.direction == "from_plan":
                found.append((f"{plan.id}:{name}", f"{plan.name}: {kind.title}"))
    return found


def digest(path: Path) -> str:
    """The dataset's fingerprint: its bytes (every file of a CSV folder)."""
    sha = hashlib.sha256()
    for part in sorted(path.rglob("*")) if path.is_dir() else [path]:
        if part.is_file():
            sha.update(part.name.encode() + part.read_bytes())
    return sha.hexdigest()


async def drop(request: Request):
    check_size(request)
    config = config_of(request)
    async with upload_form(request) as form:
        dataset = current.current_dataset(config.workspace)
        if dataset is None:
            raise InputError(
                "choose or upload your dataset first: the plan's file is merged into it"
            )
        plan, _, kind = str(form.get("source") or "").partition(":")
        if f"{plan}:{kind}" not in dict(sources(config.registry)):
            raise InputError("choose which plan sent the file, and which file it is")
        uploads = uploads_dir(config.workspace)
        plan_file = await save_upload(form.get("file"), uploads / PLAN_FILES, TABLES, "plan's file")
    preview = free_name(uploads / PREVIEWS, merged_name(dataset, plan_file))
    preview.parent.mkdir(exist_ok=True)
    ask = IngestRequest(
        plan_file, plan, dataset, preview, kind=kind, received=date.today(),
        provider=current.provider_for(config.workspace, dataset), plans_dirs=config.plans_dirs,
    )  # fmt: skip

    def work(job):
        result = run_ingest(ask, plugins=config.plugins, progress=job.progress)
        job.extra["groups"] = grouped(result.findings or [])
        return result

    job = request.app.state.runner.submit(
        f"What {plan_file.name} changes in {dataset.name}", "ingest", work, back="/data",
        stage="preview", ask=ask, fingerprint=await run_in_threadpool(digest, dataset), accepted=None, discarded=False,
    )  # fmt: skip
    return RedirectResponse(f"/jobs/{job.id}", 303)


def merged_name(dataset: Path, plan_file: Path) -> str:
    suffix = dataset.suffix if dataset.is_file() else ""
    return f"{dataset.stem if dataset.is_file() else dataset.name} + {plan_file.stem}{suffix}"


def _preview_job(request: Request):
    job = finished_job(request, "ingest")
    if job.extra.get("stage") != "preview" or job.state != DONE or job.result.merge is None:
        raise InputError(f"job {job.id} is not a merge that can be accepted")
    return job


async def accept(request: Request):
    config = config_of(request)
    await checked_form(request)
    preview = _preview_job(request)
    if preview.extra["accepted"] is not None:  # a second click: the same merge, once
        return RedirectResponse(f"/jobs/{preview.extra['accepted']}", 303)
    ask: IngestRequest = preview.extra["ask"]
    if preview.extra["discarded"] or not Path(ask.out).exists():
        raise InputError("this preview was discarded: drop the plan's file again")
    same = ask.dataset.exists() and (
        await run_in_threadpool(digest, ask.dataset) == preview.extra["fingerprint"]
    )
    if not same:
        raise InputError(
            f"{ask.dataset.name} changed since the preview: drop the plan's file again to "
            "see what the merge does now"
        )
    out = free_name(ask.dataset.parent, merged_name(ask.dataset, ask.file))
    real = IngestRequest(
        ask.file, ask.plan, ask.dataset, out, kind=ask.kind, received=ask.received,
        provider=ask.provider, plans_dirs=ask.plans_dirs, workspace=config.workspace,
    )  # fmt: skip

    def work(job):
        result = run_ingest(real, plugins=config.plugins, progress=job.progress)
        job.extra["groups"] = grouped(result.findings or [])
        if result.merge is not None:
            current.set_current_dataset(config.workspace, out)
            _remove(Path(ask.out), uploads_dir(config.workspace) / PREVIEWS)
        return result

    job = request.app.state.runner.submit(
        f"Merging {ask.file.name} into {ask.dataset.name}", "ingest", work, back="/data",
        stage="accepted", ask=real, preview=preview.id,
    )  # fmt: skip
    preview.extra["accepted"] = job.id
    return RedirectResponse(f"/jobs/{job.id}", 303)


async def discard(request: Request):
    config = config_of(request)
    await checked_form(request)
    preview = finished_job(request, "ingest")
    if preview.extra.get("stage") != "preview" or preview.extra["accepted"] is not None:
        raise InputError(f"job {preview.id} has no preview to discard")
    _remove(Path(preview.extra["ask"].out), uploads_dir(config.workspace) / PREVIEWS)
    preview.extra["discarded"] = True
    return RedirectResponse("/data", 303)


def _remove(path: Path, previews: Path) -> None:
    """Delete a preview: only ever a file or folder inside uploads/previews/."""
    if path.resolve().parent != previews.resolve() or not path.exists():
        return
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


routes = [
    Route("/data/ingest", drop, methods=["POST"]),
    Route("/data/ingest/{job:int}/accept", accept, methods=["POST"]),
    Route("/data/ingest/{job:int}/discard", discard, methods=["POST"]),
]
