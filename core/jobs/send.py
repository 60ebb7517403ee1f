"""``send``: put the files ecmx made into each plan's sFTP folder, and record every attempt.

What goes: with a period, for each plan (those named, or every plan in provider.yaml with
``sftp:``) the newest file made (the ledger's ``files_made``) of each kind that goes to
the plan (RTF, OTF/IOT; never an 837P: claims go to a clearinghouse); or the FILEs named,
each one the ledger shows ecmx made. Refused, one line each: a missing file, a file whose
bytes changed since ecmx made it, a file with error findings, a file another live send is
sending. Not sent again: a (plan, kind, period) the ledger shows sent, unless ``resend``.
A late file is sent with a C001/C002 warning. A name already taken on the server (a send
killed after the rename, before the ledger knew; a copy put there by hand) is read back:
the same bytes are recorded sent without uploading, other bytes are refused, not replaced. ``dry_run`` connects to nothing and records
nothing. A failure at one plan's server does not stop the others (``ledger/sends.py``
says what each attempt records).
"""

from __future__ import annotations

import posixpath
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset.provider import PROVIDER_FILE, Provider, load_provider
from ecmx.core.delivery.settings import SftpSettings, sftp_settings
from ecmx.core.delivery.sftp import RemoteExists, SftpSession, connect
from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, EcmxError, InputError, OutputError
from ecmx.core.jobs.common import Progress, no_progress, plugins_for
from ecmx.core.ledger import sends
from ecmx.core.ledger.db import open_ledger
from ecmx.core.ledger.records import sha256_of

COLUMNS = ("plan", "kind", "period", "file", "destination", "outcome", "checked")
IDENTICAL = "already on the server (identical)"  # found there, read back: nothing uploaded


@dataclass(frozen=True)
class SendRequest:
    """``ecmx send [FILE ...] [--period P] [--plan PLAN|all] [--resend] [--dry-run]
    [--today DAY] [--provider FILE]``: FILEs, or a period (with plans), not both."""

    workspace: Path | None
    files: tuple[Path, ...] = ()
    period: Period | None = None
    plans: tuple[str, ...] = ()  # plan ids; empty or "all": every plan with sftp settings
    resend: bool = False  # send again what was sent (a correction), replacing the remote file
    dry_run: bool = False  # say what would go where; connect to nothing, record nothing
    today: date | None = None  # judge lateness as of this day; default: today
    provider: Path = Path(PROVIDER_FILE)
    plans_dirs: tuple[Path, ...] = ()


@dataclass
class Item:
    """One file to send and what became of it."""

    path: Path
    plan: str = ""
    kind: str = ""
    period: str = ""
    made: sqlite3.Row | None = None
    settings: SftpSettings | None = None
    outcome: str = ""  # sent | already sent | IDENTICAL | refused | failed | would send; ""
    why: str = ""
    checked: str = ""
    code: int = EXIT_OK  # the exit code this file calls for

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def destination(self) -> str:
        if self.settings is None:  # a dry run's plan without sFTP: the seeds' fallback
            return "secure email" if self.outcome == "would send" else ""
        where = posixpath.join(self.settings.send_to, self.name)
        return f"{self.settings.where}:{where}"

    def refuse(self, why: str) -> None:
        self.outcome, self.why, self.code = "refused", why, EXIT_FINDINGS

    def fail(self, exc: EcmxError) -> None:
        self.outcome, self.why, self.code = "failed", str(exc), max(exc.exit_code, 2)

    def record(self) -> dict:
        outcome = f"{self.outcome}: {self.why}" if self.outcome in ("refused", "failed") else (
            f"{self.outcome} ({self.why})" if self.outcome == "would send" else self.outcome
        )  # fmt: skip
        return {"plan": self.plan, "kind": self.kind, "period": self.period,
                "file": str(self.path), "destination": self.destination, "outcome": outcome,
                "checked": self.checked}  # fmt: skip


@dataclass
class SendResult:
    workspace: Path
    columns: tuple[str, ...]
    rows: list[dict]  # one per file (COLUMNS), in the order handled
    problems: list[str]  # one line per file refused or failed, naming it and why
    warnings: list[str]  # C001/C002: a late file (sent all the same)
    notes: list[str]  # already sent, nothing made for a plan, nothing sent
    sent: int
    dry_run: bool
    exit_code: int = EXIT_OK


def run_send(request: SendRequest, plugins=None, progress: Progress = no_progress) -> SendResult:
    workspace = _require_workspace(request)
    _check_request(request)
    _, registry = plugins_for(request, plugins)
    provider = load_provider(request.provider)
    since = sends.latest_id(workspace)
    notes: list[str] = []
    with open_ledger(workspace) as conn:
        if request.files:
            items = _named_files(conn, provider, registry, request.files, request.dry_run)
        else:
            items = _period_files(conn, provider, registry, request, notes)
        for item in items:
            if not item.outcome:
                _vet(conn, item, request.resend)
    pending = [item for item in items if not item.outcome]
    warnings = [line for item in pending for line in _lateness(registry, item, request.today)]
    if request.dry_run:
        with open_ledger(workspace) as conn:
            for item in pending:
                _would_send(conn, item, request.resend)
    else:
        _send_all(workspace, pending, request.resend, since, progress)
    return _result(workspace, items, warnings, notes, request.dry_run)


def _require_workspace(request: SendRequest) -> Path:
    if request.workspace is None:
        raise InputError(
            "no ecmx workspace here: ecmx send sends the files the ledger shows it made; run "
            "`ecmx init DIR` and convert with --workspace DIR (or $ECMX_WORKSPACE, or inside DIR)"
        )
    return request.workspace


def _check_request(request: SendRequest) -> None:
    if request.files and (request.period is not None or request.plans):
        raise InputError("send: give FILEs, or --period (with --plan), not both")
    if not request.files and request.period is None:
        raise InputError("send: give --period YYYY-MM (and --plan PLAN|all) or FILEs")


def _to_plan(registry, kind: str) -> bool:
    found = registry.file_kinds.get(kind)
    return found is not None and found.direction == "to_plan"


def _period_files(conn, provider: Provider, registry, request, notes: list[str]) -> list[Item]:
    """The newest file made per to-plan kind, for each plan asked (with sftp settings)."""
    period = str(request.period)
    plan_ids = list(request.plans)
    if not plan_ids or "all" in plan_ids:
        # a dry run also lists the plans without sFTP: their files go by secure email
        plan_ids = sorted(
            p
            for p in provider.get("plans") or {}
            if request.dry_run or provider.plan(p).get("sftp")
        )
        if not plan_ids:
            raise InputError(
                f"{provider.source or 'provider profile'}: no plan has sftp settings; add "
                "plans.<id>.sftp (docs/delivery.md)"
            )
    items = []
    for plan_id in dict.fromkeys(plan_ids):
        settings = _settings(provider, plan_id, request.dry_run)
        plan = registry.plan(plan_id)
        kinds = tuple(kind for kind in plan.files if _to_plan(registry, kind))
        made = sends.newest_made(conn, plan_id, period, kinds)
        missing = [k.upper() for k in registry.monthly_kinds(plan, provider) if k not in {r["kind"] for r in made}]  # fmt: skip
        if missing:
            notes.append(
                f"{plan_id}: no {', '.join(missing)} made for {period} in this workspace "
                f"(make it with ecmx --workspace DIR convert ... --period {period})"
            )
        items += [_item(row, settings) for row in made]
    return items


def _settings(provider: Provider, plan_id: str, dry_run: bool) -> SftpSettings | None:
    """The plan's sftp settings; None for a dry run of a plan that has none (secure email)."""
    if dry_run and not provider.plan(plan_id).get("sftp"):
        return None
    return sftp_settings(provider, plan_id)


def _item(row, settings: SftpSettings | None) -> Item:
    return Item(Path(row["path"]), row["plan"], row["kind"], row["period"], row, settings)


def _named_files(
    conn, provider: Provider, registry, files: Iterable[Path], dry_run: bool
) -> list[Item]:
    items = []
    for path in dict.fromkeys(Path(f).resolve() for f in files):
        row = sends.made_at(conn, path)
        if row is None:
            item = Item(path)
            item.refuse(
                "not made by ecmx in this workspace; run ecmx convert with --workspace"
                if path.exists() else "does not exist"
            )  # fmt: skip
        elif not _to_plan(registry, row["kind"]):
            item = _item(row, None)
            item.refuse(
                f"a {row['kind'].upper()} file is not sent to the plan's sFTP folder "
                "(claims go to a clearinghouse)"
            )
        else:
            item = _item(row, None)
            try:
                item.settings = _settings(provider, row["plan"], dry_run)
            except InputError as exc:
                item.refuse(str(exc))
        items.append(item)
    return items


def _vet(conn, item: Item, resend: bool) -> None:
    """Refuse a missing, changed or erroneous file; mark one sent already (no ``resend``)."""
    made = item.made
    assert made is not None
    if not item.path.is_file():
        item.refuse("missing: moved or deleted since ecmx made it; run convert again")
    elif sha256_of(item.path) != made["sha256"]:
        item.refuse("changed since ecmx made it; run convert again")
    elif made["errors"]:
        errors = made["errors"]
        item.refuse(
            f"made with {errors} error finding{'' if errors == 1 else 's'}; fix "
            f"{'it' if errors == 1 else 'them'} and convert again"
        )
    elif not resend:
        sent = sends.last_sent(conn, item.plan, item.kind, item.period)
        if sent is not None:
            item.outcome = "already sent"
            item.why = (
                f"already sent {sent['remote_name']} on {sent['finished_at'][:10]}; "
                "to send a correction use --resend"
            )


def _lateness(registry, item: Item, today: date | None) -> list[str]:
    """C001 (past due, still correctable) or C002 (the window closed), as plain lines."""
    from ecmx.core.calendar.deadlines import lateness_findings
    from ecmx.core.calendar.schedule import due_dates

    plan, period = registry.plan(item.plan), Period.parse(item.period)
    findings = lateness_findings(plan, item.kind, period, today or date.today())
    if not findings:
        return []
    dates = due_dates(plan, [period])
    due = max(d.date for d in dates if d.event.role == "due" and d.event.file == item.kind)
    cutoffs = [d.date for d in dates if d.event.role == "cutoff"]
    what = f"{item.name}: {plan.name}'s {item.kind.upper()} for {period}"
    if findings[0].code == "C002":
        return [
            f"C002 {what}: the correction window closed {max(cutoffs)}: {plan.name} will "
            "refuse this file, unless it agreed to take it late"
        ]
    until = (
        f"corrections accepted until {max(cutoffs)}"
        if cutoffs
        else f"ask {plan.name} whether a late file is still accepted"
    )
    return [f"C001 {what}: past due (due {due}); {until}"]


def _would_send(conn, item: Item, resend: bool) -> None:
    """What a send would do: put a new file, or replace the copy sent (``resend``)."""
    item.outcome, item.why = "would send", "new"
    if item.settings is None:
        item.why = "no sftp settings for the plan"
        return
    sent = sends.last_sent(conn, item.plan, item.kind, item.period) if resend else None
    if sent is None:
        return
    when = (sent["finished_at"] or sent["sent_at"])[:10]
    if (sent["destination"], sent["remote_name"]) == (_folder(item), item.name):
        item.why = f"replacing the copy sent {when}"
    else:
        item.why = f"new; {sent['remote_name']} sent {when} stays"


def _folder(item: Item) -> str:
    settings = item.settings
    assert settings is not None
    return f"{settings.where}:{settings.send_to}"


def _send_all(workspace: Path, items: list[Item], resend: bool, since: int, progress) -> None:
    """Each plan's files over one connection; a failure at one plan leaves the others."""
    by_plan: dict[str, list[Item]] = {}
    for item in items:
        by_plan.setdefault(item.plan, []).append(item)
    for plan_items in by_plan.values():
        _send_plan(workspace, plan_items, resend, since, progress)


def _send_plan(workspace: Path, items: list[Item], resend: bool, since: int, progress):
    claimed: list[tuple[Item, int]] = []
    try:
        for item in items:
            got = sends.claim(workspace, item.made, _folder(item), item.name, resend=resend,
                              since=since)  # fmt: skip
            if got.send_id is not None:
                claimed.append((item, got.send_id))
            elif got.already is not None:
                item.outcome = "already sent"
                item.why = (
                    f"{item.name}: sent {got.already['remote_name']} meanwhile, by another ecmx run"
                )
            else:
                item.refuse(f"being sent by {got.holder}; wait for it to end, then run again")
        if claimed:
            _upload_claimed(workspace, claimed, resend, progress)
    except BaseException:  # Ctrl-C, a signal: no claim of ours stays 'sending'
        for _, send_id in claimed:
            sends.finish(workspace, send_id, sends.INTERRUPTED, detail="stopped before the end")
        raise


def _upload_claimed(workspace: Path, claimed, resend: bool, progress) -> None:
    settings = claimed[0][0].settings
    progress(f"connecting to {settings.where}", 0, 0)
    try:
        session = connect(settings)
    except EcmxError as exc:
        for item, send_id in claimed:
            _failed(workspace, item, send_id, exc)
        return
    with session:
        for item, send_id in claimed:
            progress(f"sending {item.name} to {item.destination}", 0, 0, item.name)
            _upload(workspace, session, item, send_id, resend)


def _upload(workspace: Path, session: SftpSession, item: Item, send_id: int, resend: bool):
    settings, made = item.settings, item.made
    assert settings is not None and made is not None
    try:
        sent = session.upload(item.path, settings.send_to, item.name, overwrite=resend)
    except RemoteExists:
        _found_there(workspace, session, item, send_id)
        return
    except EcmxError as exc:
        _failed(workspace, item, send_id, exc)
        return
    sends.finish(workspace, send_id, sends.SENT, size=sent.size, sha256=made["sha256"],
                 checked=sent.checked)  # fmt: skip
    item.outcome, item.checked = "sent", sent.checked


def _found_there(workspace: Path, session: SftpSession, item: Item, send_id: int) -> None:
    """The name is taken on the server (a send killed after the rename, before the ledger
    knew; a copy put there by hand): read it back. The same size and sha256: recorded
    sent, nothing uploaded; other bytes: refused, nothing replaced, recorded failed."""
    settings, made = item.settings, item.made
    assert settings is not None and made is not None
    try:
        size, digest = session.digest(settings.send_to, item.name)
    except EcmxError as exc:
        _failed(workspace, item, send_id, exc)
        return
    if (size, digest) != (made["size"], made["sha256"]):
        _failed(workspace, item, send_id, OutputError(
            f"a different file {item.name} is on the server ({item.destination} exists "
            "already); not replaced: a correction is --resend"
        ))  # fmt: skip
        return
    sends.finish(workspace, send_id, sends.SENT, size=size, sha256=digest, checked="sha256",
                 detail="found already on the server, identical: not uploaded")  # fmt: skip
    item.outcome, item.checked = IDENTICAL, "sha256"


def _failed(workspace: Path, item: Item, send_id: int, exc: EcmxError) -> None:
    sends.finish(workspace, send_id, sends.FAILED, detail=str(exc))
    item.fail(exc)


def _result(workspace: Path, items: list[Item], warnings, notes, dry_run: bool) -> SendResult:
    problems = [f"{item.name}: {item.why}" for item in items if item.outcome in
                ("refused", "failed")]  # fmt: skip
    notes = notes + [item.why for item in items if item.outcome == "already sent"]
    sent = sum(item.outcome == "sent" for item in items)
    if not dry_run and not sent and not problems:
        notes.append("nothing sent" + (": everything was sent already" if items and all(
            item.outcome in ("already sent", IDENTICAL) for item in items) else ""))  # fmt: skip
    return SendResult(
        workspace, COLUMNS, [item.record() for item in items], problems, warnings, notes,
        sent, dry_run, max((item.code for item in items), default=EXIT_OK),
    )  # fmt: skip
