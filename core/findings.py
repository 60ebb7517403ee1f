"""Findings: every problem is a record, never an exception, and all are collected.

A finding says what is wrong and where, as a spreadsheet user would look for it
(``cell`` like ``enrollments!F9``). ``value`` may hold member data (PHI): it is
kept for reports that ask for values and masked everywhere else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)

# Codes found by stages other than the rule registry (reading, mapping, building,
# cross-file checks). A plan's ``rules:`` may switch these off or re-grade them too.
STAGE_CODES = frozenset(
    "C001 C002 D101 D102 D103 D104 D105 D106 D201 D202 D203 D204 D205 F001 F003 F004 "
    "L003 L004 L005 L011 M001 N001 O001 R001 X001 X002".split()
)


@dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    message: str
    hint: str = ""
    plan: str = ""
    kind: str = ""
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    cell: str = ""
    value: str = ""
    source: str = ""
    # The provider's member_id the finding is about (internal: routes dataset
    # findings to the plan files they affect; never displayed).
    member_id: str = field(default="", compare=False, repr=False)

    def where(self) -> str:
        """A short location: ``file: sheet!B7 (column)`` or as much of it as is known."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.cell:
            parts.append(self.cell)
        elif self.sheet and self.row:
            parts.append(f"{self.sheet} row {self.row}")
        elif self.sheet:
            parts.append(self.sheet)
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def line(self, *, show_values: bool = False) -> str:
        """One line for a terminal: ``error E103 file, cell: message (hint)``."""
        text = f"{self.severity} {self.code}"
        where = self.where()
        if where:
            text += f" {where}"
        text += f": {self.message}"
        if show_values and self.value:
            text += f" [value: {self.value!r}]"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def as_dict(self, *, show_values: bool = False) -> dict:
        data = asdict(self)
        data.pop("member_id")
        if not show_values and data["value"]:
            data["value"] = mask(data["value"])
        return data


def mask(value: str) -> str:
    """Hide a value that may be PHI, keeping only its length class."""
    return "***" if value else ""


def has_errors(findings) -> bool:
    return any(f.severity == ERROR for f in findings)


def count_by_severity(findings) -> Counter:
    return Counter(f.severity for f in findings)


def column_letter(index: int) -> str:
    """0-based column index to a spreadsheet letter: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
