"""When an ECM episode began and when its enrollment ended: one definition for every stage.

The RTF, the OTF/IOT, the business rules and claims all ask these questions of the
enrollments table; each answering them its own way is how a service after a
member's decline got billed (seed 002: a member who enrolled and then declined
gets the day they stopped as ECM Enrollment End Date, which providers often keep
only as the discontinuation date).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ecmx.core.dataset.canonical import ROW


def episode_began(episodes: pd.DataFrame) -> pd.Series:
    """When an episode began: enrollment_start, else assigned, referral or discontinuation date."""
    return (
        episodes["enrollment_start"]
        .fillna(episodes["assigned_date"])
        .fillna(episodes["referral_date"])
        .fillna(episodes["discontinuation_date"])
    )


def enrollment_ended(episodes: pd.DataFrame) -> pd.Series:
    """The last day of each episode's ECM enrollment; NaT while it goes on or if never enrolled.

    An enrolled episode (enrollment_start given) ends on enrollment_end, else on
    discontinuation_date: a member who enrolled and then declined has stopped on
    that day whichever column the provider wrote it in (seed 002). An episode
    that never enrolled has no enrollment to end.
    """
    enrolled = episodes["enrollment_start"].notna()
    ended = episodes["enrollment_end"].fillna(episodes["discontinuation_date"])
    return ended.where(enrolled)


def active_on(episodes: pd.DataFrame, day: date) -> pd.DataFrame:
    """Episodes whose ECM enrollment covers ``day``: begun on or before it (enrollment_start)
    and not ended before it (enrollment_end, else discontinuation_date), in row order."""
    when = pd.Timestamp(day)
    start, ended = episodes["enrollment_start"], enrollment_ended(episodes)
    covers = start.notna() & (start <= when) & (ended.isna() | (ended >= when))
    return episodes[covers].sort_values(ROW, kind="stable")
