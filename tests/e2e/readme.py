"""The README's walkthroughs as a test runs them: a section's commands and the ledger they leave."""

from __future__ import annotations

import re
import shlex
import sqlite3
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
README_PERIOD = "2025-11"  # the period the README's commands name


def commands(heading: str) -> list[list[str]]:
    """The ecmx commands of the README section starting with ``### heading``, in order
    (comments cut); the section ends at the next heading of level 2 or 3."""
    section = README.read_text(encoding="utf-8").split(f"### {heading}")[1]
    section = section.split("\n## ")[0].split("\n### ")[0]
    return [
        shlex.split(line.split("  #")[0])
        for block in re.findall(r"```sh\n(.*?)```", section, re.S)
        for line in block.splitlines()
        if line.startswith("ecmx ")
    ]


def ledger(sql: str) -> list[dict]:
    """Rows of the workspace ledger in the current folder."""
    conn = sqlite3.connect(Path(".ecmx") / "ledger.sqlite3")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql)]
    finally:
        conn.close()
