"""``plans compare TEMPLATE --plan PLAN --kind KIND``: a plan's layout held against the
plan's template workbook; ``--report`` writes the comparison (.json, .csv) and
``--write-yaml`` the plan YAML that makes the layout match (``plans.template_draft``),
citing the template, an entry of its own ``sources:``."""

from __future__ import annotations

import csv
import json
import shlex
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml

from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, EcmxError, OutputError
from ecmx.core.jobs.common import plugins_for
from ecmx.core.plans.compare import Comparison, compare, detail, field_guesser
from ecmx.core.plans.spec import FileSpec, Layout
from ecmx.core.plans.template_draft import draft_yaml, source_id_for
from ecmx.core.plans.template_read import read_template
from ecmx.core.storage.atomic import atomic_file, refuse_existing
from ecmx.core.storage.safe_yaml import load_yaml
from ecmx.core.storage.targets import check_file_target, refuse_inputs

REPORT_SUFFIXES = (".json", ".csv")


@dataclass(frozen=True)
class PlansCompareRequest:
    """``ecmx plans compare TEMPLATE --plan PLAN --kind KIND [--version V] [--sheet S]
    [--report FILE] [--write-yaml FILE [--id ID]] [--force]``."""

    template: Path
    plan: str
    kind: str
    version: str | None = None  # the layout version; default: the one in force today
    sheet: str | None = None  # default: the layout's sheet if the workbook has it, else the first
    report: Path | None = None  # the comparison as .json or .csv
    write_yaml: Path | None = None  # the draft plan YAML
    draft_id: str | None = None  # the draft plan's id; default PLAN_template
    force: bool = False  # replace an existing report or draft
    plans_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class PlansCompareResult:
    comparison: Comparison
    exit_code: int  # 0: the layout matches the template; 1: it differs
    draft: Path | None = None  # the YAML written
    draft_id: str = ""
    todo: list[str] = field(default_factory=list)  # what the draft leaves to the integrator
    source_id: str = ""  # the template's id in the draft's own sources:
    report: Path | None = None


def run_plans_compare(request: PlansCompareRequest, *, plugins=None) -> PlansCompareResult:
    """Compare; write the report and the draft when asked. ``EcmxError`` (one line) for an
    unknown plan, kind or version, an unreadable template or a refused output."""
    _check_targets(request)
    _, registry = plugins_for(request, plugins)
    plan = registry.plan(request.plan)
    kind = registry.kind(request.kind)
    if kind.name not in plan.files:
        raise EcmxError(
            f"{plan.name} has no {kind.name} file (its files: {', '.join(plan.files)}); "
            "give another --kind"
        )
    file = plan.files[kind.name]
    layout = _layout(file, request.version)
    template = read_template(request.template, layout.headers, file.sheet, request.sheet)
    guess = field_guesser(registry.plans.values(), kind.name, kind.fields)
    comparison = compare(plan, kind.name, layout, template, guess)
    exit_code = EXIT_OK if comparison.clean else EXIT_FINDINGS
    result = PlansCompareResult(comparison, exit_code, report=request.report)
    if request.report:
        _write_report(comparison, request.report, request.force)
    if request.write_yaml:
        result = _write_draft(request, registry, result)
    return result


def _check_targets(request: PlansCompareRequest) -> None:
    """Before any work: each output is a new file (or --force), none of them the template."""
    if request.report and request.report.suffix.lower() not in REPORT_SUFFIXES:
        raise OutputError(f"{request.report}: a compare report is .json or .csv")
    if request.write_yaml and request.write_yaml.suffix.lower() not in (".yaml", ".yml"):
        raise OutputError(f"{request.write_yaml}: the draft is a plan YAML: name it .yaml")
    if request.write_yaml and request.write_yaml.stem.lower() == "sources":
        raise OutputError(
            f"{request.write_yaml}: sources.yaml is a folder's sources list, not a plan; "
            "name the draft after its plan"
        )
    for target in (request.report, request.write_yaml):
        if target is not None:
            check_file_target(target)
            if not Path(target).parent.is_dir():
                raise OutputError(
                    f"cannot write {target}: directory {Path(target).parent} does not exist"
                )
            refuse_inputs([target], [request.template])
            refuse_existing(target, request.force)


def _layout(file: FileSpec, version: str | None) -> Layout:
    if version is not None:
        for layout in file.versions:
            if layout.version == version:
                return layout
        known = ", ".join(v.version for v in file.versions)
        raise EcmxError(f"no {file.kind} layout version {version!r}; known: {known}")
    in_force = [v for v in file.versions if v.effective <= date.today()] or list(file.versions)
    return max(in_force, key=lambda v: v.effective)


def report_rows(comparison: Comparison) -> list[dict[str, object]]:
    """One row per layout column and extra template header, in the layout's order."""
    return [
        {
            "key": row.key,
            "layout_header": row.column.header if row.column else "",
            "template_header": row.template.header if row.template else "",
            "cell": row.template.cell if row.template else "",
            "status": row.status,
            "differences": ", ".join(row.differences),
            "detail": detail(row),
        }
        for row in comparison.columns
    ]


def _write_report(comparison: Comparison, path: Path, force: bool) -> None:
    rows = report_rows(comparison)
    with atomic_file(path, force=force) as tmp:
        if path.suffix.lower() == ".csv":
            with open(tmp, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["key"])
                writer.writeheader()
                writer.writerows(rows)
            return
        meta = {
            "plan": comparison.plan.id,
            "kind": comparison.kind,
            "version": comparison.layout.version,
            "template": str(comparison.template.path),
            "sheet": comparison.template.sheet,
            "header_row": comparison.template.header_row,
            "clean": comparison.clean,
            "differences": comparison.counts(),
            "columns": rows,
        }
        tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_draft(request, registry, result: PlansCompareResult) -> PlansCompareResult:
    from dataclasses import replace

    from ecmx.core.plans.scaffold import plan_id_problem

    comparison, path = result.comparison, Path(request.write_yaml)
    draft_id = request.draft_id or f"{comparison.plan.id}_template"
    problem = plan_id_problem(draft_id)
    if problem:
        raise EcmxError(f"--id: {problem}")
    known = registry.plans.get(draft_id)
    if known is not None and Path(known.origin).resolve() != path.resolve():
        raise EcmxError(f"plan {draft_id!r} exists already ({known.origin}): give --id another id")
    source_id = _free_source_id(comparison, path)
    template, plan, kind = comparison.template.path.name, comparison.plan.id, comparison.kind
    command = shlex.join(
        [
            "ecmx",
            "plans",
            "compare",
            template,
            "--plan",
            plan,
            "--kind",
            kind,
            "--write-yaml",
            path.name,
        ]
    )
    modified = datetime.fromtimestamp(comparison.template.path.stat().st_mtime).date()
    text, todo = draft_yaml(comparison, draft_id, source_id, command, modified)
    with atomic_file(path, force=request.force) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return replace(result, draft=path, draft_id=draft_id, todo=todo, source_id=source_id)


def _free_source_id(comparison: Comparison, path: Path) -> str:
    """The template's source id: its file name, with a number added if a source known now
    has it (one the draft replaces, with --force, aside)."""
    taken = set(comparison.plan.sources)  # every source known: built-in, listed, plans' own
    if path.is_file():
        try:
            own = load_yaml(path, "plan config")
        except (EcmxError, yaml.YAMLError):
            own = None  # replaced, with --force: its sources are not kept
        if isinstance(own, dict) and isinstance(own.get("sources"), dict):
            taken -= set(own["sources"])
    base = source_id_for(comparison.template.path)
    source_id, n = base, 2
    while source_id in taken:
        source_id, n = f"{base}-{n}", n + 1
    return source_id
