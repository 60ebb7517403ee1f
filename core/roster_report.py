"""The ingest report: new, dropped, changed and conflicting members, by CIN.

Written by suffix: ``.json`` (``{summary, changes: [...]}``), ``.csv`` or
``.xlsx``. A report file is something the user asked for, so it holds the
values; the terminal table masks CINs and values unless --show-values.
"""

from __future__ import annotations

import csv
import json
from dataclasses import fields
from pathlib import Path

import xlsxwriter

from ecmx.core import console as out
from ecmx.core.atomic import atomic_file
from ecmx.core.errors import OutputError
from ecmx.core.roster import CHANGED, CONFLICT, DROPPED, NEW, Change, Merge
from ecmx.core.writers import escape_text

REPORT_SUFFIXES = (".json", ".csv", ".xlsx")
COLUMNS = [f.name for f in fields(Change)]
SHOWN = 25  # rows on the terminal before "... N more" (all with --verbose)


def summary(merge: Merge, meta: dict) -> dict:
    return {**meta, **{name: merge.count(name) for name in (NEW, DROPPED, CHANGED, CONFLICT)}}


def check_report_path(path: Path) -> None:
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise OutputError(f"{path}: a report ends in .json, .csv or .xlsx")


def write_report(merge: Merge, meta: dict, path: Path, *, force: bool) -> None:
    check_report_path(path)
    rows = [c.as_dict() for c in merge.changes]
    with atomic_file(path, force=force) as tmp:
        suffix = path.suffix.lower()
        if suffix == ".json":
            document = {"summary": summary(merge, meta), "changes": rows}
            tmp.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
        elif suffix == ".csv":
            with open(tmp, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, COLUMNS)
                writer.writeheader()
                writer.writerows(
                    {k: escape_text(str(v)) if v is not None else "" for k, v in r.items()}
                    for r in rows
                )
        else:
            _write_xlsx(tmp, rows, summary(merge, meta))


def _write_xlsx(path: Path, rows: list[dict], totals: dict) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("changes")
    for col, name in enumerate(COLUMNS):
        sheet.write_string(0, col, name, bold)
    for r, row in enumerate(rows, start=1):
        for col, name in enumerate(COLUMNS):
            value = row[name]
            if isinstance(value, int):
                sheet.write_number(r, col, value)
            elif value:
                sheet.write_string(r, col, escape_text(str(value)))
    sheet.autofilter(0, 0, len(rows), len(COLUMNS) - 1)
    sheet.freeze_panes(1, 0)
    totals_sheet = book.add_worksheet("summary")
    for r, (key, value) in enumerate(totals.items()):
        totals_sheet.write_string(r, 0, key, bold)
        totals_sheet.write(r, 1, value if isinstance(value, int) else str(value))
    book.close()


def show(merge: Merge, meta: dict, *, show_values: bool) -> None:
    totals = summary(merge, meta)
    out.table(
        f"ecmx ingest {meta['file']} ({meta['plan']} {meta['kind']})",
        ("new", "dropped", "changed", "conflicts"),
        [(totals[NEW], totals[DROPPED], totals[CHANGED], totals[CONFLICT])],
    )
    if not merge.changes:
        return
    limit = len(merge.changes) if out.verbose() else SHOWN
    rows = [
        (
            c.change,
            c.member_id,
            c.cin if show_values else _mask(c.cin),
            c.field,
            c.dataset_value if show_values else _mask(c.dataset_value),
            c.plan_value if show_values else _mask(c.plan_value),
        )
        for c in merge.changes[:limit]
    ]
    out.table(
        "changes (values masked; --show-values shows them)" if not show_values else "changes",
        ("change", "member_id", "CIN", "field", "dataset", "plan file"),
        rows,
    )
    if len(merge.changes) > limit:
        out.info(
            f"... {len(merge.changes) - limit} more (--verbose lists all, --report writes them)"
        )


def _mask(value: str) -> str:
    return "***" if value else ""
