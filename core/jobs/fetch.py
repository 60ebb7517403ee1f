"""``fetch``: bring each plan's new files from its sFTP server into the workspace's inbox,
record them in the ledger, read the plan's responses and, with ``ingest``, merge every new
MIF, mini-MIF and TEL into one copy of the dataset.

What the ledger has is not downloaded again: a file of the plan's server with the same
name and size is skipped; one whose content the plan already sent under that name is
dropped after the download. Nothing on a server is deleted, renamed or changed. One
plan's server failing does not stop the others: its error is the plan's line in the
result, and the exit code is the worst one met.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ecmx.core.checks.findings import Finding
from ecmx.core.dataset.provider import PROVIDER_FILE, load_provider
from ecmx.core.delivery.patterns import RESPONSE, fetch_patterns, kind_of
from ecmx.core.delivery.settings import sftp_settings
from ecmx.core.delivery.sftp import RemoteFile, connect, plain_name
from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, EcmxError, InputError
from ecmx.core.jobs.common import Progress, no_progress, plugins_for
from ecmx.core.jobs.fetch_files import (
    Fetched,
    ingest_fetched,
    place_download,
    read_fetched_response,
)
from ecmx.core.ledger.inbox import already_received
from ecmx.core.ledger.workspace import MARKER
from ecmx.core.storage.locks import process_lock

FETCHED, ALREADY_HAD, NOT_MATCHED = "fetched", "already had", "not matched"
STAGING = ".ecmx-fetch"  # where a download lands before its move into the inbox
COLUMNS = ("plan", "file", "kind", "size", "outcome", "ingested")


@dataclass(frozen=True)
class FetchRequest:
    """``ecmx fetch [--plan PLAN|all] [--to DIR] [--ingest --dataset D --out OUT [--force]]``."""

    plans: tuple[str, ...] = ()  # empty, or "all": every plan of provider.yaml with sftp:
    to: Path | None = None  # files go to TO/<plan>/; default: <workspace>/inbox/<plan>/
    provider: Path = Path(PROVIDER_FILE)
    ingest: bool = False
    dataset: Path | None = None
    out: Path | None = None
    force: bool = False
    plans_dirs: tuple[Path, ...] = ()
    workspace: Path | None = None


@dataclass
class FetchResult:
    files: list[Fetched] = field(default_factory=list)
    plan_errors: dict[str, str] = field(default_factory=dict)  # plan -> its one-line error
    findings: list[Finding] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)  # plan responses: one per row
    merged: list[dict] = field(default_factory=list)  # file, new, dropped, changed, conflict
    written: list[Path] = field(default_factory=list)
    exit_code: int = EXIT_OK

    def rows(self) -> list[dict]:
        return [f.row() for f in self.files]


def run_fetch(
    request: FetchRequest, *, plugins=None, progress: Progress = no_progress
) -> FetchResult:
    """Fetch every plan asked; raises only for what stops the whole run (no workspace, a
    plan not in provider.yaml, --ingest without --dataset/--out, an output in the way)."""
    if request.workspace is None:
        raise InputError(
            "ecmx fetch records what it fetched in a workspace's ledger, and there is none "
            "here: run `ecmx init DIR` (or pass --workspace DIR)"
        )
    _, registry = plugins_for(request, plugins)
    provider = load_provider(request.provider)
    plan_ids = _plans(request, provider, registry)
    if request.ingest:
        _check_ingest(request)
    result = FetchResult()
    # One fetch per workspace at a time: two would both download a new file and record it.
    lock = request.workspace / MARKER / "fetch.lock"
    with process_lock(lock, "is fetching into this workspace", wait_seconds=5.0):
        for plan_id in plan_ids:
            try:
                _fetch_plan(request, registry, provider, plan_id, result, progress)
            except EcmxError as exc:
                result.plan_errors[plan_id] = str(exc)
                result.exit_code = max(result.exit_code, exc.exit_code)
        if request.ingest:
            ingest_fetched(request, registry, result, progress)
    if any(f.severity == "error" for f in result.findings):
        result.exit_code = max(result.exit_code, EXIT_FINDINGS)
    return result


def _plans(request: FetchRequest, provider, registry) -> list[str]:
    configured = sorted((provider.details.get("plans") or {}).keys())
    asked = [p for p in request.plans if p != "all"]
    if not asked:
        with_sftp = [p for p in configured if provider.plan(p).get("sftp")]
        if not with_sftp:
            raise InputError(
                f"{request.provider}: no plan has sftp settings; add plans.<id>.sftp "
                "(docs/delivery.md)"
            )
        asked = with_sftp
    for plan_id in asked:
        registry.plan(plan_id)  # an unknown plan: its one line, with the known ones
    return list(dict.fromkeys(asked))


def _check_ingest(request: FetchRequest) -> None:
    if request.dataset is None or request.out is None:
        raise InputError(
            "fetch --ingest merges into a copy of your dataset: give --dataset and --out"
        )
    from ecmx.core.jobs.ingest import IngestRequest, check_ingest_targets

    check_ingest_targets(IngestRequest(
        request.dataset, "", request.dataset, request.out, force=request.force,
        provider=request.provider,
    ))  # fmt: skip


def _fetch_plan(request, registry, provider, plan_id: str, result: FetchResult, progress) -> None:
    settings = sftp_settings(provider, plan_id, request.workspace)
    plan = registry.plan(plan_id)
    inbound = [k for k in plan.files if registry.file_kinds[k].direction == "from_plan"]
    patterns = fetch_patterns(plan, provider, inbound)
    folder = (request.to or Path(request.workspace) / "inbox") / plan_id
    progress(f"{plan_id}: connecting to {settings.where}", 0, 0)
    with connect(settings) as session:
        remote = session.list(settings.fetch_from)
        for done, file in enumerate(remote, start=1):
            progress(f"{plan_id}: fetching", done, len(remote), file.name)
            kind = kind_of(file.name, patterns)
            entry = Fetched(plan_id, file.name, kind.kind if kind else "", file.size, NOT_MATCHED)
            result.files.append(entry)
            if kind is None:
                entry.detail = "no pattern matches"
                continue
            entry.production_date = kind.production_date(file.name) or _day(file)
            if already_received(request.workspace, plan_id, file.name, file.size):
                entry.outcome = ALREADY_HAD
                continue
            try:
                staging = _staging(folder)
                (staging / plain_name(file.name)).unlink(missing_ok=True)  # a killed run's
                transfer = session.download(settings.fetch_from, file.name, staging)
                place_download(request.workspace, entry, Path(transfer.path), folder)
            except EcmxError as exc:
                entry.outcome, entry.detail = "failed", str(exc)
                result.exit_code = max(result.exit_code, exc.exit_code)
                continue
            if entry.outcome == FETCHED and entry.kind == RESPONSE:
                read_fetched_response(request.workspace, plan, entry, result)
    with contextlib.suppress(OSError):
        (folder / STAGING).rmdir()  # when empty: every download went to its place


def _staging(folder: Path) -> Path:
    """A download lands in ``folder/.ecmx-fetch/`` first: never beside, or over, a file."""
    staging = folder / STAGING
    try:
        staging.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{staging}: cannot be made ({exc.strerror or exc})") from None
    return staging


def _day(file: RemoteFile) -> date | None:
    return datetime.fromtimestamp(file.mtime).date() if file.mtime else None
