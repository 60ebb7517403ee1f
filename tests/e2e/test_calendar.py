"""``ecmx calendar``, ``ecmx due`` and the late-file warnings of ``ecmx convert``, end to end.

The calendar is read back as a user's tools would: JSON and CSV by the standard
library, the .ics file by two independent iCalendar parsers (``icalendar`` and
``vobject``), the tables as the rows a user reads.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import date, datetime, timedelta

import icalendar
import pytest
import vobject
import yaml

HN_FAMILY = ("calviva", "chpiv", "chwp", "healthnet")
RECORD_KEYS = {
    "plan", "event", "kind", "period", "date", "weekday", "closed", "source", "assumed", "title",
    "party", "role",
    "start", "nominal_date", "rule", "adjust", "note",
}  # fmt: skip
# What the Health Net family's YAML (seed 002) dates for the 2025-11 period.
HN_NOVEMBER = {
    ("mif_delivery", "2025-11-15"),
    ("rtf_due", "2025-12-05"),
    ("otf_due", "2025-12-05"),
    ("resubmission_cutoff", "2025-12-10"),
    ("csasf_delivery", "2025-11-15"),
    ("csasf_delivery", "2025-11-29"),
    ("csprtf_due", "2025-12-05"),
    ("csprtf_due", "2025-12-10"),
}
BOX = ("┏", "┃", "┡", "│", "└", "╇", "┗")


def table_rows(text: str) -> list[list[str]]:
    """The body rows of every rich table in ``text``, as lists of cells."""
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in text.splitlines()
        if line.startswith("│")
    ]


def due_sections(text: str) -> dict[str, tuple[str, list[list[str]]]]:
    """``ecmx due`` output by section: {"due"|"overdue"|"windows": (title line, rows)}."""
    keys = {"Due or expected": "due", "Overdue": "overdue", "Correction windows": "windows"}
    sections: dict[str, tuple[str, list[list[str]]]] = {}
    current = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith(BOX):
            if line.startswith("│") and current:
                sections[current][1].append([c.strip() for c in line.split("│")[1:-1]])
            continue
        [current] = [key for prefix, key in keys.items() if line.startswith(prefix)] or [None]
        assert current, f"unexpected line in ecmx due: {line!r}"
        assert current not in sections, f"section printed twice: {line!r}"
        sections[current] = (line, [])
    return sections


def assert_usage_error(run, *needles) -> str:
    """A click usage error: exit 2, one ``Error:`` line saying what is wrong, no traceback."""
    assert run.code == 2
    assert "Traceback" not in run.text
    errors = [line for line in run.error_lines() if line.startswith("Error:")]
    assert len(errors) == 1, run.err
    for needle in needles:
        assert needle in errors[0], f"{needle!r} not in {errors[0]!r}"
    return errors[0]


def by_plan_and_period(records, plan, period) -> list[dict]:
    return [r for r in records if r["plan"] == plan and r["period"] == period]


# ----------------------------------------------------------------------------- calendar: JSON


@pytest.fixture(scope="module")
def year_2025(kit):
    run = kit.invoke("calendar", "--plan", "all", "--year", "2025", "--format", "json")
    assert run.code == 0, run.err
    return json.loads(run.out)


def test_json_is_a_list_of_complete_records(year_2025, kit):
    assert isinstance(year_2025, list) and year_2025
    for record in year_2025:
        assert set(record) == RECORD_KEYS, record
        assert record["plan"] in kit.PLAN_IDS
        assert isinstance(record["assumed"], bool)
        date.fromisoformat(record["date"])
        assert date.fromisoformat(record["start"]) <= date.fromisoformat(record["date"])
    assert {r["plan"] for r in year_2025} == set(kit.PLAN_IDS)


def test_every_date_says_where_it_comes_from_or_that_it_is_assumed(year_2025):
    unsourced = [r for r in year_2025 if not r["source"].strip() and not r["assumed"]]
    assert unsourced == []


def test_the_year_covers_its_twelve_periods_and_their_later_dues(year_2025):
    assert {r["period"] for r in year_2025} == {f"2025-{m:02d}" for m in range(1, 13)}
    december = by_plan_and_period(year_2025, "healthnet", "2025-12")
    assert [r["date"] for r in december if r["event"] == "rtf_due"] == ["2026-01-05"]
    # the RTF due 2025-01-05 is the 2024-12 period's, not this year's
    january_fifth = [r for r in year_2025 if r["plan"] == "healthnet" and r["date"] == "2025-01-05"]
    assert january_fifth == []


def test_no_undated_event_is_listed(year_2025):
    assert not any(r["event"] == "mini_mif" for r in year_2025)


@pytest.mark.parametrize("plan", HN_FAMILY)
def test_health_net_family_dates_for_november(year_2025, plan):
    november = by_plan_and_period(year_2025, plan, "2025-11")
    got = Counter((r["event"], r["date"]) for r in november)
    cs = plan == "chwp"  # CHWP's config drops the Community Supports files and their dates
    assert got == Counter(e for e in HN_NOVEMBER if not (cs and e[0].startswith("cs")))
    kinds = {r["event"]: r["kind"] for r in november}
    assert (
        kinds["rtf_due"] == "rtf" and kinds["otf_due"] == "otf" and kinds["mif_delivery"] == "mif"
    )


def test_chwp_borrows_health_nets_cutoff_as_an_assumption(year_2025):
    chwp = by_plan_and_period(year_2025, "chwp", "2025-11")
    [cutoff] = [r for r in chwp if r["event"] == "resubmission_cutoff"]
    assert cutoff["assumed"] is True
    [healthnet] = [
        r
        for r in by_plan_and_period(year_2025, "healthnet", "2025-11")
        if r["event"] == "resubmission_cutoff"
    ]
    assert healthnet["assumed"] is False and "10th" in healthnet["source"]


def test_partnership_works_by_weeks_of_the_month(year_2025):
    november = {r["event"]: r for r in by_plan_and_period(year_2025, "partnership", "2025-11")}
    for event in ("mif_delivery", "tel_delivery"):  # first week of the period's month
        assert (november[event]["start"], november[event]["date"]) == ("2025-11-01", "2025-11-07")
    preparation = november["new_files_preparation"]  # fourth week
    assert (preparation["start"], preparation["date"]) == ("2025-11-22", "2025-11-28")
    review = november["plan_review"]  # third week of the month the files come back
    assert (review["start"], review["date"]) == ("2025-12-15", "2025-12-21")
    for event in ("capacity_survey_due", "rtf_due", "iot_due"):
        assert november[event]["assumed"] is True, event
        assert november[event]["date"] > "2025-11-30", event  # after the period
    assert november["rtf_due"]["kind"] == "rtf" and november["iot_due"]["kind"] == "otf"
    assert not any(r["event"] == "csasf_delivery" for r in november.values())


def test_one_plan_and_one_period(cli):
    run = cli("calendar", "--plan", "healthnet", "--period", "2025-02", "--format", "json")
    assert run.code == 0, run.err
    records = json.loads(run.out)
    assert records
    assert {r["plan"] for r in records} == {"healthnet"}
    assert {r["period"] for r in records} == {"2025-02"}
    csasf = sorted(r["date"] for r in records if r["event"] == "csasf_delivery")
    assert csasf == ["2025-02-15", "2025-02-28"]  # no 29th in February: the month's last day


def test_plan_is_repeatable(cli):
    run = cli(
        "calendar", "--plan", "chwp", "--plan", "partnership", "--period", "2025-11",
        "--format", "json",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert {r["plan"] for r in json.loads(run.out)} == {"chwp", "partnership"}


def test_year_and_period_together_is_a_usage_error(cli):
    run = cli("calendar", "--year", "2025", "--period", "2025-11", "--format", "json")
    assert_usage_error(run, "--year", "--period")
    assert run.out == ""  # nothing printed as if it had worked


def test_an_unknown_plan_is_one_line_with_a_suggestion(cli):
    run = cli("calendar", "--plan", "healtnet", "--year", "2025", "--format", "json")
    assert run.code == 2
    run.one_error_line("unknown plan 'healtnet'", "(did you mean 'healthnet'?)")
    assert run.out == ""


# ----------------------------------------------------------------------------- calendar: CSV, table


def test_csv_has_the_same_rows_as_json(cli, year_2025):
    run = cli("calendar", "--plan", "all", "--year", "2025", "--format", "csv")
    assert run.code == 0, run.err
    reader = csv.DictReader(io.StringIO(run.out, newline=""))
    rows = list(reader)
    assert set(reader.fieldnames) == RECORD_KEYS

    def normal(record):
        return tuple(
            sorted((k, str(v).lower() if k == "assumed" else str(v)) for k, v in record.items())
        )

    assert [normal(r) for r in rows] == [normal(r) for r in year_2025]


def test_table_prints_one_readable_row_per_date(cli):
    run = cli("calendar", "--plan", "healthnet", "--period", "2025-02")
    assert run.code == 0, run.err
    assert "Traceback" not in run.text
    rows = table_rows(run.out)
    as_json = json.loads(
        cli("calendar", "--plan", "healthnet", "--period", "2025-02", "--format", "json").out
    )
    assert len(rows) == len(as_json)
    for day, weekday, plan, _title, period, origin in rows:
        assert weekday.startswith(f"{date.fromisoformat(day):%a}")
        assert (plan, period) == ("healthnet", "2025-02")
        assert origin in ("plan page", "assumed")
    assert [
        "2025-02-28", "Fri", "healthnet", "CSASF sent by the plan (Community Supports)",
        "2025-02", "plan page",
    ] in rows  # fmt: skip
    assert ["2025-03-05", "Wed", "healthnet", "RTF due to the plan", "2025-02", "plan page"] in rows
    # a date on a weekend or a holiday says so (the CSASF of the 15th, a Saturday)
    assert [
        "2025-02-15", "Sat (weekend, Susan B. Anthony Day)", "healthnet",
        "CSASF sent by the plan (Community Supports)", "2025-02", "plan page",
    ] in rows  # fmt: skip
    assert "mini_mif" in run.text and "no fixed date" in run.text  # the undated event, in words


# ----------------------------------------------------------------------------- calendar: .ics


@pytest.fixture(scope="module")
def ics_year(kit, tmp_path_factory):
    """The 2025 calendar of every plan, as JSON on stdout and as an .ics file."""
    path = tmp_path_factory.mktemp("ics") / "ecm-2025.ics"
    run = kit.invoke(
        "calendar", "--plan", "all", "--year", "2025", "--format", "json", "--ics", path
    )
    assert run.code == 0, run.err
    return path, run, json.loads(run.out)


@pytest.fixture(scope="module")
def plan_names(registry, kit):
    return {plan_id: registry.plan(plan_id).name for plan_id in kit.PLAN_IDS}


def _match_event(summary: str, start: date, records, plan_names) -> dict:
    """The one JSON record an .ics event stands for, found from what the event shows."""
    [plan] = [p for p, name in plan_names.items() if name in summary]
    [period] = re.findall(r"\b\d{4}-\d{2}\b", summary)
    candidates = [
        r
        for r in records
        if r["plan"] == plan
        and r["period"] == period
        and r["date"] == start.isoformat()
        and re.search(rf"(?<!\w){re.escape(r['title'])}", summary)
    ]
    assert len(candidates) == 1, (summary, start, candidates)
    return candidates[0]


def test_ics_has_one_all_day_event_per_date(ics_year, plan_names):
    path, run, records = ics_year
    assert f"({len(records)} events)" in run.err
    document = icalendar.Calendar.from_ical(path.read_bytes())
    events = list(document.walk("VEVENT"))
    assert len(events) == len(records)
    matched = []
    for event in events:
        start = event.decoded("dtstart")
        assert type(start) is date, (event["summary"], start)  # all-day: a date, no time
        if "dtend" in event:
            assert type(event.decoded("dtend")) is date
            assert event.decoded("dtend") == start + timedelta(days=1)
        matched.append(_match_event(str(event["summary"]), start, records, plan_names))
    key = ("plan", "event", "period", "date")
    assert Counter(tuple(r[k] for k in key) for r in matched) == Counter(
        tuple(r[k] for k in key) for r in records
    )
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == len(uids)


def test_ics_descriptions_name_plan_file_and_source(ics_year, plan_names):
    path, _, records = ics_year
    document = icalendar.Calendar.from_ical(path.read_bytes())
    for event in document.walk("VEVENT"):
        summary, description = str(event["summary"]), str(event["description"])
        record = _match_event(summary, event.decoded("dtstart"), records, plan_names)
        assert plan_names[record["plan"]] in summary
        assert plan_names[record["plan"]] in description
        assert re.search(rf"(?<!\w){re.escape(record['kind'].upper())}(?!\w)", description), (
            record["kind"],
            description,
        )
        if record["source"]:
            assert record["source"] in description, summary
        if record["assumed"]:
            assert "assumed" in description.lower(), summary


def test_ics_reads_the_same_with_vobject(ics_year):
    path, _, records = ics_year
    text = path.read_text(encoding="utf-8")
    document = vobject.readOne(text)
    events = document.contents["vevent"]
    assert len(events) == len(records)
    starts = Counter()
    for event in events:
        start = event.dtstart.value
        assert isinstance(start, date) and not isinstance(start, datetime)
        starts[start.isoformat()] += 1
    assert starts == Counter(r["date"] for r in records)
    uids = [e.uid.value for e in events]
    assert len(set(uids)) == len(uids)
    reference = icalendar.Calendar.from_ical(text)
    assert sorted(uids) == sorted(str(e["uid"]) for e in reference.walk("VEVENT"))
    assert sorted(e.summary.value for e in events) == sorted(
        str(e["summary"]) for e in reference.walk("VEVENT")
    )


def test_ics_is_not_replaced_without_force(cli, kit, tmp_path):
    path = tmp_path / "ecm.ics"
    path.write_bytes(b"my own calendar")
    argv = ("calendar", "--plan", "healthnet", "--period", "2025-11", "--ics", path)
    refused = cli(*argv)
    assert refused.code == 2
    refused.one_error_line(str(path), "--force")
    assert path.read_bytes() == b"my own calendar"
    assert kit.hidden(tmp_path) == []

    forced = cli(*argv, "--force")
    assert forced.code == 0, forced.err
    assert "Traceback" not in forced.text
    events = list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))
    assert len(events) == len(HN_NOVEMBER)
    assert kit.hidden(tmp_path) == []


def test_ics_written_twice_with_force_keeps_the_same_events(cli, tmp_path):
    """Same UIDs each time: importing the file again updates events instead of doubling them."""
    path = tmp_path / "ecm.ics"
    argv = ("calendar", "--plan", "partnership", "--period", "2025-11", "--ics", path)
    assert cli(*argv).code == 0
    first = sorted(
        str(e["uid"]) for e in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    )
    assert cli(*argv, "--force").code == 0
    second = sorted(
        str(e["uid"]) for e in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    )
    assert first == second and len(first) > 0


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        pytest.param("calendar.txt", "ends in .ics", id="not-ics"),
        pytest.param("missing/calendar.ics", "does not exist", id="missing-directory"),
    ],
)
def test_a_bad_ics_path_is_one_line(cli, tmp_path, name, needle):
    path = tmp_path / name
    run = cli("calendar", "--plan", "healthnet", "--period", "2025-11", "--ics", path)
    assert run.code == 2
    run.one_error_line(str(path), needle)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- due


def test_due_in_the_correction_window(cli):
    run = cli("due", "--today", "2025-12-07", "--plan", "healthnet")
    assert run.code == 0, run.err
    assert "Traceback" not in run.text
    sections = due_sections(run.out)
    assert set(sections) == {"due", "overdue", "windows"}

    title, soon = sections["due"]
    assert "14 days" in title
    assert soon and all(row[3] == "healthnet" for row in soon)
    assert all("2025-12-07" <= row[0] <= "2025-12-21" for row in soon)
    assert all(row[1].startswith(f"{date.fromisoformat(row[0]):%a}") for row in soon)
    soon_events = {(row[0], row[4], row[5]) for row in soon}
    assert ("2025-12-10", "last day the plan accepts a corrected RTF or OTF", "2025-11") in (
        soon_events
    )
    assert ("2025-12-15", "MIF sent by the plan", "2025-12") in soon_events

    _, late = sections["overdue"]
    late_events = {(row[0], row[3], row[4], row[5]) for row in late}
    assert ("2025-12-05", "healthnet", "RTF due to the plan", "2025-11") in late_events
    assert ("2025-12-05", "healthnet", "OTF due to the plan", "2025-11") in late_events
    assert all(row[0] < "2025-12-07" for row in late)

    _, windows = sections["windows"]
    assert windows == [["healthnet", "2025-11", "2025-12-05 Fri", "2025-12-10 Wed", "3"]]


def test_due_after_the_cutoff_shows_no_open_window(cli):
    run = cli("due", "--today", "2025-12-20", "--plan", "healthnet")
    assert run.code == 0, run.err
    sections = due_sections(run.out)
    title, windows = sections["windows"]
    assert windows == []
    assert "no correction window is open" in title
    _, soon = sections["due"]
    assert all("2025-12-20" <= row[0] <= "2026-01-03" for row in soon)


def test_due_with_a_bad_date_is_a_usage_error(cli):
    run = cli("due", "--today", "2025-13-01")
    assert_usage_error(run, "--today", "'2025-13-01' is not a date", "YYYY-MM-DD")
    assert run.out == ""


def test_due_with_an_unknown_plan_is_one_line(cli):
    run = cli("due", "--plan", "healtnet")
    assert run.code == 2
    run.one_error_line("unknown plan 'healtnet'", "(did you mean 'healthnet'?)")


def test_due_without_options_informs_and_exits_0(cli):
    run = cli("due")
    assert run.code == 0, run.err
    assert "Traceback" not in run.text
    assert set(due_sections(run.out)) == {"due", "overdue", "windows"}


# ----------------------------------------------------------------------------- convert: late files


@pytest.fixture(scope="module")
def late(kit, samples, tmp_path_factory):
    """``late(production_date) -> (run, out folder, report)``: healthnet's 2025-11 files."""
    base = tmp_path_factory.mktemp("late")
    done = {}

    def convert(day: str):
        if day not in done:
            out, report = base / f"out-{day}", base / f"report-{day}.json"
            run = kit.invoke(
                "convert", samples["csv"], "--plan", "healthnet", "--period", "2025-11",
                "--out", out, "--production-date", day, "--report", report,
            )  # fmt: skip
            done[day] = (run, out, json.loads(report.read_text(encoding="utf-8")))
        return done[day]

    return convert


def _codes(report) -> list[str]:
    return [f["code"] for f in report["findings"]]


def _written(out, day: str) -> list[str]:
    stamp = day.replace("-", "")
    return sorted(p.name for p in out.iterdir() if stamp in p.name)


def test_an_on_time_file_has_no_lateness_warning(late):
    run, out, report = late("2025-12-03")
    assert run.code == 0, run.err
    assert "C001" not in run.text and "C002" not in run.text
    assert not {"C001", "C002"} & set(_codes(report))
    assert _written(out, "2025-12-03") == [
        "SUNRISE_HN_CS_CSPRTF_20251203.xlsx",  # the sample provider is Health Net's CS provider
        "SUNRISE_HN_ECM_OTF_20251203.xlsx",
        "SUNRISE_HN_ECM_RTF_20251203.xlsx",
    ]


def test_a_late_file_is_warned_about_and_still_written(late):
    on_time, _, _ = late("2025-12-03")
    run, out, report = late("2025-12-07")
    assert run.code == on_time.code
    c001 = [line for line in run.error_lines() if "warning C001" in line]
    assert len(c001) == 2, run.err  # the RTF and the OTF
    assert all("2025-12-05" in line for line in c001)
    assert any("RTF" in line for line in c001) and any("OTF" in line for line in c001)
    assert all("2025-12-10" in line for line in c001)  # until when it is still accepted
    assert "C002" not in run.text
    assert _written(out, "2025-12-07") == [
        "SUNRISE_HN_CS_CSPRTF_20251207.xlsx",  # the sample provider is Health Net's CS provider
        "SUNRISE_HN_ECM_OTF_20251207.xlsx",
        "SUNRISE_HN_ECM_RTF_20251207.xlsx",
    ]
    assert [f["severity"] for f in report["findings"] if f["code"] == "C001"] == ["warning"] * 2


def test_a_file_after_the_cutoff_says_the_plan_will_refuse_it(late):
    on_time, _, _ = late("2025-12-03")
    run, out, report = late("2025-12-11")
    assert run.code == on_time.code
    c002 = [line for line in run.error_lines() if "warning C002" in line]
    assert len(c002) == 3, run.err  # the RTF, the OTF and the CSPRTF (due by the 10th)
    assert all("Health Net will refuse" in line for line in c002)
    assert "C001" not in run.text
    assert _written(out, "2025-12-11") == [
        "SUNRISE_HN_CS_CSPRTF_20251211.xlsx",  # the sample provider is Health Net's CS provider
        "SUNRISE_HN_ECM_OTF_20251211.xlsx",
        "SUNRISE_HN_ECM_RTF_20251211.xlsx",
    ]
    c002_findings = [f for f in report["findings"] if f["code"] == "C002"]
    assert {(f["severity"], f["plan"], f["kind"]) for f in c002_findings} == {
        ("warning", "healthnet", "rtf"),
        ("warning", "healthnet", "otf"),
        ("warning", "healthnet", "csprtf"),
    }
    assert all("refuse" in f["message"] and f["source"] for f in c002_findings)
    assert report["summary"]["errors"] == 0 and report["summary"]["warnings"] >= 2


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param("2025-12-05", set(), id="on-the-due-date"),
        pytest.param("2025-12-06", {"C001"}, id="a-day-late"),
        pytest.param("2025-12-10", {"C001"}, id="on-the-cutoff"),
    ],
)
def test_lateness_boundaries(late, day, expected):
    run, _, report = late(day)
    assert run.code == 0, run.err
    assert {c for c in _codes(report) if c.startswith("C0")} == expected


MYPLAN = """\
id: myplan
name: My Plan
extends: healthnet_family
mcp:
  identifier: {value: MYPLAN, assumed: true}
  name: {value: My Plan, assumed: true}
"""
SILENCE_C001 = "rules:\n  C001: {enabled: false, assumed: true}\n"


@pytest.fixture(scope="module")
def myplan_data(kit, samples, tmp_path_factory):
    data = kit.copy_csv_sample(samples, tmp_path_factory.mktemp("myplan") / "data")
    members = kit.read_csv(data / "members.csv")
    for member in [m for m in members if m["plan"] == "healthnet"][:3]:
        member["plan"] = "myplan"
    kit.write_csv(data / "members.csv", members)
    provider = kit.load_yaml(data / "provider.yaml")
    provider["plans"]["myplan"] = {"file_prefix": "SUNRISE_MY"}
    (data / "provider.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")
    return data


@pytest.mark.parametrize(
    ("silenced", "day", "expected"),
    [
        pytest.param(False, "2025-12-07", {"C001"}, id="yaml-plan-warns"),
        pytest.param(True, "2025-12-07", set(), id="c001-off"),
        pytest.param(True, "2025-12-11", {"C002"}, id="c001-off-c002-still-on"),
    ],
)
def test_a_yaml_plan_can_switch_c001_off(cli, myplan_data, tmp_path, silenced, day, expected):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "myplan.yaml").write_text(MYPLAN + (SILENCE_C001 if silenced else ""), "utf-8")
    out, report = tmp_path / "out", tmp_path / "r.json"
    run = cli(
        "--plans-dir", plans, "convert", myplan_data, "--plan", "myplan", "--period", "2025-11",
        "--out", out, "--production-date", day, "--report", report,
    )  # fmt: skip
    assert run.code == 0, run.err
    codes = {f["code"] for f in json.loads(report.read_text(encoding="utf-8"))["findings"]}
    assert {c for c in codes if c.startswith("C0")} == expected
    shown = {c for c in ("C001", "C002") if f"warning {c}" in run.err}
    assert shown == expected
    assert len(list(out.iterdir())) == 2  # RTF and OTF written either way
