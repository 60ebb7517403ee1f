"""The claims status report: each billed line's fate and each plan's totals.

Written by suffix: ``.json`` (``{notice, summary, totals, lines}``), ``.csv`` or ``.xlsx``
(sheets ``lines`` and ``totals``). Member ids are member data (PHI): masked (``***``)
unless --show-values, and then the report says so first, as the merge report does.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from ecmx.core.billing.responses.status import COLUMNS, TOTALS, StatusReport
from ecmx.core.errors import OutputError
from ecmx.core.files.write import escape_text
from ecmx.core.storage.atomic import atomic_file

REPORT_SUFFIXES = (".json", ".csv", ".xlsx")
PHI_NOTICE = (
    "This report holds member data (PHI): member ids, because --show-values was given. "
    "Keep it as you keep member records."
)
MASKED_NOTICE = "Member ids are masked (***); --show-values writes them (they are PHI)."


def check_status_report_path(path: Path) -> None:
    """Refuse, before anything is read, a report path that could not be written."""
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise OutputError(f"{path}: a claims status report ends in .json, .csv or .xlsx")
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: directory {path.parent} does not exist")


def cell(value) -> str:
    """A value as the report and the terminal show it (amounts with two decimals)."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def write_status_report(report: StatusReport, meta: dict, path: Path, *, force: bool,
                        show_values: bool = False) -> None:  # fmt: skip
    rows = [{k: cell(v) if k != "line" else v for k, v in r.items()} for r in report.rows]
    totals = [{"plan": plan, **{k: cell(v) for k, v in t.items()}}
              for plan, t in sorted(report.totals.items())]  # fmt: skip
    notice = PHI_NOTICE if show_values else MASKED_NOTICE
    with atomic_file(path, force=force) as tmp:
        suffix = path.suffix.lower()
        if suffix == ".json":
            document = {"notice": notice, "summary": meta, "totals": totals, "lines": rows}
            tmp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        elif suffix == ".csv":
            with open(tmp, "w", newline="", encoding="utf-8") as handle:
                if show_values:
                    csv.writer(handle).writerow([PHI_NOTICE])
                writer = csv.DictWriter(handle, COLUMNS)
                writer.writeheader()
                # A spreadsheet opening the CSV would run text like "=..." as a formula.
                writer.writerows({k: escape_text(str(v)) for k, v in r.items()} for r in rows)
        else:
            _write_xlsx(tmp, rows, totals, PHI_NOTICE if show_values else None)


def _write_xlsx(path: Path, rows: list[dict], totals: list[dict], notice: str | None) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    bold = book.add_format({"bold": True})
    for name, columns, items in (("lines", COLUMNS, rows), ("totals", ("plan", *TOTALS), totals)):
        sheet = book.add_worksheet(name)
        top = 0
        if notice:
            sheet.write_string(0, 0, notice, book.add_format({"bold": True, "font_color": "red"}))
            top = 1
        for col, column in enumerate(columns):
            sheet.write_string(top, col, column, bold)
        for r, row in enumerate(items, start=top + 1):
            for col, column in enumerate(columns):
                value = row[column]
                if isinstance(value, int):
                    sheet.write_number(r, col, value)
                elif column in TOTALS and value:
                    sheet.write_number(r, col, float(Decimal(value)))  # a number to sum
                elif value:
                    sheet.write_string(r, col, str(value))
        sheet.freeze_panes(top + 1, 0)
    book.close()
