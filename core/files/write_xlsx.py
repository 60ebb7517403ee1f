"""Write a plan file's sheet as xlsx: rustpy-xlsxwriter when it stores every cell exactly as
xlsxwriter would, xlsxwriter otherwise.

rustpy-xlsxwriter (Rust) writes the same sheet about 10x faster than xlsxwriter (pure
Python), and writing dominates the monthly job. Both write the same cells (text as
inline strings with control characters escaped, real dates in the plan's format, the
text format '@' on text columns, a bold header row, widths, frozen panes), checked
cell by cell by tests/unit/test_xlsx_writers.py (calamine, openpyxl, LibreOffice).
rustpy formats a column, never one cell, so a file it cannot write exactly goes to xlsxwriter as a whole (see
``rust_refuses``): the choice depends only on the file's values, so a file is always
written the same way. One difference is kept: rustpy spells a number "3.0" where
xlsxwriter writes "3", the same double to Excel, LibreOffice and calamine (openpyxl
alone reads "3" as a Python int).
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pandas as pd
import rustpy_xlsxwriter as rx
import xlsxwriter

from ecmx.core.files.write_cells import CellColumn
from ecmx.core.plans.spec import FileSpec, Layout
from ecmx.core.storage.csv_text import FORMULA_START

MAX_CELL_TEXT = 32_767  # Excel's limit of text per cell
HEADER_HEIGHT = 30
# Excel's serial dates before March 1900 count a day that never was (1900-02-29);
# rust_xlsxwriter refuses dates before 1900. xlsxwriter writes both: keep it for them.
_FIRST_SHARED_DATE = datetime(1900, 3, 1)


def rust_refuses(columns: list[CellColumn], layout: Layout) -> str | None:
    """Why rustpy-xlsxwriter would not store these cells as xlsxwriter does, or None."""
    headers = [column.header for column in layout.columns]
    if len(set(headers)) < len(headers):
        return "two columns share a header (a frame column each)"
    for column in columns:
        if column.kind == "text":
            reason = _text_refusal(column.distinct)
            if reason:
                return reason
        elif column.kind == "date":
            if any(v.tzinfo is not None or v < _FIRST_SHARED_DATE for v in column.distinct):
                return "a date before March 1900 or with a time zone"
        elif not all(same_digits(value) for value in column.distinct):
            return "a number that 16 significant digits do not hold, or not finite"
    return None


def _text_refusal(texts: list[str]) -> str | None:
    # Excel's quote prefix is a cell's format, and rustpy formats whole columns
    if any(text.startswith(FORMULA_START) for text in texts):
        return "text that starts like a formula needs a quote prefix on its cell"
    return text_differs(texts)


def text_differs(texts: list[str]) -> str | None:
    """Why rustpy would store some of ``texts`` otherwise than xlsxwriter, or None."""
    if texts and max(map(len, texts)) > MAX_CELL_TEXT:
        return "text longer than a cell holds is cut (--force)"
    # xlsxwriter marks text that begins or ends with any Unicode space (a no-break space
    # pasted from a web page) xml:space="preserve", rustpy only ASCII spaces; XML itself
    # keeps every other space, but the files would differ.
    if any(_unicode_space(text[0]) or _unicode_space(text[-1]) for text in texts):
        return "text that begins or ends with a non-ASCII space"
    return None


def _unicode_space(char: str) -> bool:
    return char > "\x7f" and char.isspace()


def same_digits(value: float) -> bool:
    """xlsxwriter writes a number as "%.16G", rustpy the shortest text that reads back as
    the same double: they agree when 16 digits hold the value."""
    return math.isfinite(value) and float(f"{value:.16G}") == value


def write_rust(columns: list[CellColumn], file: FileSpec, layout: Layout, path: Path) -> None:
    header_row = file.header_row - 1
    text = rx.Format().set_num_format("@")
    date = rx.Format().set_num_format(file.date_format)
    # dtype object: pandas would make datetime64 of a date column and turn its blanks
    # into NaT, which rustpy writes as the year 1 (and pd.NA, in a string column, as "<NA>")
    frame = pd.DataFrame(
        {spec.header: column.values for spec, column in zip(layout.columns, columns, strict=True)},
        dtype=object,
    )
    formats = {
        spec.header: text if column.kind == "text" else date
        for spec, column in zip(layout.columns, columns, strict=True)
        if column.kind in ("text", "date")
    }
    rx.write_worksheet(
        frame,
        str(path),
        sheet_name=file.sheet,
        header_row=header_row,
        freeze_row=header_row + 1,
        freeze_col=0,
        datetime_format=file.date_format,
        column_widths=[_width(spec.header) for spec in layout.columns],
        column_formats=formats,
        header_format=rx.Format().set_bold().set_text_wrap().set_align("top"),
        row_heights={header_row: HEADER_HEIGHT},
    )


def _width(header: str) -> int:
    return min(max(len(header), 10), 40)


def write_xlsxwriter(columns: list[CellColumn], file: FileSpec, layout: Layout, path: Path) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": file.date_format,
        },
    )
    sheet = book.add_worksheet(file.sheet)
    header_format = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    date_format = book.add_format({"num_format": file.date_format})
    text_format = book.add_format({"num_format": "@"})
    # Shown and kept as text when edited in Excel; the stored value is unchanged.
    quoted_format = book.add_format({"num_format": "@", "quote_prefix": True})
    header_row = file.header_row - 1
    for index, (spec, column) in enumerate(zip(layout.columns, columns, strict=True)):
        kind = column.kind
        fmt = date_format if kind == "date" else text_format if kind == "text" else None
        sheet.set_column(index, index, _width(spec.header), fmt)
    sheet.set_row(header_row, HEADER_HEIGHT)
    for index, spec in enumerate(layout.columns):
        sheet.write_string(header_row, index, spec.header, header_format)
    sheet.freeze_panes(header_row + 1, 0)
    writers = [_cell_writer(sheet, column.kind, date_format, quoted_format) for column in columns]
    for offset, row_values in enumerate(zip(*(c.values for c in columns), strict=True)):
        row = header_row + 1 + offset
        for col, (write, value) in enumerate(zip(writers, row_values, strict=True)):
            if value is not None:
                write(row, col, value)
    book.close()


def _cell_writer(sheet, kind: str, date_format, quoted_format):
    if kind == "date":
        return lambda r, c, v: sheet.write_datetime(r, c, v, date_format)
    if kind in ("int", "number"):
        return sheet.write_number

    def write_text(row, col, value):
        # Longer text is an error finding (overlong_text_findings): here only with --force.
        value = value[:MAX_CELL_TEXT]
        if value.startswith(FORMULA_START):
            sheet.write_string(row, col, value, quoted_format)
        else:
            sheet.write_string(row, col, value)

    return write_text
