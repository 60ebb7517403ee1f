"""Rendering what a job returns, shared by the commands: notes, findings, the summary table."""

from __future__ import annotations

import csv
import json
import sys

from ecmx.core.cli import console as out


def notes(lines) -> None:
    """Lines on stderr, as the job wrote them (hidden with --quiet)."""
    for line in lines:
        out.info(line)


def records(rows: list[dict], columns, output_format: str) -> bool:
    """``rows`` on stdout as JSON or CSV (header: ``columns``) for ``--format json|csv``;
    False, writing nothing, for ``table`` (the command draws its own)."""
    if output_format == "json":
        sys.stdout.write(json.dumps(rows, indent=2, default=str) + "\n")
    elif output_format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        return False
    return True


def findings(found, meta: dict, *, show_values: bool) -> None:
    """The findings table by rule and the places of each, or 'no problems found'."""
    from ecmx.core.cli.findings_table import show_findings

    show_findings(found, meta, show_values=show_values)


def run(result, *, show_values: bool) -> None:
    """A ``convert`` or ``claims`` result: its findings (when any), its table (when a plan
    had members: otherwise the notes and findings said why). Its notes were shown as the
    job made them (the ``ecmx`` logger, cli/console.py), so before any error that followed."""
    if result.findings:
        findings(result.findings, result.meta, show_values=show_values)
    if result.rows:
        out.table(result.title, _HEADERS[result.meta["command"]], result.rows)


_HEADERS = {
    "convert": ("plan", "kind", "rows", "file", "findings"),
    "claims": ("plan", "claims", "lines", "billed", "refused lines", "file"),
}
