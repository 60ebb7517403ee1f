"""Check a mapped plan frame against its layout: required cells and lengths.

Vectorised per column. Findings name the output cell (``RTF!Q17``) the plan
would reject, and the dataset row it came from when known.
"""

from __future__ import annotations

import pandas as pd

from ecmx.core.findings import ERROR, Finding, column_letter


def check_layout(frame: pd.DataFrame, canonical: pd.DataFrame, context) -> list[Finding]:
    findings: list[Finding] = []
    sheet = context.file.sheet
    first_data_row = context.file.header_row + 1
    member_ids = canonical.get("_member_id")
    for position, column in enumerate(context.layout.columns):
        series = frame[column.header]
        blank = series.isna() | (series.astype(str).str.strip() == "")
        letter = column_letter(position)
        if column.required:
            for offset in _positions(blank):
                findings.append(
                    _finding(
                        context,
                        "L001",
                        f"{column.header} is required but blank",
                        _hint_for(column),
                        sheet,
                        letter,
                        first_data_row + offset,
                        column.header,
                        member_ids,
                        offset,
                    )
                )
        if column.max_length:
            too_long = ~blank & (series.astype(str).str.len() > column.max_length)
            for offset in _positions(too_long):
                findings.append(
                    _finding(
                        context,
                        "L002",
                        f"{column.header} is longer than {column.max_length} characters",
                        "shorten the value in the dataset",
                        sheet,
                        letter,
                        first_data_row + offset,
                        column.header,
                        member_ids,
                        offset,
                        value=str(series.iloc[offset]),
                    )
                )
    return findings


def _positions(mask: pd.Series) -> list[int]:
    return [i for i, hit in enumerate(mask.to_numpy()) if hit]


def _hint_for(column) -> str:
    if column.field:
        return f"fill the dataset field behind {column.field} (see: ecmx plans fields)"
    return "set value: for this column in the plan config"


def _finding(
    context, code, message, hint, sheet, letter, row, header, member_ids, offset, value=""
):
    return Finding(
        ERROR,
        code,
        message,
        hint=hint,
        plan=context.plan.id,
        kind=context.kind,
        sheet=sheet,
        row=row,
        column=header,
        cell=f"{sheet}!{letter}{row}",
        value=value,
        member_id=str(member_ids.iloc[offset]) if member_ids is not None else "",
    )
