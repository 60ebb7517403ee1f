"""Findings reports: which format a path asks for, and writing it (one module per format).

The suffix picks the format: .json (json_report.py), .csv (csv_report.py), .html
(html_report.py) or .xlsx (xlsx_report.py, an annotated copy of the checked workbook);
the terminal table is the CLI's (cli/findings_table.py). docs/reports.md documents them for users.

``value`` may be member data (PHI): it is ``"***"`` in the terminal, JSON, CSV and HTML
unless ``show_values``. Messages never hold member values, so only ``value`` is masked.
"""

from __future__ import annotations

from pathlib import Path

from ecmx.core.errors import OutputError
from ecmx.core.reports.csv_report import write_csv
from ecmx.core.reports.html_report import html_page
from ecmx.core.reports.json_report import write_json
from ecmx.core.reports.xlsx_report import write_xlsx
from ecmx.core.storage.atomic import atomic_file
from ecmx.core.storage.targets import refuse_inputs

REPORT_SUFFIXES = (".json", ".csv", ".html", ".xlsx")


def check_findings_report_path(path: Path) -> None:
    """Refuse, before anything is checked, a report path that could not be written."""
    path = Path(path)
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise OutputError(f"{path}: a report ends in .json, .csv, .html or .xlsx")
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: directory {path.parent} does not exist")


def write_findings_report(
    findings,
    path: Path,
    *,
    meta: dict,
    show_values: bool = False,
    workbook: Path | None = None,
    force: bool = False,
) -> None:
    """Write the findings to ``path`` in the format its suffix names.

    ``meta`` (command, plan, kind, file, period...) heads the report; ``workbook`` is the
    checked file the .xlsx report annotates. The report appears whole or not at all, and
    replaces an existing file only with ``force``.
    """
    path = Path(path)
    check_findings_report_path(path)
    findings = list(findings)
    if workbook is not None:
        # With --force the atomic move would replace the checked file itself: never allowed.
        refuse_inputs([path], [Path(workbook)])
    suffix = path.suffix.lower()
    with atomic_file(path, force=force) as tmp:
        if suffix == ".json":
            write_json(tmp, findings, meta, show_values)
        elif suffix == ".csv":
            write_csv(tmp, findings, show_values)
        elif suffix == ".html":
            tmp.write_text(html_page(findings, meta, show_values), encoding="utf-8")
        else:
            write_xlsx(tmp, findings, show_values, workbook)
