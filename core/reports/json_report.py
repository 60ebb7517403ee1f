"""The .json findings report, for programs and CI (documented for users in docs/reports.md).

Schema::

    {
      "summary": {
        ...meta,            # e.g. command, plan, kind, file, period: as the caller gave them
        "errors": int, "warnings": int, "infos": int, "total": int,
        "by_rule": [        # one entry per (code, severity); errors first, then most frequent
          {"code", "severity", "count", "title", "message", "hint", "source"}
          # title: what the rule checks; message etc.: those of its first finding
        ]
      },
      "findings": [         # every finding, in the order found
        {"severity", "code", "message", "hint", "plan", "kind", "file", "sheet",
         "row", "column", "cell", "value", "source"}
      ]
    }
"""

from __future__ import annotations

import json
from pathlib import Path

from ecmx.core.checks.findings import Finding
from ecmx.core.reports.summary import summary


def write_json(tmp: Path, findings: list[Finding], meta: dict, show_values: bool) -> None:
    document = {
        "summary": summary(findings, meta),
        "findings": [f.as_dict(show_values=show_values) for f in findings],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    tmp.write_text(text + "\n", encoding="utf-8")
