"""Plan configurations: YAML -> validated, merged ``PlanSpec`` objects.

Loading collects every problem before reporting (``ConfigError.details``), each
as ``file: path.to[3].key: what is wrong (did you mean ...?)``:
1. each YAML is parsed with ``safe_load`` and checked against the JSON Schema
   (without its ``required`` list: a plan that ``extends`` another is partial);
2. ``extends`` is resolved (dicts merge deeply, lists are replaced whole);
3. the merged plan is checked for required keys, and against what the running
   ecmx knows: file kinds and their fields, code lists, transforms, naming.
"""

from __future__ import annotations

import copy
import difflib
import json
import string
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from ecmx.core.errors import ConfigError
from ecmx.core.periods import Period

NAMING_FIELDS = (
    "facility_name",
    "file_prefix",
    "plan",
    "kind",
    "period",
    "period_end",
    "production_date",
)
DATE_NAMING_FIELDS = ("period", "period_end", "production_date")


@cache
def plan_schema() -> dict:
    text = resources.files("ecmx.core").joinpath("schemas/plan.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _partial_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_without_required(plan_schema()))


def _without_required(node):
    """The schema with every ``required`` dropped: a plan that extends another is partial."""
    if isinstance(node, dict):
        if node.get("$comment") == "provenance":
            return node  # source-or-assumed holds for every entry, even in a partial plan
        return {
            k: v if k == "not" else _without_required(v)  # "not required" is a real rule
            for k, v in node.items()
            if k != "required" or not isinstance(v, list)
        }
    if isinstance(node, list):
        return [_without_required(v) for v in node]
    return node


@cache
def _full_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(plan_schema())


# ---------------------------------------------------------------- the spec objects


@dataclass(frozen=True)
class CodeList:
    name: str
    values: dict[str, dict]
    default: str | None = None

    def mapping(self, output: str = "code") -> dict[str, str]:
        """canonical key -> what the plan file holds (code or label)."""
        if output == "label":
            return {k: v.get("label", v["code"]) for k, v in self.values.items()}
        return {k: v["code"] for k, v in self.values.items()}


@dataclass(frozen=True)
class ColumnSpec:
    header: str
    field: str | None = None
    value: object = None
    type: str = "text"
    codes: str | None = None
    output: str = "code"
    transform: str | None = None
    required: bool = False
    max_length: int | None = None
    default: object = None
    description: str = ""
    source: str = ""
    assumed: bool = False
    note: str = ""


@dataclass(frozen=True)
class Layout:
    version: str
    effective: date
    columns: tuple[ColumnSpec, ...]
    source: str = ""
    assumed: bool = False

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


@dataclass(frozen=True)
class FileSpec:
    kind: str
    title: str
    format: str
    sheet: str
    date_format: str
    naming: str
    header_row: int
    rules: dict[str, object]
    versions: tuple[Layout, ...]

    def layout_for(self, period: Period) -> Layout:
        """The layout in force on the first day of the period (the latest effective one)."""
        in_force = [v for v in self.versions if v.effective <= period.start]
        if not in_force:
            first = min(self.versions, key=lambda v: v.effective)
            raise ConfigError(
                f"no {self.kind} layout is in force for {period}: the earliest takes effect "
                f"{first.effective}; choose a later --period"
            )
        return max(in_force, key=lambda v: v.effective)


@dataclass(frozen=True)
class PlanSpec:
    id: str
    name: str
    family: str
    abstract: bool
    extends: str | None
    origin: str
    data: dict = field(repr=False)
    codes: dict[str, CodeList] = field(repr=False)
    files: dict[str, FileSpec] = field(repr=False)

    def mcp(self, key: str) -> str:
        fact = (self.data.get("mcp") or {}).get(key)
        return "" if fact is None else str(fact["value"])

    def assumptions(self) -> list[tuple[str, str]]:
        """Every ``assumed: true`` entry as (path, note): what to confirm with the plan."""
        return list(_walk_assumed(self.data, ""))


def _walk_assumed(node, path):
    if isinstance(node, dict):
        if node.get("assumed") is True:
            label = (
                node.get("header") or node.get("code") or node.get("value") or node.get("template")
            )
            note = node.get("note", "")
            yield path, " - ".join(str(p) for p in (label, note) if p not in (None, ""))
        for key, value in node.items():
            yield from _walk_assumed(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_assumed(value, f"{path}[{index}]")


# ---------------------------------------------------------------- loading


@dataclass
class PlanSource:
    """Where a plan config comes from: a YAML file, or a dict handed over by a plugin."""

    origin: str
    path: Path | None = None
    data: dict | None = None


def load_plans(sources: list[PlanSource], kinds: dict, transforms: dict) -> dict[str, PlanSpec]:
    problems: list[str] = []
    raw: dict[str, tuple[dict, str]] = {}
    invalid: set = set()  # reported already; still resolvable so dependents are checked
    for source in sources:
        data = _read_source(source, problems)
        if data is None:
            continue
        origin = source.origin
        partial = _schema_problems(_partial_validator(), data, origin)
        problems.extend(partial)
        plan_id = data.get("id")
        if partial:
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

    merged: dict[str, dict] = {}
    for plan_id in raw:
        result = _resolve(plan_id, raw, merged, problems, [])
        if result is not None:
            merged[plan_id] = result

    specs: dict[str, PlanSpec] = {}
    for plan_id, data in merged.items():
        origin = raw[plan_id][1]
        if plan_id in invalid:
            problems.extend(_semantic_problems_of_invalid(data, origin, kinds, transforms))
            continue
        before = len(problems)
        if not data.get("abstract"):
            problems.extend(_schema_problems(_full_validator(), data, origin, only_required=True))
        problems.extend(_semantic_problems(data, origin, kinds, transforms))
        if len(problems) == before:
            specs[plan_id] = _build_spec(data, origin, kinds)
    if problems:
        raise ConfigError(f"{len(problems)} plan configuration problem(s)", details=problems)
    return specs


def _read_source(source: PlanSource, problems: list[str]) -> dict | None:
    if source.data is not None:
        return _normalise(copy.deepcopy(source.data))
    try:
        text = source.path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{source.origin}: cannot be read ({exc})")
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problems.append(f"{source.origin}{where}: not valid YAML ({getattr(exc, 'problem', exc)})")
        return None
    if not isinstance(data, dict):
        problems.append(f"{source.origin}: a plan config is a mapping with id, name, files, ...")
        return None
    return _normalise(data)


def _normalise(node):
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


def _resolve(plan_id, raw, merged, problems, chain) -> dict | None:
    if plan_id in merged:
        return merged[plan_id]
    data, origin = raw[plan_id]
    parent_id = data.get("extends")
    if not parent_id:
        return data
    if parent_id in chain or parent_id == plan_id:
        problems.append(
            f"{origin}: extends: {' -> '.join([*chain, plan_id, parent_id])} is a cycle"
        )
        return None
    if parent_id not in raw:
        problems.append(
            f"{origin}: extends: no plan or family base {parent_id!r}{_did_you_mean(parent_id, raw)}"
        )
        return None
    parent = _resolve(parent_id, raw, merged, problems, [*chain, plan_id])
    if parent is None:
        return None
    base = {k: v for k, v in parent.items() if k not in ("abstract", "id", "family")}
    result = _deep_merge(base, data)
    # A plan built on a family base belongs to that family; on a concrete plan, to its family.
    result.setdefault(
        "family", parent_id if parent.get("abstract") else parent.get("family", parent_id)
    )
    return result


def _deep_merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _schema_problems(validator, data, origin, *, only_required=False) -> list[str]:
    problems = []

    def order(error):
        return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path]

    for error in sorted(validator.iter_errors(data), key=order):
        if only_required and error.validator != "required":
            continue
        problems.append(f"{origin}: {_json_path(error.absolute_path)}: {_explain(error)}")
    return problems


def _json_path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _explain(error: jsonschema.ValidationError) -> str:
    if error.validator == "anyOf" and error.schema.get("$comment") == "provenance":
        return "needs source: (where it comes from) or assumed: true"
    if error.validator == "allOf":
        for sub in error.context or ():
            if sub.schema.get("$comment") == "provenance":
                return "needs source: (where it comes from) or assumed: true"
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {error.validator_value}" + _did_you_mean(
            str(error.instance), [str(v) for v in error.validator_value]
        )
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        unknown = [k for k in error.instance if k not in allowed]
        return "; ".join(f"unknown key {k!r}{_did_you_mean(k, allowed)}" for k in unknown)
    if error.validator == "not" and isinstance(error.instance, dict):
        return "give either field: or value:, not both"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    return error.message


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _semantic_problems_of_invalid(data, origin, kinds, transforms) -> list[str]:
    """Semantic checks on a plan the schema refused, so every problem shows at once.

    Its shape is not guaranteed: a check that trips over a wrong type is skipped,
    since the schema problem that explains it is reported already.
    """
    try:
        return _semantic_problems(data, origin, kinds, transforms)
    except (AttributeError, KeyError, TypeError, ValueError):
        return []


def _semantic_problems(data: dict, origin: str, kinds: dict, transforms: dict) -> list[str]:
    problems = []
    codes = data.get("codes") or {}
    for name, code_list in codes.items():
        default = (code_list.get("default") or {}).get("key")
        if default is not None and default not in code_list.get("values", {}):
            problems.append(
                f"{origin}: codes.{name}.default.key: {default!r} is not a key of the list"
                + _did_you_mean(default, code_list.get("values", {}))
            )
    for kind_name, file in (data.get("files") or {}).items():
        at = f"files.{kind_name}"
        kind = kinds.get(kind_name)
        if kind is None:
            problems.append(f"{origin}: {at}: unknown file kind{_did_you_mean(kind_name, kinds)}")
            continue
        problems.extend(
            _naming_problems(
                file.get("naming", {}).get("template", ""), f"{origin}: {at}.naming.template"
            )
        )
        seen_dates = set()
        for v_index, version in enumerate(file.get("versions") or []):
            v_at = f"{at}.versions[{v_index}]"
            effective = version.get("effective")
            try:
                date.fromisoformat(str(effective))
            except ValueError:
                problems.append(
                    f"{origin}: {v_at}.effective: {effective!r} is not a date (YYYY-MM-DD)"
                )
            if effective in seen_dates:
                problems.append(
                    f"{origin}: {v_at}.effective: two versions take effect on {effective}"
                )
            seen_dates.add(effective)
            headers = set()
            for c_index, column in enumerate(version.get("columns") or []):
                c_at = f"{origin}: {v_at}.columns[{c_index}]"
                if column.get("header") in headers:
                    problems.append(
                        f"{c_at}.header: {column['header']!r} appears twice in the layout"
                    )
                headers.add(column.get("header"))
                problems.extend(_column_problems(column, c_at, kind, codes, transforms))
    return problems


def _column_problems(column, at, kind, codes, transforms) -> list[str]:
    problems = []
    field_name = column.get("field")
    if field_name is None and "value" not in column:
        problems.append(f"{at}: give field: (a {kind.name} field) or value: (a constant)")
    elif field_name is not None and field_name not in kind.fields:
        problems.append(
            f"{at}.field: {field_name!r} is not a {kind.name} field"
            + _did_you_mean(field_name, kind.fields)
            + f" (see ecmx plans fields {kind.name})"
        )
    ctype = column.get("type") or (
        kind.fields[field_name].type if field_name in kind.fields else "text"
    )
    code_list = column.get("codes") or (
        kind.fields[field_name].codes if field_name in kind.fields else None
    )
    if ctype == "bool" and not code_list:
        code_list = "yes_no"
    if code_list and code_list not in codes:
        problems.append(
            f"{at}.codes: no code list {code_list!r} in this plan{_did_you_mean(code_list, codes)}"
        )
    if ctype == "code" and not code_list:
        problems.append(f"{at}.codes: a code column needs codes: (the list that translates it)")
    transform = column.get("transform")
    if transform and transform not in transforms:
        problems.append(
            f"{at}.transform: unknown transform {transform!r}{_did_you_mean(transform, transforms)}"
        )
    return problems


def _naming_problems(template: str, at: str) -> list[str]:
    problems = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        return [f"{at}: {exc}"]
    for _, name, spec, _ in parsed:
        if name is None:
            continue
        if name not in NAMING_FIELDS:
            problems.append(
                f"{at}: unknown placeholder {{{name}}}{_did_you_mean(name, NAMING_FIELDS)}"
            )
        elif spec and name not in DATE_NAMING_FIELDS:
            problems.append(f"{at}: {{{name}}} is text and takes no format")
    return problems


def _build_spec(data: dict, origin: str, kinds: dict) -> PlanSpec:
    codes = {
        name: CodeList(name, dict(c["values"]), (c.get("default") or {}).get("key"))
        for name, c in (data.get("codes") or {}).items()
    }
    files = {}
    for kind, f in (data.get("files") or {}).items():
        versions = tuple(
            Layout(
                str(v["version"]),
                date.fromisoformat(v["effective"]),
                tuple(_column(c, kinds[kind]) for c in v["columns"]),
                v.get("source", ""),
                bool(v.get("assumed")),
            )
            for v in f["versions"]
        )
        files[kind] = FileSpec(
            kind=kind,
            title=f.get("title", kind.upper()),
            format=f["format"],
            sheet=str(f["sheet"]["value"]),
            date_format=str((f.get("date_format") or {}).get("value", "mm/dd/yyyy")),
            naming=f["naming"]["template"],
            header_row=int(f.get("header_row", 1)),
            rules={k: r["value"] for k, r in (f.get("rules") or {}).items()},
            versions=versions,
        )
    return PlanSpec(
        id=data["id"],
        name=data.get("name", data["id"]),
        family=data.get("family", ""),
        abstract=bool(data.get("abstract")),
        extends=data.get("extends"),
        origin=origin,
        data=data,
        codes=codes,
        files=files,
    )


def _column(c: dict, kind) -> ColumnSpec:
    """A column with its type and code list filled in from the kind's field when unsaid."""
    known = ColumnSpec.__dataclass_fields__
    values = {k: v for k, v in c.items() if k in known}
    field_spec = kind.fields.get(c.get("field"))
    values.setdefault("type", field_spec.type if field_spec else "text")
    if "codes" not in values and field_spec and field_spec.codes:
        values["codes"] = field_spec.codes
    if values["type"] == "bool":
        values.setdefault("codes", "yes_no")
    return ColumnSpec(**values)
