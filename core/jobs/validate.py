"""``validate``: check a plan file that already exists, by reading it back with the plan's layout.

The file is checked like one ``convert`` makes: the same check step (rules, then
plugin validators, then the plan's overrides); with a dataset, the checks that
need it run too (outreach history, caseloads, the cross-file X001/X002).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ecmx.core.calendar.periods import Period
from ecmx.core.checks.findings import ERROR, WARNING, Finding, column_letter
from ecmx.core.checks.rules import Target
from ecmx.core.checks.step import check
from ecmx.core.dataset.read import Dataset, read_dataset
from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, OutputError
from ecmx.core.files.context import BuildContext
from ecmx.core.files.read import FILE_ROW, PlanFile, format_problem, read_plan_file
from ecmx.core.jobs.common import Progress, check_report_target, no_progress, plugins_for
from ecmx.core.storage.limits import regular_file
from ecmx.core.storage.targets import dataset_inputs


@dataclass(frozen=True)
class ValidateRequest:
    """``ecmx validate FILE --plan PLAN --kind KIND [options]``."""

    file: Path
    plan: str
    kind: str
    period: Period | None = None  # picks the layout version; default: last month
    report: Path | None = None  # .json, .csv, .html, or .xlsx (a marked copy of the file)
    dataset: Path | None = None  # for the checks that need it
    provider: Path | None = None  # default: beside the dataset
    show_values: bool = False
    force: bool = False  # replace an existing report
    plans_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class ValidateResult:
    findings: list[Finding]  # after the plan's overrides, in check order
    meta: dict  # command, plan, kind, file, layout, period, rows: the report's header
    rows: int  # records read from the file
    summary: str  # "<file>: N rows, N error(s), N warning(s)"
    exit_code: int  # 1 (EXIT_FINDINGS) when any finding is an error


def run_validate(
    request: ValidateRequest, *, plugins=None, progress: Progress = no_progress
) -> ValidateResult:
    """Read the file, check it, write the report when asked. Raises ``EcmxError`` subclasses."""
    pm, registry = plugins_for(request, plugins)
    plan, kind = registry.plan(request.plan), registry.kind(request.kind)
    if kind.name not in plan.files:
        raise OutputError(f"{plan.name} has no {kind.name} file; it has: {', '.join(plan.files)}")
    path = request.file
    regular_file(path, f"{kind.name} file to check")
    inputs = [path, request.dataset, *dataset_inputs(request.dataset, request.provider)]
    check_report_target(request.report, request.force, inputs)
    dataset = read_dataset(request.dataset, request.provider) if request.dataset else None
    period = request.period or Period.containing(date.today()).shift(-1)
    file = plan.files[kind.name]
    layout = file.layout_for(period)
    progress(f"reading {path.name}", 0, 0)
    sent_by_plan = kind.direction == "from_plan"
    plan_file = read_plan_file(
        path,
        plan,
        file,
        layout,
        one_row_per_member=kind.one_row_per_member,
        sent_by_plan=sent_by_plan,
        readers=registry.readers.values(),
    )
    production_date = _production_date(plan_file)
    target = _target(plan_file, plan, kind, layout, str(path), dataset, production_date)
    context = BuildContext(dataset, plan, kind.name, period, production_date, file, layout)
    context.canonical = _canonical(target.fields, dataset)
    read = [f for f in plan_file.findings if f.code != "F004"]  # L001 reports a blank CIN
    if not sent_by_plan:  # a file the plan receives: in a format it takes?
        read += [f for f in (format_problem(path, plan, file),) if f is not None]
    findings = check(target, registry, pm, context, found=read)
    meta = {
        "command": "validate",
        "plan": plan.id,
        "kind": kind.name,
        "file": str(path),
        "layout": layout.version,
        "period": str(period),
        "rows": len(target.fields),
    }
    _write_report(request, findings, meta, progress)
    errors = sum(f.severity == ERROR for f in findings)
    warnings = sum(f.severity == WARNING for f in findings)
    return ValidateResult(
        findings=findings,
        meta=meta,
        rows=len(target.fields),
        summary=f"{path.name}: {len(target.fields)} rows, {errors} error(s), {warnings} warning(s)",
        exit_code=EXIT_FINDINGS if errors else EXIT_OK,
    )


def _production_date(plan_file: PlanFile) -> date:
    """The file's own production date when it has one, else today: dates are judged by it."""
    frame = plan_file.frame
    made = frame["production_date"].dropna().max() if "production_date" in frame else None
    return made.date() if made is not None and not pd.isna(made) else date.today()


def _target(
    plan_file: PlanFile, plan, kind, layout, path: str, dataset, production_date: date
) -> Target:
    """The file as the rules see it: its cells as written, its records as canonical fields."""
    fields = plan_file.frame.drop(columns=[FILE_ROW])
    member_ids = None
    if dataset is not None and "cin" in fields:
        by_cin = _member_of(dataset, "member_id")
        member_ids = [by_cin.get(cin.upper(), "") if isinstance(cin, str) else "" for cin in
                      fields["cin"]]  # fmt: skip
    return Target(
        plan,
        kind.name,
        layout,
        plan_file.cells,
        fields,
        plan_file.frame[FILE_ROW].tolist(),
        {header: column_letter(p) for header, p in plan_file.columns.items()},
        plan_file.sheet,
        file=path,
        production_date=production_date,
        dataset=dataset,
        member_ids=member_ids,
        extra={"sent_by_plan": kind.direction == "from_plan"},
    )


def _member_of(dataset: Dataset, column: str) -> dict:
    """Upper-case CIN -> the dataset member's ``column``."""
    members = dataset.members
    return dict(zip(members["cin"].str.upper(), members[column], strict=False))


def _canonical(fields: pd.DataFrame, dataset: Dataset | None) -> pd.DataFrame:
    """The records as ``convert``'s canonical frame names them, for ``ecmx_validate`` plugins:
    ``status`` (the ECM status) and, with a dataset, the member's ``member_id`` and
    ``_member_row`` there (blank for a CIN the dataset lacks)."""
    canonical = fields.copy()
    if "ecm_status" in canonical:
        canonical["status"] = canonical["ecm_status"]
    if dataset is not None and "cin" in canonical:
        upper = canonical["cin"].map(lambda cin: cin.upper() if isinstance(cin, str) else None)
        canonical["member_id"] = upper.map(_member_of(dataset, "member_id"))
        canonical["_member_row"] = upper.map(_member_of(dataset, "_row"))
    return canonical


def _write_report(
    request: ValidateRequest, findings: list[Finding], meta: dict, progress: Progress
) -> None:
    if request.report:
        from ecmx.core.reports.findings_report import write_findings_report

        # an annotated workbook: openpyxl reads and writes ~20,000 cells a second
        progress(f"writing {request.report.name}", 0, 0)
        suffix = request.file.suffix.lower()
        write_findings_report(
            findings,
            request.report,
            meta=meta,
            show_values=request.show_values,
            workbook=request.file if suffix in (".xlsx", ".xlsm") else None,
            force=request.force,
        )
