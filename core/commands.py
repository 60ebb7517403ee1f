"""Command bodies that do more than parse options (kept apart from click wiring)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ecmx.core import console as out
from ecmx.core.atomic import refuse_existing
from ecmx.core.dataset import read_dataset
from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, OutputError
from ecmx.core.findings import ERROR, INFO, WARNING, Finding
from ecmx.core.pipeline import convert, unknown_plan_findings
from ecmx.core.writers import write_plan_file

SHOWN_PER_RULE = 5  # findings listed per rule code before "... and N more" (all with --verbose)


def run_convert(
    state,
    dataset_path,
    plan_id,
    kind_name,
    period,
    out_dir: Path,
    provider_path,
    production_date,
    force,
) -> int:
    """Convert, then write: every target is checked before the first file is written."""
    pm, registry = state.plugins()
    plans = registry.concrete_plans() if plan_id == "all" else [registry.plan(plan_id)]
    jobs = []
    for plan in sorted(plans, key=lambda p: p.id):
        if kind_name == "all":  # what the provider sends; MIF/TEL only when asked for
            kinds = [k for k in plan.files if registry.file_kinds[k].direction == "to_plan"]
        else:
            kinds = [registry.kind(kind_name).name]
        for kind in kinds:
            if kind not in plan.files:
                raise OutputError(
                    f"{plan.name} has no {kind} file; it has: {', '.join(plan.files)}"
                )
            jobs.append((plan, kind))
    with out.status(f"reading {dataset_path}"):
        dataset = read_dataset(dataset_path, provider_path)
    dataset.findings.extend(unknown_plan_findings(dataset, registry))
    _report_notes(dataset.findings)
    if plan_id == "all":
        # A provider contracts with some plans only: no empty files for the others.
        present = set(dataset.members["plan"].dropna().str.lower())
        skipped = sorted({plan.id for plan, _ in jobs} - present)
        if skipped:
            out.info(f"no members for {', '.join(skipped)}: no files written for them")
        jobs = [(plan, kind) for plan, kind in jobs if plan.id in present]

    results = []
    with out.progress(len(jobs), "converting") as advance:
        for plan, kind in jobs:
            results.append(convert(pm, registry, dataset, plan, kind, period, production_date))
            advance(f"{plan.id} {kind}")
    to_write = [r for r in results if r.file_name and (force or not r.blocked)]
    writing = {id(r) for r in to_write}
    for result in to_write:
        refuse_existing(out_dir / result.file_name, force)

    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    with out.progress(len(to_write), "writing") as advance:
        for result in results:
            if id(result) in writing:
                target = out_dir / result.file_name
                write_plan_file(result.frame, result.file, result.layout, target, force=force)
                written = target.name
                advance(written)
            elif result.file_name is None:
                written = "NOT WRITTEN: see the errors above"
            else:
                written = "NOT WRITTEN: fix the errors, or --force"
            counts = Counter(f.severity for f in result.findings)
            summary = (
                ", ".join(_count(counts[s], s) for s in (ERROR, WARNING) if counts[s]) or "none"
            )
            rows.append((result.plan.id, result.file.title, len(result.frame), written, summary))

    _report_findings([f for r in results for f in r.findings])
    out.table(
        f"ecmx convert {period} -> {out_dir}", ("plan", "kind", "rows", "file", "findings"), rows
    )
    return EXIT_FINDINGS if any(r.blocked for r in results) else EXIT_OK


def _count(number: int, severity: str) -> str:
    return f"{number} {severity}" + ("" if number == 1 else "s")


def _report_notes(findings: list[Finding]) -> None:
    for finding in findings:
        if finding.severity == INFO and out.verbose():
            out.info(finding.line())


def _report_findings(findings: list[Finding]) -> None:
    """Errors and warnings once each, a few per rule (all with --verbose); values stay masked."""
    seen: Counter = Counter()
    for finding in dict.fromkeys(f for f in findings if f.severity != INFO):
        seen[finding.code] += 1
        if out.verbose() or seen[finding.code] <= SHOWN_PER_RULE:
            line = (
                f"[{finding.plan} {finding.kind}] {finding.line()}"
                if finding.plan
                else finding.line()
            )
            (out.error_line if finding.severity == ERROR else out.warning_line)(line)
    for code, count in seen.items():
        if not out.verbose() and count > SHOWN_PER_RULE:
            out.warning_line(
                f"{code}: {count - SHOWN_PER_RULE} more like this (--verbose lists all)"
            )


def run_ingest(
    state,
    file_path: Path,
    plan_id,
    kind_name,
    dataset_path: Path,
    out_path: Path,
    report_path,
    provider_path,
    received,
    show_values,
    force,
) -> int:
    """Read a plan's MIF/mini-MIF/TEL, merge it into a copy of the dataset, report the diff."""
    from ecmx.core.dataset_writer import write_dataset
    from ecmx.core.periods import Period
    from ecmx.core.plan_reader import read_plan_file
    from ecmx.core.roster import merge_plan_file
    from ecmx.core.roster_report import check_report_path, show, write_report

    _, registry = state.plugins()
    plan = registry.plan(plan_id)
    kind = registry.kind(kind_name)
    inbound = [k for k in plan.files if registry.file_kinds[k].direction == "from_plan"]
    if kind.name not in inbound:
        raise OutputError(
            f"{plan.name} sends no {kind.name} file; its inbound files: {', '.join(inbound)}"
        )
    if not file_path.is_file():
        raise OutputError(f"{file_path}: no such file; give the plan's {kind.name} file")
    if out_path.resolve() == Path(dataset_path).resolve():
        raise OutputError(
            f"{out_path} is the input dataset: ecmx never modifies its input; choose another --out"
        )
    refuse_existing(out_path, force)
    if report_path:
        check_report_path(report_path)
        refuse_existing(report_path, force)

    dataset = read_dataset(dataset_path, provider_path)
    file = plan.files[kind.name]
    layout = file.layout_for(Period.containing(received))
    with out.status(f"reading {file_path.name}"):
        plan_file = read_plan_file(file_path, plan, file, layout)
    problems = [f for f in plan_file.findings + dataset.findings if f.severity == ERROR]
    _report_findings(plan_file.findings + dataset.findings)
    if problems and not force:
        out.error_line(
            f"{len(problems)} error(s): nothing written (unreadable cells would be lost); "
            "fix them, or --force to write with those cells blank"
        )
        return EXIT_FINDINGS
    merge = merge_plan_file(dataset, plan, kind, plan_file, received)
    write_dataset(merge.tables, dataset.provider.details, dataset_path, out_path, force=force)
    meta = {
        "plan": plan.id,
        "kind": kind.name,
        "file": file_path.name,
        "received": received.isoformat(),
    }
    if report_path:
        write_report(merge, meta, report_path, force=force)
    show(merge, meta, show_values=show_values)
    out.info(f"wrote {out_path}" + (f" and {report_path}" if report_path else ""))
    return EXIT_FINDINGS if problems else EXIT_OK
