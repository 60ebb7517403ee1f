"""Write a dataset (typed tables + provider profile) back in the dataset format.

Used by ``ecmx ingest`` for the merged dataset: the same writers as
``sample-data``, so a written dataset reads back exactly. Columns the reader
ignored (not in the dataset contract) are not carried over.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ecmx.core.dataset.canonical import TABLES, Table
from ecmx.core.dataset.provider import PROVIDER_FILE
from ecmx.core.dataset.write_rows import SampleData, write_csv_folder, write_workbook_columns
from ecmx.core.errors import OutputError
from ecmx.core.files.write_xlsx import MAX_CELL_TEXT
from ecmx.core.storage.sheets import SPREADSHEET_SUFFIXES


def write_dataset(
    tables: dict[str, pd.DataFrame], provider: dict, like: Path, out: Path, *, force: bool
) -> None:
    """Write ``tables`` to ``out`` in the format of the dataset ``like`` (workbook or CSV folder)."""
    if Path(like).is_dir():
        if out.suffix.lower() in SPREADSHEET_SUFFIXES:
            raise OutputError(
                f"{out}: the input dataset is a CSV folder, so --out must be a folder too"
            )
        sample = SampleData({t.name: table_rows(tables[t.name], t) for t in TABLES}, provider)
        write_csv_folder(sample, out, force=force)
    else:
        if out.suffix.lower() != ".xlsx":
            raise OutputError(f"{out}: the input dataset is a workbook, so --out must end in .xlsx")
        columns = {
            t.name: {c.name: _python_values(tables[t.name][c.name], c.type) for c in t.columns}
            for t in TABLES
            if not (t.omitted_while_empty and tables[t.name].empty)
        }
        _refuse_overlong_text(columns, out)
        write_workbook_columns(columns, provider, out, force=force)


def _refuse_overlong_text(tables: dict[str, dict[str, list]], out: Path) -> None:
    """A workbook cell holds 32,767 characters; xlsxwriter would cut the rest without a word."""
    for name, columns in tables.items():
        for column, values in columns.items():
            texts = {value for value in values if type(value) is str}
            if texts and max(map(len, texts)) > MAX_CELL_TEXT:
                number, value = next(
                    (n, v) for n, v in enumerate(values, start=2)
                    if type(v) is str and len(v) > MAX_CELL_TEXT
                )  # fmt: skip
                raise OutputError(
                    f"{out}: {name} row {number} column {column} holds {len(value):,} "
                    f"characters and a workbook cell holds {MAX_CELL_TEXT:,}: nothing "
                    "written; shorten the value in the plan's file or use a CSV-folder dataset"
                )


def dataset_file_names() -> list[str]:
    """The files a CSV-folder dataset written by ecmx may hold."""
    return [f"{t.name}.csv" for t in TABLES] + [PROVIDER_FILE]


def table_rows(frame: pd.DataFrame, table: Table) -> list[dict]:
    """Typed columns to plain Python rows: dates as ``date``, blanks as None."""
    columns = {c.name: _python_values(frame[c.name], c.type) for c in table.columns}
    return [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]


def _python_values(series: pd.Series, kind: str) -> list:
    blank = series.isna().to_numpy()
    if kind == "date":
        days = pd.to_datetime(series).dt.date.to_numpy(dtype=object)
        return np.where(blank, np.array(None), days).tolist()  # None: a 0-d object array
    if kind == "bool":
        return [None if b else bool(v) for b, v in zip(blank, series, strict=True)]
    if kind in ("number", "int"):
        return [None if b else _number(v) for b, v in zip(blank, series, strict=True)]
    return [
        v if type(v) is str else (None if b else str(v)) for b, v in zip(blank, series, strict=True)
    ]


def _number(value):
    value = float(value) if isinstance(value, np.floating | np.integer) else value
    return int(value) if isinstance(value, float) and value.is_integer() else value
