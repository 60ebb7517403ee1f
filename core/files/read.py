"""Read a file in a plan's layout back into canonical fields: the reverse of mapping.

Real files are messy, so the reader is tolerant: the header row is found
wherever it is (the row that matches most of the layout's headers, compared
case- and space-insensitively), extra and reordered columns are fine, blank
rows are skipped, dates may be text, real dates or spreadsheet serial numbers,
and CINs lose stray spaces. A column the layout requires but the file lacks
is one clear error naming it (exit 2); a cell that cannot be read is a finding
at its cell (``MIF!C7``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from ecmx.core.checks.codes import F001, F003, F004, F010, L003, L004, L005, L011
from ecmx.core.checks.findings import Finding, column_letter
from ecmx.core.dataset import values as V
from ecmx.core.errors import InputError
from ecmx.core.files.read_pairs import repeated_or_serviceless
from ecmx.core.hints import did_you_mean, own_file_hint
from ecmx.core.plans.spec import ColumnSpec, FileSpec, Layout, PlanSpec
from ecmx.core.storage import limits
from ecmx.core.storage.gcpause import gc_paused
from ecmx.core.storage.sheets import RawSheet, columns_of, is_blank_row, read_table

# A cell that cannot be read as its column's type: not a date, not a number, not a code.
UNREADABLE_CODES = {"date": L003, "int": L004, "number": L004}
HEADER_SCAN_ROWS = limits.MAX_HEADER_ROW  # a header further down is not looked for
FILE_ROW = "_file_row"  # the 1-based row of the plan file each record came from
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass
class PlanFile:
    path: Path
    sheet: str
    header_row: int
    frame: pd.DataFrame  # one column per field the file holds, typed as the dataset types it
    columns: dict[str, int]  # layout header -> 0-based position in the file
    cells: pd.DataFrame  # the layout's columns as written (raw cell values), same rows
    findings: list[Finding] = field(default_factory=list)


def format_problem(path: Path, plan: PlanSpec, file: FileSpec) -> Finding | None:
    """F010 when the plan does not take a file with this extension (Health Net family: xlsx
    or xlsm only, seed 002): the plan refuses it whatever its cells hold."""
    extension = path.suffix.lower().lstrip(".")
    if extension in file.accepted_formats:
        return None
    fact = file.accepted_formats_fact
    source = fact.source_text if fact is not None else ""
    if fact is not None and fact.assumed:
        source = f"assumed: {fact.note or source}".rstrip(": ")
    accepted = " or ".join(file.accepted_formats)
    return F010.finding(
        f"{plan.name} takes the {file.kind.upper()} as {accepted} only: this file is "
        f"{'.' + extension if extension else 'without an extension'}",
        hint=f"save it as .{file.accepted_formats[0]}, or make it with ecmx convert",
        plan=plan.id,
        kind=file.kind,
        file=str(path),
        source=source,
    )


def normalise_header(text) -> str:
    value, _ = V.as_text(text)
    return re.sub(r"\s+", " ", value or "").strip().lower()


@gc_paused()
def read_plan_file(
    path: Path,
    plan: PlanSpec,
    file: FileSpec,
    layout: Layout,
    *,
    one_row_per_member: bool = True,
    sent_by_plan: bool = True,  # a MIF or TEL; False for the provider's own RTF or OTF
    readers=(),  # the registry's readers (ecmx_register_formats); the built-in ones when empty
) -> PlanFile:
    raw = read_table(Path(path), file.sheet, readers)
    header_index, positions = _find_header(raw, layout)
    header_cells = raw.rows[header_index]
    _require_columns(raw, header_index, positions, plan, file, layout)
    findings = _unknown_columns(raw, header_index, layout, plan, file)
    body = [
        (header_index + 2 + offset, row)
        for offset, row in enumerate(raw.rows[header_index + 1 :])
        if not is_blank_row(row)
    ]
    numbers = [number for number, _ in body]
    by_position = columns_of([row for _, row in body], len(header_cells))
    data: dict[str, list] = {}
    for column in layout.columns:
        position = positions.get(column.header)
        if position is None or column.field is None or column.field in data:
            continue
        data[column.field] = _convert_column(
            column, position, by_position[position], numbers, plan, file, raw, findings,
            sent_by_plan,
        )  # fmt: skip
    cells = pd.DataFrame(
        {header: pd.Series(by_position[p], dtype=object) for header, p in positions.items()}
    )
    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in data.items()})
    frame[FILE_ROW] = numbers
    frame = _type_columns(frame, layout)
    findings += _missing_or_repeated_cins(
        frame, plan, file, raw, layout, positions, one_row_per_member
    )
    return PlanFile(raw.file, raw.sheet, header_index + 1, frame, positions, cells, findings)


def _require_columns(raw: RawSheet, header_index, positions, plan, file, layout) -> None:
    """Every column the layout requires is in the header row, or one InputError names them."""
    missing = [c.header for c in layout.columns if c.required and c.header not in positions]
    if not missing:
        return
    present = [V.as_text(c)[0] for c in raw.rows[header_index] if V.as_text(c)[0]]
    problems = [
        f"{raw.file}: column {name!r} is missing from the header row (row {header_index + 1})"
        f"{did_you_mean(name, present)}; {plan.name}'s {file.kind} layout {layout.version} requires it"
        for name in missing
    ]
    raise InputError(problems[0], details=problems)


def _unknown_columns(raw: RawSheet, header_index, layout, plan, file) -> list[Finding]:
    """F001 at each header cell the layout does not know: the column is ignored."""
    known = {normalise_header(c.header) for c in layout.columns}
    return [
        F001.at_cell(
            f"column {text!r} is not in the {file.kind} layout: ignored",
            plan=plan.id,
            kind=file.kind,
            file=raw.file,
            sheet=raw.sheet,
            row=header_index + 1,
            column=text,
            letter=column_letter(position),
        )
        for position, cell in enumerate(raw.rows[header_index])
        if (text := V.as_text(cell)[0]) and normalise_header(text) not in known
    ]


def _missing_or_repeated_cins(
    frame, plan, file, raw, layout, positions, one_per_member
) -> list[Finding]:
    """A CIN twice in one file, or a row without one: the row cannot be matched to a member."""
    if "cin" not in frame:
        return []
    header = next(c.header for c in layout.columns if c.field == "cin")
    letter = column_letter(positions[header])
    where = {"plan": plan.id, "kind": file.kind, "file": raw.file, "sheet": raw.sheet}
    where |= {"column": header, "letter": letter}
    missing = [
        F004.at_cell("a row without a CIN cannot be matched to a member", row=row, **where)
        for row in frame.loc[frame["cin"].isna(), FILE_ROW]
    ]
    if "service" in frame and not one_per_member:  # a CSASF: one row per member and service
        return repeated_or_serviceless(frame, layout, positions, where) + missing
    repeated = frame["cin"].notna() & frame["cin"].duplicated(keep="first") & one_per_member
    return [
        F003.at_cell(
            "this CIN is on an earlier row of the file too: this row is ignored",
            row=row,
            value=str(cin),
            **where,
        )
        for row, cin in frame.loc[repeated, [FILE_ROW, "cin"]].itertuples(index=False)
    ] + missing


def _find_header(raw: RawSheet, layout: Layout) -> tuple[int, dict[str, int]]:
    wanted = {normalise_header(c.header): c.header for c in layout.columns}
    best_index = -1
    best: dict[str, int] = {}
    for index, row in enumerate(raw.rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for position, cell in enumerate(row):
            header = wanted.get(normalise_header(cell))
            if header and header not in found:
                found[header] = position
        if len(found) > len(best):
            best_index, best = index, found
    if not best:
        example = layout.columns[0].header
        raise InputError(
            f"{raw.file}: no header row found in the first {HEADER_SCAN_ROWS} rows of sheet "
            f"{raw.sheet!r} (expected headers like {example!r}); is this the right plan and --kind?"
        )
    return best_index, best


def _convert_column(
    column: ColumnSpec, position, values, numbers, plan, file, raw, findings, sent_by_plan=True
) -> list:
    """Convert a column, each distinct value once (codes, dates and flags repeat a lot)."""
    out, problems = V.convert_distinct(values, _converter(column, plan))
    letter = column_letter(position)
    for index, problem in problems:
        findings.append(
            _unreadable(
                column, plan, file, raw, letter, numbers[index], values[index], problem,
                sent_by_plan,
            )
        )  # fmt: skip
    return out


def _unreadable(column, plan, file, raw, letter, number, cell, problem, sent_by_plan) -> Finding:
    """L003, L004, L005 or L011 at a cell that cannot be read as its column's type."""
    code = L011 if V.excel_error(cell) else UNREADABLE_CODES.get(column.type, L005)
    where = f"{raw.sheet}!{letter}{number}"
    if sent_by_plan:
        hint = f"ask {plan.name} for a corrected file (the cell {where})"
    else:  # the provider's own RTF or OTF: the fix is in their data
        hint = own_file_hint(where, column.field)
    text, _ = V.as_text(cell)
    return code.at_cell(
        f"{column.header} is {problem}",
        hint=hint,
        source=f"{plan.name}'s {file.kind} layout {column.header!r}"
        + (f" and its {column.codes} code list" if column.codes else ""),
        plan=plan.id,
        kind=file.kind,
        file=raw.file,
        sheet=raw.sheet,
        row=number,
        column=column.header,
        letter=letter,
        value=text or "",
    )


def _converter(column: ColumnSpec, plan: PlanSpec):
    if column.field == "cin":
        return lambda raw: ((re.sub(r"\s+", "", V.as_text(raw)[0] or "").upper() or None), None)
    if column.type == "date":
        return as_plan_date
    if column.type in ("int", "number"):
        return V.as_int if column.type == "int" else V.as_number
    if column.codes and column.type in ("code", "codes", "bool"):
        lookup = reverse_codes(plan, column.codes)
        if column.type == "bool":
            return lambda raw: _bool(raw, lookup)
        if column.type == "codes":
            return lambda raw: _many(raw, lookup)
        return lambda raw: _one(raw, lookup, column)
    return V.as_text


def reverse_codes(plan: PlanSpec, codes: str) -> dict[str, str]:
    """Plan code or label (normalised) -> canonical key, in the plan's code list ``codes``;
    the first key wins for a shared code."""
    lookup: dict[str, str] = {}
    for key, entry in plan.codes[codes].values.items():
        for text in (entry["code"], entry.get("label")):
            normal = V.code_key(text)
            if normal is not None:
                lookup.setdefault(normal, key)
    return lookup


def _one(raw, lookup, column):
    normal = V.code_key(raw)
    if normal is None:
        return None, None
    if normal in lookup:
        return lookup[normal], None
    return None, f"not a code of the plan's {column.codes} list"


def _many(raw, lookup):
    text, _ = V.as_text(raw)
    if text is None:
        return None, None
    keys = [lookup.get(V.code_key(part)) for part in re.split(r"[;|]", text) if part.strip()]
    if None in keys:
        return None, "holds a value that is not in the plan's list"
    return ";".join(dict.fromkeys(keys)) or None, None


def _bool(raw, lookup):
    normal = V.code_key(raw)
    if normal is None:
        return None, None
    if normal in lookup:
        return lookup[normal] == "true", None
    return V.as_bool(raw)


def as_plan_date(raw) -> tuple[date | None, str | None]:
    """A date as plans write them; a bare number is a spreadsheet serial (1900 system)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if 1 <= raw < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(raw)), None
        return None, "a number that is not a spreadsheet date"
    text, _ = V.as_text(raw)
    if text and text.isdigit() and len(text) <= 5:
        return _EXCEL_EPOCH + timedelta(days=int(text)), None
    return V.as_date(raw)


def _type_columns(frame: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    types = {c.field: c.type for c in layout.columns if c.field}
    for name in frame.columns:
        kind = types.get(name)
        if kind == "date":
            frame[name] = pd.to_datetime(frame[name], errors="coerce")
        elif kind == "bool":
            frame[name] = frame[name].astype("boolean")
        elif kind in ("int", "number"):
            frame[name] = pd.to_numeric(frame[name], errors="coerce")
    return frame
