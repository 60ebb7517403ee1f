"""Read spreadsheets and CSV files cell by cell, never guessing a column's type.

Readers that infer a type per column (pandas, polars, fastexcel) silently turn
a late cell of another type into null, or ``02134`` into ``2134``. Here every
cell comes back as what the file stores: text stays text, a number is a number,
a real date is a date; converting and checking is the caller's job.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from ecmx.core.dataset.values import CellError
from ecmx.core.errors import InputError
from ecmx.core.storage import limits
from ecmx.core.storage.xlsx_scan import scan_workbook

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class RawSheet:
    """The rows of one sheet or CSV file; ``first_row`` is the 1-based row of rows[0]."""

    file: Path
    sheet: str
    rows: list[list]
    first_row: int = 1


class Workbook:
    """An xlsx/xlsm workbook opened for reading."""

    def __init__(self, path: Path):
        self.path = limits.regular_file(path, "xlsx/xlsm workbook")
        if limits.size_of(self.path) > limits.MAX_WORKBOOK_BYTES:
            raise InputError(
                f"{self.path}: larger than {limits.mib(limits.MAX_WORKBOOK_BYTES)}; "
                "split it or use a CSV folder"
            )
        # Before calamine: it aborts the process on a sheet too large to allocate, and
        # reads an error cell as a blank.
        self._scans = scan_workbook(self.path)
        try:
            self._book = CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # calamine raises several types for corrupt files
            raise InputError(
                f"{self.path}: not a readable xlsx/xlsm workbook ({type(exc).__name__}); "
                "open it in Excel and save it as .xlsx"
            ) from None

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def find_sheet(self, name: str) -> str | None:
        """The sheet's real name, matched case- and space-insensitively."""
        wanted = name.strip().lower()
        return next((s for s in self.sheet_names if s.strip().lower() == wanted), None)

    def read(self, sheet: str) -> RawSheet:
        try:
            rows = self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:
            raise InputError(
                f"{self.path}: sheet {sheet!r} cannot be read ({type(exc).__name__})"
            ) from None
        scan = self._scans.get(sheet)
        for (row, column), code in (scan.errors if scan else {}).items():
            if row < len(rows) and column < len(rows[row]):
                rows[row][column] = CellError(code)
        return RawSheet(self.path, sheet, rows, 1)


def read_csv(path: Path) -> RawSheet:
    """Every cell as text (``utf-8-sig`` strips a BOM Excel may add)."""
    path = limits.regular_file(path, "CSV file")
    return parse_csv(path, csv_text(path))


def csv_text(path: Path) -> str:
    """A CSV file's text, checked: under the size limit, UTF-8, no NUL byte."""
    if limits.size_of(path) > limits.MAX_CSV_BYTES:
        raise InputError(f"{path}: larger than {limits.mib(limits.MAX_CSV_BYTES)}; split the table")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8' and retry"
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    nul = text.find("\x00")
    if nul >= 0:  # a binary file, or text saved as UTF-16: the cells would be garbled
        line = text.count("\n", 0, nul) + 1
        raise InputError(
            f"{path} line {line}: holds a NUL byte, so it is not a text CSV; "
            "save it as 'CSV UTF-8' and retry"
        )
    return text


def parse_csv(path: Path, text: str) -> RawSheet:
    """``text`` (a CSV file's, from ``csv_text``) split into rows of text cells."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if len(rows) >= limits.MAX_CSV_ROWS:
                raise InputError(
                    f"{path}: more than {limits.MAX_CSV_ROWS:,} rows (limit); split the table"
                )
            if len(row) > limits.EXCEL_MAX_COLUMNS:
                raise InputError(
                    f"{path} line {reader.line_num}: {len(row):,} cells, more than "
                    f"{limits.EXCEL_MAX_COLUMNS:,} (limit); is it a CSV?"
                )
            rows.append(row)
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    return RawSheet(path, path.stem, rows, 1)


def read_workbook_sheet(path: Path, sheet: str | None) -> RawSheet:
    """The sheet named ``sheet`` (matched as ``find_sheet`` does), else the first one."""
    book = Workbook(path)
    found = book.find_sheet(sheet) if sheet else None
    return book.read(found or book.sheet_names[0])


@dataclass(frozen=True)
class Reader:
    """How to read one format of table file, registered with ``registry.add_reader``.

    ``read(path, sheet)`` returns every cell as the file stores it (text stays text);
    ``sheet`` is the sheet a plan's file names, or None; a format without sheets
    ignores it. ``suffixes`` are the lower-case file suffixes the reader claims.
    """

    format: str
    suffixes: tuple[str, ...]
    read: Callable[[Path, str | None], RawSheet]


def _read_csv_file(path: Path, sheet: str | None) -> RawSheet:
    return read_csv(path)


BUILTIN_READERS = (
    Reader("xlsx", (".xlsx",), read_workbook_sheet),
    Reader("xlsm", (".xlsm",), read_workbook_sheet),
    Reader("csv", (".csv",), _read_csv_file),
)


def read_table(path: Path, sheet: str | None, readers=()) -> RawSheet:
    """Read ``path`` with the reader that claims its suffix; InputError when none does.

    ``readers`` are the registry's (the built-in ones when empty).
    """
    readers = tuple(readers) or BUILTIN_READERS
    suffix = path.suffix.lower()
    for reader in readers:
        if suffix in reader.suffixes:
            return reader.read(path, sheet)
    known = [s for reader in readers for s in reader.suffixes]
    choices = ", ".join(known[:-1]) + f" or {known[-1]}" if len(known) > 1 else "".join(known)
    raise InputError(f"{path}: unsupported file type {suffix or '(none)'}; use {choices}")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_blank_row(row) -> bool:
    return all(is_blank(cell) for cell in row)  # stops at the first filled cell


def columns_of(rows: list[list], width: int) -> list[tuple]:
    """Rows to columns in one pass (short rows padded with blanks)."""
    width = max([width, *map(len, rows)]) if rows else width
    padded = [row if len(row) == width else [*row, *[None] * (width - len(row))] for row in rows]
    return list(zip(*padded, strict=True)) if padded else [()] * width
