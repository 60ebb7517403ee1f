"""File kinds: what an RTF, OTF or CSPRTF row means, independent of any plan's layout.

A kind declares its canonical fields (each with the rule that fills it, which
the docs and the per-plan tests show) and a ``build`` function that turns the
dataset into one canonical row per output row for a plan and period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # text, date, int, number, code, bool
    rule: str  # when and from what it is filled: shown in docs and `plans fields`
    codes: str | None = None  # default code list that translates it
    # Where a value comes from in the dataset, (table, column), so a problem
    # found while mapping it can point at the dataset cell to fix.
    origin: tuple[str, str] | None = None


@dataclass(frozen=True)
class FileKind:
    name: str
    title: str
    direction: str  # "to_plan" or "from_plan"
    fields: dict[str, FieldSpec]
    # build(context) -> (pandas.DataFrame of canonical fields, list of Finding about rows left off)
    build: Callable
    aliases: tuple[str, ...] = field(default=())
    # One row per member (a CIN twice is a problem); False for one row per attempt (OTF).
    one_row_per_member: bool = True
    # Made by ``convert --kind all`` (the month's files); False: only when asked for by name.
    in_all: bool = True
    # None: a period without rows still gets its file (header only: the plan expects it).
    # Otherwise no file is written and this says why (a referral file referring no one).
    when_empty: str | None = None
    # A provider.yaml key (plans.<plan>.<key>) that must be true for ``convert --kind all``
    # to make this file: only a Community Supports provider sends the CSPRTF. Asked for
    # by name (``--kind``), the file is made whatever the key says.
    provider_key: str | None = None


def fields(*specs: FieldSpec) -> dict[str, FieldSpec]:
    return {s.name: s for s in specs}
