"""Rows of a plan file keyed by member and Community Supports service (the CSASF).

A member is on one row per CS service, so the CIN alone repeats by design: a row is
ignored only when its CIN and service are both on an earlier row (F003), and a row
without a service cannot be matched to a member's CS service (F005).
"""

from __future__ import annotations

import pandas as pd

from ecmx.core.checks.codes import F003, F005
from ecmx.core.checks.findings import Finding, column_letter

FILE_ROW = "_file_row"  # as core/files/read.py names it


def repeated_or_serviceless(frame: pd.DataFrame, layout, positions, where: dict) -> list[Finding]:
    """F003 at a CIN + service on an earlier row too, F005 at a row without a service."""
    header = next(c.header for c in layout.columns if c.field == "service")
    if header not in positions:
        return []
    at = {**where, "column": header, "letter": column_letter(positions[header])}
    named = frame["cin"].notna()
    repeated = named & frame["service"].notna() & frame.duplicated(["cin", "service"])
    findings = [
        F003.at_cell(
            "this CIN and CS service are on an earlier row too: this row is ignored",
            row=row,
            **at,
        )
        for row in frame.loc[repeated, FILE_ROW]
    ]
    return findings + [
        F005.at_cell("a row without a CS service cannot be merged: it is ignored", row=row, **at)
        for row in frame.loc[named & frame["service"].isna(), FILE_ROW]
    ]
