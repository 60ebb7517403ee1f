"""Findings reports (core.reports): .json, .csv, .html and the annotated .xlsx, and the
terminal summary. Values may be member data: masked unless asked for."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest
from openpyxl.comments import Comment

from ecmx.core.checks.findings import Finding
from ecmx.core.cli import console
from ecmx.core.cli.findings_table import show_findings
from ecmx.core.errors import OutputError
from ecmx.core.reports.csv_report import COLUMNS
from ecmx.core.reports.findings_report import check_findings_report_path, write_findings_report
from ecmx.core.reports.summary import summary

SECRET = "97531864X"  # a CIN-like value: must never leak unless asked for
META = {"command": "validate", "plan": "healthnet", "kind": "rtf", "file": "rtf.xlsx"}


def finding(code="L006", severity="error", cell="RTF!C4", **extra) -> Finding:
    sheet, _, coordinate = cell.partition("!")
    row = int(re.sub(r"\D", "", coordinate)) if coordinate else None
    defaults = {
        "message": f"{code} problem",
        "hint": f"fix {code}",
        "plan": "healthnet",
        "kind": "rtf",
        "file": "rtf.xlsx",
        "sheet": sheet if coordinate else "",
        "row": row,
        "column": "Member Client Index Number (CIN)",
        "cell": cell,
        "value": SECRET,
        "source": f"source of {code}",
        "member_id": "M0001",
    }
    defaults.update(extra)
    return Finding(severity, code, defaults.pop("message"), **defaults)


FINDINGS = [
    finding("L006", cell="RTF!C4"),
    finding("L010", "warning", cell="RTF!M5", column="Member Phone Number", value="555"),
    finding("L006", cell="RTF!C6"),
    finding("B001", cell="RTF!S4", column="ECM Enrollment End Date", value="2025-01-01"),
    finding("F001", "info", cell="RTF!BH1", value=""),
]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ paths


@pytest.mark.parametrize("name", ["r.json", "r.csv", "r.html", "r.xlsx", "R.JSON", "r.Xlsx"])
def test_report_suffixes_accepted(name, tmp_path):
    check_findings_report_path(tmp_path / name)


@pytest.mark.parametrize("name", ["r.txt", "r", "r.xls", "r.json.bak", "r.htm"])
def test_other_suffixes_are_refused_with_the_choices(name, tmp_path):
    with pytest.raises(OutputError, match=r"a report ends in \.json, \.csv, \.html or \.xlsx"):
        check_findings_report_path(tmp_path / name)
    with pytest.raises(OutputError):
        write_findings_report(FINDINGS, tmp_path / name, meta=META)
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("suffix", [".json", ".csv", ".html", ".xlsx"])
def test_an_existing_report_is_replaced_only_with_force(suffix, tmp_path):
    path = tmp_path / f"r{suffix}"
    path.write_bytes(b"mine")
    with pytest.raises(OutputError, match="exists already"):
        write_findings_report(FINDINGS, path, meta=META)
    assert path.read_bytes() == b"mine"
    write_findings_report(FINDINGS, path, meta=META, force=True)
    assert path.read_bytes() != b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary left


# ------------------------------------------------------------------ json


def read_json(tmp_path, findings=FINDINGS, **options):
    path = tmp_path / "r.json"
    write_findings_report(findings, path, meta=META, **options)
    return path.read_text(encoding="utf-8"), json.loads(path.read_text(encoding="utf-8"))


def test_json_report_has_the_summary_and_every_finding_in_order(tmp_path):
    _, report = read_json(tmp_path)
    head = report["summary"]
    assert {k: head[k] for k in META} == META
    assert (head["errors"], head["warnings"], head["infos"], head["total"]) == (3, 1, 1, 5)
    # errors first, then the most frequent, then by code
    assert [(r["code"], r["severity"], r["count"]) for r in head["by_rule"]] == [
        ("L006", "error", 2),
        ("B001", "error", 1),
        ("L010", "warning", 1),
        ("F001", "info", 1),
    ]
    assert head["by_rule"][0] == {
        "code": "L006",
        "severity": "error",
        "count": 2,
        "title": "CIN of the wrong shape",  # what the rule checks, not its first message
        "message": "L006 problem",
        "hint": "fix L006",
        "source": "source of L006",
    }
    rows = report["findings"]
    assert [r["cell"] for r in rows] == [f.cell for f in FINDINGS]
    assert list(rows[0]) == COLUMNS
    assert "member_id" not in rows[0]
    assert rows[0]["row"] == 4 and rows[0]["sheet"] == "RTF" and rows[0]["plan"] == "healthnet"


def test_json_masks_values_unless_asked(tmp_path):
    text, report = read_json(tmp_path)
    assert SECRET not in text and "555" not in text
    assert [r["value"] for r in report["findings"]] == ["***", "***", "***", "***", ""]
    (tmp_path / "r.json").unlink()
    text, report = read_json(tmp_path, show_values=True)
    assert [r["value"] for r in report["findings"]] == [f.value for f in FINDINGS]
    assert "M0001" not in text  # the internal member id is never reported


def test_json_report_of_no_findings(tmp_path):
    _, report = read_json(tmp_path, findings=[])
    assert report["findings"] == []
    assert report["summary"]["total"] == 0 and report["summary"]["by_rule"] == []


# ------------------------------------------------------------------ csv


def read_csv_report(tmp_path, findings=FINDINGS, **options):
    path = tmp_path / "r.csv"
    write_findings_report(findings, path, meta=META, **options)
    text = path.read_text(encoding="utf-8")
    with open(path, newline="", encoding="utf-8") as handle:
        return text, list(csv.DictReader(handle))


def test_csv_report_has_one_row_per_finding(tmp_path):
    text, rows = read_csv_report(tmp_path)
    assert text.splitlines()[0].split(",") == COLUMNS
    assert [(r["code"], r["severity"], r["cell"]) for r in rows] == [
        (f.code, f.severity, f.cell) for f in FINDINGS
    ]
    assert rows[0]["row"] == "4" and rows[0]["source"] == "source of L006"
    assert SECRET not in text
    assert {r["value"] for r in rows} == {"***", ""}


def test_csv_values_with_show_values_and_formulas_escaped(tmp_path):
    findings = [finding(value='=HYPERLINK("http://x")', message="+1 bad", hint="-x")]
    _, rows = read_csv_report(tmp_path, findings, show_values=True)
    assert rows[0]["value"] == '\'=HYPERLINK("http://x")'
    assert (rows[0]["message"], rows[0]["hint"]) == ("'+1 bad", "'-x")


# ------------------------------------------------------------------ html


class Page(HTMLParser):
    """Collects the text of every table cell, and whether the markup is balanced."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self.title = ""
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("meta", "br"):
            self._in.append(tag)
        if tag in ("td", "th"):
            self.cells.append("")

    def handle_endtag(self, tag):
        assert self._in and self._in[-1] == tag, (tag, self._in[-3:])
        self._in.pop()

    def handle_data(self, data):
        if self._in and self._in[-1] == "title":
            self.title += data
        if "td" in self._in or "th" in self._in:
            self.cells[-1] += data


def parse_html(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    assert page._in == []
    return page


def test_html_report_parses_and_lists_rules_and_places(tmp_path):
    path = tmp_path / "r.html"
    write_findings_report(FINDINGS, path, meta=META)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    page = parse_html(text)
    assert page.title == "ecmx check report: rtf.xlsx"
    for code in ("L006", "L010", "B001", "F001"):
        assert code in page.cells
    for cell in ("RTF!C4", "RTF!M5", "RTF!C6", "RTF!S4"):
        assert cell in page.cells
    assert "3 problems must be fixed before sending." in text
    assert SECRET not in text and "Cell values are left out" in text


def test_html_shows_values_only_when_asked_and_escapes_everything(tmp_path):
    nasty = finding(message="<script>alert(1)</script>", value="<b>x</b>" + SECRET)
    path = tmp_path / "r.html"
    write_findings_report([nasty], path, meta={**META, "file": "<i>.xlsx"}, show_values=True)
    text = path.read_text(encoding="utf-8")
    assert "<script>" not in text and "<b>x</b>" not in text and "<i>" not in text
    page = parse_html(text)
    assert "<script>alert(1)</script>" in page.cells
    assert "<b>x</b>" + SECRET in page.cells
    assert "Value" in page.cells


def test_html_verdicts(tmp_path):
    for findings, verdict in (
        ([], "No problems found: nothing blocks sending."),
        (
            [finding("L010", "warning")],
            "Nothing blocks sending, but some things should be checked.",
        ),
        ([finding()], "1 problem must be fixed before sending."),
    ):
        path = tmp_path / "r.html"
        write_findings_report(findings, path, meta=META, force=True)
        assert verdict in path.read_text(encoding="utf-8")


# ------------------------------------------------------------------ xlsx


@pytest.fixture
def checked(tmp_path):
    """A small RTF workbook as a user has it: a note on one cell, a merged title, two sheets."""
    path = tmp_path / "rtf.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "RTF"
    sheet.append(["CIN", "Name", "Phone"])
    sheet.append(["91234567A", "Ana", "5595550100"])
    sheet.append(["12345", "Bo", "555"])
    sheet.append([None, "Cy", "5595550101"])
    sheet["B2"].comment = Comment("my own note", "me")
    other = book.create_sheet("My Notes")
    other["A1"] = "title"
    other.merge_cells("A1:C1")
    book.save(path)
    return path


def test_xlsx_report_marks_each_cell_and_links_to_it(checked, tmp_path):
    before = digest(checked)
    findings = [
        finding("L006", cell="RTF!A3"),
        finding("L010", "warning", cell="RTF!C3"),
        finding("L001", cell="RTF!A4", value=""),
        finding("L007", "warning", cell="RTF!A3"),  # a second finding on the same cell
        finding("B001", cell="", sheet="RTF", row=3),  # a row without a cell
        finding("X001", cell="", sheet="", row=None),  # about the file
    ]
    report = tmp_path / "report.xlsx"
    write_findings_report(findings, report, meta=META, workbook=checked)
    assert digest(checked) == before  # the checked file is never touched

    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["RTF", "My Notes", "Findings"]
    assert book.active.title == "Findings"
    rtf = book["RTF"]
    assert [[c.value for c in row] for row in rtf.iter_rows()] == [
        ["CIN", "Name", "Phone"],
        ["91234567A", "Ana", "5595550100"],
        ["12345", "Bo", "555"],
        [None, "Cy", "5595550101"],
    ]
    red, amber = "FFC7CE", "FFD98C"
    fills = {
        c.coordinate: c.fill.fgColor.rgb[-6:]
        for row in rtf.iter_rows()
        for c in row
        if c.fill.fill_type == "solid"
    }
    assert fills == {"A3": red, "C3": amber, "A4": red}  # the worst severity colours a cell
    assert "L006: L006 problem (fix L006)" in rtf["A3"].comment.text
    assert "L007: L007 problem" in rtf["A3"].comment.text
    assert rtf["C3"].comment.text.startswith("L010:")
    assert rtf["B2"].comment.text == "my own note"  # a user's note is kept
    assert SECRET not in rtf["A3"].comment.text

    sheet = book["Findings"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["severity", "rule", "cell", "column", "message", "hint", "source"]
    assert [r[1] for r in rows[1:]] == ["L006", "L010", "L001", "L007", "B001", "X001"]
    assert [r[2] for r in rows[1:]] == ["RTF!A3", "RTF!C3", "RTF!A4", "RTF!A3", "RTF row 3",
                                        "rtf.xlsx"]  # fmt: skip
    links = [sheet.cell(n, 3).hyperlink for n in range(2, len(rows) + 1)]
    assert [link.location if link else None for link in links] == [
        "'RTF'!A3",
        "'RTF'!C3",
        "'RTF'!A4",
        "'RTF'!A3",
        None,
        None,
    ]
    assert all(SECRET not in str(v) for r in rows for v in r)


def test_xlsx_report_with_values_and_awkward_places(checked, tmp_path):
    findings = [
        finding("L006", cell="'My Notes'!B1", value=SECRET),  # inside a merged range
        finding("L006", cell="rtf!a2"),  # sheet and column case as a user might type them
        finding("L006", cell="Nowhere!A1"),  # no such sheet
        finding("L006", cell="RTF!ZZZZ9"),  # not a cell
        finding("L006", cell="members!B7", message="=SUM(A1)"),
    ]
    report = tmp_path / "report.xlsx"
    write_findings_report(findings, report, meta=META, workbook=checked, show_values=True)
    book = openpyxl.load_workbook(report)
    assert book["My Notes"]["A1"].comment is not None  # the merged range's top-left
    assert book["RTF"]["A2"].comment is not None
    sheet = book["Findings"]
    assert sheet.cell(1, 8).value == "value"
    assert sheet.cell(2, 8).value == SECRET
    assert sheet.cell(2, 3).hyperlink.location == "'My Notes'!A1"
    assert sheet.cell(3, 3).hyperlink.location == "'RTF'!A2"
    assert [sheet.cell(n, 3).hyperlink for n in (4, 5, 6)] == [None, None, None]
    cell = sheet.cell(6, 5)  # text as written, a string cell, never a formula
    assert cell.value == "=SUM(A1)" and cell.data_type == "s"


def test_xlsx_findings_sheet_takes_a_free_name(checked, tmp_path):
    book = openpyxl.load_workbook(checked)
    book.create_sheet("Findings")
    book.save(checked)
    report = tmp_path / "report.xlsx"
    write_findings_report([finding(cell="RTF!A3")], report, meta=META, workbook=checked)
    assert openpyxl.load_workbook(report).sheetnames == [
        "RTF",
        "My Notes",
        "Findings",
        "Findings 2",
    ]


def test_xlsx_without_a_workbook_is_the_findings_sheet_alone(tmp_path):
    report = tmp_path / "report.xlsx"
    write_findings_report(FINDINGS, report, meta=META)
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["Findings"]
    sheet = book["Findings"]
    assert sheet.max_row == len(FINDINGS) + 1
    assert all(sheet.cell(n, 3).hyperlink is None for n in range(2, sheet.max_row + 1))


def test_the_report_never_replaces_the_checked_workbook(checked):
    before = digest(checked)
    with pytest.raises(OutputError, match="is an input of this run"):
        write_findings_report(FINDINGS, checked, meta=META, workbook=checked, force=True)
    assert digest(checked) == before


# ------------------------------------------------------------------ terminal


@pytest.fixture
def terminal(capsys, monkeypatch):
    monkeypatch.setattr(console.stdout, "width", 300)
    console.configure()
    yield lambda: capsys.readouterr()
    console.configure()


def test_show_groups_by_rule_and_lists_places(terminal):
    show_findings(FINDINGS, META)
    out, err = terminal()
    assert "ecmx validate rtf.xlsx healthnet rtf: 3 errors, 1 warnings, 1 notes" in out
    table = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")]
    assert table == ["L006", "B001", "L010", "F001"]
    assert "RTF!C4 (+1 more)" in out
    assert "ecmx: [healthnet rtf] error L006 rtf.xlsx, RTF!C4, column" in err
    assert SECRET not in out + err and "[value:" not in err


def test_show_values_only_when_asked(terminal):
    show_findings(FINDINGS[:1], META, show_values=True)
    _, err = terminal()
    assert f"[value: '{SECRET}']" in err


def test_show_caps_the_places_per_rule_unless_verbose(terminal):
    many = [finding(cell=f"RTF!C{n}") for n in range(2, 10)]
    show_findings(many, META)
    _, err = terminal()
    assert err.count("error L006") == 5
    assert "L006: 3 more like this (--verbose lists all)" in err
    console.configure(verbose=True)
    show_findings(many, META)
    _, err = terminal()
    assert err.count("error L006") == 8 and "more like this" not in err


def test_show_prints_markup_in_messages_as_written(terminal):
    show_findings([finding(code="P999", message="value [bold]x[/bold] is wrong")], META)  # no title
    out, err = terminal()
    assert "[bold]x[/bold]" in out and "[bold]x[/bold]" in err


def test_show_without_findings(terminal):
    show_findings([], META)
    out, _ = terminal()
    assert out.strip() == "no problems found in rtf.xlsx healthnet rtf"


def test_summary_counts_by_severity():
    head = summary(FINDINGS, {"x": 1})
    assert (head["x"], head["errors"], head["warnings"], head["infos"]) == (1, 3, 1, 1)


def test_the_summary_labels_a_rule_by_what_it_checks_not_its_first_message(terminal):
    """An acuity blank and a status blank are both L001: the row says what L001 checks."""
    show_findings(
        [
            finding("L001", message="Member ECM Status is blank", cell="RTF!P4"),
            finding("L001", message="Member Acuity Level is blank", cell="RTF!Q5"),
        ],
        META,
    )
    out, _ = terminal()
    [row] = [line for line in out.splitlines() if line.startswith("│ L001")]
    assert "required column blank" in row
    assert "Member ECM Status" not in row


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT])
def test_a_missing_cell_value_is_no_value_and_not_masked_as_phi(missing):
    """pandas 3 hands a blank cell over as NaN, which is truthy: it is no value."""
    finding = Finding("error", "L001", "blank", value=missing)
    assert finding.value == ""
    assert finding.as_dict()["value"] == ""
    assert "[value:" not in finding.line(show_values=True)
