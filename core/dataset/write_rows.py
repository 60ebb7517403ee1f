"""Write a dataset held as rows (``SampleData``): a workbook, or a CSV folder, with its
provider profile. ``sample-data`` writes the sample through these, and ``ecmx ingest``
its merged dataset (dataset/write.py), so both read back exactly.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import xlsxwriter
import yaml

from ecmx.core.dataset import canonical as C
from ecmx.core.dataset.provider import PROVIDER_FILE
from ecmx.core.dataset.write_xlsx import DATE_FORMAT, dataset_rust_refuses, write_dataset_rust
from ecmx.core.errors import OutputError
from ecmx.core.storage.atomic import atomic_directory, atomic_file
from ecmx.core.storage.csv_text import escape_csv_text


@dataclass
class SampleData:
    """A dataset as rows: table name -> rows (column -> value), and the provider profile."""

    tables: dict[str, list[dict]]
    provider: dict


XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_urls": False,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
}
XLSX_MAX_ROWS = 1_048_576


def _flatten(data: dict, prefix: str = "") -> list[list]:
    rows = []
    for key, value in data.items():
        if isinstance(value, dict):
            rows += _flatten(value, f"{prefix}{key}.")
        else:
            rows.append([f"{prefix}{key}", value])
    return rows


def _write_sheet(sheet, header, rows, date_format) -> None:
    for c, name in enumerate(header):
        sheet.write_string(0, c, name)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif isinstance(value, bool):
                sheet.write_string(r, c, "true" if value else "false")
            elif isinstance(value, date):
                sheet.write_datetime(r, c, value, date_format)
            else:
                sheet.write_number(r, c, value)


def _tables_to_write(sample: SampleData) -> list:
    return [t for t in C.TABLES if not (t.omitted_while_empty and not sample.tables.get(t.name))]


def write_workbook(sample: SampleData, path: Path, *, force: bool = False) -> None:
    """One sheet per table plus a key/value ``provider`` sheet; identifiers stay text."""
    tables = {
        table.name: {n: [row[n] for row in sample.tables[table.name]] for n in table.names}
        for table in _tables_to_write(sample)
    }
    write_workbook_columns(tables, sample.provider, path, force=force)


def write_workbook_columns(
    tables: dict[str, dict[str, list]], provider: dict, path: Path, *, force: bool = False
) -> None:
    """``write_workbook`` for tables held as columns (table -> column -> values), in order."""
    for name, columns in tables.items():
        if len(next(iter(columns.values()), [])) >= XLSX_MAX_ROWS:
            raise OutputError(f"{name} has too many rows for one xlsx sheet: write a CSV folder")
    keys, values = zip(*_flatten(provider), strict=True) if provider else ((), ())
    sheets = {**tables, "provider": {"key": list(keys), "value": list(values)}}
    with atomic_file(Path(path), force=force) as tmp:
        if dataset_rust_refuses(sheets) is None:
            write_dataset_rust(sheets, tmp)
            return
        book = xlsxwriter.Workbook(str(tmp), XLSX_OPTIONS)
        date_format = book.add_format({"num_format": DATE_FORMAT})
        for name, columns in sheets.items():
            rows = zip(*columns.values(), strict=True)
            _write_sheet(book.add_worksheet(name), list(columns), rows, date_format)
        book.close()


def _csv_cell(value) -> str:
    if type(value) is str:  # most cells: return at once
        return escape_csv_text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _provider_yaml(sample: SampleData) -> str:
    return yaml.safe_dump(sample.provider, sort_keys=False, allow_unicode=True)


def write_csv_folder(sample: SampleData, path: Path, *, force: bool = False) -> None:
    """One CSV per table plus provider.yaml, all appearing at once (or not at all)."""
    with atomic_directory(Path(path), force=force) as tmp:
        for table in _tables_to_write(sample):
            with open(tmp / f"{table.name}.csv", "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                names = table.names  # computed on each access: once per table, not per row
                writer.writerow(names)
                writer.writerows(
                    [_csv_cell(row[n]) for n in names] for row in sample.tables[table.name]
                )
        (tmp / PROVIDER_FILE).write_text(_provider_yaml(sample), encoding="utf-8")


def write_provider_yaml(sample: SampleData, path: Path, *, force: bool = False) -> None:
    with atomic_file(Path(path), force=force) as tmp:
        tmp.write_text(_provider_yaml(sample), encoding="utf-8")
