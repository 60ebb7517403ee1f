"""The check step (core/checks/step.py): rules, then plugin validators, then overrides."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from ecmx.core.checks.findings import ERROR, WARNING, Finding
from ecmx.core.checks.rules import Hit, Rule, Target
from ecmx.core.checks.step import check
from ecmx.core.plans.spec import RuleOverride


def _target(plan, kind="rtf") -> Target:
    frame = pd.DataFrame({"CIN": ["91234567A"]})
    return Target(plan, kind, None, frame, frame, [2], {"CIN": "A"}, "RTF")


def _rule(code: str, kinds=("rtf",)) -> Rule:
    return Rule(code, WARNING, "business", "a test rule", "fix it", "a test",
                lambda target: [Hit([0], "ruled")], kinds)  # fmt: skip


def _plugins(*returned):
    """A plugin manager whose ``ecmx_validate`` implementations return ``returned``."""
    calls = []

    def ecmx_validate(**kwargs):
        calls.append(kwargs)
        return list(returned)

    return SimpleNamespace(hook=SimpleNamespace(ecmx_validate=ecmx_validate)), calls


def test_the_step_lists_stage_rule_then_plugin_findings_and_passes_the_context():
    plan = SimpleNamespace(id="p", name="P", rules={})
    registry = SimpleNamespace(rules={"T901": _rule("T901"), "T902": _rule("T902", ("otf",))})
    pm, calls = _plugins([Finding(WARNING, "T903", "plugged")], None)
    context = object()
    found = [Finding(ERROR, "T900", "read")]
    target = _target(plan)
    out = check(target, registry, pm, context, found=found)
    assert [f.code for f in out] == ["T900", "T901", "T903"]  # T902 is for another kind
    [call] = calls
    assert call["plan"] is plan and call["kind"] == "rtf" and call["context"] is context
    assert call["frame"] is target.frame


def test_a_plans_overrides_apply_to_plugin_findings_but_not_to_fixed_codes():
    rules = {
        "T903": RuleOverride(severity="error"),
        "T901": RuleOverride(enabled=False),
        "T904": RuleOverride(enabled=False),
    }
    plan = SimpleNamespace(id="p", name="P", rules=rules)
    registry = SimpleNamespace(rules={"T901": _rule("T901")})
    pm, _ = _plugins([Finding(WARNING, "T903", "plugged"), Finding(ERROR, "T904", "fixed")])
    out = check(_target(plan), registry, pm, None, fixed=frozenset({"T904"}))
    assert [(f.code, f.severity) for f in out] == [("T903", ERROR), ("T904", ERROR)]
