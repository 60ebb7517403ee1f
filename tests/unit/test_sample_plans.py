"""The sample dataset is made from plan configs (issue 13, point 4): any set of plans, each
plan's TAR rules read from its billing config, not from its name."""

from __future__ import annotations

import yaml

from ecmx.core.dataset import canonical, sample
from ecmx.core.dataset.sample import generate, provider_profile
from ecmx.core.dataset.sample_plans import SamplePlan, add_referrals, builtin_plans, ordered
from ecmx.core.hooks.manager import make_plugin_manager

PERIOD = "2025-11"


def registry_with(tmp_path, **plans):
    for plan_id, billing in plans.items():
        data = {
            "id": plan_id, "name": plan_id, "extends": "healthnet",
            "mcp": {"identifier": {"value": plan_id.upper(), "assumed": True},
                    "name": {"value": plan_id, "assumed": True}},
            "billing": {"payer_name": {"value": plan_id, "assumed": True}, **billing},
        }  # fmt: skip
        (tmp_path / f"{plan_id}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return make_plugin_manager([tmp_path], entry_points=False)[1]


def test_the_default_plans_are_the_built_in_ones_in_the_order_the_goldens_were_made():
    assert sample.PLANS == ("healthnet", "calviva", "chpiv", "chwp", "partnership")
    assert [p.id for p in builtin_plans()] == list(sample.PLANS)
    # Partnership's TARs come from its billing config (seed 004), Health Net's absence too
    tars = {p.id: (p.outreach_tar, p.service_tar) for p in builtin_plans()}
    assert tars["partnership"] == (True, True) and tars["healthnet"] == (False, False)


def test_the_default_sample_is_the_built_in_plans_sample():
    registry = make_plugin_manager(entry_points=False)[1]
    made = generate(members=30, seed=3, period=PERIOD)
    again = generate(members=30, seed=3, period=PERIOD, plans=registry.concrete_plans())
    assert made.tables == again.tables and made.provider == again.provider


def test_a_sample_for_one_plan_gives_every_member_to_it(tmp_path):
    registry = registry_with(tmp_path, kinplan={})
    made = generate(members=20, period=PERIOD, plans=[registry.plan("kinplan")])
    assert {m["plan"] for m in made.tables["members"]} == {"kinplan"}
    # it inherits Health Net's CSPRTF: the sample provider is its CS provider too
    assert made.provider["plans"] == {
        "kinplan": {
            "file_prefix": "SUNRISE_KINPLAN",
            "payer_id": "99KI1",
            "community_supports": True,
        }
    }
    assert {r["status"] for r in made.tables["community_supports"]} == set(canonical.CS_STATUSES)
    # Health Net's billing, inherited: no TAR anywhere
    assert not any(r["authorization_number"] for t in ("enrollments", "outreach", "encounters")
                   for r in made.tables[t])  # fmt: skip


def test_tars_follow_the_plans_billing_config_not_its_name(tmp_path):
    registry = registry_with(
        tmp_path,
        tarplan={"outreach_tar_required": {"value": True, "assumed": True},
                 "service_tar_required": {"value": True, "assumed": True}},
        outreachtar={"outreach_tar_required": {"value": True, "assumed": True}},
    )  # fmt: skip
    made = generate(members=40, period=PERIOD, plans=[registry.plan("tarplan")])
    enrolled = [e for e in made.tables["enrollments"] if e["enrollment_start"]]
    assert enrolled and all(e["authorization_number"] for e in enrolled)  # service_tar_required
    first = {}
    for row in sorted(made.tables["outreach"], key=lambda r: r["date"]):
        first.setdefault(row["member_id"], row)
    assert all(r["authorization_number"] for r in first.values())  # outreach_tar_required
    only_outreach = generate(members=40, period=PERIOD, plans=[registry.plan("outreachtar")])
    assert not any(e["authorization_number"] for e in only_outreach.tables["enrollments"])
    assert any(r["authorization_number"] for r in only_outreach.tables["outreach"])


def test_plans_are_ordered_built_in_first_then_by_id_each_once():
    plans = [SamplePlan("zeta"), SamplePlan("partnership"), SamplePlan("alpha"),
             SamplePlan("healthnet"), SamplePlan("alpha")]  # fmt: skip
    assert [p.id for p in ordered(plans)] == ["healthnet", "partnership", "alpha", "zeta"]
    assert SamplePlan("my-plan_2").code == "MYPLAN2"
    assert provider_profile([SamplePlan("healthnet")])["plans"]["healthnet"]["file_prefix"] == (
        "SUNRISE_HN"
    )


def test_referrals_are_three_new_members_per_plan_with_unique_cins():
    made = generate(members=12, period=PERIOD, plans=[SamplePlan("healthnet"), SamplePlan("chwp")])
    before = len(made.tables["members"])
    add_referrals(
        made.tables, ["healthnet", "chwp"], made_start := sample.Period.parse(PERIOD).start
    )
    members = made.tables["members"]
    assert len(members) == before + 6
    cins = [m["cin"] for m in members]
    assert len(cins) == len(set(cins)) and all(len(c) == 9 for c in cins)
    new = [e for e in made.tables["enrollments"] if e["member_id"].startswith("R")]
    assert [e["status"] for e in new] == ["pending_outreach"] * 6
    assert new[0]["assigned_date"] == made_start.replace(day=12)
