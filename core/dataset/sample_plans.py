"""Which plans a sample is made for, and what each plan's config asks of its data.

The sample is made from plan configs, not from a list of plan names: any set of concrete
plans (the built-in ones by default, or those a caller passes, a --plans-dir plan say)
gets members, and each plan's billing rules decide what its members' rows carry (a TAR
where the plan pays outreach or services only with one). Nothing here imports the plan
loader at module level: ``dataset/`` sits below ``plans/``; a ``PlanSpec`` is read only
through the attributes named below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# The built-in plans in the order the golden files and the demo were first made in: a
# sample is drawn member by member in plan order, so this order keeps them byte-identical.
# It decides the order only; what each plan's rows carry comes from its config.
FIRST = ("healthnet", "calviva", "chpiv", "chwp", "partnership")
# Synthetic file prefixes of the built-in plans (SUNRISE_HN...), kept for the demo's file
# names; another plan's is made from its id.
PREFIX_CODES = {
    "healthnet": "HN",
    "calviva": "CV",
    "chpiv": "IV",
    "chwp": "CHW",
    "partnership": "PHC",
}


@dataclass(frozen=True)
class SamplePlan:
    """What a plan's config asks of its members' rows in the sample."""

    id: str
    outreach_tar: bool = False  # billing.outreach_tar_required: outreach is paid with a TAR
    service_tar: bool = False  # billing.service_tar_required: U1/U2 services need one too
    # the plan asks its Community Supports providers for a CSPRTF (files.csprtf): the
    # sample provider is one, and the plan's members get CS rows (sample_cs.py)
    community_supports: bool = False
    # the plan takes a referral file from its providers (files.referral: Partnership's
    # Potential ECM Member Referral File): one of its members is a community referral
    referral_file: bool = False

    @property
    def code(self) -> str:
        """The plan's short code in the sample provider's file prefix and payer id."""
        return PREFIX_CODES.get(self.id) or re.sub(r"[^A-Z0-9]", "", self.id.upper()) or "X"


def sample_plan(plan) -> SamplePlan:
    """A ``PlanSpec`` (or anything with ``id`` and ``billing``) as the sample needs it."""
    billing = getattr(plan, "billing", None)
    return SamplePlan(
        plan.id,
        outreach_tar=bool(billing and billing.outreach_tar_required),
        service_tar=bool(billing and billing.service_tar_required),
        community_supports="csprtf" in (getattr(plan, "files", None) or {}),
        referral_file="referral" in (getattr(plan, "files", None) or {}),
    )


def ordered(plans: Iterable) -> tuple[SamplePlan, ...]:
    """Plans (``PlanSpec`` or ``SamplePlan``) in sample order: the built-in ones first, as
    they always came, then the others by id; each once."""
    made = {p.id: p if isinstance(p, SamplePlan) else sample_plan(p) for p in plans}
    rank = {plan_id: n for n, plan_id in enumerate(FIRST)}
    return tuple(made[i] for i in sorted(made, key=lambda i: (rank.get(i, len(rank)), i)))


def builtin_plans() -> tuple[SamplePlan, ...]:
    """Every concrete plan ecmx ships (plan_configs/), read from their configs: no plugin,
    no --plans-dir or $ECMX_PLANS_DIR, so the default sample is the same everywhere."""
    import os

    from ecmx.core.hooks.manager import PLANS_DIR_ENV, make_plugin_manager

    saved = os.environ.pop(PLANS_DIR_ENV, None)
    try:
        registry = make_plugin_manager(entry_points=False)[1]
    finally:
        if saved is not None:
            os.environ[PLANS_DIR_ENV] = saved
    return ordered(registry.concrete_plans())


def add_referrals(tables: dict[str, list[dict]], plans: Iterable[str], start: date) -> None:
    """Three new referrals per plan, so each plan's mini-MIF or TEL has rows.

    Per plan: one pending-outreach member assigned on the period's 12th, one referred on
    its 20th with no assigned date (both new referrals; the second is also a community
    referral, with a population of focus and a lead care manager, so Partnership's referral
    file has a full row), and one assigned the month before (on the MIF only). CINs start 98, which the drawn members' (9 then 0-7...) can
    share: a CIN already used is skipped over.
    """
    members, episodes = tables["members"], tables["enrollments"]
    used = {m["cin"] for m in members}
    before = date.fromordinal(start.toordinal() - 1)
    dates = (
        (start.replace(day=12), None),
        (None, start.replace(day=20)),
        (before.replace(day=25), before.replace(day=20)),
    )
    serial = 0
    for p, plan in enumerate(plans):
        template = next(m for m in members if m["plan"] == plan)
        for k, (assigned, referred) in enumerate(dates):
            cin = f"98{serial:06d}{'ACDEFG'[k]}"
            while cin in used:
                serial += 1
                cin = f"98{serial:06d}{'ACDEFG'[k]}"
            used.add(cin)
            serial += 1
            mid = f"R{p:03d}{k}"
            pof = "homelessness;smi_sud" if k != 1 else "smi_sud"
            members.append(
                {**template, "member_id": mid, "cin": cin, "first_name": f"Referral{k}",
                 "last_name": "Newcomb", "homeless": None, "medicare_dual": None,
                 "populations_of_focus": pof}
            )  # fmt: skip
            blank = dict.fromkeys(episodes[0])
            episodes.append(
                {**blank, "member_id": mid, "status": "pending_outreach",
                 "assigned_date": assigned, "referral_date": referred}
            )  # fmt: skip
            if assigned is None:  # found by the provider, who gave them a care manager
                episodes[-1].update(lead_care_manager_name="Ana Ruiz",
                                    lead_care_manager_phone="5595550199")  # fmt: skip
