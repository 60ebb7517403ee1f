"""``convert``: a dataset in, each plan's files for a period out.

Every plan and kind is converted and checked, and every output target checked,
before the first file is written; a file with error findings is held back
unless ``force``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.checks.findings import ERROR, INFO, WARNING, Finding
from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, ConfigError, OutputError
from ecmx.core.files.convert import Conversion, convert, findings_for_run
from ecmx.core.files.write import estimated_bytes, sheet_name_problem, write_plan_files
from ecmx.core.jobs.common import (
    Progress,
    check_report_target,
    no_progress,
    plans_with_members,
    plugins_for,
    read_for_plans,
    report_findings,
)
from ecmx.core.ledger.db import check_ledger
from ecmx.core.storage.targets import check_batch, dataset_inputs

log = logging.getLogger("ecmx")


@dataclass(frozen=True)
class ConvertRequest:
    """``ecmx convert DATASET --plan PLAN --period PERIOD --out OUT_DIR [options]``."""

    dataset: Path
    plan: str  # a plan id, or "all"
    period: Period
    out_dir: Path
    # a kind name or alias; "all": the files the provider sends (the CSPRTF only to the
    # plans provider.yaml says community_supports: true for)
    kind: str = "all"
    provider: Path | None = None  # default: beside the dataset
    production_date: date | None = None  # default: today
    report: Path | None = None  # .json, .csv, .html or .xlsx
    show_values: bool = False
    force: bool = False  # write files with error findings; replace existing files
    plans_dirs: tuple[Path, ...] = ()
    workspace: Path | None = None  # record each file written in its ledger (None: nothing)


@dataclass(frozen=True)
class ConvertResult:
    conversions: list[Conversion]  # one per (plan, kind) with members, in plan order
    written: list[Path]  # the files written, in the same order
    findings: list[Finding]  # every finding once, notes left out (what the report holds)
    rows: list[tuple[str, ...]]  # plan, kind, rows, file (or why not), findings
    notes: list[str]  # plans skipped for having no members; the report written
    details: list[Finding]  # the dataset's notes (info), for a verbose run
    meta: dict  # command, dataset, period, plan: the report's header
    exit_code: int  # 0, or 1 (EXIT_FINDINGS) when a file or the dataset has errors
    title: str = field(default="")  # the summary table's title


def run_convert(
    request: ConvertRequest, *, plugins=None, progress: Progress = no_progress
) -> ConvertResult:
    """Convert, then write. ``plugins``: a ``(plugin_manager, registry)`` pair to reuse
    (default: made for ``request.plans_dirs``). Raises ``EcmxError`` subclasses."""
    pm, registry = plugins_for(request, plugins)
    jobs = _jobs(registry, request.plan, request.kind)
    inputs = dataset_inputs(request.dataset, request.provider)
    check_report_target(request.report, request.force, inputs)
    check_ledger(request.workspace)
    dataset = read_for_plans(registry, request.dataset, request.provider, progress)
    plan_ids = {plan.id for plan, _ in jobs}
    jobs, notes = _jobs_for(registry, dataset, jobs, every_month=request.kind == "all")
    # The dataset's problems the run reports even when no file is made: a member with
    # a blank or unknown plan is in no file and must still be named.
    dataset_findings = findings_for_run(dataset, registry, plan_ids)
    made = request.production_date or date.today()
    results = []
    progress("converting", 0, len(jobs))
    for plan, kind in jobs:
        results.append(convert(pm, registry, dataset, plan, kind, request.period, made))
        progress("converting", len(results), len(jobs), f"{plan.id} {kind}")
    empty = _empty_kinds(registry, results, request.period)  # id(conversion) -> its note
    notes += list(empty.values())
    to_write = [
        r
        for r in results
        if r.file_name and (request.force or not r.blocked) and id(r) not in empty
    ]
    written = _write(request, results, to_write, inputs, progress, registry.writers.values())
    for result, path in zip(to_write, written, strict=True):
        if result.file.template is not None:  # a filled template is read back and checked
            result.findings += _filled_findings(result, path)
    if request.workspace is not None:
        _record(request.workspace, request, to_write, written, made)
    meta = {
        "command": "convert",
        "dataset": str(request.dataset),
        "period": str(request.period),
        "plan": request.plan,
    }
    findings = dataset_findings + [f for r in results for f in r.findings]
    unique = report_findings(
        findings, meta, request.report, request.show_values, request.force, progress
    )
    failed = any(r.blocked for r in results) or any(f.severity == ERROR for f in dataset_findings)
    return ConvertResult(
        conversions=results,
        written=written,
        findings=unique,
        rows=[_row(r, any(r is w for w in to_write), id(r) in empty) for r in results],
        notes=notes + ([f"wrote {request.report}"] if request.report else []),
        details=[f for f in dataset.findings if f.severity == INFO],
        meta=meta,
        exit_code=EXIT_FINDINGS if failed else EXIT_OK,
        title=f"ecmx convert {request.period} -> {request.out_dir}",
    )


def _jobs_for(registry, dataset, jobs: list[tuple], every_month: bool) -> tuple[list, list[str]]:
    """The jobs this dataset gets, and the notes saying why others were dropped. A plan
    without members gets no files (header-only files would tell the plan the provider has
    no members): said once, for --plan all and one plan alike. The month's files
    (``every_month``) are the provider's: the CSPRTF only for a Community Supports one."""
    present, notes = plans_with_members(dataset, {plan.id for plan, _ in jobs}, "no files written")
    jobs = [(plan, kind) for plan, kind in jobs if plan.id in present]
    if every_month:
        jobs = [(p, k) for p, k in jobs if k in registry.monthly_kinds(p, dataset.provider)]
    return jobs, notes


def _jobs(registry, plan_id: str, kind_name: str) -> list[tuple]:
    """Every (plan, kind) asked for; a plan without the kind asked for is a user error."""
    plans = registry.concrete_plans() if plan_id == "all" else [registry.plan(plan_id)]
    jobs = []
    for plan in sorted(plans, key=lambda p: p.id):
        # "all": the month's files a provider sends; others when asked for by name
        kinds = registry.sent_kinds(plan) if kind_name == "all" else [registry.kind(kind_name).name]
        for kind in kinds:
            if kind not in plan.files:
                raise OutputError(
                    f"{plan.name} has no {kind} file; it has: {', '.join(plan.files)}"
                )
            jobs.append((plan, kind))
    return jobs


def _empty_kinds(registry, results, period) -> dict[int, str]:
    """id of the conversion -> the note said, for each file whose kind writes nothing when
    it has no rows (``FileKind.when_empty``): a referral file that refers no one is not sent.
    Conversions hold frames: keyed by identity, as ``_write`` compares them."""
    empty = {}
    for result in results:
        why = registry.file_kinds[result.kind].when_empty
        if why and result.frame.empty:
            note = f"{result.plan.id} {result.kind}: {why} in {period}: no file written"
            log.info(note)
            empty[id(result)] = note
    return empty


def _write(request: ConvertRequest, results, to_write, inputs, progress, writers) -> list[Path]:
    """Check every target (the held-back files' too), then write ``to_write`` as one batch."""
    out_dir = request.out_dir
    _check_sheet_names(to_write)
    files = [(r.frame, r.file, r.layout, out_dir / r.file_name) for r in to_write]
    writing = {id(r) for r in to_write}  # Conversions hold frames: compared by identity
    held_back = [r for r in results if r.file_name and id(r) not in writing]
    check_batch(
        out_dir,
        [(f"{r.plan.id} {r.kind}", out_dir / r.file_name) for r in to_write],
        others=[(f"{r.plan.id} {r.kind}", out_dir / r.file_name) for r in held_back]
        + [("--report", request.report)],
        inputs=inputs,
        force=request.force,
        bytes_needed=estimated_bytes(files),
    )
    done = []
    progress("writing", 0, len(files))

    def advance(label: str = "") -> None:
        done.append(label)
        progress("writing", len(done), len(files), label)

    write_plan_files(files, force=request.force, advance=advance, writers=writers)
    return [path for *_, path in files]


def _record(
    workspace: Path, request: ConvertRequest, to_write, written: list[Path], made: date
) -> None:
    """Each file written, in the workspace's ledger: metadata and counts, no member data."""
    from ecmx.core.ledger.records import MadeFile, plan_config_hash, record_made

    files = []
    for result, path in zip(to_write, written, strict=True):
        counts = Counter(f.severity for f in result.findings)
        files.append(
            MadeFile(
                result.plan.id,
                result.kind,
                str(request.period),
                made,
                path,
                rows=len(result.frame),
                errors=counts[ERROR],
                warnings=counts[WARNING],
                notes=counts[INFO],
                plan_config_sha256=plan_config_hash(result.plan),
            )
        )
    record_made(workspace, files)


def _filled_findings(result: Conversion, path: Path) -> list[Finding]:
    from ecmx.core.checks.codes import T001
    from ecmx.core.files.template import filled_problems

    problems = filled_problems(path, result.plan, result.file, result.layout, len(result.frame))
    return [
        T001.finding(p, plan=result.plan.id, kind=result.kind, file=str(path)) for p in problems
    ]


def _check_sheet_names(results) -> None:
    """A sheet name Excel refuses is a plan config problem: found before any file is written."""
    for result in results:
        if result.file.format == "csv":
            continue
        problem = sheet_name_problem(result.file.sheet)
        if problem:
            raise ConfigError(
                f"{result.plan.name} {result.kind}: sheet {result.file.sheet!r}: {problem}; "
                "fix the sheet name in the plan's config (ecmx plans check)"
            )


def _row(result: Conversion, written: bool, empty: bool = False) -> tuple[str, ...]:
    if empty:
        file = "none: no rows (see the note above)"
    elif result.file_name is None:  # never written: only a named file is
        file = "NOT WRITTEN: see the errors above"
    elif written:
        file = result.file_name
    else:
        file = "NOT WRITTEN: fix the errors, or --force"
    counts = Counter(f.severity for f in result.findings)
    summary = ", ".join(_count(counts[s], s) for s in (ERROR, WARNING) if counts[s]) or "none"
    return (result.plan.id, result.file.title, str(len(result.frame)), file, summary)


def _count(number: int, severity: str) -> str:
    """``1 error``, ``2 warnings``."""
    return f"{number} {severity}" + ("" if number == 1 else "s")
