"""The .html findings report: one standalone page for a person, offline in any browser.

What must be fixed comes first (a verdict, then the rules broken), then every finding.
"""

from __future__ import annotations

import html
from pathlib import Path

from ecmx.core.checks.findings import ERROR, INFO, WARNING, Finding
from ecmx.core.reports.summary import groups, place, rule_entry, summary

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 2em auto;
       max-width: 80em; padding: 0 1em; color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; }
.meta { color: #555; margin-top: 0; }
.verdict { font-size: 1.15em; padding: .7em 1em; border-radius: 6px; margin: 1em 0; }
ul.counts { padding-left: 1.2em; }
table { border-collapse: collapse; width: 100%; font-size: .95em; }
th, td { border: 1px solid #d0d0d0; padding: .35em .55em; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
tbody tr:nth-child(even) { background: #fafafa; }
.badge { display: inline-block; padding: 0 .5em; border-radius: 4px; font-weight: 600; }
.badge.error, .verdict.error { background: #fde2e4; color: #8b0015; }
.badge.warning, .verdict.warning { background: #fff1cc; color: #6b4500; }
.badge.info, .verdict.info { background: #e8f1fb; color: #1f4e79; }
tr.error td:first-child { border-left: 5px solid #c8102e; }
tr.warning td:first-child { border-left: 5px solid #e0a000; }
tr.info td:first-child { border-left: 5px solid #4a90d9; }
.note { color: #555; font-size: .9em; }
"""

_SEVERITY_WORDS = {
    ERROR: "must be fixed before the file is sent",
    WARNING: "should be checked; they do not stop the file from being sent",
    INFO: "for your information; nothing needs to be done",
}
_META_LABELS = {
    "file": "File checked",
    "dataset": "Dataset",
    "plan": "Plan",
    "kind": "File type",
    "period": "Period",
    "layout": "Layout version",
    "rows": "Rows checked",
    "command": "Checked by",
}


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def html_page(findings: list[Finding], meta: dict, show_values: bool) -> str:
    totals = summary(findings, meta)
    name = Path(str(meta["file"])).name if meta.get("file") else ""
    title = f"ecmx check report: {name}" if name else "ecmx check report"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        _html_meta(meta),
        _html_verdict(totals),
    ]
    if findings:
        parts += [_html_rules(findings), _html_findings(findings, show_values)]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_meta(meta: dict) -> str:
    shown = [(label, meta[key]) for key, label in _META_LABELS.items() if meta.get(key)]
    items = " &middot; ".join(
        f"{_e(label)}: <strong>{_e(value)}</strong>" for label, value in shown
    )
    return f'<p class="meta">{items}</p>' if items else ""


def _html_verdict(totals: dict) -> str:
    if totals["errors"]:
        word = "problem" if totals["errors"] == 1 else "problems"
        headline = f"{totals['errors']} {word} must be fixed before sending."
        css = ERROR
    elif totals["warnings"]:
        headline = "Nothing blocks sending, but some things should be checked."
        css = WARNING
    else:
        headline = "No problems found: nothing blocks sending."
        css = INFO
    counts = [
        (totals["errors"], ERROR, "error", "errors"),
        (totals["warnings"], WARNING, "warning", "warnings"),
        (totals["infos"], INFO, "note", "notes"),
    ]
    items = "".join(
        f'<li><span class="badge {severity}">{number} {one if number == 1 else many}</span> '
        f"{_e(_SEVERITY_WORDS[severity])}</li>"
        for number, severity, one, many in counts
        if number
    )
    listing = f'<ul class="counts">{items}</ul>' if items else ""
    return f'<p class="verdict {css}">{_e(headline)}</p>{listing}'


def _badge(severity: str) -> str:
    return f'<span class="badge {_e(severity)}">{_e(severity)}</span>'


def _html_table(headers: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """``rows`` are (severity, already-escaped cells); the severity colours the row."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "\n".join(
        f'<tr class="{_e(severity)}">' + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
        for severity, cells in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _html_rules(findings: list[Finding]) -> str:
    headers = ["Rule", "Severity", "How many", "What it means", "How to fix", "Rule source"]
    rows = [
        (
            entry["severity"],
            [
                f"<strong>{_e(entry['code'])}</strong>",
                _badge(entry["severity"]),
                str(entry["count"]),
                _e(entry["title"]),
                _e(entry["hint"]),
                _e(entry["source"]),
            ],
        )
        for entry in (rule_entry(group) for group in groups(findings))
    ]
    return "<h2>Problems by rule</h2>\n" + _html_table(headers, rows)


def _html_findings(findings: list[Finding], show_values: bool) -> str:
    headers = ["Severity", "Rule", "Where", "Column", "Problem", "How to fix"]
    headers += ["Value"] if show_values else []
    # Several plans or files in one report: say which one each finding is about.
    many_files = len({(f.plan, f.file) for f in findings}) > 1
    rows = []
    for finding in findings:
        where = _e(place(finding))
        if many_files and (finding.plan or finding.file):
            origin = " ".join(p for p in (finding.plan, finding.kind, finding.file) if p)
            where += f'<br><span class="note">{_e(origin)}</span>'
        cells = [
            _badge(finding.severity),
            _e(finding.code),
            where,
            _e(finding.column),
            _e(finding.message),
            _e(finding.hint),
        ]
        cells += [_e(finding.value)] if show_values else []
        rows.append((finding.severity, cells))
    note = (
        ""
        if show_values
        else '<p class="note">Cell values are left out of this report to protect member '
        "information; open the file at the place shown to see them.</p>"
    )
    return "<h2>Every problem found</h2>\n" + note + _html_table(headers, rows)
