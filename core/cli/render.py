"""Rendering what a job returns, shared by the commands: notes, findings, the summary table."""

from __future__ import annotations

from ecmx.core.cli import console as out


def notes(lines) -> None:
    """Lines on stderr, as the job wrote them (hidden with --quiet)."""
    for line in lines:
        out.info(line)


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
