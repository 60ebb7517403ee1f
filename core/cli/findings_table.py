"""Findings on the terminal: a table by rule, then where each problem is.

Values (member data) are shown only with --show-values; with --verbose every place
is listed, else a few per rule.
"""

from __future__ import annotations

from rich.markup import escape as markup_escape

from ecmx.core.checks import catalogue
from ecmx.core.checks.findings import Finding
from ecmx.core.cli import console as out
from ecmx.core.reports.summary import groups, place, summary

LINES_PER_RULE = 5  # exact places listed per rule on the terminal (all with --verbose)


def show_findings(findings, meta: dict, *, show_values: bool = False) -> None:
    """A table by rule; with --verbose every finding. Values only with --show-values."""
    findings = list(findings)
    name = " ".join(str(meta[k]) for k in ("file", "plan", "kind") if meta.get(k))
    if not findings:
        out.stdout.print(f"no problems found{' in ' + name if name else ''}", markup=False)
        return
    totals = summary(findings, meta)
    counts = f"{totals['errors']} errors, {totals['warnings']} warnings, {totals['infos']} notes"
    rows = [_terminal_row(group) for group in groups(findings)]
    out.table(
        markup_escape(f"ecmx {meta.get('command', 'check')} {name}: {counts}"),
        ("rule", "severity", "count", "what", "first place"),
        rows,
    )
    _lines(findings, show_values)


def _lines(findings: list[Finding], show_values: bool) -> None:
    """Where each problem is, on stderr: a few per rule, every one with --verbose."""
    for group in groups(findings):
        shown = group if out.verbose() else group[:LINES_PER_RULE]
        for finding in shown:
            line = finding.line(show_values=show_values)
            line = f"[{finding.plan} {finding.kind}] {line}" if finding.plan else line
            (out.error_line if finding.severity == "error" else out.warning_line)(line)
        if len(group) > len(shown):
            out.warning_line(
                f"{group[0].code}: {len(group) - len(shown)} more like this (--verbose lists all)"
            )


def _terminal_row(group: list[Finding]) -> tuple:
    first = group[0]
    where = next((place(f) for f in group if place(f)), "")
    more = len(group) - 1
    if where and more:
        where += f" (+{more} more)"
    # out.table renders rich markup: a message holding "[...]" must print as written.
    return tuple(
        markup_escape(str(v))
        for v in (
            first.code,
            first.severity,
            len(group),
            catalogue.title(first.code) or first.message,
            where,
        )
    )
