"""Synthetic sample datasets for demos, tests and benchmarks.

Everything is made up: names, CINs, NPIs, payer ids and file prefixes. Output is
deterministic for (members, seed, period) so tests and golden files can rely on
it; the cases the plan rules care about (domain.md) are planted on the first ten
members, one plan after another, and every other member is drawn at random.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset.provider import PROVIDER_FILE
from ecmx.core.dataset.sample_cs import add_community_supports
from ecmx.core.dataset.sample_members import SampleMembers
from ecmx.core.dataset.sample_plans import SamplePlan, builtin_plans, ordered
from ecmx.core.dataset.sample_rows import npi
from ecmx.core.dataset.write_rows import (
    SampleData,
    write_csv_folder,
    write_provider_yaml,
    write_workbook,
)
from ecmx.core.storage.atomic import refuse_existing
from ecmx.core.storage.gcpause import gc_paused


def __getattr__(name: str):
    """``PLANS``: the ids of the built-in plans, in sample order (read from their configs)."""
    if name == "PLANS":
        return tuple(p.id for p in builtin_plans())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def provider_profile(plans: Sequence[SamplePlan] | None = None) -> dict:
    """The sample provider, as provider.yaml holds it, contracted with ``plans`` (default:
    the built-in ones)."""
    # Fixed, not seeded: golden files for different seeds share one provider.
    # Payer ids and file prefixes are synthetic; real ones come from each plan.
    chosen = builtin_plans() if plans is None else plans
    codes = {p.id: p.code for p in chosen}
    cs = {p.id for p in chosen if p.community_supports}
    return {
        "facility_name": "Sunrise Community Health",
        "npi": npi("165432198"),
        "tin": "12-3456789",
        "phone": "5595550100",
        "address": "1200 Sunrise Ave Suite 200",
        "city": "Fresno",
        "state": "CA",
        "zip": "93721-2345",
        "taxonomy": "251S00000X",
        "provider_type": "Community-Based Organization",
        # rates per unit when an encounter has no charge; G9012-U8: the one-time outreach
        "rates": {"G9008": 125.0, "G9012": 85.0, "G9008-U8": 150.0, "G9012-U8": 150.0},
        "plans": {
            plan: {
                "file_prefix": f"SUNRISE_{code}",
                "payer_id": f"99{code[:2]}{i}",
                # also the plan's CS provider: `convert --kind all` makes its CSPRTF
                **({"community_supports": True} if plan in cs else {}),
            }
            for i, (plan, code) in enumerate(codes.items(), start=1)
        },
    }


@gc_paused()
def generate(
    members: int = 60,
    seed: int = 7,
    period: Period | str | None = None,
    plans: Iterable | None = None,
) -> SampleData:
    """A sample dataset; ``period`` defaults to last month (the month an RTF is due for).

    ``plans``: the concrete plans (``PlanSpec`` or ``SamplePlan``) the members are shared
    among, in sample order (``sample_plans.ordered``); default: every built-in plan.
    """
    if isinstance(period, str):
        period = Period.parse(period)
    period = period or Period.containing(date.today()).shift(-1)
    chosen = builtin_plans() if plans is None else ordered(plans)
    if not chosen:
        raise ValueError("a sample needs at least one plan")
    gen = SampleMembers(random.Random(seed), period, members, chosen)
    for index in range(members):
        gen.member(index)
    _outreach_diagnoses(gen.tables, {p.id for p in chosen if p.outreach_tar})
    add_community_supports(gen.tables, period, [p.id for p in chosen if p.community_supports])
    _community_referral(gen.tables, period, {p.id for p in chosen if p.referral_file})
    return SampleData(gen.tables, provider_profile(chosen))


def _community_referral(tables: dict[str, list[dict]], period: Period, plans: set[str]) -> None:
    """For each plan taking a referral file, its last member pending outreach becomes one the
    provider found in the community and referred in the period: referral date the period's
    10th, no assigned date (the plan has not assigned them). ``convert --kind referral``
    then has a row to write. Set without the random generator, like the CS rows."""
    plan_of = {m["member_id"]: m["plan"] for m in tables["members"]}
    pending = {plan_of.get(e["member_id"]): e for e in tables["enrollments"]
               if e["status"] == "pending_outreach" and plan_of.get(e["member_id"]) in plans}  # fmt: skip
    for episode in pending.values():
        episode["referral_date"] = period.start.replace(day=10)
        episode["assigned_date"] = None


def _outreach_diagnoses(tables: dict[str, list[dict]], tar_plans: set[str]) -> None:
    """A diagnosis (and, where the plan pays outreach only with one, a TAR) on each
    member's first attempt: it is billed as the one-time outreach.

    Set without the random generator, so the rest of the sample stays as it was.
    """
    homeless = {m["member_id"] for m in tables["members"] if m["homeless"]}
    with_tar = {m["member_id"] for m in tables["members"] if m["plan"] in tar_plans}
    first: dict[str, dict] = {}
    for row in tables["outreach"]:
        mid = row["member_id"]
        if mid not in first or row["date"] < first[mid]["date"]:
            first[mid] = row
    for mid, row in first.items():
        row["diagnosis_codes"] = "Z59.00" if mid in homeless else "Z71.89"
        if mid in with_tar:  # billing.outreach_tar_required (Partnership: seed 004)
            row["authorization_number"] = f"TAR{mid[1:]:0>8}"


@gc_paused()
def write_sample(sample: SampleData, out: Path, *, force: bool = False) -> list[Path]:
    """A workbook with provider.yaml beside it (``.xlsx``), else a CSV folder."""
    out = Path(out)
    workbook = out.suffix.lower() == ".xlsx"
    targets = [out, out.parent / PROVIDER_FILE] if workbook else [out]
    for target in targets:  # all checked first: never leave half a sample behind
        refuse_existing(target, force)
    from ecmx.core.storage.targets import prepare_folder

    prepare_folder(out.parent)
    if workbook:
        write_workbook(sample, out, force=force)
        write_provider_yaml(sample, targets[1], force=force)
    else:
        write_csv_folder(sample, out, force=force)
    return targets
