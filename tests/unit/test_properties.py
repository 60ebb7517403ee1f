"""Properties over random synthetic datasets (core.sample_data): rows are neither lost nor invented."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ecmx.core.dataset import read_dataset
from ecmx.core.periods import Period
from ecmx.core.pipeline import convert
from ecmx.core.sample_data import PLANS, generate, write_sample

PERIOD = Period(2025, 11)
MADE = dt.date(2025, 12, 3)


def began(episode: dict, end: dt.date) -> dt.date:
    """When an episode began, as the RTF rule reads it (an undated episode is current)."""
    for key in ("enrollment_start", "assigned_date", "referral_date", "discontinuation_date"):
        if episode[key] is not None:
            return episode[key]
    return end


def expected_rtf_cins(sample, plan: str) -> list[str]:
    cin_of = {m["member_id"]: m["cin"] for m in sample.tables["members"] if m["plan"] == plan}
    begun = {
        e["member_id"]
        for e in sample.tables["enrollments"]
        if e["member_id"] in cin_of and began(e, PERIOD.end) <= PERIOD.end
    }
    return sorted(cin_of[m] for m in begun)


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.generate],  # an example costs ~1 s: report it, don't shrink
)
@given(seed=st.integers(0, 10**6), members=st.integers(5, 40), as_csv=st.booleans())
def test_rtf_has_one_row_per_begun_member_and_otf_stays_in_the_period(
    plugins, seed, members, as_csv
):
    pm, registry = plugins
    sample = generate(members, seed, PERIOD)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / ("data" if as_csv else "data.xlsx")
        write_sample(sample, out)
        dataset = read_dataset(out)
        assert [f for f in dataset.findings if f.severity == "error"] == []
        for plan_id in PLANS:
            plan = registry.plan(plan_id)
            rtf = convert(pm, registry, dataset, plan, "rtf", PERIOD, MADE).frame
            cins = list(rtf["Member Client Index Number (CIN)"])
            assert sorted(cins) == expected_rtf_cins(sample, plan_id)
            assert len(set(cins)) == len(cins)

            otf = convert(pm, registry, dataset, plan, "otf", PERIOD, MADE).frame
            days = pd.to_datetime(otf["Date of Outreach Attempt"])
            assert days.notna().all()
            assert (days >= pd.Timestamp(PERIOD.start)).all()
            assert (days <= pd.Timestamp(PERIOD.end)).all()
            plan_cins = {m["cin"] for m in sample.tables["members"] if m["plan"] == plan_id}
            assert set(otf["Member CIN"]) <= plan_cins
            minutes = otf["Time Spent Performing Outreach"].dropna()
            assert (minutes >= 1).all()
