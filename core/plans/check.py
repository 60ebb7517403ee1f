"""Checks on plan configs: the JSON Schema, and what the running ecmx knows.

Every problem is a line ``file: path.to[3].key: what is wrong (did you mean ...?)``.
The schema pass on a single YAML ignores ``required`` (a plan that ``extends``
another is partial) except for source-or-assumed, which every entry needs; the
merged plan is then checked for required keys and against file kinds, fields,
code lists, transforms, naming placeholders, rule codes and billing references.
A plan's identity (``plans.identity``) is checked apart: it is never inherited.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecmx.core.billing.coding import billing_problems
from ecmx.core.checks.rules import MERGED_CODES
from ecmx.core.errors import printable
from ecmx.core.files.kinds.rtf import COUNT_FIELDS, ENCOUNTER_COUNTS
from ecmx.core.files.template import suffix_problem
from ecmx.core.hints import did_you_mean
from ecmx.core.plans.naming import naming_problems
from ecmx.core.storage import limits

if TYPE_CHECKING:
    import jsonschema

# A plan's code lists by name, and names a column may refer to (transforms).
Codes = Mapping[str, Any]
Names = Mapping[str, Any]


@cache
def plan_schema() -> dict[str, Any]:
    text = (
        resources.files("ecmx.core.plans").joinpath("schemas/plan.schema.json").read_text("utf-8")
    )
    return json.loads(text)


@cache
def partial_validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # only when a plan is checked (plans/schema_passes.py)

    return jsonschema.Draft202012Validator(_without_required(plan_schema()))


def _without_required(node: object) -> object:
    """The schema with every ``required`` dropped: a plan that extends another is partial."""
    if isinstance(node, dict):
        if node.get("$comment") == "provenance":
            return node  # source-or-assumed holds for every entry, even in a partial plan
        return {
            # "not required" is a real rule; an "if" tests which kind an entry is
            k: v if k in ("not", "if") else _without_required(v)
            for k, v in node.items()
            if k != "required" or not isinstance(v, list)
        }
    if isinstance(node, list):
        return [_without_required(v) for v in node]
    return node


@cache
def full_validator() -> jsonschema.Draft202012Validator:
    import jsonschema

    return jsonschema.Draft202012Validator(plan_schema())


def schema_problems(
    validator: jsonschema.Draft202012Validator,
    data: dict[str, Any],
    origin: str,
    *,
    only_required: bool = False,
) -> list[str]:
    problems = []

    def order(error: jsonschema.ValidationError) -> list[tuple[int, int, str]]:
        return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path]

    errors = sorted(validator.iter_errors(data), key=order)
    # a key unknown to the whole entry is reported once, not again as foreign to its kind
    unknown = {
        (tuple(e.absolute_path), key)
        for e in errors
        if e.validator == "additionalProperties" and isinstance(e.instance, dict)
        for key in e.instance
        if key not in e.schema.get("properties", {})
    }
    for error in errors:
        if only_required and error.validator != "required":
            continue
        if "propertyNames" in error.schema_path and (
            (tuple(error.absolute_path), error.instance) in unknown
        ):
            continue
        problems.append(f"{origin}: {_json_path(error.absolute_path)}: {_explain(error)}")
    return problems


def _json_path(parts: Iterable[str | int]) -> str:
    text = ""
    for part in parts:
        part = part if isinstance(part, int) else printable(part)
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


def _explain(error: jsonschema.ValidationError) -> str:
    if error.validator == "anyOf" and error.schema.get("$comment") == "provenance":
        return "needs source: (where it comes from) or assumed: true"
    if error.validator == "allOf":
        for sub in error.context or ():
            if sub.schema.get("$comment") == "provenance":
                return "needs source: (where it comes from) or assumed: true"
    if error.validator == "enum" and "propertyNames" in error.schema_path:
        allowed = [str(v) for v in error.validator_value]
        return (
            f"unknown key {error.instance!r} for this kind{did_you_mean(str(error.instance), allowed)}"
            f"; it takes {', '.join(allowed)}"
        )
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {error.validator_value}" + did_you_mean(
            str(error.instance), [str(v) for v in error.validator_value]
        )
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        unknown = [k for k in error.instance if k not in allowed]
        return "; ".join(f"unknown key {k!r}{did_you_mean(k, allowed)}" for k in unknown)
    if error.validator == "not" and isinstance(error.instance, dict):
        return "give either field: or value:, not both"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    return error.message


def semantic_problems_of_invalid(
    data: dict[str, Any],
    origin: str,
    kinds: Mapping[str, Any],
    transforms: Mapping[str, Any],
    rule_codes: set[str] | None = None,
) -> list[str]:
    """Semantic checks on a plan the schema refused, so every problem shows at once.

    Its shape is not guaranteed: a check that trips over a wrong type is skipped,
    since the schema problem that explains it is reported already.
    """
    try:
        return semantic_problems(data, origin, kinds, transforms, rule_codes)
    except (AttributeError, KeyError, TypeError, ValueError):
        return []


def semantic_problems(
    data: dict[str, Any],
    origin: str,
    kinds: Mapping[str, Any],
    transforms: Mapping[str, Any],
    rule_codes: set[str] | None = None,
) -> list[str]:
    """What the schema cannot say about a merged plan: references to rules, code lists,
    file kinds, fields, transforms and billing codes that must exist, one line each."""
    problems = _rules_problems(data.get("rules") or {}, origin, rule_codes)
    codes = data.get("codes") or {}
    problems += _code_list_problems(codes, origin)
    for kind_name, file in (data.get("files") or {}).items():
        at = f"files.{kind_name}"
        kind = kinds.get(kind_name)
        if kind is None:
            problems.append(f"{origin}: {at}: unknown file kind{did_you_mean(kind_name, kinds)}")
            continue
        problems += _file_problems(file, f"{origin}: {at}", at)
        problems += _versions_problems(file, f"{origin}: {at}", kind, codes, transforms)
    problems += _calendar_problems(data.get("calendar") or {}, origin)
    problems += _billing_problems(data.get("billing") or {}, origin)
    return problems


def _rules_problems(rules: Mapping[str, Any], origin: str, known: set[str] | None) -> list[str]:
    """Each ``rules.CODE`` must name a rule (the schema checks its enabled and severity)."""
    problems = []
    for code in rules:
        if known is None or code in known:
            continue
        merged = MERGED_CODES.get(code)
        problems.append(
            f"{origin}: rules.{code}: {code} was merged into {merged}: use rules.{merged}"
            if merged in known
            else f"{origin}: rules.{code}: no rule has this code"
            f"{did_you_mean(code, known)} (see docs/findings.md)"
        )
    return problems


def _code_list_problems(codes: Mapping[str, Any], origin: str) -> list[str]:
    problems = []
    for name, code_list in codes.items():
        default = (code_list.get("default") or {}).get("key")
        if default is not None and default not in code_list.get("values", {}):
            problems.append(
                f"{origin}: codes.{name}.default.key: {default!r} is not a key of the list"
                + did_you_mean(default, code_list.get("values", {}))
            )
    return problems


def _file_problems(file: Mapping[str, Any], where: str, at: str) -> list[str]:
    """A file's naming, formats, rule facts, header row and sheet (``where`` starts with
    the plan's file, ``at`` is the key path alone, as a line's hint quotes it)."""
    problems = naming_problems(
        file.get("naming", {}).get("template", ""),
        f"{where}.naming.template",
        str(file.get("format") or "xlsx"),
    )
    accepted = (file.get("accepted_formats") or {}).get("value")
    if accepted and file.get("format") not in accepted:
        problems.append(
            f"{where}.format: {file.get('format')!r} is not a format the plan "
            f"accepts ({at}.accepted_formats: {', '.join(map(str, accepted))}): "
            "ecmx would write a file the plan refuses"
        )
    problems += _count_problems(file, where)
    template = (file.get("template") or {}).get("value")
    if isinstance(template, str):
        problem = suffix_problem(Path(template), str(file.get("format")))
        problems += [f"{where}.template: {problem}"] if problem else []
    header_row = file.get("header_row", 1)
    if isinstance(header_row, int) and not 1 <= header_row <= limits.MAX_HEADER_ROW:
        problems.append(
            f"{where}.header_row: {header_row} is not a row from 1 to "
            f"{limits.MAX_HEADER_ROW} (validate and ingest look for the header that far down)"
        )
    return problems + _sheet_problems(file.get("sheet"), f"{where}.sheet")


def _count_problems(file: Mapping[str, Any], where: str) -> list[str]:
    """A layout that writes encounter counts says what they count (seed 002)."""
    counted = ((file.get("rules") or {}).get("encounter_counts") or {}).get("value")
    counts_written = any(
        isinstance(column, dict) and column.get("field") in COUNT_FIELDS
        for version in file.get("versions") or []
        for column in version.get("columns") or []
    )
    if counted is None and counts_written:
        return [
            f"{where}.rules.encounter_counts: the layout writes In Person / "
            f"Telephonic counts: say what they count ({', '.join(ENCOUNTER_COUNTS)}), "
            "with its source or assumed: true"
        ]
    if counted is not None and counted not in ENCOUNTER_COUNTS:
        return [
            f"{where}.rules.encounter_counts.value: {counted!r} is not one of "
            f"{', '.join(ENCOUNTER_COUNTS)}{did_you_mean(str(counted), ENCOUNTER_COUNTS)}"
        ]
    return []


def _versions_problems(
    file: Mapping[str, Any], where: str, kind: Any, codes: Codes, transforms: Names
) -> list[str]:
    """Each layout version: a date of its own, and columns the kind and plan know."""
    problems = []
    seen_dates = set()
    for v_index, version in enumerate(file.get("versions") or []):
        v_at = f"{where}.versions[{v_index}]"
        effective = version.get("effective")
        try:
            date.fromisoformat(str(effective))
        except ValueError:
            problems.append(f"{v_at}.effective: {effective!r} is not a date (YYYY-MM-DD)")
        if effective in seen_dates:
            problems.append(f"{v_at}.effective: two versions take effect on {effective}")
        seen_dates.add(effective)
        problems += _layout_problems(version, v_at, kind, codes, transforms)
    return problems


def _layout_problems(
    version: Mapping[str, Any], v_at: str, kind: Any, codes: Codes, transforms: Names
) -> list[str]:
    problems = []
    headers = set()
    keys: dict[str, int] = {}
    for c_index, column in enumerate(version.get("columns") or []):
        c_at = f"{v_at}.columns[{c_index}]"
        if column.get("header") in headers:
            problems.append(f"{c_at}.header: {column['header']!r} appears twice in the layout")
        headers.add(column.get("header"))
        problems += _key_problems(column, c_at, keys, c_index)
        problems += _column_problems(column, c_at, kind, codes, transforms)
    return problems


def _key_problems(
    column: Mapping[str, Any], c_at: str, keys: dict[str, int], index: int
) -> list[str]:
    """A column's key (``key:``, else its field) names it for ``columns_patch``: one per layout."""
    key = column.get("key", column.get("field"))
    if key is None:
        return (
            [f"{c_at}: a column with no field: needs key: (a name to change it by)"]
            if "value" in column
            else []
        )
    if key in keys:
        what = "key" if "key" in column else "field"
        return [
            f"{c_at}.{what}: the key {key!r} is the key of columns[{keys[key]}] too: "
            "give one of them its own key: (keys are unique in a layout)"
        ]
    keys[key] = index
    return []


def _sheet_problems(sheet: object, at: str) -> list[str]:
    """A sheet name Excel refuses (a convert would stop on it)."""
    from ecmx.core.files.write import sheet_name_problem

    name = sheet.get("value") if isinstance(sheet, dict) else sheet
    problem = sheet_name_problem(name) if isinstance(name, str) else None
    return [f"{at}: {name!r}: {problem}"] if problem else []


def _billing_problems(billing: Mapping[str, Any], origin: str) -> list[str]:
    problems = billing_problems(billing, f"{origin}: billing")
    template = (billing.get("naming") or {}).get("template")
    if template:
        problems.extend(naming_problems(template, f"{origin}: billing.naming.template", "837"))
    x12 = billing.get("x12") or {}
    chars: list[str] = [
        x12[k] for k in ("element", "component", "repetition", "segment") if x12.get(k)
    ]
    if len(set(chars)) != len(chars):
        problems.append(f"{origin}: billing.x12: the four separators must differ")
    if any(c.isalnum() or c == " " for c in chars):
        problems.append(f"{origin}: billing.x12: a separator cannot be a letter, digit or space")
    return problems


def _calendar_problems(calendar: Mapping[str, Any], origin: str) -> list[str]:
    problems = []
    region = calendar.get("holidays")
    if region:
        import holidays

        try:
            holidays.country_holidays(region.get("country"), subdiv=region.get("subdivision"))
        except NotImplementedError as exc:  # how the holidays library says "no such region"
            problems.append(f"{origin}: calendar.holidays: {exc} (see the holidays library's list)")
    for name, event in (calendar.get("events") or {}).items():
        rule = event.get("rule") or {}
        if rule.get("kind") == "after_trigger" and rule.get("days_min", 0) > rule.get(
            "days_max", 0
        ):
            problems.append(f"{origin}: calendar.events.{name}.rule: days_min is after days_max")
    return problems


def _column_problems(
    column: Mapping[str, Any], at: str, kind: Any, codes: Codes, transforms: Names
) -> list[str]:
    problems = []
    field_name = column.get("field")
    if field_name is None and "value" not in column:
        problems.append(f"{at}: give field: (a {kind.name} field) or value: (a constant)")
    elif field_name is not None and field_name not in kind.fields:
        problems.append(
            f"{at}.field: {field_name!r} is not a {kind.name} field"
            + did_you_mean(field_name, kind.fields)
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
            f"{at}.codes: no code list {code_list!r} in this plan{did_you_mean(code_list, codes)}"
        )
    if ctype == "code" and not code_list:
        problems.append(f"{at}.codes: a code column needs codes: (the list that translates it)")
    transform = column.get("transform")
    if transform and transform not in transforms:
        problems.append(
            f"{at}.transform: unknown transform {transform!r}{did_you_mean(transform, transforms)}"
        )
    return problems
