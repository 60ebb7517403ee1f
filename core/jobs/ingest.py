"""``ingest``: merge a plan's MIF, mini-MIF, TEL or CSASF into a copy of the dataset, and say what changed.

The dataset is never modified: the merge is written to ``out``. Cells that could
not be read (in the plan file, or in the dataset) would be written blank, so
nothing is written while there are any, unless ``force``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.checks.findings import ERROR, INFO, Finding
from ecmx.core.dataset.read import read_dataset
from ecmx.core.dataset.write import dataset_file_names, write_dataset
from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, OutputError
from ecmx.core.files.read import read_plan_file
from ecmx.core.inbound.merge import Merge, merge_plan_file
from ecmx.core.jobs.common import Progress, no_progress, plugins_for
from ecmx.core.ledger.db import check_ledger
from ecmx.core.storage.atomic import refuse_existing
from ecmx.core.storage.limits import regular_file
from ecmx.core.storage.targets import (
    check_file_target,
    dataset_inputs,
    refuse_inputs,
    refuse_shared_names,
)

# The dataset's findings for cells it could not read: a merged copy would hold them blank.
UNREADABLE_DATASET_CELLS = frozenset({"D102", "D103", "D104", "D105", "D106", "D107"})


@dataclass(frozen=True)
class IngestRequest:
    """``ecmx ingest FILE --plan PLAN --dataset DATASET --out OUT [options]``."""

    file: Path
    plan: str
    dataset: Path
    out: Path  # the merged dataset: a workbook, or a folder for a CSV folder
    kind: str = "mif"  # mif, mini_mif, tel or csasf
    report: Path | None = None  # .json, .csv or .xlsx
    provider: Path | None = None  # default: beside the dataset
    received: date | None = None  # the day the file came; default: today
    show_values: bool = False
    force: bool = False  # replace existing outputs; write despite unreadable cells
    plans_dirs: tuple[Path, ...] = ()
    workspace: Path | None = None  # record the file read, and its merge, in its ledger


@dataclass(frozen=True)
class IngestResult:
    # The plan file's findings and the unreadable cells, each once, no notes; None when
    # neither file had a finding at all (not even a note).
    findings: list[Finding] | None
    unreadable: int  # cells that could not be read (nothing written unless force)
    merge: Merge | None  # what changed; None when nothing was written
    meta: dict  # plan, kind, file, received (the merge report's header); command, file
    written: list[Path]  # out, and the report when asked for
    exit_code: int  # 1 (EXIT_FINDINGS) when cells could not be read


def run_ingest(
    request: IngestRequest, *, plugins=None, progress: Progress = no_progress
) -> IngestResult:
    """Check every target, read both files, merge and write. Raises ``EcmxError`` subclasses."""
    _, registry = plugins_for(request, plugins)
    plan, kind = registry.plan(request.plan), registry.kind(request.kind)
    inbound = [k for k in plan.files if registry.file_kinds[k].direction == "from_plan"]
    if kind.name not in inbound:
        raise OutputError(
            f"{plan.name} sends no {kind.name} file; its inbound files: {', '.join(inbound)}"
        )
    regular_file(request.file, f"{kind.name} file from {plan.name}")
    check_ingest_targets(request)
    check_ledger(request.workspace)
    dataset = read_dataset(request.dataset, request.provider)
    received = request.received or date.today()
    file = plan.files[kind.name]
    progress(f"reading {request.file.name}", 0, 0)
    layout = file.layout_for(Period.containing(received))
    plan_file = read_plan_file(
        request.file, plan, file, layout,
        one_row_per_member=kind.one_row_per_member, readers=registry.readers.values(),
    )  # fmt: skip
    # What would be lost by merging: cells of the plan file, or of the dataset, that
    # could not be read (the rewritten dataset would hold them blank).
    problems = [f for f in plan_file.findings if f.severity == ERROR]
    problems += [f for f in dataset.findings if f.code in UNREADABLE_DATASET_CELLS]
    shown = None
    if problems or plan_file.findings:
        shown = list(dict.fromkeys(f for f in plan_file.findings + problems if f.severity != INFO))
    meta = {"plan": plan.id, "kind": kind.name, "file": request.file.name,
            "received": received.isoformat()}  # fmt: skip
    exit_code = EXIT_FINDINGS if problems else EXIT_OK
    if problems and not request.force:
        _record(request, plan.id, kind.name, ingested=False)
        return IngestResult(shown, len(problems), None, meta, [], exit_code)
    merge = merge_plan_file(dataset, plan, kind, plan_file, received)
    write_dataset(
        merge.tables, dataset.provider.details, request.dataset, request.out, force=request.force
    )
    written = [request.out]
    if request.report:
        from ecmx.core.reports.merge_report import write_merge_report

        write_merge_report(
            merge, meta, request.report, force=request.force, show_values=request.show_values
        )
        written.append(request.report)
    _record(request, plan.id, kind.name, ingested=True)
    return IngestResult(shown, len(problems), merge, meta, written, exit_code)


def _record(request: IngestRequest, plan: str, kind: str, *, ingested: bool) -> None:
    """The file read, in the workspace's ledger (when it came; merged now, or not)."""
    if request.workspace is not None:
        from ecmx.core.ledger.records import record_received

        record_received(
            request.workspace, plan, kind, request.file, received=request.received,
            ingested=ingested,
        )  # fmt: skip


def check_ingest_targets(request: IngestRequest) -> None:
    """Before reading anything: the report's format, no output is an input or another output,
    every folder exists, nothing is replaced without ``force``."""
    from ecmx.core.reports.merge_report import check_merge_report_path

    dataset_path, out_path, report_path = Path(request.dataset), request.out, request.report
    if report_path:
        check_merge_report_path(report_path)
    inputs = [request.file, dataset_path, *dataset_inputs(dataset_path, request.provider)]
    outputs = [("--out", out_path), ("--report", report_path)]
    if dataset_path.is_dir():  # the merged dataset is a folder: each file it will hold
        outputs += [("--out", out_path / name) for name in dataset_file_names()]
    refuse_shared_names(outputs)
    refuse_inputs([p for _, p in outputs], inputs)
    check_file_target(report_path)
    if not dataset_path.is_dir():
        check_file_target(out_path)
    elif out_path.exists() and not out_path.is_dir():
        raise OutputError(
            f"{out_path} is a file: the dataset is a CSV folder, so --out is a folder"
        )
    for _, path in outputs[:2]:
        if path is not None:
            refuse_existing(path, request.force)
