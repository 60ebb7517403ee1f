"""Properties over random synthetic datasets (core.sample_data): rows are neither lost nor
invented, and a plan's MIF made from a dataset reads back into the same dataset."""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset.read import Dataset, read_dataset
from ecmx.core.dataset.sample import PLANS, generate, write_sample
from ecmx.core.dataset.write import write_dataset
from ecmx.core.files import write as writers
from ecmx.core.files.convert import convert
from ecmx.core.files.read import FILE_ROW, read_plan_file
from ecmx.core.files.write import write_plan_file
from ecmx.core.inbound.merge import merge_plan_file

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


@contextlib.contextmanager
def only_xlsxwriter(forced: bool):
    """Plan files written by the fallback xlsx writer, whatever their cells allow."""
    chooser = writers.rust_refuses
    if forced:
        writers.rust_refuses = lambda *_: "the test asks for xlsxwriter"
    try:
        yield
    finally:
        writers.rust_refuses = chooser


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


# ------------------------------------------------------------------ MIF round trip

RECEIVED = dt.date(2025, 12, 5)
TABLES = ("members", "enrollments", "outreach", "encounters")
IDENTITY_FIELDS = {"mcp_identifier", "mcp_name", "provider_name", "provider_npi"}


def reported_episode(sample, member_id: str) -> dict:
    """The episode a MIF reports: the latest begun by the period's end, last listed of equals."""
    episodes = [e for e in sample.tables["enrollments"] if e["member_id"] == member_id]
    begun = [e for e in episodes if began(e, PERIOD.end) <= PERIOD.end]
    return max(reversed(begun), key=lambda e: began(e, PERIOD.end))


def plain(value):
    """A cell as compared: blanks None, timestamps dates."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if hasattr(value, "item") else value


def expected_value(plan, field: str, member: dict, episode: dict):
    """What the plan's MIF says about a member, read back as the dataset writes it."""
    source = "status" if field == "ecm_status" else field
    value = member[source] if source in member else episode[source]
    if value is None:
        return None
    if field == "zip":
        return value[:5]
    if field in ("phone", "lead_care_manager_phone"):
        return "".join(ch for ch in value if ch.isdigit())
    if field == "ecm_status":  # statuses sharing the plan's code read back as the first
        return plan.codes["ecm_status"].mapping()[value]
    return value


@settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.generate],  # an example costs ~1 s: report it, don't shrink
)
@given(seed=st.integers(0, 10**6), members=st.integers(10, 40), as_csv=st.booleans())
@pytest.mark.parametrize("xlsx_writer", ["as chosen", "xlsxwriter"])
def test_a_mif_made_by_convert_ingests_back_without_loss(
    plugins, seed, members, as_csv, xlsx_writer
):
    """dataset -> each plan's MIF -> ingest: the mapped fields come back, nothing changes.
    With either xlsx writer: the fast one, chosen for these files, or the fallback."""
    pm, registry = plugins
    sample = generate(members, seed, PERIOD)
    by_cin = {m["cin"]: m for m in sample.tables["members"]}
    with tempfile.TemporaryDirectory() as folder, only_xlsxwriter(xlsx_writer == "xlsxwriter"):
        folder = Path(folder)
        source = folder / ("data" if as_csv else "data.xlsx")
        write_sample(sample, source)
        dataset = read_dataset(source)
        merged = dataset
        for plan_id in PLANS:
            plan = registry.plan(plan_id)
            conversion = convert(pm, registry, dataset, plan, "mif", PERIOD, MADE)
            assert not conversion.blocked, [f.line() for f in conversion.findings]
            path = folder / conversion.file_name
            write_plan_file(conversion.frame, conversion.file, conversion.layout, path, force=False)
            plan_file = read_plan_file(path, plan, conversion.file, conversion.layout)
            assert plan_file.findings == []
            frame = plan_file.frame
            assert sorted(frame["cin"]) == expected_rtf_cins(sample, plan_id)

            fields = [f for f in frame.columns if f != FILE_ROW and f not in IDENTITY_FIELDS]
            assert {"cin", "dob", "ecm_status", "enrollment_start", "populations_of_focus"} <= set(
                fields
            )
            for record in frame.to_dict("records"):
                member = by_cin[record["cin"]]
                episode = reported_episode(sample, member["member_id"])
                got = {f: plain(record[f]) for f in fields}
                if got["ecm_status"] is not None:
                    got["ecm_status"] = plan.codes["ecm_status"].mapping()[got["ecm_status"]]
                assert got == {f: expected_value(plan, f, member, episode) for f in fields}

            merge = merge_plan_file(merged, plan, registry.kind("mif"), plan_file, RECEIVED)
            assert merge.changes == []
            for name in TABLES:
                pd.testing.assert_frame_equal(
                    merge.tables[name].drop(columns="_row"),
                    dataset.tables[name].drop(columns="_row"),
                )
            merged = Dataset(dataset.source, dataset.provider, merge.tables)

        # the merged dataset, written as the input was and read back, lost nothing either
        out = folder / ("merged" if as_csv else "merged.xlsx")
        write_dataset(merged.tables, dataset.provider.details, source, out, force=False)
        again = read_dataset(out)
        assert [f for f in again.findings if f.severity != "info"] == []
        for name in TABLES:
            pd.testing.assert_frame_equal(
                again.tables[name].drop(columns="_row"), dataset.tables[name].drop(columns="_row")
            )
        roster = again.tables["plan_rosters"]
        assert sorted(zip(roster["plan"], roster["cin"], strict=True)) == sorted(
            (plan_id, cin) for plan_id in PLANS for cin in expected_rtf_cins(sample, plan_id)
        )
        assert set(roster["kind"]) == {"mif"}
        assert set(roster["received"]) == {pd.Timestamp(RECEIVED)}
