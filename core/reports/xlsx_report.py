"""The .xlsx findings report: the checked workbook, annotated, for fixing the file.

A copy of the checked workbook with each bad cell highlighted and commented, plus a
Findings sheet linking to the cells; the original is never touched. Without a workbook
to copy (a CSV input, a dataset-wide check) the report holds the Findings sheet only.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ecmx.core.checks.findings import ERROR, INFO, WARNING, Finding
from ecmx.core.errors import OutputError
from ecmx.core.reports.summary import place, rank
from ecmx.core.storage.csv_text import FORMULA_START

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
SHEET_HEADERS = ("severity", "rule", "cell", "column", "message", "hint", "source")
FILLS = {ERROR: "FFC7CE", WARNING: "FFD98C", INFO: "FFFFCC"}  # red, amber, pale yellow
_COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_MAX_ROW, _MAX_COLUMN, _MAX_CELL_TEXT = 1_048_576, 16_384, 32_767


def write_xlsx(tmp: Path, findings: list[Finding], show_values: bool, workbook) -> None:
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
        worst = min(cell_findings, key=lambda f: rank(f.severity)).severity
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
        row = [finding.severity, finding.code, place(finding), finding.column]
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
