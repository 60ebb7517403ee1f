"""Findings: every problem is a record, never an exception, and all are collected.

A finding says what is wrong and where, as a spreadsheet user would look for it
(``cell`` like ``enrollments!F9``). ``value`` may hold member data (PHI): it is
kept for reports that ask for values and masked everywhere else.

A finding is built from its ``Code`` (declared once: core/checks/codes.py for the
stages, ``Rule`` objects for the rules), which gives it severity, hint and source
(its title is looked up by code: core/checks/catalogue.py); ``Code.at_cell`` and
``Code.in_dataset`` locate it at a cell.
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
        for name in ("value", "member_id"):
            cell = getattr(self, name)
            if not isinstance(cell, str):
                missing = pd.api.types.is_scalar(cell) and pd.isna(cell)
                object.__setattr__(self, name, "" if missing else str(cell))

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


@dataclass(frozen=True)
class Code:
    """A finding code, declared once: what it checks, how bad, what to do, on whose word.

    ``layer`` is the stage that finds it (docs/findings.md lists them). ``hint`` and
    ``source`` are what a finding says unless its site knows better (the cell to correct,
    the plan's own page). ``overridable`` is False for a code whose findings never pass
    a plan's ``rules:`` overrides, so a plan may not name it there.
    """

    code: str
    severity: str
    layer: str
    title: str
    hint: str
    source: str
    overridable: bool = field(default=True, kw_only=True)  # kw_only: a Rule adds fields

    def finding(
        self,
        message: str,
        *,
        severity: str | None = None,
        hint: str | None = None,
        source: str | None = None,
        **where,
    ) -> Finding:
        """A finding of this code; severity, hint and source are the catalogue's unless given."""
        return Finding(
            severity or self.severity,
            self.code,
            message,
            hint=self.hint if hint is None else hint,
            source=self.source if source is None else source,
            **where,
        )

    def at_cell(self, message: str, *, file, sheet: str, row, column: str, letter: str, **detail):
        """A finding at a cell of a sheet as read: a dataset table or a plan file."""
        row = int(row)
        cell = f"{sheet}!{letter}{row}"
        return self.finding(
            message, file=str(file), sheet=sheet, row=row, column=column, cell=cell, **detail
        )

    def in_dataset(self, dataset, table: str, column: str, row, message: str, **detail):
        """A finding at a value of a read dataset: its file, sheet and cell (``Dataset.place``);
        ``detail`` adds to them, or overrides them (a check naming the whole dataset's file)."""
        return self.finding(message, **{**dataset.place(table, column, int(row)), **detail})


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
