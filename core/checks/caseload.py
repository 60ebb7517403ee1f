"""A lead care manager's caseload, counted one way for B008 (business.py) and for
``ecmx capacity`` (jobs/capacity.py): seed 002, ratio at most 1:50."""

from __future__ import annotations

import pandas as pd

LEAD_CARE_MANAGER_LIMIT = 50  # members per lead care manager (seed 002)


def members_per_lead_care_manager(episodes: pd.DataFrame) -> pd.Series:
    """Members per lead care manager name among ``episodes`` (enrolled ones): each member
    once, under their first episode's manager. B008 and ``ecmx capacity`` both count so."""
    return episodes.drop_duplicates("member_id")["lead_care_manager_name"].value_counts()


def over_limit(counts: pd.Series) -> pd.Series:
    """The managers among ``counts`` above the 1:50 ratio (seed 002)."""
    return counts[counts > LEAD_CARE_MANAGER_LIMIT]
