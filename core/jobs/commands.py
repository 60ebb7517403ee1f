"""Command bodies that do more than parse options (kept apart from click wiring)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd

from ecmx.core.checks.findings import ERROR, INFO, WARNING, Finding
from ecmx.core.cli import console as out
from ecmx.core.dataset.read import read_dataset
from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, ConfigError, OutputError
from ecmx.core.files.convert import convert, findings_for_run, unknown_plan_findings
from ecmx.core.files.write import estimated_bytes, sheet_name_problem, write_plan_files
from ecmx.core.storage.atomic import refuse_existing
from ecmx.core.storage.limits import regular_file
from ecmx.core.storage.targets import check_batch, check_file_target, dataset_inputs, refuse_inputs

UNREADABLE_DATASET_CELLS = frozenset({"D102", "D103", "D104", "D105", "D106", "D107"})


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
    report_path=None,
    show_values=False,
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
    inputs = dataset_inputs(dataset_path, provider_path)
    check_report_target(report_path, force, inputs)
    dataset = read_for_plans(registry, dataset_path, provider_path)
    _report_notes(dataset.findings)
    # A plan without members gets no files (header-only files would tell the plan
    # the provider has no members): said once, for --plan all and one plan alike.
    plan_ids = {plan.id for plan, _ in jobs}
    present = plans_with_members(dataset, plan_ids, "no files written")
    jobs = [(plan, kind) for plan, kind in jobs if plan.id in present]
    # The dataset's problems the run reports even when no file is made: a member with
    # a blank or unknown plan is in no file and must still be named.
    dataset_findings = findings_for_run(dataset, registry, plan_ids)

    results = []
    with out.progress(len(jobs), "converting") as advance:
        for plan, kind in jobs:
            results.append(convert(pm, registry, dataset, plan, kind, period, production_date))
            advance(f"{plan.id} {kind}")
    to_write = [r for r in results if r.file_name and (force or not r.blocked)]
    writing = {id(r) for r in to_write}
    _check_sheet_names(to_write)
    jobs = [(r.frame, r.file, r.layout, out_dir / r.file_name) for r in to_write]
    held_back = [r for r in results if r.file_name and id(r) not in writing]
    check_batch(
        out_dir,
        [(f"{r.plan.id} {r.kind}", out_dir / r.file_name) for r in to_write],
        others=[(f"{r.plan.id} {r.kind}", out_dir / r.file_name) for r in held_back]
        + [("--report", report_path)],
        inputs=inputs,
        force=force,
        bytes_needed=estimated_bytes(jobs),
    )
    with out.progress(len(to_write), "writing") as advance:
        write_plan_files(jobs, force=force, advance=advance, writers=registry.writers.values())
    rows = []
    for result in results:
        if id(result) in writing:
            written = result.file_name
        elif result.file_name is None:
            written = "NOT WRITTEN: see the errors above"
        else:
            written = "NOT WRITTEN: fix the errors, or --force"
        counts = Counter(f.severity for f in result.findings)
        summary = ", ".join(_count(counts[s], s) for s in (ERROR, WARNING) if counts[s]) or "none"
        rows.append((result.plan.id, result.file.title, len(result.frame), written, summary))

    _report(
        dataset_findings + [f for r in results for f in r.findings],
        {
            "command": "convert",
            "dataset": str(dataset_path),
            "period": str(period),
            "plan": plan_id,
        },
        report_path,
        show_values,
        force,
    )
    if rows:  # no plan had members: the notes above said so; an empty table says nothing
        out.table(
            f"ecmx convert {period} -> {out_dir}",
            ("plan", "kind", "rows", "file", "findings"),
            rows,
        )
    failed = any(r.blocked for r in results) or any(f.severity == ERROR for f in dataset_findings)
    return EXIT_FINDINGS if failed else EXIT_OK


def check_report_target(report_path, force, inputs=()) -> None:
    """Before any work: the report's format and folder are right, it is none of the run's
    ``inputs``, and it is new (or --force)."""
    if report_path:
        from ecmx.core.reports.findings_report import check_report_path

        check_report_path(report_path)
        check_file_target(report_path)
        refuse_inputs([report_path], inputs)
        refuse_existing(report_path, force)


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


def read_for_plans(registry, dataset_path, provider_path):
    """The dataset, with a finding for each member of a plan ecmx does not know."""
    with out.status(f"reading {dataset_path}"):
        dataset = read_dataset(dataset_path, provider_path)
    dataset.findings.extend(unknown_plan_findings(dataset, registry))
    return dataset


def plans_with_members(dataset, plan_ids: set[str], skipped_note: str) -> set[str]:
    """The plans that have members: a provider contracts with some plans only, and gets
    no empty files for the others (each skipped plan is named)."""
    present = set(dataset.members["plan"].dropna().str.lower())
    skipped = sorted(plan_ids - present)
    if skipped:
        out.info(f"no members for {', '.join(skipped)}: {skipped_note} for them")
    return plan_ids & present


def _report(findings, meta, report_path, show_values, force) -> None:
    """The grouped terminal table, and the report file when asked for; each finding once."""
    from ecmx.core.reports.findings_report import show, write_report

    unique = list(dict.fromkeys(f for f in findings if f.severity != INFO))
    if report_path:
        write_report(unique, report_path, meta=meta, show_values=show_values, force=force)
        out.info(f"wrote {report_path}")
    if unique:
        show(unique, meta, show_values=show_values)


def _count(number: int, severity: str) -> str:
    return f"{number} {severity}" + ("" if number == 1 else "s")


def _report_notes(findings: list[Finding]) -> None:
    for finding in findings:
        if finding.severity == INFO and out.verbose():
            out.info(finding.line())


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
    from ecmx.core.calendar.periods import Period
    from ecmx.core.dataset.write import dataset_file_names, write_dataset
    from ecmx.core.files.read import read_plan_file
    from ecmx.core.inbound.merge import merge_plan_file
    from ecmx.core.reports.roster import check_report_path, show, write_report
    from ecmx.core.storage.targets import refuse_shared_names

    _, registry = state.plugins()
    plan = registry.plan(plan_id)
    kind = registry.kind(kind_name)
    inbound = [k for k in plan.files if registry.file_kinds[k].direction == "from_plan"]
    if kind.name not in inbound:
        raise OutputError(
            f"{plan.name} sends no {kind.name} file; its inbound files: {', '.join(inbound)}"
        )
    regular_file(file_path, f"{kind.name} file from {plan.name}")
    if report_path:
        check_report_path(report_path)
    inputs = [file_path, Path(dataset_path), *dataset_inputs(dataset_path, provider_path)]
    outputs = [("--out", out_path), ("--report", report_path)]
    if Path(dataset_path).is_dir():  # the merged dataset is a folder: each file it will hold
        outputs += [("--out", out_path / name) for name in dataset_file_names()]
    refuse_shared_names(outputs)
    refuse_inputs([p for _, p in outputs], inputs)
    check_file_target(report_path)
    if not Path(dataset_path).is_dir():
        check_file_target(out_path)
    elif out_path.exists() and not out_path.is_dir():
        raise OutputError(
            f"{out_path} is a file: the dataset is a CSV folder, so --out is a folder"
        )
    for _, path in outputs[:2]:
        if path is not None:
            refuse_existing(path, force)

    dataset = read_dataset(dataset_path, provider_path)
    file = plan.files[kind.name]
    layout = file.layout_for(Period.containing(received))
    with out.status(f"reading {file_path.name}"):
        plan_file = read_plan_file(file_path, plan, file, layout)
    # What would be lost by merging: cells of the plan file, or of the dataset, that
    # could not be read (the rewritten dataset would hold them blank).
    problems = [f for f in plan_file.findings if f.severity == ERROR]
    problems += [f for f in dataset.findings if f.code in UNREADABLE_DATASET_CELLS]
    if problems or plan_file.findings:
        from ecmx.core.reports.findings_report import show as show_findings

        show_findings(
            list(dict.fromkeys(f for f in plan_file.findings + problems if f.severity != INFO)),
            {"command": "ingest", "file": str(file_path)},
            show_values=show_values,
        )
    if problems and not force:
        out.error_line(
            f"{len(problems)} unreadable cell(s): nothing written; "
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
        write_report(merge, meta, report_path, force=force, show_values=show_values)
    show(merge, meta, show_values=show_values)
    out.info(f"wrote {out_path}" + (f" and {report_path}" if report_path else ""))
    return EXIT_FINDINGS if problems else EXIT_OK


def run_validate(
    state,
    file_path: Path,
    plan_id,
    kind_name,
    period,
    report_path,
    dataset_path,
    provider_path,
    show_values,
    force,
) -> int:
    """Check a plan file that already exists, by reading it back with the plan's layout."""
    from ecmx.core.checks.findings import column_letter
    from ecmx.core.checks.rules import Target, apply_overrides, run_rules
    from ecmx.core.files.read import FILE_ROW, format_problem, read_plan_file
    from ecmx.core.reports.findings_report import show, write_report

    _, registry = state.plugins()
    plan = registry.plan(plan_id)
    kind = registry.kind(kind_name)
    if kind.name not in plan.files:
        raise OutputError(f"{plan.name} has no {kind.name} file; it has: {', '.join(plan.files)}")
    regular_file(file_path, f"{kind.name} file to check")
    inputs = [file_path, dataset_path, *dataset_inputs(dataset_path, provider_path)]
    check_report_target(report_path, force, inputs)
    dataset = read_dataset(dataset_path, provider_path) if dataset_path else None
    file = plan.files[kind.name]
    layout = file.layout_for(period)
    with out.status(f"reading {file_path.name}"):
        plan_file = read_plan_file(
            file_path,
            plan,
            file,
            layout,
            one_row_per_member=kind.one_row_per_member,
            sent_by_plan=kind.direction == "from_plan",
            readers=registry.readers.values(),
        )
    fields = plan_file.frame.drop(columns=[FILE_ROW])
    # Dates are judged against the file's own production date when it has one.
    made = fields["production_date"].dropna().max() if "production_date" in fields else None
    production_date = made.date() if made is not None and not pd.isna(made) else date.today()
    member_ids = None
    if dataset is not None and "cin" in fields:
        by_cin = dict(
            zip(dataset.members["cin"].str.upper(), dataset.members["member_id"], strict=False)
        )
        member_ids = (
            fields["cin"]
            .map(lambda cin: by_cin.get(cin.upper(), "") if isinstance(cin, str) else "")
            .tolist()
        )
    target = Target(
        plan,
        kind.name,
        layout,
        plan_file.cells,
        fields,
        plan_file.frame[FILE_ROW].tolist(),
        {header: column_letter(p) for header, p in plan_file.columns.items()},
        plan_file.sheet,
        file=str(file_path),
        production_date=production_date,
        dataset=dataset,
        member_ids=member_ids,
        extra={"sent_by_plan": kind.direction == "from_plan"},
    )
    read = [f for f in plan_file.findings if f.code != "F004"]  # L001 reports a blank CIN
    if kind.direction == "to_plan":  # a file the plan receives: in a format it takes?
        read += [f for f in (format_problem(file_path, plan, file),) if f is not None]
    findings = apply_overrides(read + run_rules(registry.rules.values(), target), plan)
    meta = {
        "command": "validate",
        "plan": plan.id,
        "kind": kind.name,
        "file": str(file_path),
        "layout": layout.version,
        "period": str(period),
        "rows": len(fields),
    }
    if report_path:
        workbook = file_path if file_path.suffix.lower() in (".xlsx", ".xlsm") else None
        write_report(
            findings,
            report_path,
            meta=meta,
            show_values=show_values,
            workbook=workbook,
            force=force,
        )
    show(findings, meta, show_values=show_values)
    errors = sum(f.severity == ERROR for f in findings)
    out.info(
        f"{file_path.name}: {len(fields)} rows, {errors} error(s), "
        f"{sum(f.severity == WARNING for f in findings)} warning(s)"
    )
    return EXIT_FINDINGS if errors else EXIT_OK
