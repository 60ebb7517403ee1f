"""A plan's layout held against the plan's template (``ecmx plans compare``), column by column.

Each layout column is matched to a template header: the same header first (spaces and
case aside), then, among the columns left, by name similarity (greedy, best first, at
least ``NAME_MATCH``), then by position (the same number of columns left on both sides
between two matched columns: paired in order). A column left in the layout is missing
from the template; a header left in the template is extra. Matched columns are then
compared: header, order (the fewest moves: those off the longest run in order), the
validation list against the column's code list, and the number format against its type.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from ecmx.core.plans.spec import ColumnSpec, Layout, PlanSpec
from ecmx.core.plans.template_read import Template, TemplateColumn, normalise

NAME_MATCH = 0.6
# guess(header) -> (the canonical field it names, how it was found), or (None, "")
Guess = Callable[[str], tuple[str | None, str]]
TYPO_MATCH = 0.85  # a header spelt almost alike: a typo or a plural


@dataclass(frozen=True)
class ColumnCompare:
    """One layout column and its template header (or an extra template header)."""

    column: ColumnSpec | None  # None: a header only the template has
    template: TemplateColumn | None  # None: missing from the template
    how: str = ""  # how the two were matched
    moved: bool = False  # the template has it elsewhere among the matched columns
    after: str = ""  # moved: the template header it follows ("" : first)
    codes_missing: tuple[str, ...] = ()  # the column's codes the template's list lacks
    codes_extra: tuple[str, ...] = ()  # the template list's values the code list lacks
    format_problem: str = ""  # the number format disagrees with the column's type
    notes: str = ""  # said, but no difference (a list ecmx could not read, ...)
    field: str | None = None  # extra: the canonical field its header names, if one fits
    field_how: str = ""

    @property
    def key(self) -> str:
        return (self.column.key or "") if self.column else ""

    @property
    def tpl(self) -> TemplateColumn:
        """The template's header, of a row that has one (matched or extra)."""
        if self.template is None:
            raise ValueError(f"column {self.key!r} is not in the template")
        return self.template

    @property
    def spec(self) -> ColumnSpec:
        """The layout's column, of a row that has one (matched or missing)."""
        if self.column is None:
            raise ValueError(f"{self.tpl.header!r} is not in the layout")
        return self.column

    @property
    def status(self) -> str:
        if self.column is None:
            return "extra"
        if self.template is None:
            return "missing"
        return "same" if self.template.header == self.column.header else "renamed"

    @property
    def differences(self) -> list[str]:
        found = [] if self.status == "same" else [self.status]
        found += ["order"] if self.moved else []
        found += ["codes"] if self.codes_missing or self.codes_extra else []
        return found + (["format"] if self.format_problem else [])


@dataclass(frozen=True)
class Comparison:
    plan: PlanSpec
    kind: str
    layout: Layout
    template: Template
    columns: tuple[ColumnCompare, ...]  # in layout order, each extra after its left neighbour

    @property
    def clean(self) -> bool:
        return not any(c.differences for c in self.columns)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for column in self.columns:
            for difference in column.differences:
                counts[difference] = counts.get(difference, 0) + 1
        return counts


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", normalise(text)))


def rarity(headers: list[str]) -> dict[str, float]:
    """Each word's weight: rare words (``cin``) tell more than common ones (``member``)."""
    counts: dict[str, int] = {}
    for header in headers:
        for word in words(header):
            counts[word] = counts.get(word, 0) + 1
    return {word: math.log(1 + len(headers) / n) for word, n in counts.items()}


def similarity(a: str, b: str, weights: dict[str, float] | None = None) -> float:
    """How alike two headers are, 0 to 1: the shared words, weighted by rarity (the mean
    of their share of both and of the shorter header), or a near-identical spelling."""
    weights = weights or {}
    wa, wb = words(a), words(b)

    def weight(ws: set[str]) -> float:
        return sum(weights.get(w, 1.0) for w in ws)

    shared = weight(wa & wb)
    score = 0.0
    if wa and wb:
        score = (2 * shared / (weight(wa) + weight(wb)) + shared / min(weight(wa), weight(wb))) / 2
    spelling = SequenceMatcher(None, normalise(a), normalise(b)).ratio()
    return max(score, spelling if spelling >= TYPO_MATCH else 0.0)


def match_columns(
    layout: list[ColumnSpec], template: list[TemplateColumn]
) -> dict[int, tuple[int, str]]:
    """Layout index -> (template index, how it was matched)."""
    pairs: dict[int, tuple[int, str]] = {}
    used: set[int] = set()
    for li, column in enumerate(layout):
        for ti, header in enumerate(template):
            if ti not in used and normalise(header.header) == normalise(column.header):
                same = header.header == column.header
                pairs[li] = (ti, "same header" if same else "same header but for case or spaces")
                used.add(ti)
                break
    weights = rarity([c.header for c in layout] + [t.header for t in template])
    scored = sorted(
        (
            (similarity(column.header, header.header, weights), li, ti)
            for li, column in enumerate(layout)
            if li not in pairs
            for ti, header in enumerate(template)
            if ti not in used
        ),
        reverse=True,
    )
    for score, li, ti in scored:
        if score >= NAME_MATCH and li not in pairs and ti not in used:
            pairs[li] = (ti, f"by name (similarity {score:.2f})")
            used.add(ti)
    _match_by_position(layout, template, pairs, used, weights)
    return pairs


def _match_by_position(
    layout: list[ColumnSpec],
    template: list[TemplateColumn],
    pairs: dict[int, tuple[int, str]],
    used: set[int],
    weights: dict[str, float],
) -> None:
    """In each gap between two matched columns (in order on both sides), as many columns
    left in the layout as in the template: paired in order."""
    anchors = [(-1, -1), *sorted((li, ti) for li, (ti, _) in pairs.items())]
    anchors.append((len(layout), len(template)))
    for (l1, t1), (l2, t2) in itertools.pairwise(anchors):
        if t2 <= t1:
            continue
        left = [li for li in range(l1 + 1, l2) if li not in pairs]
        right = [ti for ti in range(t1 + 1, t2) if ti not in used]
        if left and len(left) == len(right):
            for li, ti in zip(left, right, strict=True):
                score = similarity(layout[li].header, template[ti].header, weights)
                between = _between(template, t1, t2)
                little = "; the names share little: check it" if score < 0.3 else ""
                pairs[li] = (ti, f"by position ({between}){little}")
                used.add(ti)


def _between(template: list[TemplateColumn], t1: int, t2: int) -> str:
    if t1 < 0 and t2 >= len(template):
        return "the only column left"
    if t1 < 0:
        return f"before {template[t2].header!r}"
    if t2 >= len(template):
        return f"after {template[t1].header!r}"
    return f"between {template[t1].header!r} and {template[t2].header!r}"


def in_order(positions: list[int]) -> set[int]:
    """Indexes of the longest increasing run of ``positions``: the columns not moved."""
    best: list[list[int]] = []
    for index, position in enumerate(positions):
        chains = [c for c in best if positions[c[-1]] < position]
        longest = max(chains, key=_length) if chains else []
        best.append([*longest, index])
    run: list[int] = max(best, key=_length) if best else []
    return set(run)


def _length(chain: list[int]) -> int:
    return len(chain)


def codes_of(plan: PlanSpec, column: ColumnSpec) -> tuple[str, ...] | None:
    """The values the column may hold (codes or labels), in the code list's order."""
    if not column.codes or column.codes not in plan.codes:
        return None
    values = plan.codes[column.codes].mapping(column.output).values()
    return tuple(dict.fromkeys(str(v) for v in values))


def format_problem(column: ColumnSpec, header: TemplateColumn) -> str:
    kind, shown = header.format_kind, f"{header.format_kind} ({header.number_format})"
    if kind in ("general", "none"):
        return ""
    if column.type == "date" and kind != "date":
        return f"a date column, formatted as {shown} in the template"
    if column.type != "date" and kind == "date":
        return f"a {column.type} column, formatted as a date ({header.number_format})"
    if column.type in ("int", "number") and kind == "text":
        return f"a {column.type} column, formatted as text (@)"
    if column.type == "text" and kind == "number":
        return f"a text column, formatted as a number ({header.number_format}): leading zeros go"
    return ""


def compare(
    plan: PlanSpec, kind: str, layout: Layout, template: Template, guess: Guess
) -> Comparison:
    """``guess(header) -> (field, how)``: the canonical field an extra header names."""
    columns, headers = list(layout.columns), list(template.columns)
    pairs = match_columns(columns, headers)
    order = sorted(pairs)
    kept = in_order([pairs[li][0] for li in order])
    moved = {li for n, li in enumerate(order) if n not in kept}
    rows: list[ColumnCompare] = []
    for li, column in enumerate(columns):
        if li not in pairs:
            rows.append(ColumnCompare(column, None))
            continue
        ti, how = pairs[li]
        rows.append(_matched(plan, column, headers, ti, how, li in moved))
    matched = {ti for ti, _ in pairs.values()}
    for ti in sorted(set(range(len(headers))) - matched):
        field, field_how = guess(headers[ti].header)
        extra = ColumnCompare(None, headers[ti], field=field, field_how=field_how)
        rows.insert(_place(rows, headers, ti), extra)
    return Comparison(plan, kind, layout, template, tuple(rows))


def _matched(
    plan: PlanSpec,
    column: ColumnSpec,
    headers: list[TemplateColumn],
    ti: int,
    how: str,
    moved: bool,
) -> ColumnCompare:
    header = headers[ti]
    after = ""
    if moved:
        after = f"after {headers[ti - 1].header!r}" if ti else "first"
    codes = codes_of(plan, column)
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    notes = header.choices_problem
    if codes is not None and header.choices is not None:
        missing = tuple(c for c in codes if c not in header.choices)
        extra = tuple(c for c in header.choices if c not in codes)
    elif header.choices is not None:
        notes = f"the template lists {', '.join(header.choices)}; the layout has no code list"
    return ColumnCompare(
        column, header, how, moved, after, missing, extra, format_problem(column, header), notes
    )


def _place(rows: list[ColumnCompare], headers: list[TemplateColumn], ti: int) -> int:
    """Where an extra header goes in the report: after the row of its left neighbour."""
    for left in range(ti - 1, -1, -1):
        for index, row in enumerate(rows):
            if row.template is headers[left]:
                return index + 1
    return 0


def field_guesser(plans: Iterable[PlanSpec], kind: str, fields: Iterable[str]) -> Guess:
    """``guess(header) -> (field, how)`` for an extra template header: the field of a column
    with that header in any plan's layout of ``kind``, else the field whose name's words
    are all in the header (the longest such name); ``(None, "")`` when none fits."""
    names = list(fields)
    known: dict[str, tuple[str, str]] = {}
    for plan in plans:
        for layout in plan.files[kind].versions if kind in plan.files else ():
            for column in layout.columns:
                if column.field and column.value is None:
                    known.setdefault(normalise(column.header), (column.field, plan.id))

    def guess(header: str) -> tuple[str | None, str]:
        found = known.get(normalise(header))
        if found:
            return found[0], f"the header of {found[0]} in {found[1]}'s {kind} layout"
        said = words(header)
        named = [f for f in names if set(f.split("_")) <= said]
        if named:
            best = max(named, key=lambda f: len(f.split("_")))
            return best, f"the header names the field {best}"
        return None, ""

    return guess


def detail(row: ColumnCompare) -> str:
    """What a person reads of one row: how it matched, and each difference."""
    parts = []
    if row.status == "missing":
        parts.append("not in the template")
    elif row.status == "extra":
        fits = f"; field {row.field} fits ({row.field_how})" if row.field else "; no field fits"
        parts.append(f"not in the layout{fits}")
    elif row.status == "renamed":
        parts.append(f"the layout has {row.column.header!r}; matched {row.how}")  # type: ignore[union-attr]
    if row.moved:
        parts.append(f"order differs: the template has it {row.after}")
    if row.codes_missing:
        parts.append(f"the template's list lacks {', '.join(row.codes_missing)}")
    if row.codes_extra:
        parts.append(f"the template's list adds {', '.join(row.codes_extra)}")
    if row.format_problem:
        parts.append(row.format_problem)
    if row.notes:
        parts.append(row.notes)
    return "; ".join(parts)
