"""``fetch``'s work on each file it downloads: put it in the inbox (never over another
file), record it, read a plan response, and merge the new MIFs, mini-MIFs and TELs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ecmx.core.checks.codes import P003
from ecmx.core.delivery.patterns import RESPONSE
from ecmx.core.errors import OutputError
from ecmx.core.ledger.inbox import UNMATCHED, mark_ingested, received_with_hash, record_answers
from ecmx.core.ledger.records import record_received, sha256_of


@dataclass
class Fetched:
    """One file of a plan's server, and what fetch did with it."""

    plan: str
    name: str  # its name on the server
    kind: str  # mif, mini_mif, tel, response; "" when no pattern matches
    size: int
    outcome: str  # fetched | already had | not matched | failed
    detail: str = ""
    path: Path | None = None  # where it is now (fetched)
    received_id: int | None = None  # its files_received row
    production_date: date | None = None  # read from its name, else the server's date
    ingested: bool = False

    def row(self) -> dict:
        outcome = f"{self.outcome}: {self.detail}" if self.detail else self.outcome
        return {"plan": self.plan, "file": self.name, "kind": self.kind, "size": self.size,
                "outcome": outcome, "ingested": "yes" if self.ingested else "",
                "path": str(self.path or "")}  # fmt: skip


def place_download(workspace: Path, entry: Fetched, staged: Path, folder: Path) -> None:
    """The downloaded ``staged`` file into ``folder`` (a dated subfolder when a different
    file has its name there), recorded; or dropped when the plan sent the same before."""
    sha = sha256_of(staged)
    if received_with_hash(workspace, entry.plan, sha, entry.name) is not None:
        staged.unlink()
        entry.outcome, entry.detail = "already had", "same content as a file fetched before"
        return
    target = folder / entry.name
    if target.exists() and target.is_file() and sha256_of(target) == sha:
        staged.unlink()  # the same file is there already (copied by hand): recorded as it is
    else:
        target = _link_free(staged, folder, entry.name)
        if target.parent != folder:
            entry.detail = f"kept in {target.parent.name}/: a different {entry.name} is in {folder}"
    entry.received_id = record_received(
        workspace, entry.plan, entry.kind, target, source="sftp",
        received=entry.production_date, remote_name=entry.name,
    )  # fmt: skip
    entry.path, entry.outcome = target, "fetched"


def _link_free(staged: Path, folder: Path, name: str) -> Path:
    """``staged`` linked to ``folder/name``, else ``folder/<today>/name``, else a folder
    named by the time: the first that is free; never over a file."""
    now = datetime.now()
    candidates = [folder, folder / now.date().isoformat(), folder / now.strftime("%Y-%m-%dT%H%M%S")]
    candidates += [folder / f"{now:%Y-%m-%dT%H%M%S}-{n}" for n in range(2, 100)]
    try:
        for place in candidates:
            place.mkdir(parents=True, exist_ok=True)
            try:
                os.link(staged, place / name)
                return place / name
            except FileExistsError:
                continue
    except OSError as exc:
        raise OutputError(f"cannot write {folder / name}: {exc.strerror or exc}") from None
    finally:
        staged.unlink(missing_ok=True)
    raise OutputError(f"{folder / name}: no free name to keep it under; move older copies away")


def read_fetched_response(workspace: Path, plan, entry: Fetched, result) -> None:
    """A response file just fetched: each row recorded against the file it names."""
    from ecmx.core.delivery.responses import read_response

    assert entry.path is not None and entry.received_id is not None
    answers, findings = read_response(entry.path, plan.delivery.responses, plan.id)
    result.findings += findings
    record_answer_rows(workspace, plan.id, entry.received_id, entry.path, answers, result)


def record_answer_rows(workspace, plan_id: str, response_id: int, path: Path, answers, result):
    """Record ``answers``; one row each in ``result.answers``; a finding for a row that
    names no file sent (P003)."""
    for answer, outcome, _ in record_answers(workspace, plan_id, response_id, answers):
        result.answers.append({
            "plan": plan_id, "response": path.name, "row": answer.row, "file": answer.file,
            "status": answer.status, "reason": answer.reason, "outcome": outcome,
        })  # fmt: skip
        if outcome == UNMATCHED:
            result.findings.append(P003.finding(
                f"{answer.file} ({answer.status}): the ledger shows no such file sent to {plan_id}",
                plan=plan_id, kind=RESPONSE, file=str(path), row=answer.row,
            ))  # fmt: skip


def ingest_fetched(request, registry, result, progress) -> None:
    """Every MIF, mini-MIF and TEL just fetched, oldest first, merged into one copy of the
    dataset at ``request.out``; ``ingested_at`` set for exactly the files merged."""
    from ecmx.core.dataset.read import read_dataset
    from ecmx.core.dataset.write import write_dataset
    from ecmx.core.inbound.batch import Inbound, merge_files
    from ecmx.core.jobs.ingest import UNREADABLE_DATASET_CELLS

    new = [f for f in result.files if f.outcome == "fetched" and f.kind and f.kind != RESPONSE]
    if not new:
        return
    new.sort(key=lambda f: (f.production_date or date.max, f.name))
    progress(f"reading {request.dataset}", 0, 0)
    dataset = read_dataset(request.dataset, request.provider)
    unreadable = [f for f in dataset.findings if f.code in UNREADABLE_DATASET_CELLS]
    if unreadable and not request.force:
        result.findings += unreadable  # merged, they would be written blank
        return
    items = [Inbound(registry.plan(f.plan), registry.kind(f.kind), f.path,
                     f.production_date or date.today(), f) for f in new]  # fmt: skip
    progress("merging", 0, 0)
    batch = merge_files(dataset, items, readers=registry.readers.values())
    result.findings += batch.findings
    if not batch.merged:
        return
    write_dataset(batch.dataset.tables, dataset.provider.details, request.dataset, request.out,
                  force=request.force)  # fmt: skip
    result.written.append(request.out)
    mark_ingested(request.workspace, [item.key.received_id for item, _ in batch.merged])
    for item, merge in batch.merged:
        item.key.ingested = True
        counts = {c: merge.count(c) for c in ("new", "dropped", "changed", "conflict")}
        result.merged.append({"plan": item.plan.id, "file": item.key.name, **counts})
