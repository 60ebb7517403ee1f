"""Findings as a person reads them on the page: grouped by rule, each rule in words (its
title, what to do, on whose word), each place a link to the row it is about.

A place's row is read back from the file the finding names (the dataset, or a plan
file), the header row with it, so the page can show the row as the spreadsheet has it.
Values are masked unless the page shows member values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecmx.core.checks.findings import Finding, mask
from ecmx.core.errors import EcmxError
from ecmx.core.reports.summary import groups, place, rule_entry
from ecmx.core.storage.sheets import is_blank, read_table

SEVERITY_WORDS = {"error": "must be fixed", "warning": "check this", "info": "for your information"}
PLACES_SHOWN = 50  # per rule; the report file (a download) has every one


@dataclass(frozen=True)
class RuleGroup:
    code: str
    severity: str
    words: str  # "must be fixed", ...
    title: str
    hint: str
    source: str
    count: int
    places: list[tuple[int, str, str]]  # (index in the findings list, place, message)


def grouped(findings: list[Finding]) -> list[RuleGroup]:
    """The findings by rule, errors first; each place keeps the finding's index."""
    index = {id(f): n for n, f in enumerate(findings)}
    result = []
    for group in groups(findings):
        entry = rule_entry(group)
        result.append(
            RuleGroup(
                entry["code"],
                entry["severity"],
                SEVERITY_WORDS.get(entry["severity"], entry["severity"]),
                entry["title"],
                entry["hint"],
                entry["source"],
                entry["count"],
                [(index[id(f)], _where(f), f.message) for f in group[:PLACES_SHOWN]],
            )
        )
    return result


def _where(finding: Finding) -> str:
    """The place, as a person looks for it; a finding about a whole file: the file's name
    (the folders it sits in say nothing to the reader)."""
    return place(finding) if finding.sheet else Path(finding.file).name if finding.file else ""


def row_of(finding: Finding, show_values: bool, readers=()) -> list[tuple[str, str, bool]]:
    """The finding's row as ``(header, value, is_the_finding's_column)``; [] when the
    finding names no row of a file ecmx can read (a finding about a whole file)."""
    if not finding.file or finding.row is None or not Path(finding.file).is_file():
        return []
    try:
        sheet = read_table(Path(finding.file), finding.sheet or None, readers)
    except EcmxError:
        return []
    at = finding.row - sheet.first_row
    if not 0 <= at < len(sheet.rows):
        return []
    header_at = _header_index(sheet.rows, at)
    headers = sheet.rows[header_at] if header_at is not None else []
    values = sheet.rows[at]
    shown = []
    for n, value in enumerate(values):
        header = "" if n >= len(headers) or is_blank(headers[n]) else str(headers[n])
        text = "" if is_blank(value) else str(value)
        if text and not show_values and at != header_at:
            text = mask(text)
        shown.append((header or f"column {n + 1}", text, header == finding.column))
    return shown


def _header_index(rows: list[list], at: int) -> int | None:
    """The header row: the first row above ``at`` with most cells filled (a title block
    above it has one or two)."""
    best, best_count = None, 0
    for n, row in enumerate(rows[: min(at, 30)]):
        count = sum(not is_blank(v) for v in row)
        if count > best_count:
            best, best_count = n, count
    return best
