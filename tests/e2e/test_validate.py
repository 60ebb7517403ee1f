"""Issue 4 end to end: ``convert --report`` and ``ecmx validate``, the findings reports, per-plan
rule overrides from a ``--plans-dir`` plan, and a rule added by a plugin.

Each ecmx run builds its plugin manager and validates every plan YAML (half a second);
``_one_plugin_manager`` builds each distinct set-up once for this module instead (a plans
dir, an extra plugin or $ECMX_PLANS_DIR is a distinct set-up), so the many runs stay fast.

The "Done when" of the issue, literally:
- a dataset with a bad CIN, an enrollment ending before it starts and an unknown status
  makes ``convert`` exit 1 with all three in the JSON report;
- a Health Net RTF with a blanked CIN and a status of 9 makes ``validate`` exit 1 and
  names those two cells; the annotated workbook opens with both cells highlighted.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import sys
import types
from collections import Counter
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import openpyxl
import pytest

from ecmx.core.checks.rules import Hit, Rule
from ecmx.core.hooks import manager as plugins_module
from ecmx.core.hookspecs import hookimpl

HN_RTF = "SUNRISE_HN_ECM_RTF_20251203.xlsx"
CIN = "Member Client Index Number (CIN)"
STATUS = "Member ECM Status"
PHONE = "Member Phone Number"
START = "ECM Enrollment Start Date"
END = "ECM Enrollment End Date"
ASSESSED = "Date Assessment Started"
COMPLETED = "Date of Most Recent Completed Assessment"
LAST_ENCOUNTER = "Date of Most Recent Encounter with Member"
BAD_CIN = "12345"
TYPO_CIN = "912345X7"  # a CIN-like typo, distinctive enough to search the output for
PLAN_KINDS = [
    pytest.param(plan, kind, id=f"{plan}-{kind}")
    for plan in ("calviva", "chpiv", "chwp", "healthnet", "partnership")
    for kind in ("rtf", "otf")
]


@pytest.fixture(scope="module", autouse=True)
def _one_plugin_manager():
    real, cache = plugins_module.make_plugin_manager, {}

    def cached(plans_dirs=(), *, entry_points=True):
        key = (
            tuple(str(p) for p in plans_dirs),
            entry_points,
            plugins_module.BUILTIN_PLUGINS,
            os.environ.get(plugins_module.PLANS_DIR_ENV),
        )
        if key not in cache:
            cache[key] = real(plans_dirs, entry_points=entry_points)
        return cache[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plugins_module, "make_plugin_manager", cached)
        yield


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_json(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def codes_at(report: dict) -> set[tuple[str, str]]:
    return {(f["code"], f["cell"]) for f in report["findings"]}


def headers(sheet) -> dict[str, str]:
    """Header -> column letter of a plan file's first row."""
    return {c.value: c.column_letter for c in sheet[1] if c.value}


def edit_rtf(source, target, edits: dict[tuple[str, int], object]):
    """A copy of ``source`` with ``{(header, row): value}`` written by openpyxl."""
    book = openpyxl.load_workbook(source)
    sheet = book.active
    letters = headers(sheet)
    for (header, row), value in edits.items():
        sheet[f"{letters[header]}{row}"] = value
    book.save(target)
    return target


def validate(run, path, *extra, plan="healthnet", kind="rtf", plans_dir=None):
    first = ("--plans-dir", plans_dir) if plans_dir else ()
    return run(
        *first, "validate", path, "--plan", plan, "--kind", kind, "--period", "2025-11", *extra
    )


def finding_lines(run) -> list[str]:
    return [line for line in run.error_lines() if line.startswith("ecmx: [")]


# ------------------------------------------------------------------ convert: the Done-when dataset


def _day_before(text: str) -> str:
    return (date.fromisoformat(text) - timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def broken(kit, samples, tmp_path_factory):
    """The CSV sample with one bad CIN, one enrollment ending the day before it starts and
    one unknown status, each on its own Health Net member (one episode each)."""
    base = tmp_path_factory.mktemp("done-when")
    data = kit.copy_csv_sample(samples, base / "data")
    members = kit.read_csv(data / "members.csv")
    episodes = kit.read_csv(data / "enrollments.csv")
    count = Counter(e["member_id"] for e in episodes)
    episode_of = {e["member_id"]: e for e in episodes}
    single = [
        m["member_id"] for m in members if m["plan"] == "healthnet" and count[m["member_id"]] == 1
    ]
    reversed_id = next(
        m
        for m in single
        if episode_of[m]["status"] == "enrolled" and episode_of[m]["enrollment_start"]
    )
    bogus_id = next(m for m in single if m != reversed_id)
    bad_cin_id = next(m for m in single if m not in (reversed_id, bogus_id))

    row_of_member = {m["member_id"]: n for n, m in enumerate(members, start=2)}
    row_of_episode = {e["member_id"]: n for n, e in enumerate(episodes, start=2)}
    cin_of = {m["member_id"]: m["cin"] for m in members}
    episode = episode_of[reversed_id]
    episode["enrollment_end"] = _day_before(episode["enrollment_start"])
    episode_of[bogus_id]["status"] = "bogus"
    for member in members:
        if member["member_id"] == bad_cin_id:
            member["cin"] = BAD_CIN
    kit.write_csv(data / "members.csv", members)
    kit.write_csv(data / "enrollments.csv", episodes)
    return types.SimpleNamespace(
        base=base,
        data=data,
        bad_cin_row=row_of_member[bad_cin_id],
        bogus_row=row_of_episode[bogus_id],
        reversed_cin=cin_of[reversed_id],
        reversed_dates=(episode["enrollment_start"], episode["enrollment_end"]),
    )


def convert_broken(kit, broken, name, *extra):
    out, report = broken.base / f"out-{name}", broken.base / f"{name}.json"
    run = kit.invoke(
        "convert", broken.data, "--plan", "all", "--period", "2025-11", "--production-date",
        "2025-12-03", "--out", out, "--report", report, *extra,
    )  # fmt: skip
    return run, out, report


@pytest.fixture(scope="module")
def converted(kit, broken):
    return convert_broken(kit, broken, "plain")


def test_convert_exits_1_with_all_three_problems_in_the_json_report(converted, broken):
    run, _, report_path = converted
    assert run.code == 1, run.err
    assert "Traceback" not in run.text
    report = read_json(report_path)
    by_code: dict[str, list[dict]] = {}
    for f in report["findings"]:
        by_code.setdefault(f["code"], []).append(f)
    assert {"D202", "L006", "B001", "D105"} <= set(by_code), sorted(by_code)
    for code in ("D202", "L006", "B001", "D105"):
        for f in by_code[code]:
            assert f["severity"] == "error"
            assert f["file"] and f["sheet"] and f["row"] and f["cell"], f

    (d202,) = by_code["D202"]
    assert (d202["sheet"], d202["row"], d202["cell"], d202["column"]) == (
        "members",
        broken.bad_cin_row,
        f"members!B{broken.bad_cin_row}",
        "cin",
    )
    (d105,) = by_code["D105"]
    assert (d105["sheet"], d105["row"], d105["cell"], d105["column"]) == (
        "enrollments",
        broken.bogus_row,
        f"enrollments!B{broken.bogus_row}",
        "status",
    )
    assert d105["file"].endswith("enrollments.csv")
    (b001,) = by_code["B001"]
    assert (b001["plan"], b001["kind"], b001["file"], b001["sheet"]) == (
        "healthnet",
        "rtf",
        HN_RTF,
        "RTF",
    )
    assert b001["cell"] == f"RTF!S{b001['row']}" and b001["column"] == END
    assert {(f["plan"], f["kind"], f["cell"][:5]) for f in by_code["L006"]} >= {
        ("healthnet", "rtf", "RTF!C")
    }
    summary = report["summary"]
    assert summary["command"] == "convert" and summary["period"] == "2025-11"
    assert summary["errors"] == sum(f["severity"] == "error" for f in report["findings"])
    assert summary["total"] == len(report["findings"])
    assert len(report["findings"]) == len({json.dumps(f) for f in report["findings"]})  # once each


def test_a_dataset_finding_names_the_csv_file_it_is_in(converted):
    (d202,) = [f for f in read_json(converted[2])["findings"] if f["code"] == "D202"]
    assert d202["file"].endswith("members.csv")


def test_convert_names_the_three_on_the_terminal_and_keeps_healthnet_back(converted):
    run, out, _ = converted
    for code in ("D202", "B001", "D105"):
        assert any(f"error {code} " in line for line in run.error_lines()), code
    written = sorted(p.name for p in out.iterdir())
    assert HN_RTF not in written and not any(n.startswith("SUNRISE_HN_") for n in written)
    assert len(written) == 10  # every other plan's RTF and OTF, CalViva's and CHPIV's CSPRTF


def test_convert_report_masks_values(converted):
    run, _, report_path = converted
    text = report_path.read_text(encoding="utf-8")
    assert f'"{BAD_CIN}"' not in text and '"bogus"' not in text
    values = {f["code"]: f["value"] for f in read_json(report_path)["findings"]}
    assert values["D202"] == values["D105"] == values["L006"] == "***"
    assert not re.search(rf"(?<!\w){BAD_CIN}(?!\w)", run.text) and "bogus" not in run.text


def test_forced_convert_shows_values_and_its_cells_point_at_the_written_file(kit, broken):
    run, out, report_path = convert_broken(kit, broken, "forced", "--force", "--show-values")
    assert run.code == 1  # the errors are still errors
    findings = read_json(report_path)["findings"]
    values = {f["code"]: f["value"] for f in findings}
    assert values["D202"] == values["L006"] == BAD_CIN and values["D105"] == "bogus"
    assert f"[value: '{BAD_CIN}']" in run.err

    sheet = openpyxl.load_workbook(out / HN_RTF)["RTF"]
    letters = headers(sheet)
    (b001,) = [f for f in findings if f["code"] == "B001"]
    row = b001["row"]
    assert sheet[f"{letters[CIN]}{row}"].value == broken.reversed_cin
    start, end = (sheet[f"{letters[h]}{row}"].value for h in (START, END))
    assert (start.date().isoformat(), end.date().isoformat()) == broken.reversed_dates
    (l006,) = [f for f in findings if f["code"] == "L006" and f["kind"] == "rtf"]
    assert sheet[l006["cell"].split("!")[1]].value == BAD_CIN


# ------------------------------------------------------------------ validate: the Done-when RTF


@pytest.fixture(scope="module")
def healthnet_rtf(kit, samples, tmp_path_factory):
    out = tmp_path_factory.mktemp("hn-rtf")
    run = kit.invoke(
        "convert", samples["csv"], "--plan", "healthnet", "--kind", "rtf", "--period", "2025-11",
        "--production-date", "2025-12-03", "--out", out,
    )  # fmt: skip
    assert run.code == 0, run.err
    return out / HN_RTF


@pytest.fixture(scope="module")
def damaged(healthnet_rtf, tmp_path_factory):
    """The RTF with the CIN of row 4 blanked and the status of row 6 set to 9, by openpyxl."""
    base = tmp_path_factory.mktemp("damaged")
    path = edit_rtf(healthnet_rtf, base / HN_RTF, {(CIN, 4): None, (STATUS, 6): 9})
    return path, sha(path)


@pytest.fixture(scope="module")
def validated(kit, damaged):
    """validate with each report format: {suffix: (run, report path)}."""
    path, _ = damaged
    runs = {}
    for suffix in (".xlsx", ".json", ".csv", ".html"):
        report = path.parent / f"report{suffix}"
        runs[suffix] = (validate(kit.invoke, path, "--report", report), report)
    return runs


EXPECTED = {("L001", "RTF!C4"), ("L005", "RTF!P6")}


def test_validate_exits_1_and_names_exactly_the_two_cells(validated, damaged):
    path, before = damaged
    for run, _ in validated.values():
        assert run.code == 1, run.err
        lines = finding_lines(run)
        assert len(lines) == 2, lines
        assert any(
            f"error L001 {path}, RTF!C4, column '{CIN}': {CIN} is required but blank" in line
            for line in lines
        )
        assert any(f"error L005 {path}, RTF!P6, column '{STATUS}'" in line for line in lines)
        assert f"{HN_RTF}: 12 rows, 2 error(s), 0 warning(s)" in run.err
    assert sha(path) == before  # the checked file is never touched


def test_validate_json_report_holds_exactly_the_two_cells(validated, damaged):
    report = read_json(validated[".json"][1])
    assert codes_at(report) == EXPECTED
    l005 = next(f for f in report["findings"] if f["code"] == "L005")
    assert (l005["severity"], l005["row"], l005["column"], l005["plan"], l005["kind"]) == (
        "error",
        6,
        STATUS,
        "healthnet",
        "rtf",
    )
    assert "ecm_status" in l005["source"]
    # the RTF is the provider's own file: fix the dataset, never "ask the plan"
    assert "ask" not in l005["hint"] and "the dataset's ecm_status" in l005["hint"]
    summary = report["summary"]
    assert (summary["command"], summary["plan"], summary["kind"], summary["rows"]) == (
        "validate",
        "healthnet",
        "rtf",
        12,
    )
    assert (summary["errors"], summary["warnings"], summary["layout"]) == (2, 0, "2025.7")


def test_the_annotated_workbook_highlights_both_cells_and_links_to_them(validated, damaged):
    path, before = damaged
    book = openpyxl.load_workbook(validated[".xlsx"][1])
    assert book.sheetnames == ["RTF", "Findings"] and book.active.title == "Findings"
    rtf = book["RTF"]
    marked = {
        c.coordinate
        for row in rtf.iter_rows()
        for c in row
        if c.fill.fill_type == "solid" or c.comment is not None
    }
    assert marked == {"C4", "P6"}
    for coordinate, code in (("C4", "L001"), ("P6", "L005")):
        cell = rtf[coordinate]
        assert cell.fill.fgColor.rgb.endswith("FFC7CE")  # red: an error
        assert cell.comment.text.startswith(f"{code}: ")
    assert rtf["P6"].value == 9 and rtf["C4"].value is None  # the cells as the user left them
    original = openpyxl.load_workbook(path)["RTF"]
    assert [[c.value for c in r] for r in rtf.iter_rows()] == [
        [c.value for c in r] for r in original.iter_rows()
    ]
    findings = book["Findings"]
    rows = list(findings.iter_rows(min_row=2))
    links = {(r[1].value, r[2].value, r[2].hyperlink.location) for r in rows}
    assert links == {("L001", "RTF!C4", "'RTF'!C4"), ("L005", "RTF!P6", "'RTF'!P6")}
    assert sha(path) == before


def test_validate_csv_and_html_reports(validated):
    rows = (validated[".csv"][1]).read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("severity,code,message,hint,plan,kind,file,sheet,row,column,cell")
    assert len(rows) == 3
    assert {(r.split(",")[1], r.split(",")[0]) for r in rows[1:]} == {
        ("L001", "error"),
        ("L005", "error"),
    }
    text = validated[".html"][1].read_text(encoding="utf-8")
    texts = []

    class Collect(HTMLParser):
        def handle_data(self, data):
            texts.append(data.strip())

    parser = Collect()
    parser.feed(text)
    parser.close()
    for word in ("L001", "L005", "RTF!C4", "RTF!P6", "2 problems must be fixed before sending."):
        assert word in texts, word


# ------------------------------------------------------------------ masking


@pytest.fixture(scope="module")
def typo_rtf(healthnet_rtf, tmp_path_factory):
    path = tmp_path_factory.mktemp("typo") / HN_RTF
    return edit_rtf(healthnet_rtf, path, {(CIN, 3): TYPO_CIN})


@pytest.mark.parametrize(
    ("suffix", "show_values"),
    [(".csv", False), (".html", False), (".csv", True)],
    ids=["csv-masked", "html-masked", "csv-shown"],
)  # JSON: see the convert tests above; every format and both ways: test_reports.py
def test_values_are_masked_unless_show_values(cli, typo_rtf, tmp_path, suffix, show_values):
    report = tmp_path / f"r{suffix}"
    extra = ["--show-values"] if show_values else []
    run = validate(cli, typo_rtf, "--report", report, *extra)
    assert run.code == 1
    assert any("error L006" in line and "RTF!C3" in line for line in finding_lines(run))
    text = report.read_text(encoding="utf-8")
    assert (TYPO_CIN in text) is show_values
    assert (TYPO_CIN in run.text) is show_values


# ------------------------------------------------------------------ clean files


@pytest.mark.parametrize(("plan", "kind"), PLAN_KINDS)
def test_validating_a_clean_ecmx_file_exits_0(cli, converted_xlsx, expected_names, kit, plan, kind):
    names = expected_names(converted_xlsx.provider, kit.PRODUCTION_DATE)
    path = converted_xlsx.out / names[plan, kind]
    before = sha(path)
    run = validate(cli, path, plan=plan, kind=kind)
    assert run.code == 0, run.err
    assert not [line for line in run.error_lines() if " error " in line]
    assert "0 error(s)" in run.err
    assert sha(path) == before


def test_validating_a_clean_otf_gives_no_warnings(cli, converted_xlsx, expected_names, kit):
    path = (
        converted_xlsx.out
        / expected_names(converted_xlsx.provider, kit.PRODUCTION_DATE)["healthnet", "otf"]
    )
    run = validate(cli, path, kind="otf")
    assert run.code == 0
    assert finding_lines(run) == []


def test_validate_judges_deadlines_on_the_files_production_date(cli, healthnet_rtf, tmp_path):
    book = openpyxl.load_workbook(healthnet_rtf)
    sheet = book.active
    letters = headers(sheet)
    row = next(
        r for r in range(2, sheet.max_row + 1) if sheet[f"{letters[STATUS]}{r}"].value == "2"
    )
    path = edit_rtf(
        healthnet_rtf,
        tmp_path / HN_RTF,
        {(START, row): datetime(2025, 11, 20), (ASSESSED, row): None, (COMPLETED, row): None},
    )
    run = validate(cli, path)
    assert run.code == 0
    assert finding_lines(run) == []


def test_validate_finds_a_date_after_the_files_production_date(cli, healthnet_rtf, tmp_path):
    path = edit_rtf(healthnet_rtf, tmp_path / HN_RTF, {(LAST_ENCOUNTER, 2): datetime(2025, 12, 20)})
    run = validate(cli, path)
    assert run.code == 1
    assert any("error B009" in line for line in finding_lines(run))


def test_validate_accepts_identifiers_stored_as_numbers(cli, healthnet_rtf, tmp_path):
    edits = {("Zip", 2): 93721, (PHONE, 2): 5595550123, ("ECM Provider NPI", 2): 1234567893}
    path = edit_rtf(healthnet_rtf, tmp_path / HN_RTF, edits)
    run = validate(cli, path)
    assert run.code == 0, run.err
    assert finding_lines(run) == []


def test_validate_a_csv_file_with_a_findings_only_workbook(cli, healthnet_rtf, tmp_path):
    sheet = openpyxl.load_workbook(healthnet_rtf).active
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    rows[2][2] = ""  # the CIN of file row 3
    path = tmp_path / "rtf.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    report = tmp_path / "r.xlsx"
    run = validate(cli, path, "--report", report)
    assert run.code == 1
    assert [line for line in finding_lines(run) if " error " in line] != []
    assert any("error L001" in line and "C3" in line for line in finding_lines(run))
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["Findings"]


def _as_csv(workbook, path):
    sheet = openpyxl.load_workbook(workbook).active
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize(
    ("plan", "stated"),
    [("healthnet", "CalAIM FAQ"), ("calviva", "CalAIM FAQ"), ("chwp", "assumed")],
)
def test_a_csv_rtf_is_refused_where_the_plan_takes_xlsx_or_xlsm_only(
    cli, healthnet_rtf, tmp_path, plan, stated
):
    """Seed 002 FAQ: the file extension must be xlsx or xlsm. A .csv RTF with clean cells
    validated with 0 errors; now it is one error at the file (F010), with its source."""
    path = _as_csv(healthnet_rtf, tmp_path / "rtf.csv")
    report = tmp_path / "r.json"
    run = validate(cli, path, "--report", report, plan=plan)
    assert run.code == 1
    (line,) = [line for line in finding_lines(run) if "F010" in line]
    assert "error F010" in line and "xlsx or xlsm" in line and ".csv" in line
    (finding,) = [f for f in read_json(report)["findings"] if f["code"] == "F010"]
    assert stated in finding["source"]


def test_an_xlsm_rtf_is_a_format_health_net_takes(cli, healthnet_rtf, tmp_path):
    path = tmp_path / "rtf.xlsm"
    path.write_bytes(healthnet_rtf.read_bytes())
    run = validate(cli, path)
    assert "F010" not in run.text


# ------------------------------------------------------------------ report paths


def test_a_bad_report_suffix_exits_2_before_reading_anything(cli, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    checked = validate(cli, junk, "--report", tmp_path / "r.pdf")
    converted = cli(
        "convert", tmp_path / "no-such-dataset", "--plan", "all", "--period", "2025-11",
        "--out", tmp_path / "out", "--report", tmp_path / "r.txt",
    )  # fmt: skip
    for run in (checked, converted):
        assert run.code == 2
        assert "a report ends in .json, .csv, .html or .xlsx" in run.err
        assert "not a readable" not in run.err and "no such file" not in run.err
        assert "Traceback" not in run.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.xlsx"]


def test_an_existing_report_needs_force(cli, damaged, tmp_path):
    path, _ = damaged
    report = tmp_path / "r.json"
    report.write_text("mine", encoding="utf-8")
    run = validate(cli, path, "--report", report)
    assert run.code == 2
    assert "exists already" in run.err and "--force" in run.err
    assert finding_lines(run) == []  # refused before checking anything
    assert report.read_text(encoding="utf-8") == "mine"
    run = validate(cli, path, "--report", report, "--force")
    assert run.code == 1
    assert codes_at(read_json(report)) == EXPECTED


def test_convert_refuses_an_existing_report_before_writing_any_file(cli, samples, tmp_path):
    report = tmp_path / "r.html"
    report.write_text("mine", encoding="utf-8")
    run = cli(
        "convert", samples["csv"], "--plan", "healthnet", "--period", "2025-11", "--out",
        tmp_path / "out", "--report", report, "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 2 and "exists already" in run.err
    assert not (tmp_path / "out").exists()
    assert report.read_text(encoding="utf-8") == "mine"


def test_the_report_may_not_be_the_checked_file(cli, damaged, tmp_path):
    path = tmp_path / HN_RTF
    shutil.copy(damaged[0], path)
    before = sha(path)
    run = validate(cli, path, "--report", path, "--force")
    assert run.code == 2
    assert "is an input of this run" in run.err
    assert sha(path) == before


def test_a_report_in_a_missing_folder_is_refused_before_any_file_is_written(cli, samples, tmp_path):
    run = cli(
        "convert", samples["csv"], "--plan", "healthnet", "--period", "2025-11", "--out",
        tmp_path / "out", "--report", tmp_path / "nowhere" / "r.json",
        "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 2 and "does not exist" in run.err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# ------------------------------------------------------------------ per-plan overrides

MYPLAN = """\
id: myplan
name: My Plan
extends: healthnet
mcp:
  name: {value: My Plan, assumed: true}
rules:
  L010: {enabled: false, assumed: true, note: "the plan takes any phone format"}
  B005: {severity: error, assumed: true, note: "contract exhibit C"}
"""


@pytest.fixture(scope="module")
def overridden(healthnet_rtf, tmp_path_factory):
    """A plans dir with myplan, and an RTF with a short phone (L010) and a late assessment (B005)."""
    base = tmp_path_factory.mktemp("overrides")
    (base / "plans").mkdir()
    (base / "plans" / "myplan.yaml").write_text(MYPLAN, encoding="utf-8")
    sheet = openpyxl.load_workbook(healthnet_rtf).active
    letters = headers(sheet)
    row = next(
        r for r in range(2, sheet.max_row + 1) if sheet[f"{letters[STATUS]}{r}"].value == "2"
    )
    edits = {
        (PHONE, 2): "555-0100",
        (START, row): datetime(2025, 8, 1),
        (ASSESSED, row): datetime(2025, 9, 10),  # due 08-31: late
        (COMPLETED, row): datetime(2025, 9, 25),  # due 09-30: in time
    }
    return base / "plans", edit_rtf(healthnet_rtf, base / HN_RTF, edits), row


def test_a_plans_rules_switch_a_rule_off_and_make_another_an_error(cli, overridden, tmp_path):
    plans, path, row = overridden
    run = validate(cli, path, "--report", tmp_path / "hn.json", plans_dir=plans)
    assert run.code == 0, run.err
    assert codes_at(read_json(tmp_path / "hn.json")) == {
        ("L010", "RTF!M2"),
        ("B005", f"RTF!V{row}"),
    }
    assert {f["severity"] for f in read_json(tmp_path / "hn.json")["findings"]} == {"warning"}

    run = validate(cli, path, "--report", tmp_path / "my.json", plan="myplan", plans_dir=plans)
    assert run.code == 1
    report = read_json(tmp_path / "my.json")
    assert [(f["code"], f["severity"], f["cell"], f["plan"]) for f in report["findings"]] == [
        ("B005", "error", f"RTF!V{row}", "myplan")
    ]
    assert "L010" not in run.text


def test_a_misspelt_rule_code_is_a_config_error_with_a_hint(cli, tmp_path, healthnet_rtf):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "myplan.yaml").write_text(
        MYPLAN.replace("L010:", "L01:").replace("B005:", "B0005:"), encoding="utf-8"
    )
    run = cli("--plans-dir", plans, "plans", "check")
    assert run.code == 1
    assert "rules.L01: no rule has this code (did you mean" in run.err
    assert "rules.B0005: no rule has this code (did you mean 'B005'?)" in run.err
    run = validate(cli, healthnet_rtf, plans_dir=plans)
    assert run.code == 1 and "rules.L01" in run.err and "Traceback" not in run.text


# ------------------------------------------------------------------ a plugin's rule


def _fakersons(target):
    if "last_name" in target.fields:
        rows = list((target.fields["last_name"] == "Fakerson").to_numpy().nonzero()[0])
        if rows:
            yield Hit(rows, "a member named Fakerson", field="last_name")


@pytest.fixture
def with_rule_plugin(monkeypatch):
    """A plugin module registering rule P101, loaded with the built-ins."""
    module = types.ModuleType("ecmx_test_rule_plugin")

    @hookimpl
    def ecmx_register_rules(registry):
        registry.add_rule(
            Rule(
                "P101",
                "warning",
                "business",
                "Fakersons",
                "check the name",
                "a test plugin",
                _fakersons,
            )
        )

    module.ecmx_register_rules = ecmx_register_rules
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(
        plugins_module, "BUILTIN_PLUGINS", (*plugins_module.BUILTIN_PLUGINS, module.__name__)
    )


def test_a_plugins_rule_reports_in_convert_and_validate(
    cli, kit, samples, tmp_path, with_rule_plugin
):
    members = kit.read_csv(samples["csv"] / "members.csv")
    fakersons = {
        m["cin"] for m in members if m["plan"] == "healthnet" and m["last_name"] == "Fakerson"
    }
    assert fakersons, "the sample has no Health Net Fakerson"
    out, report = tmp_path / "out", tmp_path / "r.json"
    run = cli(
        "convert", samples["csv"], "--plan", "healthnet", "--kind", "rtf", "--period", "2025-11",
        "--out", out, "--production-date", "2025-12-03", "--report", report,
    )  # fmt: skip
    assert run.code == 0, run.err  # a warning does not block
    findings = [f for f in read_json(report)["findings"] if f["code"] == "P101"]
    sheet = openpyxl.load_workbook(out / HN_RTF).active
    letters = headers(sheet)
    assert {sheet[f"{letters[CIN]}{f['row']}"].value for f in findings} == fakersons
    assert {f["cell"][:5] for f in findings} == {"RTF!D"}
    assert {f["source"] for f in findings} == {"a test plugin"}

    run = validate(cli, out / HN_RTF, "--report", tmp_path / "v.json")
    assert run.code == 0
    assert {f["cell"] for f in read_json(tmp_path / "v.json")["findings"]} == {
        f["cell"] for f in findings
    }
