"""A plan's template workbook (.xlsx, .xlsm; or a .csv header), read for ``plans compare``.

What is read: which sheet (``--sheet``, else the layout's sheet if the workbook has it,
else the only or first sheet, saying which), the header row (the row of the first 30
that holds most of the layout's headers; else the first row of text cells), each
header's cell, its data-validation list (``template_lists``) and the number format of
the first cell below it (date, text, number or General).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecmx.core.errors import InputError
from ecmx.core.plans.template_lists import ListRule, cell_text, list_rules, resolve
from ecmx.core.storage import limits
from ecmx.core.storage.xlsx_scan import scan_workbook

TEMPLATE_SUFFIXES = (".xlsx", ".xlsm", ".csv")
HEADER_SCAN_ROWS = limits.MAX_HEADER_ROW


def normalise(text: str) -> str:
    """A header compared as ``validate`` reads it: spaces collapsed, lower case."""
    return re.sub(r"\s+", " ", text).strip().lower()


def letter(column: int) -> str:
    """The column letter of a 1-based column number."""
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


@dataclass(frozen=True)
class TemplateColumn:
    position: int  # 0-based, in the sheet
    header: str
    cell: str  # e.g. "RTF!C3"
    choices: tuple[str, ...] | None = None  # the data-validation list, resolved
    choices_from: str = ""  # the list's formula as the workbook has it
    choices_problem: str = ""  # why a list could not be read
    number_format: str = ""  # of the first cell below the header ("" for a CSV)
    format_kind: str = "none"  # date, text, number, general; none for a CSV

    @property
    def letter(self) -> str:
        return letter(self.position + 1)


@dataclass(frozen=True)
class Template:
    path: Path
    sheet: str
    sheet_note: str  # how the sheet was chosen
    header_row: int  # 1-based
    header_note: str  # how the header row was found
    columns: tuple[TemplateColumn, ...]


def read_template(
    path: Path, headers: list[str], layout_sheet: str | None, sheet: str | None = None
) -> Template:
    """The template's header row and what it says of each column. ``InputError`` (one
    line) for a file that cannot be read, a missing ``sheet`` or no header row."""
    path = limits.regular_file(Path(path), "template workbook")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_template(path, headers)
    if suffix not in TEMPLATE_SUFFIXES:
        raise InputError(
            f"{path}: a template is an .xlsx, .xlsm or .csv file, not {suffix or 'a file without extension'}"
        )
    if limits.size_of(path) > limits.MAX_WORKBOOK_BYTES:
        raise InputError(f"{path}: larger than {limits.mib(limits.MAX_WORKBOOK_BYTES)}")
    scan_workbook(path)  # a broken zip, a zip bomb or a sheet over the limits: one line
    book = _open(path)
    name, note = _choose_sheet(path, book.sheetnames, layout_sheet, sheet)
    rows = [
        [cell_text(v) for v in row]
        for row in book[name].iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)
    ]
    index, header_note = _header_row(path, name, rows, headers)
    rules = list_rules(path, name)
    columns = tuple(
        _column(book, name, index + 1, position, text, rules)
        for position, text in enumerate(rows[index])
        if text
    )
    return Template(path, name, note, index + 1, header_note, columns)


def _open(path: Path) -> Any:
    import openpyxl

    try:
        with warnings.catch_warnings():  # "Data Validation extension is not supported"
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken part
        raise InputError(
            f"{path}: not a readable xlsx/xlsm workbook ({type(exc).__name__}); "
            "open it in Excel and save it as .xlsx"
        ) from None


def _choose_sheet(
    path: Path, names: list[str], layout_sheet: str | None, wanted: str | None
) -> tuple[str, str]:
    folded = {n.strip().lower(): n for n in names}
    if wanted:
        found = folded.get(wanted.strip().lower())
        if found is None:
            raise InputError(
                f"{path}: no sheet {wanted!r} (the workbook has {', '.join(map(repr, names))}); "
                "give --sheet one of them"
            )
        return found, "named by --sheet"
    if layout_sheet and layout_sheet.strip().lower() in folded:
        return folded[layout_sheet.strip().lower()], "the layout's sheet name"
    if len(names) == 1:
        return names[0], "the only sheet"
    expected = f"no sheet {layout_sheet!r} (the layout's)" if layout_sheet else "no sheet named"
    return names[0], f"the first sheet: {expected}; choose another with --sheet"


def _header_row(
    path: Path, sheet: str, rows: list[list[str]], headers: list[str]
) -> tuple[int, str]:
    wanted = {normalise(h) for h in headers}
    scores = [len({normalise(c) for c in row if c} & wanted) for row in rows]
    if scores and max(scores) > 0:
        index = scores.index(max(scores))
        return index, f"row {index + 1}: {scores[index]} of its cells are headers of the layout"
    for index, row in enumerate(rows):
        filled = [c for c in row if c]
        text = [c for c in filled if not _numeric(c)]
        if len(text) >= 3 and len(text) >= 0.8 * len(filled):
            return index, f"row {index + 1}: no header of the layout found, the first row of text"
    raise InputError(
        f"{path}: no header row found in the first {HEADER_SCAN_ROWS} rows of sheet {sheet!r} "
        "(no row holds a header of the layout, nor three cells of text); "
        "is this the plan's template, and the right --kind and --sheet?"
    )


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d.,/:\s]+", text))


def _column(
    book: Any, sheet: str, header_row: int, position: int, text: str, rules: list[ListRule]
) -> TemplateColumn:
    column = position + 1
    ws = book[sheet]
    number_format = ws.cell(header_row + 1, column).number_format or "General"
    if number_format == "General":
        number_format = ws.column_dimensions[letter(column)].number_format or "General"
    rule = next((r for r in reversed(rules) if r.covers_below(column, header_row)), None)
    choices, problem = resolve(rule.formula, book, sheet) if rule else (None, "")
    return TemplateColumn(
        position,
        text,
        f"{sheet}!{letter(column)}{header_row}",
        choices,
        rule.formula if rule else "",
        problem,
        number_format,
        format_kind(number_format),
    )


def format_kind(number_format: str) -> str:
    """What a number format makes of a cell: date, text, number or general."""
    from openpyxl.styles.numbers import is_date_format

    if number_format in ("", "General"):
        return "general"
    if number_format == "@":
        return "text"
    return "date" if is_date_format(number_format) else "number"


def _csv_template(path: Path, headers: list[str]) -> Template:
    from ecmx.core.storage.sheets import read_csv

    rows = read_csv(path).rows[:HEADER_SCAN_ROWS]
    index, note = _header_row(path, path.name, [[c.strip() for c in r] for r in rows], headers)
    columns = tuple(
        TemplateColumn(p, t.strip(), f"{path.name}!{letter(p + 1)}{index + 1}")
        for p, t in enumerate(rows[index])
        if t.strip()
    )
    return Template(path, path.stem, "a CSV file", index + 1, note, columns)
