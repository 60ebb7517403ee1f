"""``plans list|show|fields|check|new|doc``: what ecmx knows about each plan, and whether its config holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.errors import ConfigError
from ecmx.core.jobs.common import plugins_for
from ecmx.core.plans.doc import plan_doc
from ecmx.core.plans.spec import PlanSpec
from ecmx.core.storage.atomic import atomic_file, refuse_existing
from ecmx.core.storage.targets import check_file_target


@dataclass(frozen=True)
class PlansRequest:
    """``ecmx plans list`` and ``ecmx plans fields [KIND]``; the base of the others."""

    kind: str | None = None  # fields: only this kind; show: only this kind's files
    plans_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class PlansShowRequest:
    """``ecmx plans show PLAN [--kind KIND] [--period PERIOD] [--assumptions] [--explain]``."""

    plan: str
    kind: str | None = None  # only this file kind
    period: Period | None = None  # the layout in force then; default: the latest
    assumptions: bool = False  # list what is assumed instead
    plans_dirs: tuple[Path, ...] = ()
    explain: bool = False  # with each column and code, the plan file that set it last


@dataclass(frozen=True)
class PlansCheckRequest:
    """``ecmx plans check [FILES...]``."""

    files: tuple[Path, ...] = ()  # plan YAMLs to add to those known
    plans_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class PlansCheckResult:
    valid: bool  # every plan config loads
    problems: list[str]  # one line per problem
    notices: list[str]  # what a plan should still set (a warning, not a failure)
    plans: int  # concrete plans checked
    bases: int  # family bases (abstract plans) checked


def plans_rows(request: PlansRequest, *, plugins=None) -> list[tuple[str, ...]]:
    """Every plan: id, name, family, file kinds and layout versions, by id."""
    _, registry = plugins_for(request, plugins)
    rows: list[tuple[str, ...]] = []
    for plan in sorted(registry.concrete_plans(), key=lambda p: p.id):
        kinds = ", ".join(f"{k} ({f.title})" for k, f in plan.files.items())
        versions = "; ".join(
            f"{k}: " + ", ".join(f"{v.version} from {v.effective}" for v in f.versions)
            for k, f in plan.files.items()
        )
        rows.append((plan.id, plan.name, plan.family or "-", kinds, versions))
    return rows


def field_tables(request: PlansRequest, *, plugins=None) -> list[tuple[str, list[tuple]]]:
    """Per kind (one, or all): its title and the canonical fields (name, type, codes, rule)."""
    _, registry = plugins_for(request, plugins)
    kinds = [registry.kind(request.kind)] if request.kind else list(registry.file_kinds.values())
    return [
        (
            f"{kind.name}: {kind.title}",
            [(f.name, f.type, f.codes or "", f.rule) for f in kind.fields.values()],
        )
        for kind in kinds
    ]


def plan_to_show(request: PlansShowRequest, *, plugins=None) -> tuple[PlanSpec, list[str]]:
    """The plan asked for and the kinds to show. Raises ``EcmxError`` for an unknown name."""
    _, registry = plugins_for(request, plugins)
    plan = registry.plan(request.plan)
    kinds = [registry.kind(request.kind).name] if request.kind else list(plan.files)
    return plan, kinds


def check_plans(request: PlansCheckRequest, *, plugins=None) -> PlansCheckResult:
    """Load every plan config (and ``request.files``) and collect what is wrong."""
    _, registry = plugins_for(request, plugins)
    for path in request.files:
        registry.add_plan_file(path)
    try:
        found = registry.plans
    except ConfigError as exc:
        return PlansCheckResult(False, list(exc.details), [], 0, 0)
    from ecmx.core.files.template import template_problems

    problems = list(dict.fromkeys(p for plan in found.values() for p in template_problems(plan)))
    if problems:  # the plan loads, but convert could not fill its template
        return PlansCheckResult(False, problems, [], 0, 0)
    concrete = [p for p in found.values() if not p.abstract]
    # usable, but billed and reported under defaults until set
    notices = [notice for plan in concrete for notice in plan.notices]
    return PlansCheckResult(True, [], notices, len(concrete), len(found) - len(concrete))


@dataclass(frozen=True)
class PlansNewRequest:
    """``ecmx plans new ID --extends PLAN [--name NAME] [--out FILE] [--force]``."""

    plan_id: str
    extends: str  # a plan or family base
    name: str | None = None  # the display name; default: the id
    out: Path | None = None  # default: ID.yaml in the current folder
    force: bool = False  # replace an existing ``out``
    plans_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class PlansNewResult:
    path: Path  # the scaffold written
    plan_id: str
    extends: str
    to_set: list[str]  # the YAML paths marked assumed: true, for the integrator to set


def new_plan(request: PlansNewRequest, *, plugins=None) -> PlansNewResult:
    """Write a commented scaffold of a plan extending ``request.extends`` (atomically; an
    existing file only with ``force``). Raises ``EcmxError`` for a bad id or base."""
    from ecmx.core.errors import EcmxError
    from ecmx.core.plans.scaffold import plan_id_problem, scaffold

    problem = plan_id_problem(request.plan_id)
    if problem:
        raise EcmxError(problem)
    path = Path(request.out or f"{request.plan_id}.yaml")
    refuse_existing(path, request.force)
    _, registry = plugins_for(request, plugins)
    base = _base_plan(registry, request.extends)
    if request.plan_id in registry.plans:
        raise EcmxError(
            f"plan {request.plan_id!r} exists already ({registry.plans[request.plan_id].origin}); "
            "choose another id"
        )
    text, to_set = scaffold(request.plan_id, request.name or request.plan_id, base)
    with atomic_file(path, force=request.force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return PlansNewResult(path, request.plan_id, base.id, to_set)


def _base_plan(registry, plan_id: str) -> PlanSpec:
    """A plan or family base to extend, by id; ``EcmxError`` with the known ones."""
    from ecmx.core.errors import EcmxError
    from ecmx.core.hints import did_you_mean

    base = registry.plans.get(plan_id)
    if base is None:
        names = sorted(registry.plans)
        raise EcmxError(
            f"unknown plan {plan_id!r} to extend{did_you_mean(plan_id, names)}; known plans and "
            f"family bases: {', '.join(names)} (see: ecmx plans list)"
        )
    return base


@dataclass(frozen=True)
class PlansDocRequest:
    """``ecmx plans doc PLAN [--out FILE] [--force]``."""

    plan: str
    out: Path | None = None  # write the page here instead of returning it only
    force: bool = False  # replace an existing ``out``
    plans_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class PlansDocResult:
    text: str  # the plan's page, markdown (docs/plans/<plan>.md for a built-in plan)
    written: Path | None  # ``out``, once written


def plan_doc_page(request: PlansDocRequest, *, plugins=None) -> PlansDocResult:
    """The plan's reference page (``core/plans/doc.py``), written atomically to ``out`` if
    given: never over an existing file without ``force``, never over a folder."""
    if request.out is not None:  # before any work: a refused target costs nothing
        check_file_target(request.out)
        refuse_existing(request.out, request.force)
    _, registry = plugins_for(request, plugins)
    text = plan_doc(registry.plan(request.plan), registry.file_kinds)
    if request.out is not None:
        with atomic_file(request.out, force=request.force) as tmp:
            tmp.write_text(text, encoding="utf-8", newline="\n")
    return PlansDocResult(text, request.out)
