"""The .csv findings report: one row per finding, the finding's fields as columns."""

from __future__ import annotations

import csv
from dataclasses import fields
from pathlib import Path

from ecmx.core.checks.findings import Finding
from ecmx.core.files.write import escape_text

# The Finding fields in as_dict order; member_id is internal and never reported.
COLUMNS = [f.name for f in fields(Finding) if f.name != "member_id"]


def write_csv(tmp: Path, findings: list[Finding], show_values: bool) -> None:
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        for finding in findings:
            row = finding.as_dict(show_values=show_values)
            # A spreadsheet opening the CSV would run text like "=..." as a formula.
            writer.writerow({k: "" if v is None else escape_text(str(v)) for k, v in row.items()})
