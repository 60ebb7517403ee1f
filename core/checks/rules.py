"""The validation engine: rules, the target they check, and per-plan overrides.

A rule is a vectorised check with a stable code, a severity, a hint and the
source it comes from. Rules come in layers:
- field rules look at the plan frame (the file as the plan sees it: headers,
  codes, text), column by column;
- business rules look at canonical fields (status, dates, counts), the same
  for a file ecmx is writing (``convert``) or one read back (``validate``);
- cross-file rules compare with another file (the plan's latest MIF);
- billing rules look at claim lines (``ecmx claims``: kind ``claims``).
Rules are registered through ``ecmx_register_rules`` like any plugin, and a
plan's YAML may switch one off or change its severity (``rules:``); overrides
apply to every finding by code, whatever produced it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from ecmx.core.checks.findings import Code, Finding
from ecmx.core.dataset.values import as_text

if TYPE_CHECKING:  # annotations only: the dataset reader imports the checks' codes
    from ecmx.core.dataset.read import Dataset
    from ecmx.core.plans.spec import ColumnSpec, Layout, PlanSpec

# Codes merged into another rule: a plan's ``rules:`` naming the old code is told the new one.
MERGED_CODES = {"B010": "O001"}


@dataclass(frozen=True)
class Hit:
    """Rows a rule flags: positions into the target's frames, and the column to point at."""

    positions: Sequence[int]
    message: str
    field: str | None = None  # a canonical field: the first layout column holding it
    header: str | None = None  # or the layout header itself
    hint: str | None = None  # instead of the rule's hint
    source: str | None = None  # instead of the rule's source (a plan's own fact)


# The member files a rule may check: what the provider sends (the referral file only on
# request), then what a plan sends (read back by ``validate`` and ``ingest``).
SENT_KINDS = ("rtf", "otf", "referral")
MEMBER_FILE_KINDS = (*SENT_KINDS, "mif", "mini_mif", "tel")


@dataclass(frozen=True)
class Rule(Code):
    """A code with a check: layer field, business, cross_file or billing (claim lines)."""

    check: Callable[[Target], Iterable[Hit]]
    kinds: tuple[str, ...] = ("rtf", "otf")


@dataclass
class Target:
    """One plan file to check: what the plan sees, what it means, and where each cell is."""

    plan: PlanSpec
    kind: str
    layout: Layout | None  # None for claim lines, whose headers are the dataset's columns
    frame: pd.DataFrame  # columns = layout headers present; values as written/read
    fields: pd.DataFrame  # canonical fields, same row order
    file_rows: Sequence[int]  # spreadsheet row of each position
    letters: dict[str, str]  # header -> column letter
    sheet: str
    file: str = ""
    production_date: date | None = None
    dataset: Dataset | None = None  # when there is one
    member_ids: Sequence[str] | None = None
    extra: dict = field(default_factory=dict)

    @property
    def columns(self) -> tuple[ColumnSpec, ...]:
        """The plan layout's columns; none for claim lines, which have no plan layout."""
        return () if self.layout is None else self.layout.columns

    def header_of(self, field_name: str) -> str | None:
        if self.layout is None:  # no plan layout: a field is the dataset column of its name
            return field_name if field_name in self.letters else None
        return next(
            (c.header for c in self.columns if c.field == field_name and c.header in self.letters),
            None,
        )


def run_rules(rules: Iterable[Rule], target: Target) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        if target.kind not in rule.kinds:
            continue
        for hit in rule.check(target):
            findings.extend(_findings(rule, hit, target))
    return findings


def _findings(rule: Rule, hit: Hit, target: Target) -> list[Finding]:
    header = hit.header or (target.header_of(hit.field) if hit.field else None)
    letter = target.letters.get(header, "") if header else ""
    column_values = target.frame.get(header) if header else None
    hint = hit.hint or rule.hint
    if target.extra.get("sent_by_plan"):  # a MIF or TEL: only the plan can correct it
        hint = f"ask {target.plan.name} for a corrected file"
    out = []
    for position in hit.positions:
        row = int(target.file_rows[position])
        value = "" if column_values is None else _text(column_values.iloc[position])
        out.append(
            Finding(
                rule.severity,
                rule.code,
                hit.message,
                hint=hint,
                plan=target.plan.id,
                kind=target.kind,
                file=target.file,
                sheet=target.sheet,
                row=row,
                column=header or "",
                cell=f"{target.sheet}!{letter}{row}" if letter else "",
                value=value,
                source=hit.source or rule.source,
                member_id=str(target.member_ids[position]) if target.member_ids is not None else "",
            )
        )
    return out


def _text(value) -> str:
    """A cell as text, as the reader sees it: 93721.0 is ``93721``, a date is ISO."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    text, _ = as_text(value)
    return text or ""


def apply_overrides(findings: list[Finding], plan) -> list[Finding]:
    """A plan's ``rules:`` section: ``CODE: {enabled: false}`` or ``{severity: warning}``."""
    overrides = plan.rules
    if not overrides:
        return findings
    out = []
    for finding in findings:
        setting = overrides.get(finding.code)
        if setting is None:
            out.append(finding)
        elif setting.enabled:
            out.append(replace(finding, severity=setting.severity or finding.severity))
    return out
