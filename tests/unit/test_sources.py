"""The sources list: one entry per public page, whom each speaks for, and how it reads."""

from __future__ import annotations

import textwrap

import pytest

from ecmx.core.plans.provenance import builtin_sources, readable

SPEAKS_FOR = {  # the plans each page speaks for (shared/docs/domain.md, "The sources, by title")
    "chwp-ecm-process": {"chwp"},
    "hn-ecm-process": {"healthnet"},
    "hn-calaim-resources": {"healthnet", "calviva", "chpiv"},
    "phc-ecm-guide": {"partnership"},
    "phc-ecm-faq": {"partnership"},
}


def test_each_source_has_its_title_publisher_date_place_and_plans():
    sources = builtin_sources()
    assert {s: set(v.plans) for s, v in sources.items()} == SPEAKS_FOR
    for source in sources.values():
        assert source.title and source.publisher and source.date and source.where
        assert "seed" not in f"{source.title} {source.where} {source.date}".lower()
    assert sources["hn-ecm-process"].date == "last updated 02/13/2025"
    assert sources["hn-calaim-resources"].date == "last updated 04/11/2024"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "hn-calaim-resources: FAQ acuity",
            "CalAIM Resources for Providers and CalAIM FAQ (FAQ acuity)",
        ),
        ("phc-ecm-faq", "CalAIM: Enhanced Care Management (ECM) Frequently Asked Questions"),
        (
            "seed 004 FAQ: a TAR is required",
            "'CalAIM: Enhanced Care Management (ECM) Frequently Asked Questions' FAQ: a TAR is required",
        ),
        (
            "seed 002 FAQ on the initial assessment; seeds 000, 001",
            "'CalAIM Resources for Providers and CalAIM FAQ' FAQ on the initial assessment; "
            "'Enhanced Care Management Process, step by step (Peer & QMHA)' and "
            "'Enhanced Care Management End-to-End Process'",
        ),
        ("a test plugin", "a test plugin"),
    ],
)
def test_a_finding_source_reads_as_the_pages_title(text, expected):
    assert readable(text) == expected


def test_a_family_base_carries_no_plans_identity(config_problems):
    problems = config_problems(
        {
            "base.yaml": """\
            id: mybase
            name: My family base
            abstract: true
            extends: healthnet_family
            mcp:
              name: {value: Health Net, assumed: true}
            billing:
              payer_name: {value: Health Net, assumed: true}
            """
        }
    )
    assert [p.split("base.yaml: ")[1] for p in problems] == [
        "mcp.name: a family base (abstract: true) names no plan; "
        "set the MCP Name on the RTF and OTF in each plan that extends it",
        "billing.payer_name: a family base (abstract: true) names no plan; "
        "set the payer's name on claims (NM1*PR, NM1*40) in each plan that extends it",
    ]


def test_a_plan_extending_a_plan_keeps_what_it_sets_and_defaults_the_rest(plugins_with):
    _, registry = plugins_with(
        {
            "myplan.yaml": textwrap.dedent(
                """\
                id: myplan
                name: My Plan
                extends: calviva
                mcp:
                  identifier: {value: MYP, source: "my-contract: exhibit A"}
                """
            )
        }
    )
    plan = registry.plan("myplan")
    assert (plan.mcp("identifier"), plan.mcp("name")) == ("MYP", "My Plan")
    assert plan.data["billing"]["payer_name"]["value"] == "My Plan"
    assert plan.billing is not None and plan.billing.payer_name == "My Plan"
    assumed = dict(plan.assumptions())
    assert "mcp.name" in assumed and "billing.payer_name" in assumed
    assert "mcp.identifier" not in assumed
    assert [n.split("myplan.yaml: ")[1].split(":")[0] for n in plan.notices] == [
        "mcp.name",
        "billing.payer_name",
    ]
    # CalViva's own page does not speak for My Plan: what it inherits is assumed
    assert "taken from CalAIM Resources for Providers" in assumed["codes.acuity.default"]
