"""Read the internal dataset (an xlsx workbook or a folder of CSVs) into typed tables.

Every problem is collected before anything is reported:
- structural ones (unreadable file, missing sheet or required column) raise one
  ``InputError`` listing all of them (exit 2);
- content ones (a text in a date column, an unknown status, a duplicate id)
  become findings with file, sheet, row and column (exit 1 when errors).
Member values never appear in a message: they are in ``Finding.value`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import pandas as pd

from ecmx.core.checks.codes import D001, D002, D101, D102, D103, D104, D105, D106, D107
from ecmx.core.checks.findings import Finding, column_letter
from ecmx.core.dataset import values as V
from ecmx.core.dataset.canonical import ROW, TABLES, Column, Table
from ecmx.core.dataset.csv_columns import CsvColumns, read_csv_table
from ecmx.core.dataset.provider import Provider, find_provider, load_provider
from ecmx.core.dataset.relations import check_relations
from ecmx.core.errors import InputError
from ecmx.core.storage.gcpause import gc_paused
from ecmx.core.storage.sheets import (
    SPREADSHEET_SUFFIXES,
    RawSheet,
    Workbook,
    columns_of,
    is_blank_row,
)

REQUIRED_TABLES = ("members", "enrollments")
_Cells = tuple[RawSheet, CsvColumns | None]  # a table's rows, or its header and CSV columns


_CONVERTERS = {
    "text": lambda raw, col: V.as_text(raw),
    "identifier": lambda raw, col: V.as_identifier(raw),
    "date": lambda raw, col: V.as_date(raw),
    "bool": lambda raw, col: V.as_bool(raw),
    "number": lambda raw, col: V.as_number(raw),
    "int": lambda raw, col: V.as_int(raw),
    "code": lambda raw, col: V.as_code(raw, col.values),
    "codes": lambda raw, col: V.as_codes(raw, col.values),
}

# The numbers a row can hold: beyond them a value is a typo (or 1e308) that would
# overflow the whole-minute count on the OTF. (Charges and units are judged by the
# billing rules, K011 and K012, which say what a claim line needs.)
_RANGES = {"minutes": (0, 24 * 60, "from 0 to 1440 (the minutes in a day)")}


@dataclass
class Dataset:
    """The canonical tables, typed; each frame has a ``_row`` column for locating findings."""

    source: Path
    provider: Provider
    tables: dict[str, pd.DataFrame]
    findings: list[Finding] = field(default_factory=list)
    sheets: dict[str, str] = field(default_factory=dict)  # table -> sheet or file name
    letters: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> column -> letter

    def cell(self, table: str, column: str, row: int) -> str:
        """Where a value sits, as a spreadsheet user would look for it: ``enrollments!B7``."""
        sheet = self.sheets.get(table, table)
        letter = self.letters.get(table, {}).get(column)
        return f"{sheet}!{letter}{row}" if letter else f"{sheet} row {row}"

    def place(self, table: str, column: str, row: int) -> dict:
        """A finding's file, sheet, row, column and cell for a value of ``table``."""
        return {
            "file": file_of(self, table),
            "sheet": self.sheets.get(table, table),
            "row": row,
            "column": column,
            "cell": self.cell(table, column, row),
        }

    @property
    def members(self) -> pd.DataFrame:
        return self.tables["members"]

    @property
    def enrollments(self) -> pd.DataFrame:
        return self.tables["enrollments"]

    @property
    def outreach(self) -> pd.DataFrame:
        return self.tables["outreach"]

    @property
    def encounters(self) -> pd.DataFrame:
        return self.tables["encounters"]

    @property
    def community_supports(self) -> pd.DataFrame:
        return self.tables["community_supports"]


@gc_paused()
def read_dataset(path: Path, provider_path: Path | None = None) -> Dataset:
    """Read a dataset workbook or CSV folder, and its provider profile."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; give the dataset workbook or CSV folder")
    loaders, structural = _table_loaders(path)
    findings: list[Finding] = []
    tables: dict[str, pd.DataFrame] = {}
    sheets: dict[str, str] = {}
    letters: dict[str, dict[str, str]] = {}
    for table in TABLES:
        load = loaders.get(table.name)
        if load is None:
            if table.name in REQUIRED_TABLES:
                where = "sheet" if path.is_file() else "file"
                name = table.name if path.is_file() else f"{table.name}.csv"
                structural.append(f"{path}: {where} {name!r} is missing; the dataset needs it")
            elif not table.omitted_while_empty:
                findings.append(
                    D001.finding(f"no {table.name} table: treated as empty", file=str(path))
                )
            tables[table.name] = _empty_frame(table)
            continue
        raw, csv_columns = load()  # one table's cells in memory at a time
        sheets[table.name] = raw.sheet
        header = _header_index(table, raw)
        letters[table.name] = {name: column_letter(i) for name, i in header[0].items()}
        frame, table_findings, missing = _convert_table(table, raw, header, csv_columns)
        structural.extend(missing)
        findings.extend(table_findings)
        tables[table.name] = frame
    if structural:
        raise InputError(structural[0], details=structural)
    provider = load_provider(provider_path) if provider_path else find_provider(path)
    dataset = Dataset(path, provider, tables, findings, sheets, letters)
    findings.extend(check_relations(dataset))
    return dataset


def _table_loaders(path: Path) -> tuple[dict[str, Callable[[], _Cells]], list[str]]:
    """Table name -> how to read its cells, for each table the dataset has."""
    names = {t.name for t in TABLES}
    if path.is_dir():
        found = {p.stem.lower(): p for p in path.glob("*.csv")}
        return {n: partial(read_csv_table, found[n]) for n in names if n in found}, []
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        book = Workbook(path)
        return {n: partial(_sheet, book, s) for n in names if (s := book.find_sheet(n))}, []
    if path.suffix.lower() == ".csv":
        raise InputError(f"{path}: a dataset is a workbook or a folder of CSVs; give the folder")
    raise InputError(f"{path}: unsupported dataset type; use .xlsx, .xlsm or a folder of CSV files")


def _sheet(book: Workbook, sheet: str) -> _Cells:
    return book.read(sheet), None


def _empty_frame(table: Table) -> pd.DataFrame:
    return _build_frame(table, {c.name: [] for c in table.columns}, [])


def _header_index(table: Table, raw: RawSheet) -> tuple[dict[str, int], list[str], list[str]]:
    """Map canonical column -> position; also unknown headers and structural problems."""
    header = raw.rows[0] if raw.rows else []
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header):
        text, _ = V.as_text(cell)
        if text is None:
            continue
        key = text.strip().lower().replace(" ", "_")
        if key in table.names and key not in positions:
            positions[key] = index
        else:
            unknown.append(text)
    where = _where(raw)
    missing = [
        f"{where}: required column {name!r} is missing from the header row; add it (see docs/dataset.md)"
        for name in table.required
        if name not in positions
    ]
    return positions, unknown, missing


def _where(raw: RawSheet) -> str:
    return f"{raw.file}" if raw.file.suffix.lower() == ".csv" else f"{raw.file} sheet {raw.sheet!r}"


def _convert_table(
    table: Table, raw: RawSheet, header, csv_columns: CsvColumns | None = None
) -> tuple[pd.DataFrame, list[Finding], list[str]]:
    """The table's typed frame, its findings, and its structural problems (missing columns)."""
    positions, unknown, missing = header
    findings = [
        D002.finding(
            f"column {name!r} is not part of the dataset: ignored",
            file=str(raw.file),
            sheet=raw.sheet,
            column=name,
        )
        for name in unknown
    ]
    if missing:
        return _empty_frame(table), findings, missing
    by_position, row_numbers = _body_columns(raw, csv_columns)
    columns: dict[str, list] = {}
    for column in table.columns:
        position = positions.get(column.name)
        if position is None:
            columns[column.name] = [column.default] * len(row_numbers)
            continue
        cells = list(by_position[position])
        columns[column.name], problems = _convert_column(cells, column)
        letter = column_letter(position)
        findings += [
            _cell_finding(table, column, raw, row_numbers[index], letter, cells[index], problem)
            for index, problem in problems
        ]
    frame = _build_frame(table, columns, row_numbers)
    if findings and "member_id" in columns:  # route each finding to its member's plan
        member_by_row = dict(zip(row_numbers, columns["member_id"], strict=True))
        findings = [
            replace(f, member_id=member_by_row.get(f.row) or "") if f.row else f for f in findings
        ]
    return frame, findings, []


def _body_columns(raw: RawSheet, csv_columns: CsvColumns | None) -> tuple[list, list[int]]:
    """The columns of the rows under the header that hold something, and the row of each."""
    if csv_columns is not None:
        return csv_columns.body()
    body, numbers = _body(raw)
    return columns_of(body, len(raw.rows[0]) if raw.rows else 0), numbers


def _body(raw: RawSheet) -> tuple[list[list], list[int]]:
    """The rows under the header that hold something, and the sheet row of each."""
    first = raw.first_row + 1
    body = raw.rows[1:]
    keep = [i for i, row in enumerate(body) if not is_blank_row(row)]
    if len(keep) != len(body):
        body = [body[i] for i in keep]
    return body, [first + i for i in keep]


def _convert_column(cells: list, column: Column) -> tuple[list, list[tuple[int, str | None]]]:
    """Convert a column's cells; (values, [(index, problem or None for a blank required)]).

    Each distinct cell is converted once (``values.convert_distinct``).
    """
    converter = _CONVERTERS[column.type]
    if column.name in _RANGES:
        low, high, allowed = _RANGES[column.name]

        def convert(cell, column, read=converter):
            value, problem = read(cell, column)
            if problem is None and value is not None and not low <= value <= high:
                return None, f"out of range: a number {allowed}"
            return value, problem

        converter = convert
    values, problems = V.convert_distinct(cells, lambda cell: converter(cell, column))
    blank_problems: list[tuple[int, str | None]] = []
    if column.required or column.default is not None:
        flagged = {i for i, _ in problems}
        for index in [i for i, v in enumerate(values) if v is None and i not in flagged]:
            values[index] = column.default
            if column.required:
                blank_problems.append((index, None))
    return values, sorted(problems + blank_problems)


def _cell_finding(table, column: Column, raw, number, letter, cell, problem) -> Finding:
    """D101 for a required cell left blank (``problem`` None), else the unreadable cell."""
    where = {"file": raw.file, "sheet": raw.sheet, "row": number, "column": column.name}
    if problem is None:
        message = f"required {column.name} is blank"
        return D101.at_cell(
            message, hint=f"fill {table.name}.{column.name}", **where, letter=letter
        )
    code = {"date": D102, "bool": D103, "number": D104, "int": D104, "identifier": D106}.get(
        column.type, D105
    )
    if V.excel_error(cell):
        code = D107
    text, _ = V.as_text(cell)
    return code.at_cell(
        f"{table.name}.{column.name} is {problem}",
        hint=f"correct the cell {raw.sheet}!{letter}{number}",
        **where,
        letter=letter,
        value=text or "",
    )


def _build_frame(table: Table, columns: dict[str, list], rows: list[int]) -> pd.DataFrame:
    data: dict[str, pd.Series] = {}
    for column in table.columns:
        values = columns[column.name]
        if column.type == "date":
            data[column.name] = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce")
        elif column.type == "bool":
            data[column.name] = pd.Series(values, dtype="boolean")
        elif column.type in ("number", "int"):
            data[column.name] = pd.Series(values, dtype="float64")
        else:
            data[column.name] = pd.Series(values, dtype=object)
    data[ROW] = pd.Series(rows, dtype="int64")
    return pd.DataFrame(data)


def file_of(dataset: Dataset, table: str) -> str:
    """The file a table came from: the CSV in a folder, else the workbook."""
    if Path(dataset.source).is_dir():
        return str(Path(dataset.source) / f"{dataset.sheets.get(table, table)}.csv")
    return str(dataset.source)
