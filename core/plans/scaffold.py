"""``ecmx plans new ID --extends PLAN``: the commented YAML a new plan starts from.

A plan that extends another takes its layouts, codes, calendar and billing rules, but
never its identity (``plans.identity``): the scaffold writes each value the integrator
must set of the plan's own (MCP name and identifier, payer name, file names) as a
placeholder marked ``assumed: true``, with a note saying what to put there and where it
comes from, so that ``plans check`` passes and ``plans show --assumptions`` lists them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ecmx.core.plans.spec import PlanSpec

PLAN_ID = re.compile(r"^[a-z][a-z0-9_]*$")  # as the plan schema's ``id``

# (group, key, what it is, where it comes from, what the placeholder is)
IDENTITY_ITEMS = (
    (
        "mcp",
        "identifier",
        "the Primary Payer (MCP) Identifier written on the RTF and OTF",
        "the plan's file template or ECM provider guide",
        "the plan id in capitals",
    ),
    (
        "mcp",
        "name",
        "the MCP Name written on the RTF and OTF",
        "the plan's file template or ECM provider guide",
        "the plan's name",
    ),
    (
        "billing",
        "payer_name",
        "the payer's name on claims (837P NM1*PR and NM1*40)",
        "the plan's 837P companion guide",
        "the plan's name",
    ),
)


def plan_id_problem(plan_id: str) -> str | None:
    """Why ``plan_id`` cannot name a plan, or None."""
    if PLAN_ID.match(plan_id):
        return None
    return (
        f"{plan_id!r} cannot be a plan id: lower case letters, digits and _, starting with "
        "a letter (it is used on the command line and in members.plan)"
    )


def _q(text: object) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(str(text))


def _fact(value: str, note: str) -> str:
    return f"{{value: {_q(value)}, assumed: true, note: {_q(note)}}}"


def _identity_lines(plan_id: str, name: str, base: PlanSpec) -> tuple[list[str], list[str]]:
    """The ``mcp:`` and ``billing:`` sections, and the YAML paths they set."""
    placeholders = {"identifier": plan_id.upper(), "name": name, "payer_name": name}
    billed = isinstance(base.data.get("billing"), dict)
    lines: list[str] = []
    paths: list[str] = []
    for group, key, what, where, placeholder in IDENTITY_ITEMS:
        if group == "billing" and not billed:
            continue  # a plan without billing is not billed
        if f"{group}:" not in lines:
            lines += ["", f"{group}:"]
        note = f"set {what}, from {where}; now {placeholder}, never {base.id}'s"
        lines += [f"  # {what}: from {where}", f"  {key}: {_fact(placeholders[key], note)}"]
        paths.append(f"{group}.{key}")
    if billed:
        lines += [
            "  # the payer id on claims (837P NM1*PR), from the plan's 837P companion guide:",
            "  # set it here (payer_id: {value: ..., source: ...}) or per provider as",
            f"  # plans.{plan_id}.payer_id in provider.yaml",
        ]
        lines += _naming_lines(base.data["billing"], "  ", "billing", plan_id, base, paths)
    return lines, paths


def _naming_lines(
    section: dict[str, Any], indent: str, at: str, plan_id: str, base: PlanSpec, paths: list[str]
) -> list[str]:
    naming = section.get("naming")
    if not isinstance(naming, dict) or "template" not in naming:
        return []
    note = f"the file name the plan expects, from its submission instructions; now {base.id}'s"
    paths.append(f"{at}.naming")
    template = naming["template"]
    lines = [f"{indent}# the file name without extension, from the plan's submission instructions"]
    if "{file_prefix" in template:
        lines.append(f"{indent}# ({{file_prefix}} is plans.{plan_id}.file_prefix in provider.yaml)")
    return [
        *lines,
        f"{indent}naming: {{template: {_q(template)}, assumed: true, note: {_q(note)}}}",
    ]


def _file_lines(plan_id: str, base: PlanSpec, paths: list[str]) -> list[str]:
    files = base.data.get("files") or {}
    lines: list[str] = []
    for kind in base.files:
        naming = _naming_lines(files.get(kind) or {}, "    ", f"files.{kind}", plan_id, base, paths)
        if naming:
            lines += [f"  {kind}:  # {base.files[kind].title}", *naming]
    return ["", "files:", *lines] if lines else []


def scaffold(plan_id: str, name: str, base: PlanSpec) -> tuple[str, list[str]]:
    """The scaffold's YAML text, and the YAML paths it marks for the integrator to set."""
    identity, paths = _identity_lines(plan_id, name, base)
    files = _file_lines(plan_id, base, paths)
    head = [
        f"# {name}: a plan that starts from {base.id} ({base.name}).",
        f"# Everything not written here is taken from {base.id}, except the plan's identity:",
        "# each value below is a placeholder marked assumed: true. Replace it with the plan's",
        "# own value and write source: 'SOURCE-ID: section' instead of assumed: true",
        "# (docs/configuration.md, Provenance). To change a column or a code, see",
        f"# ecmx plans show {base.id} --explain and docs/configuration.md. Check it with:",
        f"#   ecmx plans check {plan_id}.yaml",
        f"id: {plan_id}",
        f"name: {_q(name)}  # the plan's display name (plans list, reports)",
        f"extends: {base.id}",
        "",
        "# The documents the values come from (the plan's templates, your contract), each",
        "# an id that source: names; they speak for this plan. For example:",
        "# sources:",
        f'#   {plan_id.replace("_", "-")}-template: {{title: "The plan\'s RTF template", '
        'where: "sent by the plan, YYYY-MM"}',
    ]
    return "\n".join([*head, *identity, *files]) + "\n", paths
