"""Map a canonical frame onto a plan's layout: plan headers, plan codes, plan order.

Column by column, never row by row: a field is copied, translated through the
plan's code list (blank -> the list's default), transformed, and placed under
the layout's header. A canonical value the plan has no code for is a finding
that points at the dataset cell to fix, and the output cell stays blank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecmx.core.checks.codes import M001
from ecmx.core.checks.findings import Finding
from ecmx.core.files.transforms import map_distinct
from ecmx.core.plans.spec import ColumnSpec

SOURCE_ROWS = {
    "members": "_member_row",
    "enrollments": "_episode_row",
    "outreach": "_outreach_row",
    "community_supports": "_cs_row",
}


def map_to_layout(
    canonical: pd.DataFrame, context, kind, transforms: dict
) -> tuple[pd.DataFrame, list[Finding]]:
    """The plan frame (columns = layout headers, same index as ``canonical``), and an M001
    finding for each value the plan has no code for."""
    out = {}
    findings: list[Finding] = []
    for column in context.layout.columns:
        series = _values(canonical, column)
        if column.codes:
            series = _translate(series, column, canonical, context, kind, findings)
        if column.transform:
            series = transforms[column.transform](series)
        out[column.header] = series
    return pd.DataFrame(out, index=canonical.index), findings


def _values(canonical: pd.DataFrame, column: ColumnSpec) -> pd.Series:
    if column.field is None:
        return pd.Series([column.value] * len(canonical), index=canonical.index, dtype=object)
    series = canonical[column.field]
    if column.default is not None and column.type not in ("code", "codes", "bool"):
        series = series.where(series.notna(), column.default)
    return series


def _translate(series, column: ColumnSpec, canonical, context, kind, findings) -> pd.Series:
    code_list = context.plan.codes[column.codes]
    mapping = code_list.mapping(column.output)
    if column.type == "bool":
        keys = _bool_keys(series)
    else:
        keys = series.astype(object).where(series.notna(), None)
    default = column.default
    if default is None and kind.direction == "to_plan":
        # A list's default fills blanks a plan would reject (acuity -> Low, seed 002);
        # a file the plan sends is written as the dataset has it.
        default = code_list.default
    if default is not None:
        keys = keys.where(keys.notna(), default)
    if column.type == "codes":
        return map_distinct(keys, lambda v: _translate_many(v, mapping))
    translated = keys.map(mapping)
    unknown = keys.notna() & translated.isna()
    if unknown.any():
        findings.extend(_unknown_codes(keys[unknown], column, canonical, context, kind))
    return translated.astype(object).where(translated.notna(), None)


def _bool_keys(series: pd.Series) -> pd.Series:
    """ "true"/"false" by truth, None for a blank: the code list's keys for a flag."""
    keys = pd.Series(np.where(series.fillna(False).astype(bool), "true", "false"), dtype=object)
    keys = keys.set_axis(series.index)
    return keys.where(series.notna(), None)


def _translate_many(value, mapping):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    codes = [mapping.get(key) for key in str(value).split(";") if key]
    return ";".join(c for c in codes if c) or None


def _unknown_codes(keys: pd.Series, column: ColumnSpec, canonical, context, kind) -> list[Finding]:
    field_spec = kind.fields.get(column.field)
    origin = field_spec.origin if field_spec else None
    dataset = context.dataset
    findings = []
    for index, key in keys.items():
        row = None
        cell = ""
        if origin and SOURCE_ROWS.get(origin[0]) in canonical:
            row = int(canonical.at[index, SOURCE_ROWS[origin[0]]])
            cell = dataset.cell(origin[0], origin[1], row)
        findings.append(
            M001.finding(
                f"{column.header}: {context.plan.name} has no code for {key!r} "
                f"in its {column.codes} list",
                hint=f"use one of {', '.join(context.plan.codes[column.codes].values)} or add "
                f"{key!r} to codes.{column.codes} in the plan config",
                plan=context.plan.id,
                kind=context.kind,
                file=str(dataset.source),
                sheet=dataset.sheets.get(origin[0], origin[0]) if origin else "",
                row=row,
                column=origin[1] if origin else "",
                cell=cell,
                member_id=str(canonical.at[index, "_member_id"])
                if "_member_id" in canonical
                else "",
            )
        )
    return findings
