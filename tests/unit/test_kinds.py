"""RTF and OTF frames from a tiny hand-made dataset: the seed rules (domain.md) hold."""

from __future__ import annotations

import datetime as dt
import textwrap

import openpyxl
import pandas as pd
import pytest

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset.read import read_dataset
from ecmx.core.files.convert import convert
from ecmx.core.files.write import write_plan_file

NOV = Period(2025, 11)
MADE = dt.date(2025, 12, 3)
CIN = "Member Client Index Number (CIN)"


def person(mid, cin, plan="healthnet", **extra):
    return {
        "member_id": mid,
        "cin": cin,
        "plan": plan,
        "first_name": f"First{mid}",
        "last_name": f"Last{mid}",
        "dob": "1980-01-02",
        **extra,
    }


MEMBERS = [
    person("A1", "90000001A"),  # enrolled, then declined
    person("A2", "90000002C"),  # declined without ever enrolling
    person("A3", "90000003D", zip="01234"),  # enrolled, blank acuity, encounters
    person("A4", "90000004E"),  # pending outreach, attempts in the period
    person("A5", "90000005F"),  # an old closed episode, then a current one
    person("A6", "90000006G"),  # only an episode that begins after the period
    person("A7", "90000007H"),  # enrolled, declined, both end and discontinuation dates
    person("B1", "90000008T", plan="CalViva"),  # another plan
    person("P1", "90000009U", plan="partnership"),
]
ENROLLMENTS = [
    {"member_id": "A1", "status": "declined", "enrollment_start": "2025-02-01",
     "discontinuation_date": "2025-11-09", "discontinuation_reason": "no_longer_wishes", "acuity": "High"},
    {"member_id": "A2", "status": "declined", "assigned_date": "2025-10-01",
     "discontinuation_date": "2025-11-06", "discontinuation_reason": "member_declined"},
    {"member_id": "A3", "status": "enrolled", "enrollment_start": "2025-03-01"},
    {"member_id": "A4", "status": "pending_outreach", "assigned_date": "2025-10-20", "acuity": "medium"},
    {"member_id": "A5", "status": "disenrolled", "enrollment_start": "2024-01-01",
     "enrollment_end": "2024-06-30", "discontinuation_date": "2024-06-30", "discontinuation_reason": "moved"},
    {"member_id": "A5", "status": "enrolled", "enrollment_start": "2025-09-01", "acuity": "high"},
    {"member_id": "A6", "status": "enrolled", "enrollment_start": "2025-12-15"},
    {"member_id": "A7", "status": "declined", "enrollment_start": "2025-04-01",
     "enrollment_end": "2025-11-08", "discontinuation_date": "2025-11-09"},
    {"member_id": "B1", "status": "enrolled", "enrollment_start": "2025-01-01"},
    {"member_id": "P1", "status": "enrolled", "enrollment_start": "2025-06-01"},
]  # fmt: skip
ENCOUNTERS = [
    {"member_id": "A3", "date": "2025-11-02", "staff_type": "clinical", "mode": "in_person", "successful": "yes"},
    {"member_id": "A3", "date": "2025-11-20", "staff_type": "clinical", "mode": "phone", "successful": "no"},
    {"member_id": "A3", "date": "2025-11-10", "staff_type": "non_clinical", "mode": "video"},
    {"member_id": "A3", "date": "2025-11-15", "staff_type": "clinical", "mode": "in_person", "successful": "no"},
    {"member_id": "A3", "date": "2025-10-30", "staff_type": "clinical", "mode": "in_person", "successful": "yes"},
    {"member_id": "A3", "date": "2025-12-01", "staff_type": "clinical", "mode": "in_person", "successful": "yes"},
    {"member_id": "B1", "date": "2025-11-03", "staff_type": "clinical", "mode": "in_person", "successful": "yes"},
    {"member_id": "A5", "date": "2025-05-20", "staff_type": "clinical", "mode": "in_person", "successful": "yes"},
    {"member_id": "P1", "date": "2025-11-12", "staff_type": "clinical", "mode": "phone", "successful": "yes"},
]  # fmt: skip
OUTREACH = [
    {"member_id": "A4", "date": "2025-11-03", "method": "mail", "successful": "no", "minutes": None},
    {"member_id": "A4", "date": "2025-11-04", "method": "phone", "successful": "yes", "minutes": 12.2},
    {"member_id": "A4", "date": "2025-10-31", "method": "phone", "successful": "no", "minutes": 5},
    {"member_id": "A4", "date": "2025-12-01", "method": "phone", "successful": "no", "minutes": 5},
    {"member_id": "A4", "date": "2025-11-05", "method": "text", "successful": "no", "minutes": 0.4},
    {"member_id": "A4", "date": "2025-11-06", "method": "In Person", "successful": "no", "minutes": None},
    {"member_id": "A3", "date": "2025-11-05", "method": "phone", "successful": "yes", "minutes": 5},
    {"member_id": "A2", "date": "2025-11-01", "method": "email", "successful": "no", "minutes": 3},
    {"member_id": "B1", "date": "2025-11-02", "method": "phone", "successful": "no", "minutes": 3},
]  # fmt: skip


@pytest.fixture
def dataset(make_dataset):
    return make_dataset(
        members=MEMBERS, enrollments=ENROLLMENTS, outreach=OUTREACH, encounters=ENCOUNTERS
    )


@pytest.fixture
def run(plugins, dataset):
    pm, registry = plugins

    def run(kind, plan_id="healthnet", period=NOV, data=None):
        return convert(pm, registry, data or dataset, registry.plan(plan_id), kind, period, MADE)

    return run


@pytest.fixture
def rtf(run):
    return run("rtf").frame.set_index(CIN)


def day(text):
    return pd.Timestamp(text)


def blank(value):
    return value is None or pd.isna(value) or value == ""


# ------------------------------------------------------------------ RTF


def test_rtf_columns_are_the_plan_headers(run, plugins):
    _, registry = plugins
    for period in (Period(2025, 6), NOV):
        conversion = run("rtf", period=period)
        layout = registry.plan("healthnet").files["rtf"].layout_for(period)
        assert list(conversion.frame.columns) == layout.headers


def test_rtf_has_one_row_per_member_with_an_episode_begun(run):
    conversion = run("rtf")
    assert sorted(conversion.frame[CIN]) == [
        "90000001A",
        "90000002C",
        "90000003D",
        "90000004E",
        "90000005F",
        "90000007H",
    ]
    (warning,) = [f for f in conversion.findings if f.code == "R001"]
    assert (warning.severity, warning.sheet, warning.row) == ("warning", "members", 7)


def test_member_who_enrolled_then_declined(rtf):
    row = rtf.loc["90000001A"]
    assert row["Member ECM Status"] == "4"
    assert row["Status of Member Engagement"] == "Declined"
    assert row["ECM Enrollment Start Date"] == day("2025-02-01")
    assert row["ECM Enrollment End Date"] == day("2025-11-09")
    assert blank(row["Discontinuation Date"])
    assert row["Discontinuation Reason Code"] == "3"
    assert row["Member Acuity Level"] == "High"


def test_declined_member_keeps_their_own_enrollment_end(rtf):
    row = rtf.loc["90000007H"]
    assert row["ECM Enrollment End Date"] == day("2025-11-08")
    assert blank(row["Discontinuation Date"])


def test_never_enrolled_exclusion_has_only_the_discontinuation_date(rtf):
    row = rtf.loc["90000002C"]
    assert row["Member ECM Status"] == "4"
    assert blank(row["ECM Enrollment Start Date"])
    assert blank(row["ECM Enrollment End Date"])
    assert row["Discontinuation Date"] == day("2025-11-06")
    assert row["Discontinuation Reason Code"] == "6"
    assert row["Discontinuation Reason"] == "Declined to participate"


def test_blank_acuity_is_low_and_status_codes(rtf):
    assert rtf.loc["90000003D", "Member Acuity Level"] == "Low"
    assert rtf.loc["90000003D", "Member ECM Status"] == "2"
    assert rtf.loc["90000004E", "Member ECM Status"] == "1"
    assert rtf.loc["90000004E", "Status of Member Engagement"] == "Pending Outreach"
    assert rtf.loc["90000004E", "Member Acuity Level"] == "Medium"


def test_latest_episode_begun_is_reported(rtf):
    row = rtf.loc["90000005F"]
    assert row["Member ECM Status"] == "2"
    assert row["ECM Enrollment Start Date"] == day("2025-09-01")
    assert blank(row["ECM Enrollment End Date"])
    assert row["Member Acuity Level"] == "High"


def test_encounter_counts_cover_the_period_successful_or_not(rtf):
    row = rtf.loc["90000003D"]
    assert row["In Person"] == 2  # 11-02 and the failed 11-15; not 10-30 or 12-01
    assert row["Telephonic/Video"] == 2  # the failed phone call and the video visit
    assert row["Date of Most Recent Encounter with Member"] == day("2025-11-10")
    other = rtf.loc["90000004E"]
    assert (other["In Person"], other["Telephonic/Video"]) == (0, 0)
    assert blank(other["Date of Most Recent Encounter with Member"])


def test_rtf_provider_and_plan_identity(rtf):
    row = rtf.loc["90000003D"]
    assert row["MCP Name"] == "Health Net"
    assert row["ECM Provider NPI"] == "1654321987"
    assert row["ECM Provider TIN"] == "123456789"
    assert row["RTF Production Date"] == day("2025-12-03")
    assert row["Reporting Period"] == day("2025-11-01")
    assert row["Member New Address Indicator"] == "N"


def test_plan_column_is_matched_case_insensitively(run):
    frame = run("rtf", plan_id="calviva").frame
    assert list(frame[CIN]) == ["90000008T"]


def test_clean_rtf_is_not_blocked_and_named_by_the_plan(run):
    conversion = run("rtf")
    assert not conversion.blocked, [f.line() for f in conversion.findings]
    assert conversion.file_name == "SUNRISE_HN_ECM_RTF_20251203.xlsx"
    partnership = run("rtf", plan_id="partnership")
    assert partnership.file_name == "Sunrise Community Health_ECM - RTF_12032025.xlsx"


def test_missing_file_prefix_is_a_finding(make_dataset, provider_yaml, run, tmp_path):
    data = make_dataset(members=MEMBERS[:1], enrollments=ENROLLMENTS[:1])
    provider_yaml(tmp_path, plans={})
    data = read_dataset(data.source)
    conversion = run("otf", data=data)
    assert conversion.file_name is None
    assert conversion.blocked
    (finding,) = [f for f in conversion.findings if f.code == "N001"]
    assert "plans.healthnet.file_prefix" in finding.hint


def test_zip_with_leading_zero_survives_to_the_written_file(run, tmp_path):
    conversion = run("rtf")
    frame = conversion.frame
    assert frame.set_index(CIN).loc["90000003D", "Zip"] == "01234"
    target = tmp_path / conversion.file_name
    write_plan_file(frame, conversion.file, conversion.file.layout_for(NOV), target, force=False)
    book = openpyxl.load_workbook(target, read_only=True)
    rows = list(book["RTF"].iter_rows(values_only=True))
    book.close()  # a read-only workbook holds its file open until closed
    header = rows[0]
    record = next(r for r in rows[1:] if r[header.index(CIN)] == "90000003D")
    assert record[header.index("Zip")] == "01234"
    assert record[header.index("ECM Provider NPI")] == "1654321987"
    assert record[header.index("ECM Enrollment Start Date")] == dt.datetime(2025, 3, 1)


@pytest.mark.parametrize("encounters", [None, "after the period"])
def test_rtf_without_successful_encounters_by_the_period_end(make_dataset, run, encounters):
    rows = None
    if encounters:
        rows = [
            {"member_id": "A3", "date": "2025-12-02", "staff_type": "clinical", "mode": "phone"}
        ]
    data = make_dataset(members=MEMBERS[2:3], enrollments=ENROLLMENTS[2:3], encounters=rows)
    frame = run("rtf", data=data).frame
    assert list(frame[CIN]) == ["90000003D"]
    assert (frame["In Person"].iloc[0], frame["Telephonic/Video"].iloc[0]) == (0, 0)
    assert blank(frame["Date of Most Recent Encounter with Member"].iloc[0])


# ------------------------------------------------------------------ OTF


@pytest.fixture
def otf(run):
    return run("otf")


def test_otf_one_row_per_attempt_in_the_period(otf):
    frame = otf.frame
    assert list(zip(frame["Member CIN"], frame["Date of Outreach Attempt"], strict=True)) == [
        ("90000002C", day("2025-11-01")),
        ("90000004E", day("2025-11-03")),
        ("90000004E", day("2025-11-04")),
        ("90000004E", day("2025-11-05")),
        ("90000004E", day("2025-11-06")),
    ]


def test_otf_leaves_attempts_while_enrolled_off_with_a_warning(otf):
    """Seed 004: an outreach attempt is with a member not yet enrolled; a contact after
    enrolling is an encounter. The row is left off, the warning (O001) names the outreach
    row and says where the contact belongs, and the OTF is still written."""
    assert "90000003D" not in set(otf.frame["Member CIN"])
    (warning,) = [f for f in otf.findings if f.code == "O001"]
    assert (warning.severity, warning.sheet, warning.row, warning.plan, warning.kind) == (
        "warning",
        "outreach",
        8,
        "healthnet",
        "otf",
    )
    assert warning.member_id == "A3"
    assert warning.file.endswith("dataset.xlsx")
    assert warning.cell.startswith("outreach!") and warning.cell.endswith("8")
    assert "left off" in warning.message and "encounters" in warning.hint
    assert "RTF" in warning.hint
    assert not otf.blocked


def test_otf_minutes_and_methods(otf):
    frame = otf.frame.set_index("Date of Outreach Attempt")
    mail, phone, text, visit = (
        frame.loc[day(d)] for d in ("2025-11-03", "2025-11-04", "2025-11-05", "2025-11-06")
    )
    assert mail["Outreach Attempt Method"] == "Telephonic/Electronic"
    assert mail["Time Spent Performing Outreach"] == 1
    assert phone["Time Spent Performing Outreach"] == 13  # 12.2 rounded up
    assert phone["Outreach Attempt Successful"] == "Y"
    assert text["Time Spent Performing Outreach"] == 1  # 0.4 rounded up
    assert text["Outreach Attempt Successful"] == "N"
    assert visit["Outreach Attempt Method"] == "In Person"
    assert blank(visit["Time Spent Performing Outreach"])  # unknown stays unknown
    assert mail["Client Name"] == "LastA4, FirstA4"


def test_partnership_iot_uses_its_own_sheet_and_name(run):
    conversion = run("iot", plan_id="partnership")
    assert conversion.kind == "otf"
    assert conversion.file.sheet == "IOT"
    assert conversion.file_name == "Sunrise Community Health_ECM - IOT_12032025.xlsx"
    assert len(conversion.frame) == 0  # the one Partnership member is enrolled: no attempts


def test_outreach_after_a_closed_enrollment_is_on_the_otf(make_dataset, run):
    data = make_dataset(
        members=[person("C1", "90000011A")],
        enrollments=[
            {
                "member_id": "C1",
                "status": "disenrolled",
                "enrollment_start": "2025-01-01",
                "discontinuation_date": "2025-03-10",
                "discontinuation_reason": "moved",
            },
            {"member_id": "C1", "status": "outreach", "assigned_date": "2025-10-15"},
        ],
        outreach=[{"member_id": "C1", "date": "2025-11-04", "method": "phone", "successful": "no"}],
    )
    conversion = run("otf", data=data)
    assert len(conversion.frame) == 1
    assert not [f for f in conversion.findings if f.code == "O001"]


# ------------------------------------------------------------------ codes a plan lacks

TINY = """\
id: tiny
name: Tiny Plan
codes:
  ecm_status:
    values:
      enrolled: {code: "E", assumed: true}
      pending_outreach: {code: "P", assumed: true}
files:
  rtf:
    format: csv
    sheet: {value: RTF, assumed: true}
    naming: {template: "tiny_{period:%Y%m}", assumed: true}
    versions:
      - version: "1"
        effective: "2024-01-01"
        assumed: true
        columns:
          - {header: CIN, field: cin, assumed: true}
          - {header: Status, field: ecm_status, assumed: true}
"""


def test_status_without_a_plan_code_points_at_the_enrollments_cell(plugins_with, make_dataset):
    pm, registry = plugins_with({"tiny.yaml": textwrap.dedent(TINY)})
    data = make_dataset(
        members=[person("T1", "90000021A", plan="tiny"), person("T2", "90000022C", plan="tiny")],
        enrollments=[
            {"member_id": "T1", "status": "enrolled", "enrollment_start": "2025-01-01"},
            {
                "member_id": "T2",
                "status": "graduated",
                "enrollment_start": "2025-01-01",
                "enrollment_end": "2025-10-01",
            },
        ],
        encounters=[
            {"member_id": "T1", "date": "2025-11-03", "staff_type": "clinical", "mode": "phone"}
        ],
    )
    conversion = convert(pm, registry, data, registry.plan("tiny"), "rtf", NOV, MADE)
    assert conversion.blocked
    (finding,) = [f for f in conversion.findings if f.code == "M001"]
    assert finding.severity == "error"
    assert finding.cell == "enrollments!B3"
    assert (finding.row, finding.column, finding.plan) == (3, "status", "tiny")
    assert "'graduated'" in finding.message
    assert "90000022C" not in finding.message and "LastT2" not in finding.message
    status = conversion.frame.set_index("CIN")["Status"]
    assert status["90000021A"] == "E"
    assert blank(status["90000022C"])
    assert conversion.file_name == "tiny_202511.csv"


def test_a_plan_cannot_write_a_format_it_does_not_accept(config_problems):
    """convert never writes a file the plan refuses: plans check says so (seed 002: xlsx or
    xlsm); a bad encounter_counts value is named with what it may be."""
    problems = config_problems(
        {
            "myplan.yaml": """\
            id: myplan
            name: My Plan
            extends: healthnet
            files:
              rtf:
                format: csv
                rules:
                  encounter_counts: {value: succesful, assumed: true}
            """
        }
    )
    assert any(
        "files.rtf.format: 'csv' is not a format the plan accepts" in p and "xlsx, xlsm" in p
        for p in problems
    ), problems
    assert any(
        "files.rtf.rules.encounter_counts.value: 'succesful'" in p and "did you mean" in p
        for p in problems
    ), problems


# ------------------------------------------------------------------ missing values (pandas 3)


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT])
def test_transforms_keep_every_missing_marker_blank(missing):
    """pandas 3 may hand a text column pd.NA or NaN for a blank: it stays blank, never
    "<NA>", "nan" or "NaT" written into the plan's cell."""
    from ecmx.core.files.transforms import BUILTIN_TRANSFORMS

    for name, transform in BUILTIN_TRANSFORMS.items():
        out = transform(pd.Series(["ab-1", missing], dtype=object)).tolist()
        assert not isinstance(out[1], str) and pd.isna(out[1]), (name, out)


def test_a_blank_cin_in_the_plan_roster_is_not_a_crash(plugins, make_dataset):
    """A roster row whose CIN was blanked by hand is the dataset's D101, not an X001 and
    not an internal error while comparing the RTF with the MIF."""
    pm, registry = plugins
    data = make_dataset(
        members=[person("R1", "90000031A")],
        enrollments=[{"member_id": "R1", "status": "enrolled", "enrollment_start": "2025-06-01"}],
        plan_rosters=[
            {"plan": "healthnet", "kind": "mif", "cin": "90000031A", "received": "2025-11-15"},
            {"plan": "healthnet", "kind": "mif", "cin": None, "received": "2025-11-15"},
        ],
    )
    conversion = convert(pm, registry, data, registry.plan("healthnet"), "rtf", NOV, MADE)
    codes = {(f.code, f.cell) for f in conversion.findings}
    assert ("D101", "plan_rosters!C3") in codes
    assert not [f for f in conversion.findings if f.code == "X001"]


def test_a_layout_with_encounter_counts_must_say_what_they_count(config_problems):
    problems = config_problems(
        {
            "lone.yaml": """\
            id: lone
            name: Lone Plan
            files:
              rtf:
                format: xlsx
                sheet: {value: RTF, assumed: true}
                naming: {template: "lone_{period:%Y%m}", assumed: true}
                versions:
                  - version: "1"
                    effective: "2024-01-01"
                    assumed: true
                    columns:
                      - {header: CIN, field: cin, assumed: true}
                      - {header: In Person, field: in_person_count, assumed: true}
            """
        }
    )
    assert any("files.rtf.rules.encounter_counts: the layout writes" in p for p in problems)
