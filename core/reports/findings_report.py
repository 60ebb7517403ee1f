"""Findings reports, chosen by the suffix of the path: .json, .csv, .html or .xlsx.

JSON schema (documented for users in docs/reports.md)::

    {
      "summary": {
        ...meta,            # e.g. command, plan, kind, file, period: as the caller gave them
        "errors": int, "warnings": int, "infos": int, "total": int,
        "by_rule": [        # one entry per (code, severity); errors first, then most frequent
          {"code", "severity", "count", "title", "message", "hint", "source"}
          # title: what the rule checks; message etc.: those of its first finding
        ]
      },
      "findings": [         # every finding, in the order found
        {"severity", "code", "message", "hint", "plan", "kind", "file", "sheet",
         "row", "column", "cell", "value", "source"}
      ]
    }

``value`` may be member data (PHI): it is ``"***"`` in the terminal, JSON, CSV and HTML
unless ``show_values``. Messages never hold member values, so only ``value`` is masked.
The .xlsx report is a copy of the checked workbook with each bad cell highlighted and
commented, plus a Findings sheet linking to the cells; the original is never touched.
"""

from __future__ import annotations

import csv
import html
import json
import re
import warnings
from collections import Counter
from dataclasses import fields
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from rich.markup import escape as markup_escape

from ecmx.core.checks import catalogue
from ecmx.core.checks.findings import ERROR, INFO, SEVERITIES, WARNING, Finding
from ecmx.core.cli import console as out
from ecmx.core.errors import OutputError
from ecmx.core.files.write import escape_text
from ecmx.core.storage.atomic import atomic_file
from ecmx.core.storage.csv_text import FORMULA_START
from ecmx.core.storage.targets import refuse_inputs

REPORT_SUFFIXES = (".json", ".csv", ".html", ".xlsx")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# The Finding fields in as_dict order; member_id is internal and never reported.
COLUMNS = [f.name for f in fields(Finding) if f.name != "member_id"]
SHEET_HEADERS = ("severity", "rule", "cell", "column", "message", "hint", "source")
FILLS = {ERROR: "FFC7CE", WARNING: "FFD98C", INFO: "FFFFCC"}  # red, amber, pale yellow
_COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_MAX_ROW, _MAX_COLUMN, _MAX_CELL_TEXT = 1_048_576, 16_384, 32_767


def check_report_path(path: Path) -> None:
    path = Path(path)
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise OutputError(f"{path}: a report ends in .json, .csv, .html or .xlsx")
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: directory {path.parent} does not exist")


# --- summary -------------------------------------------------------------------------------


def summary(findings, meta: dict) -> dict:
    """``meta`` plus counts by severity and one entry per rule (see the module docstring)."""
    findings = list(findings)
    counts = Counter(f.severity for f in findings)
    return {
        **meta,
        "errors": counts[ERROR],
        "warnings": counts[WARNING],
        "infos": counts[INFO],
        "total": len(findings),
        "by_rule": [_rule_entry(group) for group in _groups(findings)],
    }


def _groups(findings: list[Finding]) -> list[list[Finding]]:
    """Findings by (code, severity): errors first, then the most frequent, then by code."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.code, finding.severity), []).append(finding)
    return sorted(groups.values(), key=lambda g: (_rank(g[0].severity), -len(g), g[0].code))


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _rule_entry(group: list[Finding]) -> dict:
    first = group[0]
    return {
        "code": first.code,
        "severity": first.severity,
        "count": len(group),
        "title": catalogue.title(first.code) or first.message,
        "message": first.message,
        "hint": first.hint,
        "source": first.source,
    }


def _place(finding: Finding) -> str:
    """Where to look, for a person: the cell, else the sheet row, the sheet or the file."""
    if finding.cell:
        return finding.cell
    if finding.sheet and finding.row:
        return f"{finding.sheet} row {finding.row}"
    return finding.sheet or finding.file


# --- writing -------------------------------------------------------------------------------


def write_report(
    findings,
    path: Path,
    *,
    meta: dict,
    show_values: bool = False,
    workbook: Path | None = None,
    force: bool = False,
) -> None:
    """Write the findings to ``path`` in the format its suffix names; see the module docstring."""
    path = Path(path)
    check_report_path(path)
    findings = list(findings)
    if workbook is not None:
        # With --force the atomic move would replace the checked file itself: never allowed.
        refuse_inputs([path], [Path(workbook)])
    suffix = path.suffix.lower()
    with atomic_file(path, force=force) as tmp:
        if suffix == ".json":
            _write_json(tmp, findings, meta, show_values)
        elif suffix == ".csv":
            _write_csv(tmp, findings, show_values)
        elif suffix == ".html":
            tmp.write_text(_html_page(findings, meta, show_values), encoding="utf-8")
        else:
            _write_xlsx(tmp, findings, show_values, workbook)


def _write_json(tmp: Path, findings: list[Finding], meta: dict, show_values: bool) -> None:
    document = {
        "summary": summary(findings, meta),
        "findings": [f.as_dict(show_values=show_values) for f in findings],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    tmp.write_text(text + "\n", encoding="utf-8")


def _write_csv(tmp: Path, findings: list[Finding], show_values: bool) -> None:
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        for finding in findings:
            row = finding.as_dict(show_values=show_values)
            # A spreadsheet opening the CSV would run text like "=..." as a formula.
            writer.writerow({k: "" if v is None else escape_text(str(v)) for k, v in row.items()})


# --- html ----------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 2em auto;
       max-width: 80em; padding: 0 1em; color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; }
.meta { color: #555; margin-top: 0; }
.verdict { font-size: 1.15em; padding: .7em 1em; border-radius: 6px; margin: 1em 0; }
ul.counts { padding-left: 1.2em; }
table { border-collapse: collapse; width: 100%; font-size: .95em; }
th, td { border: 1px solid #d0d0d0; padding: .35em .55em; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
tbody tr:nth-child(even) { background: #fafafa; }
.badge { display: inline-block; padding: 0 .5em; border-radius: 4px; font-weight: 600; }
.badge.error, .verdict.error { background: #fde2e4; color: #8b0015; }
.badge.warning, .verdict.warning { background: #fff1cc; color: #6b4500; }
.badge.info, .verdict.info { background: #e8f1fb; color: #1f4e79; }
tr.error td:first-child { border-left: 5px solid #c8102e; }
tr.warning td:first-child { border-left: 5px solid #e0a000; }
tr.info td:first-child { border-left: 5px solid #4a90d9; }
.note { color: #555; font-size: .9em; }
"""

_SEVERITY_WORDS = {
    ERROR: "must be fixed before the file is sent",
    WARNING: "should be checked; they do not stop the file from being sent",
    INFO: "for your information; nothing needs to be done",
}
_META_LABELS = {
    "file": "File checked",
    "dataset": "Dataset",
    "plan": "Plan",
    "kind": "File type",
    "period": "Period",
    "layout": "Layout version",
    "rows": "Rows checked",
    "command": "Checked by",
}


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _html_page(findings: list[Finding], meta: dict, show_values: bool) -> str:
    totals = summary(findings, meta)
    name = Path(str(meta["file"])).name if meta.get("file") else ""
    title = f"ecmx check report: {name}" if name else "ecmx check report"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        _html_meta(meta),
        _html_verdict(totals),
    ]
    if findings:
        parts += [_html_rules(findings), _html_findings(findings, show_values)]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_meta(meta: dict) -> str:
    shown = [(label, meta[key]) for key, label in _META_LABELS.items() if meta.get(key)]
    items = " &middot; ".join(
        f"{_e(label)}: <strong>{_e(value)}</strong>" for label, value in shown
    )
    return f'<p class="meta">{items}</p>' if items else ""


def _html_verdict(totals: dict) -> str:
    if totals["errors"]:
        word = "problem" if totals["errors"] == 1 else "problems"
        headline = f"{totals['errors']} {word} must be fixed before sending."
        css = ERROR
    elif totals["warnings"]:
        headline = "Nothing blocks sending, but some things should be checked."
        css = WARNING
    else:
        headline = "No problems found: nothing blocks sending."
        css = INFO
    counts = [
        (totals["errors"], ERROR, "error", "errors"),
        (totals["warnings"], WARNING, "warning", "warnings"),
        (totals["infos"], INFO, "note", "notes"),
    ]
    items = "".join(
        f'<li><span class="badge {severity}">{number} {one if number == 1 else many}</span> '
        f"{_e(_SEVERITY_WORDS[severity])}</li>"
        for number, severity, one, many in counts
        if number
    )
    listing = f'<ul class="counts">{items}</ul>' if items else ""
    return f'<p class="verdict {css}">{_e(headline)}</p>{listing}'


def _badge(severity: str) -> str:
    return f'<span class="badge {_e(severity)}">{_e(severity)}</span>'


def _html_table(headers: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """``rows`` are (severity, already-escaped cells); the severity colours the row."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "\n".join(
        f'<tr class="{_e(severity)}">' + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
        for severity, cells in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _html_rules(findings: list[Finding]) -> str:
    headers = ["Rule", "Severity", "How many", "What it means", "How to fix", "Rule source"]
    rows = [
        (
            entry["severity"],
            [
                f"<strong>{_e(entry['code'])}</strong>",
                _badge(entry["severity"]),
                str(entry["count"]),
                _e(entry["title"]),
                _e(entry["hint"]),
                _e(entry["source"]),
            ],
        )
        for entry in (_rule_entry(group) for group in _groups(findings))
    ]
    return "<h2>Problems by rule</h2>\n" + _html_table(headers, rows)


def _html_findings(findings: list[Finding], show_values: bool) -> str:
    headers = ["Severity", "Rule", "Where", "Column", "Problem", "How to fix"]
    headers += ["Value"] if show_values else []
    # Several plans or files in one report: say which one each finding is about.
    many_files = len({(f.plan, f.file) for f in findings}) > 1
    rows = []
    for finding in findings:
        where = _e(_place(finding))
        if many_files and (finding.plan or finding.file):
            origin = " ".join(p for p in (finding.plan, finding.kind, finding.file) if p)
            where += f'<br><span class="note">{_e(origin)}</span>'
        cells = [
            _badge(finding.severity),
            _e(finding.code),
            where,
            _e(finding.column),
            _e(finding.message),
            _e(finding.hint),
        ]
        cells += [_e(finding.value)] if show_values else []
        rows.append((finding.severity, cells))
    note = (
        ""
        if show_values
        else '<p class="note">Cell values are left out of this report to protect member '
        "information; open the file at the place shown to see them.</p>"
    )
    return "<h2>Every problem found</h2>\n" + note + _html_table(headers, rows)


# --- xlsx ----------------------------------------------------------------------------------


def _write_xlsx(tmp: Path, findings: list[Finding], show_values: bool, workbook) -> None:
    # openpyxl reads and writes about 20,000 cells a second here: say what is taking time.
    with out.status("writing the workbook report"):
        _build_xlsx(tmp, findings, show_values, workbook)


def _build_xlsx(tmp: Path, findings: list[Finding], show_values: bool, workbook) -> None:
    if workbook is not None and Path(workbook).suffix.lower() in WORKBOOK_SUFFIXES:
        book = _load_copy(Path(workbook))
        targets = [_target(book, f.cell) for f in findings]
        _mark_cells(book, findings, targets)
    else:
        # No workbook to annotate (a CSV input, or a dataset-wide check): findings only.
        book = openpyxl.Workbook()
        book.remove(book.active)
        targets = [None] * len(findings)
    sheet = book.create_sheet(_free_sheet_name(book, "Findings"))
    _fill_findings_sheet(sheet, findings, targets, show_values)
    _activate(book, sheet)
    book.save(tmp)


def _load_copy(workbook: Path):
    """The checked workbook, in memory: it is saved only under the report's name."""
    # keep_vba stays off: a .xlsx file cannot hold macros (Excel refuses an .xlsx whose
    # content is macro-enabled), and a report has no business carrying runnable code.
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (e.g. data-validation extensions);
            # the user's file is untouched, so these are noise on the terminal.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(workbook, rich_text=True)
    except Exception as exc:  # openpyxl raises many types for a file it cannot read
        raise OutputError(
            f"cannot copy {workbook} into the report ({type(exc).__name__}): "
            "write a .json, .csv or .html report instead"
        ) from exc


def _target(book, cell: str) -> tuple[str, str] | None:
    """(sheet title, coordinate) for a cell like ``RTF!Q17`` or ``'My Sheet'!A1``, if it exists."""
    sheet_name, sep, coordinate = (cell or "").rpartition("!")
    match = _COORDINATE.fullmatch(coordinate.strip())
    if not sep or not sheet_name or not match:
        return None  # a file-level finding, or "members row 7": nothing to point at
    column, row = match[1].upper(), int(match[2])
    if not 1 <= row <= _MAX_ROW or column_index_from_string(column) > _MAX_COLUMN:
        return None
    sheet = _find_sheet(book, _unquote(sheet_name.strip()))
    if sheet is None:
        return None
    return sheet.title, _anchor(sheet, f"{column}{row}")


def _unquote(name: str) -> str:
    if len(name) >= 2 and name[0] == name[-1] == "'":
        return name[1:-1].replace("''", "'")
    return name


def _find_sheet(book, name: str) -> Worksheet | None:
    # Excel sheet names are case-insensitive; chart sheets have no cells to mark.
    for title in book.sheetnames:
        if title == name or title.casefold() == name.casefold():
            sheet = book[title]
            return sheet if isinstance(sheet, Worksheet) else None
    return None


def _anchor(sheet: Worksheet, coordinate: str) -> str:
    """A cell inside a merged range cannot hold a comment: use the range's top-left cell."""
    if not isinstance(sheet[coordinate], MergedCell):
        return coordinate
    for merged in sheet.merged_cells.ranges:
        if coordinate in merged:
            return f"{get_column_letter(merged.min_col)}{merged.min_row}"
    return coordinate


def _mark_cells(book, findings: list[Finding], targets: list) -> None:
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for finding, target in zip(findings, targets, strict=True):
        if target is not None:
            by_cell.setdefault(target, []).append(finding)
    for (title, coordinate), cell_findings in by_cell.items():
        cell = book[title][coordinate]
        worst = min(cell_findings, key=lambda f: _rank(f.severity)).severity
        cell.fill = PatternFill("solid", fgColor=FILLS.get(worst, FILLS[INFO]))
        cell.comment = _comment(cell, cell_findings)


def _comment(cell, cell_findings: list[Finding]) -> Comment:
    lines = dict.fromkeys(
        f"{f.code}: {f.message}" + (f" ({f.hint})" if f.hint else "") for f in cell_findings
    )
    text = "\n".join(lines)
    if cell.comment is not None:
        # The user's own note on the cell stays, above ecmx's.
        text = f"{cell.comment.text}\n\n{text}"
    text = _clean(text)
    # openpyxl's default box (144 x 79 pt) hides most of a message: size it to the text.
    lines_needed = sum(1 + len(line) // 60 for line in text.splitlines())
    return Comment(text, "ecmx", height=min(400, 20 + 14 * lines_needed), width=330)


def _clean(text: str) -> str:
    """Text a workbook can hold: no XML-illegal control characters, within Excel's limit."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:_MAX_CELL_TEXT]


def _xl_text(value) -> str | None:
    if value is None or value == "":
        return None
    return _clean(str(value))


def _keep_as_text(cells) -> None:
    """openpyxl makes text starting with "=" a formula: make each such cell a string cell
    again (the value unchanged), with Excel's quote prefix so that editing keeps it text."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True


def _free_sheet_name(book, name: str) -> str:
    taken = {title.casefold() for title in book.sheetnames}
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{name} {number}"
    return candidate


def _fill_findings_sheet(sheet: Worksheet, findings: list[Finding], targets, show_values) -> None:
    headers = SHEET_HEADERS + (("value",) if show_values else ())
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # Row numbers are counted, not read from sheet.max_row, which scans every cell.
    for number, (finding, target) in enumerate(zip(findings, targets, strict=True), start=2):
        row = [finding.severity, finding.code, _place(finding), finding.column]
        row += [finding.message, finding.hint, finding.source]
        row += [finding.value] if show_values else []
        sheet.append([_xl_text(v) for v in row])
        _keep_as_text(sheet[number])
        if finding.severity in FILLS:
            sheet.cell(number, 1).fill = PatternFill("solid", fgColor=FILLS[finding.severity])
        if target is not None:
            _link(sheet.cell(number, 3), *target)
    _format_findings_sheet(sheet, len(headers), len(findings))


def _link(cell, title: str, coordinate: str) -> None:
    # An internal "location" link (what Excel writes for "Place in This Document").
    location = "'{}'!{}".format(title.replace("'", "''"), coordinate)
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=location)
    cell.style = "Hyperlink"


def _format_findings_sheet(sheet: Worksheet, width: int, count: int) -> None:
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{count + 1}"
    widths = {"A": 10, "B": 8, "C": 18, "D": 18, "E": 60, "F": 50, "G": 30, "H": 20}
    for letter, size in list(widths.items())[:width]:
        sheet.column_dimensions[letter].width = size


def _activate(book, sheet: Worksheet) -> None:
    # Excel opens on the active sheet; a second selected tab would group the sheets.
    for other in book.worksheets:
        other.sheet_view.tabSelected = False
    book.active = book.index(sheet)
    sheet.sheet_view.tabSelected = True


# --- terminal ------------------------------------------------------------------------------


def show(findings, meta: dict, *, show_values: bool = False) -> None:
    """A table by rule; with --verbose every finding. Values only with --show-values."""
    findings = list(findings)
    name = " ".join(str(meta[k]) for k in ("file", "plan", "kind") if meta.get(k))
    if not findings:
        out.stdout.print(f"no problems found{' in ' + name if name else ''}", markup=False)
        return
    totals = summary(findings, meta)
    counts = f"{totals['errors']} errors, {totals['warnings']} warnings, {totals['infos']} notes"
    rows = [_terminal_row(group) for group in _groups(findings)]
    out.table(
        markup_escape(f"ecmx {meta.get('command', 'check')} {name}: {counts}"),
        ("rule", "severity", "count", "what", "first place"),
        rows,
    )
    _lines(findings, show_values)


LINES_PER_RULE = 5  # exact places listed per rule on the terminal (all with --verbose)


def _lines(findings: list[Finding], show_values: bool) -> None:
    """Where each problem is, on stderr: a few per rule, every one with --verbose."""
    for group in _groups(findings):
        shown = group if out.verbose() else group[:LINES_PER_RULE]
        for finding in shown:
            line = finding.line(show_values=show_values)
            line = f"[{finding.plan} {finding.kind}] {line}" if finding.plan else line
            (out.error_line if finding.severity == "error" else out.warning_line)(line)
        if len(group) > len(shown):
            out.warning_line(
                f"{group[0].code}: {len(group) - len(shown)} more like this (--verbose lists all)"
            )


def _terminal_row(group: list[Finding]) -> tuple:
    first = group[0]
    place = next((_place(f) for f in group if _place(f)), "")
    more = len(group) - 1
    if place and more:
        place += f" (+{more} more)"
    # out.table renders rich markup: a message holding "[...]" must print as written.
    return tuple(
        markup_escape(str(v))
        for v in (
            first.code,
            first.severity,
            len(group),
            catalogue.title(first.code) or first.message,
            place,
        )
    )
