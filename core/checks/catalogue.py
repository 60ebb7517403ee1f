"""The finding catalogue: every code ecmx reports, and docs/findings.md generated from it.

A code is a stage's ``Code`` (core/checks/codes.py) or a registered ``Rule`` (a
``Code`` with a check): code, severity, layer, title, hint and source. The user's list of codes is
written from here, never by hand::

    python -m ecmx.core.checks.catalogue > docs/findings.md

(tests/unit/test_catalogue.py fails, naming that command, when the file is stale.)
"""

from __future__ import annotations

import sys
from functools import cache

from ecmx.core.checks.code_details import DETAILS
from ecmx.core.checks.codes import STAGE_CODES
from ecmx.core.errors import ConfigError
from ecmx.core.plans.provenance import readable

REGENERATE = "python -m ecmx.core.checks.catalogue > docs/findings.md"
_STAGE = {code.code: code for code in STAGE_CODES}

# The stages, in the order data flows through them, as docs/findings.md explains them.
LAYERS = {
    "dataset": "reading the dataset (docs/dataset.md)",
    "plan_file": "reading a plan file: a MIF or TEL, or your own RTF or OTF read back",
    "building": "building a plan file from the dataset (`convert`)",
    "field": "a rule on the plan file's cells, column by column (the plan's layout)",
    "business": "a rule on what the file means: statuses, dates, counts",
    "calendar": "the plan's calendar: the file's production date against its due date",
    "cross_file": "the RTF against the plan's latest ingested MIF",
    "billing": "a rule on claim lines or the member values a claim carries (`ecmx claims`)",
    "delivery": "what `ecmx fetch` brings in, and the plan's responses about files sent",
}


def catalogue(registry) -> dict:
    """Every code by code, sorted: the stages' codes and the registry's rules."""
    clash = sorted(_STAGE.keys() & registry.rules.keys())
    if clash:
        raise ConfigError(f"rule {clash[0]!r} reuses a code of ecmx's own stages; pick another")
    return dict(sorted({**_STAGE, **registry.rules}.items()))


def title(code: str) -> str:
    """What ``code`` checks, for a summary; '' for a code neither ecmx nor a plugin declares."""
    entry = _STAGE.get(code) or _installed_rules().get(code)
    return entry.title if entry else ""


@cache
def _installed_rules() -> dict:
    """The rules of ecmx and of the installed plugins, registered as for any command."""
    from ecmx.core.hooks.manager import make_plugin_manager  # it imports the rules: no cycle

    return make_plugin_manager()[1].rules


def findings_doc(registry) -> str:
    """docs/findings.md: the introduction, one table row per code, each code in full, then
    how a plan adjusts them."""
    entries = catalogue(registry)
    missing = sorted(entries.keys() - DETAILS.keys())
    if missing:
        raise ConfigError(f"code {missing[0]} has no paragraph in core/checks/code_details.py")
    rows = [
        "| " + " | ".join(_cell(v) for v in (e.code, e.severity, e.layer, e.title, e.hint or "nothing: a note", _source(e)))
        + " |"
        for e in entries.values()
    ]  # fmt: skip
    details = [f"- **{code}** ({e.title}): {DETAILS[code]}" for code, e in entries.items()]
    fixed = [c for c, e in entries.items() if not e.overridable]
    return "\n".join(
        [
            INTRO.strip("\n").replace("{command}", REGENERATE),
            "",
            *(f"- `{name}`: {what}" for name, what in LAYERS.items()),
            "",
            "| code | severity | layer | what it checks | how to fix | source |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "## Each code in full",
            "",
            *details,
            "",
            OUTRO.strip("\n").format(fixed=", ".join(fixed)),
            "",
        ]
    )


def _source(entry) -> str:
    return readable(entry.source) or "ecmx's own check"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|") or "-"


INTRO = """
# Findings

<!-- Generated from the finding catalogue (core/checks/codes.py, code_details.py and the
     registered rules): do not edit by hand; run `{command}`. -->

Every problem ecmx finds is a finding: `{severity, code, plan, kind, file, sheet, row,
column, cell, value, message, hint, source}`. All findings are collected and reported
together, never just the first. `cell` is where a spreadsheet user looks: `members!F9`
in the dataset, `RTF!Q17` in a plan file. Member values (CINs, names) are never in a
message. A finding with severity `error` makes `convert` exit 1 and keeps the affected
plan's file from being written unless `--force` is given.

Each code below is declared once, with the stage (layer) that finds it. A finding's
hint may name the very cell or plan where the table says it in general, and its source
may name the plan's own page. The layers:
"""

OUTRO = """
## Summaries and plan overrides

The terminal summary and the reports' `by_rule` entries label each code by what it
checks (its title, e.g. L001 "required column blank"), not by the message of its
first finding. A finding's `source` names the plan page by its title.

A plan may switch a code off or change its severity in its YAML (every entry with a
source or `assumed: true`), except {fixed}:

```yaml
rules:
  B004: {{severity: error, source: "my-contract: exhibit C, exclusions need 5 attempts"}}
  L010: {{enabled: false, assumed: true, note: "the plan accepts extensions"}}
```

Structural problems are not findings but errors with exit code 2, all listed at once:
an unreadable file, a missing `members` or `enrollments` sheet, a missing required
column, an invalid `provider.yaml`, an output that exists already.
"""


def main() -> None:
    from ecmx.core.hooks.manager import make_plugin_manager

    _, registry = make_plugin_manager(entry_points=False)  # ecmx's own codes, no third party's
    sys.stdout.write(findings_doc(registry))


if __name__ == "__main__":
    main()
