"""Load plan configs: YAML -> merged dicts -> validated ``PlanSpec`` objects.

Every problem is collected before anything is reported (``ConfigError.details``):
1. each YAML is parsed within limits (``safe_yaml``; over them: exit 2) and
   checked against the schema;
2. ``extends`` is resolved (dicts merge deeply, so one code of a code list changes by its
   key; lists are replaced whole; a file the plan says it does not exchange,
   ``files.<kind>.exchanged: {value: false}``, is dropped), then the plan's own ``files.<kind>.columns_patch``
   changes the layout it inherits by column key (``plans.patch``); where each column and
   code was last set is kept for ``plans show --explain``;
3. the merged plan is checked (``plans.check``) and built (``plans.build``): billing,
   rule overrides, identity and file facts become typed fields of ``PlanSpec``.
A plan that fails a check is still resolvable, so plans extending it are
checked too and every problem shows at once.

Each ``source:`` must name an entry of the sources list (``provenance``). A plan
inherits facts but never another plan's identity (name, MCP, payer: see
``plans.identity.own_identity``), and a fact whose source does not speak for the plan
is assumed for it (``provenance.mark_unspoken``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ecmx.core.billing.coding import missing_billing
from ecmx.core.errors import ConfigError
from ecmx.core.hints import did_you_mean
from ecmx.core.plans.build import build_spec
from ecmx.core.plans.check import (
    semantic_problems,
    semantic_problems_of_invalid,
)
from ecmx.core.plans.identity import identity_problems, own_identity
from ecmx.core.plans.patch import apply_patches, column_key
from ecmx.core.plans.provenance import (
    citation_problems,
    load_sources,
    mark_unspoken,
    plan_own_sources,
    source_paths,
)
from ecmx.core.plans.schema_passes import schema_problems
from ecmx.core.plans.spec import PlanSpec
from ecmx.core.storage.safe_yaml import load_yaml

# What a plan never takes from the plan it extends: its own id, name and description.
NOT_INHERITED = ("abstract", "id", "family", "name", "source", "sources", "description")
PROVENANCE = ("source", "assumed", "note")


@dataclass
class PlanSource:
    """Where a plan config comes from: a YAML file, or a dict handed over by a plugin."""

    origin: str
    path: Path | None = None
    data: dict[str, Any] | None = None


Raw = dict[str, tuple[dict[str, Any], str]]  # plan id -> (its own YAML, origin)


def load_plans(
    sources: list[PlanSource],
    kinds: Mapping[str, Any],
    transforms: Mapping[str, Any],
    rule_codes: set[str] | None = None,
    source_lists: Sequence[Path] = (),
    calendar_rules: Mapping[str, Any] | None = None,
) -> dict[str, PlanSpec]:
    """Every plan, checked and built; raises ``ConfigError`` with every problem found.
    ``calendar_rules``: the registered calendar rule kinds its ``calendar:`` may use
    (default: the built-in ones)."""
    problems: list[str] = []
    cited = load_sources(list(source_lists), problems)
    raw, invalid = _read_all(sources, cited, problems)
    merged: dict[str, dict[str, Any]] = {}
    origins: dict[str, dict[str, str]] = {}
    for plan_id in raw:
        result = _resolve(plan_id, raw, (merged, origins), problems, [])
        if result is not None:
            merged[plan_id] = result
    notices = {
        plan_id: own_identity(raw[plan_id][0], data, raw[plan_id][1])
        for plan_id, data in merged.items()
        if data.get("abstract") is not True
    }
    specs: dict[str, PlanSpec] = {}
    for plan_id, data in merged.items():
        origin = raw[plan_id][1]
        if plan_id in invalid:
            problems += semantic_problems_of_invalid(data, origin, kinds, transforms, rule_codes)
            continue
        found = _merged_problems(data, origin, kinds, transforms, rule_codes)
        problems += found
        if not found:
            if data.get("abstract") is not True:
                mark_unspoken(data, plan_id, str(data.get("name", plan_id)), cited)
            spec = build_spec(
                data, origin, kinds, sources=cited, notices=tuple(notices.get(plan_id, ()))
            )
            spec = replace(spec, origins=origins.get(plan_id, {}))
            specs[plan_id] = _with_calendar(spec, data, calendar_rules, problems)
    if problems:
        raise ConfigError(f"{len(problems)} plan configuration problem(s)", details=problems)
    return specs


def _with_calendar(
    spec: PlanSpec,
    data: dict[str, Any],
    calendar_rules: Mapping[str, Any] | None,
    problems: list[str],
) -> PlanSpec:
    """The plan with its ``calendar:`` parsed by the registered rule kinds."""
    from ecmx.core.calendar.rule_kinds import BUILTIN_KINDS
    from ecmx.core.calendar.spec import parse_calendar

    rules = {k.name: k for k in BUILTIN_KINDS} if calendar_rules is None else calendar_rules
    calendar, found = parse_calendar(data.get("calendar") or {}, spec.cite, rules, spec.origin)
    problems.extend(found)
    return replace(spec, calendar=calendar)


def _read_all(
    sources: list[PlanSource], cited: dict[str, Any], problems: list[str]
) -> tuple[Raw, set[str]]:
    """Each plan's own YAML by id, and the ids the schema refused (reported already, still
    resolvable so the plans extending them are checked too)."""
    raw: Raw = {}
    invalid: set[str] = set()
    for source in sources:
        data = _read_source(source, problems)
        if data is None:
            continue
        origin = source.origin
        partial = schema_problems("partial", data, origin)
        problems.extend(partial)
        plan_id = data.get("id")
        if partial and isinstance(plan_id, str):
            invalid.add(plan_id)
        if not isinstance(plan_id, str) or not plan_id:
            if not partial:
                problems.append(f"{origin}: id: a plan needs an id (lower case, e.g. myplan)")
            continue
        if plan_id in raw:
            problems.append(
                f"{origin}: id: plan {plan_id!r} is defined twice (also in {raw[plan_id][1]}); "
                "rename one or remove the duplicate --plans-dir"
            )
            continue
        raw[plan_id] = (data, origin)
        _add_own_sources(data, origin, cited, problems)
        if data.get("abstract") is True:
            problems.extend(identity_problems(data, origin))
    for data, origin in raw.values():  # once every plan's own sources are known
        for path, value in source_paths(data):
            problems.extend(citation_problems(value, f"{origin}: {path}", cited))
    return raw, invalid


def _add_own_sources(
    data: dict[str, Any], origin: str, cited: dict[str, Any], problems: list[str]
) -> None:
    """Add a plan file's own ``sources:`` to the list its citations are checked against."""
    for source_id, source in plan_own_sources(data, origin, problems).items():
        if source_id in cited:
            problems.append(
                f"{origin}: sources.{source_id}: the id is taken already "
                f"({cited[source_id].title}); choose another"
            )
        else:
            cited[source_id] = source


def _merged_problems(
    data: dict[str, Any],
    origin: str,
    kinds: Mapping[str, Any],
    transforms: Mapping[str, Any],
    rule_codes: set[str] | None,
) -> list[str]:
    """A merged plan's problems; a concrete plan must also be complete (required keys,
    and a billing section it can be billed with)."""
    problems = []
    if not data.get("abstract"):
        problems += schema_problems("full", data, origin, only_required=True)
        if data.get("billing"):
            problems += missing_billing(data["billing"], f"{origin}: billing")
    return problems + semantic_problems(data, origin, kinds, transforms, rule_codes)


def _read_source(source: PlanSource, problems: list[str]) -> dict[str, Any] | None:
    if source.data is not None or source.path is None:
        return _normalise(copy.deepcopy(source.data or {}))
    try:
        data = load_yaml(source.path, "plan config (YAML)")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problems.append(f"{source.origin}{where}: not valid YAML ({getattr(exc, 'problem', exc)})")
        return None
    if not isinstance(data, dict):
        problems.append(f"{source.origin}: a plan config is a mapping with id, name, files, ...")
        return None
    return _templates_from(_normalise(data), source.path.parent)


def _templates_from(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Each ``files.<kind>.template`` made absolute against the plan file's folder, so a
    plan extending this one (in another folder) fills the same workbook."""
    for file in _mapping(data.get("files")).values():
        template = _mapping(file).get("template")
        if isinstance(template, dict) and isinstance(template.get("value"), str):
            path = Path(template["value"]).expanduser()
            template["value"] = str(path if path.is_absolute() else (folder / path).absolute())
    return data


def _normalise(node: Any) -> Any:
    """YAML turns ``2025-07-01`` into a date and ``true:``/``1`` keys into bool/int; make them text."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if isinstance(key, bool):
                key = "true" if key else "false"
            value = _normalise(value)
            if key == "code" and isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)
            if key == "columns" and isinstance(value, list):
                # A YAML alias of another version's column list (``- *rtf_2022``)
                # is spliced in, so a new version lists only what it adds.
                value = [c for item in value for c in (item if isinstance(item, list) else [item])]
            out[str(key)] = value
        return out
    if isinstance(node, list):
        return [_normalise(v) for v in node]
    if isinstance(node, date):
        return node.isoformat()
    return node


def _resolve(
    plan_id: str,
    raw: Raw,
    done: tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]],
    problems: list[str],
    chain: list[str],
) -> dict[str, Any] | None:
    """The plan merged onto the plan it extends, its ``columns_patch`` applied;
    ``done`` holds the plans merged so far and where their columns and codes come from."""
    merged, origins = done
    if plan_id in merged:
        return merged[plan_id]
    data, origin = raw[plan_id]
    parent_id = data.get("extends")
    if parent_id is None or parent_id == "":
        result = copy.deepcopy(data)
        origins[plan_id] = _origins(
            data, result, {}, apply_patches(result, origin, problems), origin
        )
        return result
    if not isinstance(parent_id, str):  # the schema pass has said so already
        return None
    if parent_id in chain or parent_id == plan_id:
        problems.append(
            f"{origin}: extends: {' -> '.join([*chain, plan_id, parent_id])} is a cycle"
        )
        return None
    if parent_id not in raw:
        problems.append(
            f"{origin}: extends: no plan or family base {parent_id!r}{did_you_mean(parent_id, raw)}"
        )
        return None
    parent = _resolve(parent_id, raw, done, problems, [*chain, plan_id])
    if parent is None:
        return None
    base = {k: v for k, v in parent.items() if k not in NOT_INHERITED}
    result = _deep_merge(base, data)
    _drop_not_exchanged(result)
    # A plan built on a family base belongs to that family; on a concrete plan, to its family.
    result.setdefault(
        "family", parent_id if parent.get("abstract") else parent.get("family", parent_id)
    )
    touched = apply_patches(result, origin, problems)
    origins[plan_id] = _origins(data, result, origins.get(parent_id, {}), touched, origin)
    return result


def _drop_not_exchanged(data: dict[str, Any]) -> None:
    """Files the plan inherits but does not exchange (``files.<kind>.exchanged`` false),
    and the calendar events dating them: CHWP follows the Health Net family's process, but
    only Health Net, CalViva and CHPIV send the CSASF and ask for the CSPRTF (seed 002).
    Dropped before the merged plan is checked or built."""
    files = _mapping(data.get("files"))
    dropped = [
        k for k, f in files.items() if _mapping(_mapping(f).get("exchanged")).get("value") is False
    ]
    for kind in dropped:
        del files[kind]
    events = _mapping(_mapping(data.get("calendar")).get("events"))
    for name in [n for n, e in events.items() if _mapping(e).get("file") in dropped]:
        del events[name]


def _origins(
    own: dict[str, Any],
    merged: dict[str, Any],
    inherited: dict[str, str],
    touched: set[tuple[str, str]],
    origin: str,
) -> dict[str, str]:
    """Which plan file last set each column (``files.KIND.KEY``) and code
    (``codes.LIST.KEY``): this plan's where its own YAML gives it, else the parent's."""
    out = dict(inherited)
    for kind, file in _mapping(own.get("files")).items():
        if "versions" in _mapping(file):
            out = {k: v for k, v in out.items() if not k.startswith(f"files.{kind}.")}
            for version in _mapping(_mapping(merged.get("files")).get(kind)).get("versions") or []:
                for key in filter(None, map(column_key, _mapping(version).get("columns") or [])):
                    out[f"files.{kind}.{key}"] = origin
    out.update({f"files.{kind}.{key}": origin for kind, key in touched})
    for name, code_list in _mapping(own.get("codes")).items():
        out.update(
            {f"codes.{name}.{key}": origin for key in _mapping(_mapping(code_list).get("values"))}
        )
    return out


def _mapping(node: object) -> dict[str, Any]:
    return node if isinstance(node, dict) else {}


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        inherited = out.get(key)
        # A dict tagged with a `kind` (a calendar rule) is replaced whole when the kind
        # changes: the parent's keys belong to the other kind.
        retagged = (
            isinstance(inherited, dict)
            and isinstance(value, dict)
            and "kind" in value
            and value["kind"] != inherited.get("kind")
        )
        if isinstance(value, dict) and isinstance(inherited, dict) and not retagged:
            if "source" in value or "assumed" in value:
                # The override says where it comes from: the parent's provenance (an
                # `assumed: true`, a note, a source) is not its own.
                inherited = {k: v for k, v in inherited.items() if k not in PROVENANCE}
            out[key] = _deep_merge(inherited, value)
        else:
            out[key] = copy.deepcopy(value)
    return out
