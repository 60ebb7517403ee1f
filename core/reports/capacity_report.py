"""The ``ecmx capacity`` report: xlsx (sheets ``plans`` and ``lead_care_managers``), CSV
(one table, a ``table`` column telling which), or JSON. Written atomically."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from ecmx.core.files.write import escape_text
from ecmx.core.storage.atomic import atomic_file


def _tables(result) -> dict[str, tuple[tuple[str, ...], list[dict]]]:
    from ecmx.core.jobs.capacity import MANAGER_COLUMNS, PLAN_COLUMNS

    return {
        "plans": (PLAN_COLUMNS, result.plans),
        "lead_care_managers": (MANAGER_COLUMNS, result.managers),
    }


def write_capacity_report(result, path: Path, *, force: bool = False) -> None:
    suffix = Path(path).suffix.lower()
    with atomic_file(path, force=force) as tmp:
        if suffix == ".json":
            body = {"period": str(result.period), **{k: v[1] for k, v in _tables(result).items()}}
            tmp.write_text(json.dumps(body, indent=2, default=str) + "\n", encoding="utf-8")
        elif suffix == ".csv":
            _csv(result, tmp)
        else:
            _xlsx(result, tmp)


def _csv(result, tmp: Path) -> None:
    tables = _tables(result)
    columns = ["table", "period", *dict.fromkeys(c for cols, _ in tables.values() for c in cols)]
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        for name, (_, rows) in tables.items():
            for row in rows:
                # a name like "=..." would run as a formula in a spreadsheet
                cells = {k: "" if v is None else escape_text(str(v)) for k, v in row.items()}
                writer.writerow({"table": name, "period": str(result.period), **cells})


def _xlsx(result, tmp: Path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (columns, rows) in _tables(result).items():
        sheet = book.create_sheet(name)
        sheet.append([*columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(row[c]) for c in columns])
        sheet.freeze_panes = "A2"
    about = book.create_sheet("about")
    about.append(["period", str(result.period)])
    for note in result.notes:
        about.append(["note", note])
    book.save(tmp)


def _cell(value):
    # openpyxl stores a string starting with "=" as a formula: keep staff names text
    return escape_text(value) if isinstance(value, str) else value
