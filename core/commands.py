"""Command bodies that do more than parse options (kept apart from click wiring)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ecmx.core import console as out
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
    pm, registry = state.plugins()
    plans = registry.concrete_plans() if plan_id == "all" else [registry.plan(plan_id)]
    plans = sorted(plans, key=lambda p: p.id)
    with out.status(f"reading {dataset_path}"):
        dataset = read_dataset(dataset_path, provider_path)
    dataset.findings.extend(unknown_plan_findings(dataset, registry))
    jobs = []
    for plan in plans:
        kinds = list(plan.files) if kind_name == "all" else [registry.kind(kind_name).name]
        for kind in kinds:
            if kind not in plan.files:
                raise OutputError(
                    f"{plan.name} has no {kind} file; its kinds: {', '.join(plan.files)}"
                )
            jobs.append((plan, kind))
    out_dir.mkdir(parents=True, exist_ok=True)
    _report_notes(dataset.findings)
    rows, all_findings, failed = [], list(dataset.findings), False
    already = set(dataset.findings)
    with out.progress(len(jobs), "converting") as advance:
        for plan, kind in jobs:
            result = convert(pm, registry, dataset, plan, kind, period, production_date)
            new = [f for f in result.findings if f not in already]
            all_findings.extend(new)
            written = "-"
            if result.file_name and (not result.blocked or force):
                target = out_dir / result.file_name
                write_plan_file(
                    result.frame, result.file, result.file.layout_for(period), target, force=force
                )
                written = target.name
            elif result.blocked:
                written = "NOT WRITTEN: fix the errors, or --force"
            failed |= result.blocked
            counts = Counter(f.severity for f in result.findings)
            summary = ", ".join(f"{counts[s]} {s}" for s in (ERROR, WARNING) if counts[s]) or "none"
            rows.append((plan.id, result.file.title, len(result.frame), written, summary))
            advance(f"{plan.id} {kind}")
    _report_findings(all_findings)
    out.table(
        f"ecmx convert {period} -> {out_dir}", ("plan", "kind", "rows", "file", "findings"), rows
    )
    return EXIT_FINDINGS if failed else EXIT_OK


def _report_notes(findings: list[Finding]) -> None:
    for finding in findings:
        if finding.severity == INFO and out.verbose():
            out.info(finding.line())


def _report_findings(findings: list[Finding]) -> None:
    """Errors and warnings, a few per rule (all with --verbose); values stay masked."""
    seen: Counter = Counter()
    unique = list(dict.fromkeys(f for f in findings if f.severity != INFO))
    for finding in unique:
        seen[finding.code] += 1
        if out.verbose() or seen[finding.code] <= SHOWN_PER_RULE:
            line = finding.line()
            if finding.plan:
                line = f"[{finding.plan} {finding.kind}] {line}"
            (out.error_line if finding.severity == ERROR else out.warning_line)(line)
    for code, count in seen.items():
        if not out.verbose() and count > SHOWN_PER_RULE:
            out.warning_line(
                f"{code}: {count - SHOWN_PER_RULE} more like this (--verbose lists all)"
            )
