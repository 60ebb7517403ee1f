"""The typed plan model: what the engine reads is built when plans load, from the YAML."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ecmx.core.billing.coding import BillingSpec, billing_spec
from ecmx.core.errors import ConfigError


def test_every_billed_plan_loads_its_billing_and_family_bases_none(plugins):
    _, registry = plugins
    for plan in registry.plans.values():
        if plan.abstract:
            assert plan.billing is None, plan.id
            continue
        assert isinstance(plan.billing, BillingSpec), plan.id
        assert billing_spec(plan) is plan.billing
        # the plan's own payer name (never inherited), as its YAML says
        assert plan.billing.payer_name == plan.data["billing"]["payer_name"]["value"]
        assert plan.billing.modifiers.keys() == {
            "clinical",
            "non_clinical",
            "pre_enrollment",
            "telehealth",
        }


def test_a_plan_without_billing_cannot_be_billed():
    with pytest.raises(ConfigError, match=r"^Solo Plan has no billing section: add billing:"):
        billing_spec(SimpleNamespace(name="Solo Plan", billing=None))


def test_file_facts_keep_where_they_come_from(plugins):
    """F010 and the RTF rules cite the plan's page: the facts keep their source."""
    _, registry = plugins
    rtf = registry.plan("healthnet").files["rtf"]
    assert rtf.accepted_formats == ("xlsx", "xlsm")
    assert rtf.accepted_formats_fact is not None
    assert rtf.accepted_formats_fact.source.startswith("hn-calaim-resources: FAQ")
    assert not rtf.accepted_formats_fact.assumed
    assert rtf.rules == {name: fact.value for name, fact in rtf.rule_facts.items()}
    assert rtf.rule_facts["encounter_counts"].source or rtf.rule_facts["encounter_counts"].assumed


def test_identity_and_rule_overrides_are_typed(plugins_with):
    _, registry = plugins_with(
        {
            "myplan.yaml": """\
id: myplan
name: My Plan
extends: healthnet
mcp:
  name: {value: My Plan, assumed: true}
  identifier: {value: MYP, source: "my-contract: exhibit A"}
rules:
  B005: {severity: error, source: "my-contract: x"}
  L010: {enabled: false, assumed: true}
"""
        }
    )
    plan = registry.plan("myplan")
    assert (plan.mcp("name"), plan.mcp("identifier")) == ("My Plan", "MYP")
    assert plan.identity["identifier"].source == "my-contract: exhibit A"
    assert plan.identity["name"].assumed
    assert plan.rules["B005"].severity == "error" and plan.rules["B005"].enabled
    assert not plan.rules["L010"].enabled and plan.rules["L010"].severity is None
