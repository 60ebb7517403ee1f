"""Your data: the current dataset (the one the page makes files and claims from), the
datasets kept in WORKSPACE/uploads/ to choose from, an upload, and the sample dataset.
Dropping a plan's MIF or TEL (a preview of the merge, then accept or discard) is ingest.py.

Where things go, and why:
- An uploaded workbook is kept in uploads/ under its own name (never replacing one);
  a dataset of CSV files (members.csv, enrollments.csv, ...) gets a new folder there.
- The sample goes into a folder of its own, uploads/sample/ (then "sample (2)", ...),
  with its provider.yaml beside it. Not uploads/ itself: a provider.yaml beside a
  workbook wins over the workbook's own provider sheet, so the sample's made-up provider
  would otherwise be billed for every real workbook dropped there later. Nor is it
  copied to WORKSPACE/provider.yaml, which applies to every dataset.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from ecmx.core.calendar.periods import Period
from ecmx.core.errors import EcmxError, InputError
from ecmx.core.jobs.sample_data import SampleDataRequest, run_sample_data
from ecmx.core.web import current
from ecmx.core.web.pages import ingest
from ecmx.core.web.pages.common import config_of, period_from, recent_periods
from ecmx.core.web.security import checked_form
from ecmx.core.web.templating import render
from ecmx.core.web.uploads import (
    WORKBOOKS,
    check_size,
    free_name,
    save_upload,
    upload_form,
    uploads_dir,
)

SUMMARY_MAX_BYTES = 5 * 1024 * 1024  # read a dataset for its counts only when it is quick
_HIDDEN = {ingest.PREVIEWS, ingest.PLAN_FILES}  # uploads/ folders that hold no dataset


@dataclass(frozen=True)
class Summary:
    """The current dataset as the page shows it."""

    name: str  # relative to the workspace
    changed: str  # when the file was last written
    per_plan: list[tuple[str, int]]  # members per plan ([] when not read)
    problem: str = ""  # the one line why it could not be read
    skipped: bool = False  # too large to read on every page view


def datasets(workspace: Path) -> list[Path]:
    """The datasets kept in uploads/: workbooks, and folders holding a members.csv, newest
    first (one folder deep: the sample's folder, an uploaded CSV set)."""
    folder = uploads_dir(workspace)
    found = []
    for path in [folder, *sorted(p for p in folder.iterdir() if p.is_dir())]:
        if path.name in _HIDDEN:
            continue
        if path != folder and (path / "members.csv").is_file():
            found.append(path)
        if path == folder or not (path / "members.csv").is_file():
            found += [p for p in path.iterdir() if _is_dataset_workbook(p)]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _is_dataset_workbook(path: Path) -> bool:
    """A workbook with a members sheet: not a plan's file another page kept in uploads/.
    Its list of sheets is read from the zip without loading the workbook."""
    if path.suffix.lower() not in WORKBOOKS or not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as book:
            listed = book.read("xl/workbook.xml").decode("utf-8", "replace").lower()
    except (OSError, KeyError, zipfile.BadZipFile):
        return True  # listed, so that its one line of why it cannot be read is seen
    return 'name="members"' in listed


_summaries: dict[tuple[str, int], Summary] = {}


def summary(workspace: Path, dataset: Path) -> Summary:
    """Members per plan, read once per version of the file (cached by its modified time)."""
    stat = dataset.stat()
    key = (str(dataset), stat.st_mtime_ns)
    if key in _summaries:
        return _summaries[key]
    name = str(dataset.relative_to(workspace))
    changed = datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M")
    if dataset.is_file() and stat.st_size > SUMMARY_MAX_BYTES:
        return Summary(name, changed, [], skipped=True)
    from ecmx.core.dataset.read import read_dataset

    provider = current.provider_for(workspace, dataset)
    try:
        members = read_dataset(dataset, provider).members
    except EcmxError as exc:
        return Summary(name, changed, [], problem=str(exc))
    counts = members["plan"].fillna("(no plan)").astype(str).str.lower().value_counts()
    result = Summary(name, changed, sorted((str(k), int(v)) for k, v in counts.items()))
    if len(_summaries) > 32:  # versions of files long gone
        _summaries.clear()
    _summaries[key] = result
    return result


async def data_page(request: Request):
    config = config_of(request)
    workspace = config.workspace
    chosen = current.current_dataset(workspace)
    shown = await run_in_threadpool(summary, workspace, chosen) if chosen else None
    listed = [(str(p.relative_to(workspace)), _when(p)) for p in datasets(workspace)]
    return render(
        request,
        "data.html",
        current=shown,
        datasets=listed,
        sources=ingest.sources(config.registry),
        plan_names={p.id: p.name for p in config.registry.concrete_plans()},
        periods=recent_periods(Period.containing(datetime.now().date()).shift(-1)),
        default_period=Period.containing(datetime.now().date()).shift(-1),
    )


async def choose(request: Request):
    config = config_of(request)
    form = await checked_form(request)
    wanted = str(form.get("dataset") or "")
    known = {str(p.relative_to(config.workspace)): p for p in datasets(config.workspace)}
    if wanted not in known:
        raise InputError("choose one of the datasets listed under 'Datasets kept here'")
    current.set_current_dataset(config.workspace, known[wanted])
    return RedirectResponse("/data", 303)


async def upload(request: Request):
    check_size(request)
    config = config_of(request)
    async with upload_form(request) as form:
        files = [f for f in form.getlist("dataset") if isinstance(f, UploadFile) and f.filename]
        folder = uploads_dir(config.workspace)
        if len(files) > 1 or (files and Path(files[0].filename or "").suffix.lower() == ".csv"):
            saved = await _save_csv_set(files, folder)
        else:
            saved = await save_upload(files[0] if files else None, folder, WORKBOOKS, "dataset")
    current.set_current_dataset(config.workspace, saved)
    return RedirectResponse("/data", 303)


async def _save_csv_set(files: list[UploadFile], folder: Path) -> Path:
    """A dataset of CSV files: each table's file (and provider.yaml) in a new folder."""
    names = [Path(f.filename or "").name.lower() for f in files]
    if "members.csv" not in names:
        raise InputError(
            "a dataset of CSV files needs members.csv (and enrollments.csv, encounters.csv, "
            "...): choose all of them at once, or upload the workbook (.xlsx)"
        )
    target = free_name(folder, "dataset")
    target.mkdir()
    for file in files:
        await save_upload(file, target, (".csv", ".yaml", ".yml"), "dataset file")
    return target


async def sample(request: Request):
    config = config_of(request)
    form = await checked_form(request)
    period = period_from(form.get("period"), "the sample's month")
    folder = free_name(uploads_dir(config.workspace), "sample")
    folder.mkdir()
    job = SampleDataRequest(folder / "sample-dataset.xlsx", period=period)
    result = await run_in_threadpool(run_sample_data, job, plugins=config.plugins)
    current.set_current_dataset(config.workspace, result.written[0])
    return RedirectResponse("/data", 303)


def _when(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")


routes = [
    Route("/data", data_page),
    Route("/data/choose", choose, methods=["POST"]),
    Route("/data/upload", upload, methods=["POST"]),
    Route("/data/sample", sample, methods=["POST"]),
    *ingest.routes,
]
