"""``plans compare TEMPLATE --plan PLAN --kind KIND``: a plan's layout held against the
plan's template workbook; ``--report`` writes the comparison (.json, .csv) and
``--write-yaml`` the plan YAML that makes the layout match (``plans.template_draft``),
with the template added to the sources list beside it."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, EcmxError, OutputError
from ecmx.core.jobs.common import plugins_for
from ecmx.core.plans.compare import Comparison, compare, detail, field_guesser
from ecmx.core.plans.provenance import SOURCES_FILE, builtin_sources, read_sources
from ecmx.core.plans.spec import FileSpec, Layout
from ecmx.core.plans.template_draft import draft_yaml, source_entry, source_id_for
from ecmx.core.plans.template_read import read_template
from ecmx.core.storage.atomic import atomic_file, refuse_existing
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
    sources: Path | None = None  # the sources list the template was added to
    source_id: str = ""
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
            f"{request.write_yaml}: sources.yaml is the sources list the draft's source goes "
            "in; name the draft after its plan"
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
    sources_path = path.parent / SOURCES_FILE
    source_id, sources_text = _sources(registry, sources_path, comparison, draft_id)
    command = (
        f"ecmx plans compare {comparison.template.path.name} --plan {comparison.plan.id} "
        f"--kind {comparison.kind} --write-yaml {path.name}"
    )
    text, todo = draft_yaml(comparison, draft_id, source_id, command)
    with atomic_file(path, force=request.force) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    if sources_text is not None:
        with atomic_file(sources_path, force=True) as tmp:
            tmp.write_text(sources_text, encoding="utf-8", newline="\n")
    written = sources_path if sources_text is not None else None
    return replace(
        result, draft=path, draft_id=draft_id, todo=todo, sources=written, source_id=source_id
    )


def _sources(registry, sources_path: Path, comparison: Comparison, draft_id: str):
    """The template's source id, and the new text of ``sources_path`` (None: it has the
    entry already). The id is the file's name, made unique among the known sources."""
    taken = set(builtin_sources())
    for listed in {*registry.source_lists, sources_path}:
        if Path(listed).is_file():
            taken |= set(read_sources(Path(listed).read_text("utf-8"), str(listed), []))
    existing = sources_path.read_text("utf-8") if sources_path.is_file() else ""
    own = read_sources(existing, str(sources_path), []) if existing else {}
    where = str(comparison.template.path.resolve())
    base = source_id_for(comparison.template.path)
    for source in own.values():
        if source.where == where and source.id.startswith(base):
            return source.id, None  # added by an earlier run
    source_id, n = base, 2
    while source_id in taken:
        source_id, n = f"{base}-{n}", n + 1
    modified = datetime.fromtimestamp(comparison.template.path.stat().st_mtime).date()
    plan_ids = list(dict.fromkeys([draft_id, comparison.plan.id]))
    entry = source_entry(source_id, comparison, plan_ids, modified)
    if not existing:
        head = "# Sources the plans of this folder cite (docs/configuration.md, Provenance).\n"
        return source_id, f"{head}sources:\n{entry}\n"
    text = existing if existing.endswith("\n") else existing + "\n"
    text += entry + "\n"
    problems: list[str] = []
    if source_id not in read_sources(text, str(sources_path), problems) or problems:
        raise OutputError(
            f"{sources_path}: cannot append the template's source {source_id!r} (the file's "
            "sources: must be its last mapping); fix it, or write the draft in another folder"
        )
    return source_id, text
