"""Make the month: every plan's files for a period from the dataset (``ecmx convert``), into
WORKSPACE/outbox/<period>/, with a findings workbook beside them; then, per plan, send
them where the plan has sFTP (``ecmx send``), or say to use the plan's secure email.

The form only gathers the request; the job runs on the runner's one thread, so a second
make (or a send) on the same period waits for the first instead of racing it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset.provider import PROVIDER_FILE
from ecmx.core.errors import EcmxError, InputError
from ecmx.core.jobs.convert import ConvertRequest, ConvertResult, run_convert
from ecmx.core.jobs.send import SendRequest, run_send
from ecmx.core.jobs.status import StatusRequest, run_status
from ecmx.core.web.config import WebConfig
from ecmx.core.web.current import current_dataset, provider_for
from ecmx.core.web.pages.common import config_of, period_from, recent_periods
from ecmx.core.web.pages.outputs import outcome
from ecmx.core.web.runner import Job
from ecmx.core.web.security import checked_form
from ecmx.core.web.templating import render
from ecmx.core.web.uploads import WORKBOOKS, free_name, save_upload, upload_form


async def make_form(request: Request):
    config = config_of(request)
    period = period_from(request.query_params.get("period")) or _board_period(config)
    dataset = current_dataset(config.workspace)
    return render(
        request,
        "make.html",
        dataset=dataset,
        dataset_name=_relative(config, dataset) if dataset else "",
        period=period,
        periods=recent_periods(period),
        plans=sorted(config.registry.concrete_plans(), key=lambda p: p.id),
        today=date.today(),
    )


async def make_post(request: Request):
    async with upload_form(request) as form:
        return await _make_post(request, form)


async def _make_post(request: Request, form):
    config = config_of(request)
    upload = form.get("upload")
    if getattr(upload, "filename", None):
        dataset = await save_upload(upload, config.uploads, WORKBOOKS, "dataset workbook")
    else:
        dataset = _dataset_named(config, form.get("dataset"))
    period = period_from(form.get("period")) or _board_period(config)
    plan = str(form.get("plan") or "all")
    force = form.get("force") == "yes"
    made_on = _day(form.get("production_date"))
    name = _relative(config, dataset)
    # an unknown plan: one line, before any work
    plan_words = "every plan" if plan == "all" else config.registry.plan(plan).name
    job = request.app.state.runner.submit(
        f"Make the month {period} for {plan_words}" + (" (replacing files)" if force else ""),
        "make",
        lambda job: _make(config, job, dataset, plan, period, force, made_on),
        back=f"/make?period={period}",
        zip_name=f"{period}-{plan}",
        period=str(period),
        plan=plan,
        dataset_name=name,
        production_date=made_on.isoformat(),
    )
    return RedirectResponse(f"/jobs/{job.id}", 303)


async def send_post(request: Request):
    form = await checked_form(request)
    try:
        return _send_post(request, form)
    finally:
        await form.close()


def _send_post(request: Request, form):
    config = config_of(request)
    period = period_from(form.get("period"))
    plan = str(form.get("plan") or "")
    if period is None or not plan:
        raise InputError("send: the form lost its period or plan; make the month again")
    provider = _provider(config, _dataset_named(config, form.get("dataset")))
    name = config.registry.plan(plan).name  # an unknown plan: one line, before any work
    job = request.app.state.runner.submit(
        f"Send the files for {period} to {name}",
        "send",
        lambda job: _send(config, job, period, plan, provider),
        back=f"/make?period={period}",
        period=str(period),
        plan=plan,
        plan_name=name,
    )
    return RedirectResponse(f"/jobs/{job.id}", 303)


def _send(config: WebConfig, job: Job, period: Period, plan: str, provider: Path):
    request = SendRequest(
        config.workspace, period=period, plans=(plan,), provider=provider,
        plans_dirs=config.plans_dirs,
    )  # fmt: skip
    return run_send(request, plugins=config.plugins, progress=job.progress)


def _make(config: WebConfig, job: Job, dataset: Path, plan: str, period: Period, force: bool,
          made_on: date):  # fmt: skip
    """The job's work, on the runner's thread: convert, then ask send (a dry run, which
    connects to nothing) where each plan's files would go."""
    out_dir = config.outbox / str(period)
    out_dir.mkdir(parents=True, exist_ok=True)
    # named here, not at submit: jobs queued on the same period each get their own name
    report = free_name(out_dir, f"problems found {period}.xlsx")
    result = run_convert(
        ConvertRequest(
            dataset, plan, period, out_dir, provider=provider_for(config.workspace, dataset),
            production_date=made_on, report=report, force=force, plans_dirs=config.plans_dirs,
            workspace=config.workspace,
        ),
        plugins=config.plugins,
        progress=job.progress,
    )  # fmt: skip
    files = [*result.written, report]
    table = _files_table(result, files)
    return outcome(
        result,
        files,
        result.findings,
        files_table=table,
        report_index=len(files) - 1,
        held_back=any(row["held_back"] for row in table),
        delivery=_delivery(config, dataset, period, plan),
        plan_names={c.plan.id: c.plan.name for c in result.conversions},
    )


def _files_table(result: ConvertResult, files: list[Path]) -> list[dict]:
    """A row per plan and file: its rows, the file (its download's index) or why not."""
    index = {path.name: n for n, path in enumerate(files)}
    table = []
    for conversion, row in zip(result.conversions, result.rows, strict=True):
        name = conversion.file_name
        written = name in index and not row[3].startswith("NOT WRITTEN")
        if written:
            why = ""
        elif name is None:
            why = "not made: see the problems below"
        else:
            why = "held back: it has problems that must be fixed (see below), or make anyway"
        table.append({
            "plan": conversion.plan.name, "plan_id": conversion.plan.id, "title": row[1],
            "rows": row[2], "file": name if written else "", "index": index.get(name or ""),
            "why": why, "findings": row[4], "held_back": bool(name) and not written,
        })  # fmt: skip
    return table


def _delivery(config: WebConfig, dataset: Path, period: Period, plan: str) -> dict:
    """Per plan: where its files go ({plan: [(file, destination, outcome)]}), by a dry run of
    send; or {"": [why]} when send cannot say (no plans in provider.yaml, bad settings)."""
    try:
        dry = run_send(
            SendRequest(config.workspace, period=period, plans=() if plan == "all" else (plan,),
                        dry_run=True, provider=_provider(config, dataset),
                        plans_dirs=config.plans_dirs),
            plugins=config.plugins,
        )  # fmt: skip
    except EcmxError as exc:
        return {"": [str(exc)]}
    by_plan: dict[str, list] = {}
    for row in dry.rows:
        by_plan.setdefault(row["plan"], []).append(
            (Path(row["file"]).name, row["destination"], row["outcome"])
        )
    return by_plan


def _provider(config: WebConfig, dataset: Path) -> Path:
    """The provider profile convert used: the workspace's, else the one beside the dataset."""
    return provider_for(config.workspace, dataset) or dataset.parent / PROVIDER_FILE


def _dataset_named(config: WebConfig, name) -> Path:
    """A dataset the form names (relative to the workspace), else the current one."""
    workspace = config.workspace.resolve()
    if name:
        path = (workspace / str(name)).resolve()
        if not path.is_relative_to(workspace) or not path.exists():
            raise InputError(f"{name}: no such dataset in the workspace; upload it again")
        return path
    current = current_dataset(config.workspace)
    if current is None:
        raise InputError(
            "no dataset yet: upload your workbook on this form, or choose one on Your data"
        )
    return current.resolve()


def _relative(config: WebConfig, path: Path) -> str:
    return str(path.resolve().relative_to(config.workspace.resolve()))


def _day(value) -> date:
    text = str(value or "").strip()
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"production date {text!r}: write it as YYYY-MM-DD, e.g. {date.today()}"
        ) from None


def _board_period(config: WebConfig) -> Period:
    """The period the board shows by default: the one whose files are due next."""
    return run_status(StatusRequest(config.workspace), plugins=config.plugins).period


routes = [
    Route("/make", make_form),
    Route("/make", make_post, methods=["POST"]),
    Route("/make/send", send_post, methods=["POST"]),
]
