"""The ingest (merge) report: new, dropped, changed and conflicting members, by CIN.

Written by suffix: ``.json`` (``{notice, summary, changes: [...]}``), ``.csv``
or ``.xlsx``. CINs and values are member data (PHI): without --show-values they
are masked (``***``) in the report as on the terminal. With --show-values the
report holds them, and says so first: the JSON's ``notice``, the first line of
the CSV, the first row of the xlsx.
"""

from __future__ import annotations

import csv
import json
from dataclasses import fields
from pathlib import Path

import xlsxwriter

from ecmx.core.errors import OutputError
from ecmx.core.files.write import escape_text
from ecmx.core.inbound.merge import CHANGED, CONFLICT, DROPPED, NEW, Change, Merge
from ecmx.core.storage.atomic import atomic_file

REPORT_SUFFIXES = (".json", ".csv", ".xlsx")
COLUMNS = [f.name for f in fields(Change) if f.name != "service"]
# A CSASF's changes are per member and CS service: the service follows the member.
CS_COLUMNS = [*COLUMNS[:3], "service", *COLUMNS[3:]]
# Which CS service a member has is health information, masked as values are.
PHI_FIELDS = ("cin", "dataset_value", "plan_value", "service")
PHI_NOTICE = (
    "This report holds member data (PHI): CINs and values, because --show-values was given. "
    "Keep it as you keep member records."
)
MASKED_NOTICE = "CINs and values are masked (***); --show-values writes them (they are PHI)."


def summary(merge: Merge, meta: dict) -> dict:
    return {**meta, **{name: merge.count(name) for name in (NEW, DROPPED, CHANGED, CONFLICT)}}


def check_merge_report_path(path: Path) -> None:
    """Refuse, before the merge, a report path that could not be written."""
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise OutputError(f"{path}: a report ends in .json, .csv or .xlsx")
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: directory {path.parent} does not exist")


def write_merge_report(
    merge: Merge, meta: dict, path: Path, *, force: bool, show_values: bool = False
) -> None:
    """Write the merge's changes to ``path`` in the format its suffix names (see above)."""
    check_merge_report_path(path)
    columns = CS_COLUMNS if merge.by_service else COLUMNS
    rows = [_row(c, show_values, columns) for c in merge.changes]
    totals = {**summary(merge, meta), "values": "shown (PHI)" if show_values else "masked"}
    with atomic_file(path, force=force) as tmp:
        suffix = path.suffix.lower()
        if suffix == ".json":
            document = {
                "notice": PHI_NOTICE if show_values else MASKED_NOTICE,
                "summary": totals,
                "changes": rows,
            }
            tmp.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
        elif suffix == ".csv":
            with open(tmp, "w", newline="", encoding="utf-8") as handle:
                if show_values:
                    csv.writer(handle).writerow([PHI_NOTICE])
                writer = csv.DictWriter(handle, columns)
                writer.writeheader()
                # A spreadsheet opening the CSV would run text like "=..." as a formula.
                writer.writerows(
                    {k: escape_text(str(v)) if v is not None else "" for k, v in r.items()}
                    for r in rows
                )
        else:
            _write_xlsx(tmp, rows, columns, totals, PHI_NOTICE if show_values else None)


def _row(change: Change, show_values: bool, columns: list[str]) -> dict:
    values = change.as_dict()
    row = {name: values[name] for name in columns}
    if not show_values:
        row.update({name: _mask(row[name]) for name in PHI_FIELDS if name in row})
    return row


def _write_xlsx(
    path: Path, rows: list[dict], columns: list[str], totals: dict, notice: str | None
) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("changes")
    top = 0
    if notice:
        sheet.write_string(0, 0, notice, book.add_format({"bold": True, "font_color": "red"}))
        top = 1
    for col, name in enumerate(columns):
        sheet.write_string(top, col, name, bold)
    for r, row in enumerate(rows, start=top + 1):
        for col, name in enumerate(columns):
            value = row[name]
            if isinstance(value, int):
                sheet.write_number(r, col, value)
            elif value:
                # A string cell is never a formula: written as it is, no apostrophe.
                sheet.write_string(r, col, str(value))
    sheet.autofilter(top, 0, top + len(rows), len(columns) - 1)
    sheet.freeze_panes(top + 1, 0)
    totals_sheet = book.add_worksheet("summary")
    for r, (key, value) in enumerate(totals.items()):
        totals_sheet.write_string(r, 0, key, bold)
        totals_sheet.write(r, 1, value if isinstance(value, int) else str(value))
    book.close()


def _mask(value: str) -> str:
    return "***" if value else ""
