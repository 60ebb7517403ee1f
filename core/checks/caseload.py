"""A lead care manager's caseload, counted one way for B008 (business.py) and for
``ecmx capacity`` (jobs/capacity.py), against each plan's ``capacity.lead_care_manager_ratio``
(the Health Net family's 1:50, seed 002; assumed for the other plans)."""

from __future__ import annotations

import pandas as pd


def members_per_lead_care_manager(episodes: pd.DataFrame) -> pd.Series:
    """Members per lead care manager name among ``episodes`` (enrolled ones): each member
    once, under their first episode's manager. B008 and ``ecmx capacity`` both count so."""
    return episodes.drop_duplicates("member_id")["lead_care_manager_name"].value_counts()


def over_limit(counts: pd.Series, limit: int) -> pd.Series:
    """The managers among ``counts`` with more than ``limit`` members (ratio 1:limit)."""
    return counts[counts > limit]


def ratio_of(plan, *, by_title: bool = False) -> tuple[int, str] | None:
    """The plan's lead care manager ratio N (1:N) and where it comes from, as a finding
    cites it (an assumed one says so, by plan name), or with ``by_title`` as a person reads
    it (the source's title, then its section); None: the plan states none."""
    fact = plan.capacity.ratio
    if fact is None:
        return None
    if fact.assumed:
        return int(fact.value), f"assumed for {plan.name}: {fact.note or fact.source_text}"
    return int(fact.value), plan.cite(fact.source) if by_title else fact.source_text


def managers_over(active: pd.DataFrame, plans) -> dict[str, list[str]]:
    """Per plan stating a ratio: the lead care managers of its members in ``active``
    (enrolled episodes with a ``plan`` column) whose caseload over every plan is above the
    plan's ratio. Names are staff, not members."""
    counts = members_per_lead_care_manager(active)
    first = active.drop_duplicates("member_id")
    found = {}
    for plan in plans:
        ratio = ratio_of(plan)
        if ratio is None:
            continue
        serving = set(first.loc[first["plan"] == plan.id, "lead_care_manager_name"].dropna())
        found[plan.id] = sorted(n for n in over_limit(counts, ratio[0]).index if n in serving)
    return found
