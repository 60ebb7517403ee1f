"""The floor: the same input read and the same output rows written by the fastest readers
and writers found, called their fastest way, with nothing else. Run in a child process:

    floor.py prepare OUTPUT_FOLDER ROWS.pickle   ecmx's own output rows, typed, for writing
    floor.py read READER INPUT                  one reader alone (a candidate, or a bare read)
    floor.py write WRITER ROWS.pickle SCRATCH   one writer alone (a candidate)
    floor.py job READER WRITER INPUT ROWS.pickle SCRATCH   the floor of a monthly job

It prints one JSON line. Loading the prepared rows (unpickling, building the writer's
input form) is timed inside with time.process_time and reported as load_cpu/load_wall;
measure.py subtracts it, so a writer's figures are the write alone.

The floor does not keep ecmx's promises: fastexcel guesses a column's type from its first
rows (design.md), polars and pyarrow read every CSV cell as text. It is a lower bound for
the same bytes in and out, not a reader ecmx could use as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import pickle
import sys
import time
from pathlib import Path

DATES = "mm/dd/yyyy"


class NotApplicable(Exception):
    """A candidate that cannot run here (its library is missing, or the data has a shape
    its input form cannot hold)."""


# ----------------------------------------------------------------------------- readers
# Each reads every cell of every sheet (or CSV file) into memory and returns the row count.


def _csv_files(folder: str) -> list[Path]:
    return sorted(Path(folder).glob("*.csv"))


def read_calamine(path: str) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def _read_fastexcel(path: str, **options) -> int:
    import fastexcel  # to_polars: pyarrow is not needed (and not installed, see bench.py)

    book = fastexcel.read_excel(path)
    return sum(book.load_sheet(name, **options).to_polars().height for name in book.sheet_names)


def read_fastexcel(path: str) -> int:
    return _read_fastexcel(path)


def read_fastexcel_text(path: str) -> int:
    return _read_fastexcel(path, dtypes="string")


def read_polars_csv(folder: str) -> int:
    import polars as pl

    return sum(pl.read_csv(file, infer_schema=False).height for file in _csv_files(folder))


def read_pyarrow_csv(folder: str) -> int:
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError as missing:
        raise NotApplicable("pyarrow is not installed") from missing
    rows = 0
    for file in _csv_files(folder):
        with open(file, newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
        as_text = pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()))
        rows += pacsv.read_csv(file, convert_options=as_text).num_rows
    return rows


def read_csv_module(folder: str) -> int:
    rows = 0
    for file in _csv_files(folder):
        with open(file, newline="", encoding="utf-8") as handle:
            rows += len(list(csv.reader(handle))) - 1
    return rows


READERS = {
    "xlsx": {
        "python-calamine to_python": read_calamine,
        "fastexcel, default types": read_fastexcel,
        "fastexcel, strings": read_fastexcel_text,
    },
    "csv": {
        "polars read_csv, strings": read_polars_csv,
        "pyarrow.csv, strings": read_pyarrow_csv,
        "csv module": read_csv_module,
    },
}


def reader(name: str):
    return next(table[name] for table in READERS.values() if name in table)


# ----------------------------------------------------------------------------- output rows


def prepare(folder: str, target: str) -> dict:
    """ecmx's output files, every sheet, as (file, [(sheet, header, columns)]); a blank
    cell is None. Read with calamine, which gives each cell its own type."""
    from python_calamine import CalamineWorkbook

    files, rows = [], 0
    for file in sorted(Path(folder).glob("*.xlsx")):
        book = CalamineWorkbook.from_path(str(file))
        sheets = []
        for name in book.sheet_names:
            data = book.get_sheet_by_name(name).to_python()
            if not data:
                continue
            header = _unique([str(v) for v in data[0]])
            columns = [
                [None if v == "" else v for v in column] for column in zip(*data[1:], strict=True)
            ]
            sheets.append((name, header, columns or [[] for _ in header]))
            rows += len(data)
        files.append((file.name, sheets))
    Path(target).write_bytes(pickle.dumps(files, protocol=pickle.HIGHEST_PROTOCOL))
    return {"files": len(files), "rows": rows}


def _unique(header: list[str]) -> list[str]:
    """A frame needs distinct column names; a repeated (or blank) header gets a suffix."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        seen[name] = seen.get(name, -1) + 1
        out.append(name if not seen[name] else f"{name}.{seen[name]}")
    return out


def _kind(column: list) -> type | None:
    kinds = {type(v) for v in column if v is not None}
    if len(kinds) > 1:
        return None  # mixed: kept per cell where the form allows it
    return kinds.pop() if kinds else str


# ----------------------------------------------------------------------------- writers
# Each has a load step (the pickle into its fastest input form; timed apart and subtracted)
# and a write step. Every cell keeps its type: text as text, numbers as numbers, dates
# as dates with a date format.


def _pandas_frames(files):
    import pandas as pd

    def series(column):
        kind = _kind(column)
        if kind in (float, int):
            return pd.Series(column, dtype="float64")  # None -> NaN, written blank
        return pd.Series(column, dtype=object)  # text, dates, mixed: each cell as it is

    return [
        (name, [(sheet, pd.DataFrame(dict(zip(header, map(series, columns), strict=True)))) for sheet, header, columns in sheets])
        for name, sheets in files
    ]  # fmt: skip


def _polars_frames(files):
    import polars as pl

    types = {str: pl.String, float: pl.Float64, int: pl.Int64, bool: pl.Boolean,
             dt.date: pl.Date, dt.datetime: pl.Datetime}  # fmt: skip

    def series(name, column):
        kind = _kind(column)
        if kind not in types:
            raise NotApplicable(f"a column of mixed types ({name!r}) has no polars type")
        return pl.Series(name, column, dtype=types[kind])

    return [
        (name, [(sheet, pl.DataFrame([series(h, c) for h, c in zip(header, columns, strict=True)])) for sheet, header, columns in sheets])
        for name, sheets in files
    ]  # fmt: skip


def _write_rustpy(frames, scratch: Path) -> int:
    import rustpy_xlsxwriter

    rows = 0
    for name, sheets in frames:
        rustpy_xlsxwriter.write_worksheets(sheets, str(scratch / name), datetime_format=DATES)
        rows += sum(len(frame) + 1 for _, frame in sheets)
    return rows


def _write_xlsxwriter(files, scratch: Path) -> int:
    """Row by row (constant_memory needs it), one typed call per cell."""
    import xlsxwriter

    rows = 0
    for name, sheets in files:
        options = {"constant_memory": True, "strings_to_numbers": False,
                   "strings_to_formulas": False, "strings_to_urls": False}  # fmt: skip
        book = xlsxwriter.Workbook(str(scratch / name), options)
        dates = book.add_format({"num_format": DATES})
        for sheet_name, header, columns in sheets:
            sheet = book.add_worksheet(sheet_name)
            for c, text in enumerate(header):
                sheet.write_string(0, c, text)
            write_text, write_number, write_date = (
                sheet.write_string, sheet.write_number, sheet.write_datetime)  # fmt: skip
            for r, values in enumerate(zip(*columns, strict=True), start=1):
                for c, value in enumerate(values):
                    if value is None:
                        continue
                    if isinstance(value, str):
                        write_text(r, c, value)
                    elif isinstance(value, bool):
                        sheet.write_boolean(r, c, value)
                    elif isinstance(value, dt.date):
                        write_date(r, c, value, dates)
                    else:
                        write_number(r, c, value)
            rows += len(columns[0]) + 1 if columns else 1
        book.close()
    return rows


WRITERS = {
    "rustpy-xlsxwriter, pandas frames": (_pandas_frames, _write_rustpy),
    "rustpy-xlsxwriter, polars frames": (_polars_frames, _write_rustpy),
    "xlsxwriter constant_memory, typed calls": (lambda files: files, _write_xlsxwriter),
}


def _load(writer: str, rows_pickle: str):
    cpu, wall = time.process_time(), time.perf_counter()
    form = WRITERS[writer][0](pickle.loads(Path(rows_pickle).read_bytes()))
    return form, time.process_time() - cpu, time.perf_counter() - wall


# ----------------------------------------------------------------------------- commands


def _timed(work, *args) -> tuple[int, float]:
    started = time.process_time()
    return work(*args), time.process_time() - started


def command(argv: list[str]) -> dict:
    name, *args = argv
    if name == "prepare":
        return prepare(*args)
    if name == "read":
        rows, cpu = _timed(reader(args[0]), args[1])
        return {"rows_read": rows, "read_cpu": round(cpu, 3)}
    if name == "write":
        form, load_cpu, load_wall = _load(args[0], args[1])
        scratch = Path(args[2])
        scratch.mkdir(parents=True, exist_ok=True)
        rows, cpu = _timed(WRITERS[args[0]][1], form, scratch)
        return {"rows_written": rows, "write_cpu": round(cpu, 3),
                "load_cpu": round(load_cpu, 3), "load_wall": round(load_wall, 3)}  # fmt: skip
    if name == "job":
        read_with, write_with, source, rows_pickle, scratch = args
        form, load_cpu, load_wall = _load(write_with, rows_pickle)
        Path(scratch).mkdir(parents=True, exist_ok=True)
        read_rows, read_cpu = _timed(reader(read_with), source)
        written, write_cpu = _timed(WRITERS[write_with][1], form, Path(scratch))
        return {"rows_read": read_rows, "rows_written": written, "read_cpu": round(read_cpu, 3),
                "write_cpu": round(write_cpu, 3), "load_cpu": round(load_cpu, 3),
                "load_wall": round(load_wall, 3)}  # fmt: skip
    raise SystemExit(f"floor.py: unknown command {name!r}")


if __name__ == "__main__":
    try:
        result = command(sys.argv[1:])
    except NotApplicable as why:
        result = {"not_applicable": str(why)}
    print(json.dumps(result))
