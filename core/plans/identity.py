"""A plan's identity: it is never billed or reported under another plan's name.

The MCP name and identifier (RTF, OTF) and the payer's name and id (837P) are the
plan's own. A family base (``abstract: true``) carries none (``identity_problems``);
a plan that does not set them takes defaults from its own name and id, assumed, and
``plans check`` says what to set (``own_identity``). Design note: "inheritance copies
identity" is a trap seen here.
"""

from __future__ import annotations

from typing import Any

IDENTITY = (
    ("mcp", "identifier", "the Primary Payer (MCP) Identifier on the RTF and OTF"),
    ("mcp", "name", "the MCP Name on the RTF and OTF"),
    ("billing", "payer_name", "the payer's name on claims (NM1*PR, NM1*40)"),
    ("billing", "payer_id", "the payer id on claims"),
)


def identity_problems(data: dict[str, Any], origin: str) -> list[str]:
    """A family base carries no plan's identity: every plan built on it would inherit it."""
    return [
        f"{origin}: {group}.{key}: a family base (abstract: true) names no plan; "
        f"set {what} in each plan that extends it"
        for group, key, what in IDENTITY
        if isinstance(data.get(group), dict) and key in data[group]
    ]


def own_identity(own: dict[str, Any], merged: dict[str, Any], origin: str) -> list[str]:
    """Identity the plan's own YAML does not set is never taken from the plan it extends:
    it defaults to the plan's own name and id (assumed) and a notice says what to set."""
    notices = []
    name, plan_id = merged.get("name") or merged.get("id", ""), merged.get("id", "")
    defaults = {"identifier": plan_id.upper(), "name": name, "payer_name": name}
    for group, key, what in IDENTITY:
        own_group = own.get(group)
        if isinstance(own_group, dict) and key in own_group:
            continue
        section = merged.get(group)
        inherited = isinstance(section, dict) and key in section
        if key not in defaults:
            if isinstance(section, dict) and key in section:
                del section[key]
                notices.append(
                    f"{origin}: {group}.{key}: not taken from {merged.get('extends')}; set "
                    f"{what} here, or plans.{plan_id}.{key} in provider.yaml"
                )
            continue
        if group == "billing" and not isinstance(section, dict):
            continue  # a plan without billing is not billed
        if not isinstance(section, dict):
            section = merged[group] = {}
        section[key] = {
            "value": defaults[key],
            "assumed": True,
            "note": f"defaults to the plan's own {'id' if key == 'identifier' else 'name'}: "
            f"set {group}.{key} in {origin}",
        }
        source = f"not taken from {merged['extends']}; " if inherited else ""
        notices.append(
            f"{origin}: {group}.{key}: {source}set {what} (now {defaults[key]!r}, assumed)"
        )
    return notices
