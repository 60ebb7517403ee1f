"""Findings: every problem is a record, never an exception, and all are collected.

A finding says what is wrong and where, as a spreadsheet user would look for it
(``cell`` like ``enrollments!F9``). ``value`` may hold member data (PHI): it is
kept for reports that ask for values and masked everywhere else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

import pandas as pd

from ecmx.core.plans.provenance import readable

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)

# Codes found by stages other than the rule registry (reading, mapping, building,
# cross-file checks). A plan's ``rules:`` may switch these off or re-grade them too.
STAGE_CODES = frozenset(
    "C001 C002 D101 D102 D103 D104 D105 D106 D107 D201 D202 D203 D204 D205 F001 F003 F004 F010 "
    "L003 L004 L005 L011 M001 N001 R001 X001 X002".split()
)

# What each rule checks, in a few words: a summary labels a rule by it, never by the
# message of its first instance. Every ``Rule`` adds its own title (``register_title``).
_TITLES = {
    "C001": "file past its due date",
    "C002": "correction window closed",
    "D001": "dataset table missing",
    "D002": "unknown dataset column",
    "D101": "required dataset cell blank",
    "D102": "not a date",
    "D103": "not a yes/no value",
    "D104": "not a number",
    "D105": "unknown code value",
    "D106": "identifier stored as a number",
    "D107": "Excel error cell",
    "D201": "member listed twice",
    "D202": "CIN of the wrong shape",
    "D203": "CIN ending in an unused letter",
    "D204": "row for an unknown member",
    "D205": "member of an unknown plan",
    "F001": "column not in the layout",
    "F003": "CIN on several rows",
    "F004": "row without a CIN",
    "L003": "not a date",
    "L004": "not a number",
    "L005": "not a code of the plan",
    "L011": "Excel error cell",
    "M001": "no plan code for a dataset value",
    "N001": "file prefix missing",
    "O001": "outreach attempt for an enrolled member",
    "R001": "member left off the RTF",
    "X001": "MIF member missing from the RTF",
    "X002": "enrolled member not on the MIF",
}


def register_title(code: str, title: str) -> None:
    _TITLES[code] = title


def rule_title(code: str) -> str:
    """What the rule ``code`` checks, or '' for a code ecmx does not know."""
    if code not in _TITLES:
        import ecmx.core.checks.business
        import ecmx.core.checks.claim_rules
        import ecmx.core.checks.field  # noqa: F401 - their rules register their titles
    return _TITLES.get(code, "")


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

    def __post_init__(self) -> None:
        # A user reads a source's title, never an id or a file number ('seed 002 FAQ ...').
        if self.source:
            object.__setattr__(self, "source", readable(self.source))
        # A cell handed over as read (None, NaN, pd.NA, a number) is text here: a missing
        # value is "" (NaN is truthy, and would print as 'nan' and be masked as PHI).
        if not isinstance(self.value, str):
            missing = pd.api.types.is_scalar(self.value) and pd.isna(self.value)
            object.__setattr__(self, "value", "" if missing else str(self.value))

    def where(self) -> str:
        """A short location: ``file: sheet!B7 (column)`` or as much of it as is known."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.cell:
            parts.append(self.cell)
        elif self.sheet and self.row is not None:
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
        if show_values and self.value != "":
            text += f" [value: {self.value!r}]"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def as_dict(self, *, show_values: bool = False) -> dict:
        data = asdict(self)
        data.pop("member_id")
        if not show_values and data["value"] != "":
            data["value"] = mask(data["value"])
        return data


def mask(value: str) -> str:
    """Hide a value that may be PHI, keeping only its length class."""
    return "" if value == "" else "***"


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
