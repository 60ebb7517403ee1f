"""What every findings report shares: counts, findings grouped by rule, a place to look."""

from __future__ import annotations

from collections import Counter

from ecmx.core.checks import catalogue
from ecmx.core.checks.findings import ERROR, INFO, SEVERITIES, WARNING, Finding


def summary(findings, meta: dict) -> dict:
    """``meta`` plus counts by severity and one entry per rule (schema: json_report.py)."""
    findings = list(findings)
    counts = Counter(f.severity for f in findings)
    return {
        **meta,
        "errors": counts[ERROR],
        "warnings": counts[WARNING],
        "infos": counts[INFO],
        "total": len(findings),
        "by_rule": [rule_entry(group) for group in groups(findings)],
    }


def groups(findings: list[Finding]) -> list[list[Finding]]:
    """Findings by (code, severity): errors first, then the most frequent, then by code."""
    by_rule: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault((finding.code, finding.severity), []).append(finding)
    return sorted(by_rule.values(), key=lambda g: (rank(g[0].severity), -len(g), g[0].code))


def rank(severity: str) -> int:
    """0 for the worst severity; an unknown severity sorts last."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def rule_entry(group: list[Finding]) -> dict:
    """One rule's line of the summary: its title, and the message etc. of its first finding."""
    first = group[0]
    return {
        "code": first.code,
        "severity": first.severity,
        "count": len(group),
        "title": catalogue.title(first.code) or first.message,
        "message": first.message,
        "hint": first.hint,
        "source": first.source,
    }


def place(finding: Finding) -> str:
    """Where to look, for a person: the cell, else the sheet row, the sheet or the file."""
    if finding.cell:
        return finding.cell
    if finding.sheet and finding.row:
        return f"{finding.sheet} row {finding.row}"
    return finding.sheet or finding.file
