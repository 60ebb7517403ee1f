"""A plan frame's columns as the values a writer stores, worked out column by column.

Every writer (xlsx, xlsm, CSV, a plan's template) stores the same values: text as
``str``, dates as ``datetime``, ``int`` columns as ``int``, ``number`` columns as
``float``, and None where the cell stays blank (None, NaN, NaT, empty text). Each column
is factorized and each distinct value converted once, then spread back by numpy: a
plan file repeats the same codes, names and dates thousands of times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from ecmx.core.plans.spec import Layout


@dataclass(frozen=True)
class CellColumn:
    """One column's cells: ``kind`` is text, date, int or number.

    ``lookup`` holds each distinct value once, converted, and None last: ``codes`` picks
    a cell's value from it (-1, a blank cell, picks the None)."""

    kind: str
    codes: np.ndarray
    lookup: np.ndarray  # dtype object

    @property
    def values(self) -> np.ndarray:
        """Every cell's value, None where the cell stays blank."""
        return self.lookup[self.codes]

    @property
    def distinct(self) -> list:
        """The distinct values of the non-blank cells."""
        return [value for value in self.lookup if value is not None]

    def mapped(self, convert, blank) -> np.ndarray:
        """Every cell as ``convert(value)``, or ``blank``: each distinct value converted once."""
        return _objects([blank if v is None else convert(v) for v in self.lookup])[self.codes]


def cell_columns(frame: pd.DataFrame, layout: Layout) -> list[CellColumn]:
    columns = []
    for column in layout.columns:
        series = frame[column.header]
        if column.type == "date":
            # each distinct value on its own, not pd.to_datetime over the column, which can
            # cast to nanoseconds, ending in 2262 (an open end date is 9999-12-31)
            values = series.to_numpy(dtype=object)
            columns.append(_spread("date", *pd.factorize(values), _to_datetime))
        elif column.type in ("int", "number"):
            convert = int if column.type == "int" else float
            columns.append(_spread(column.type, *pd.factorize(series), convert))
        else:
            columns.append(_text(series))
    return columns


def _to_datetime(value) -> datetime | None:
    """A date cell's value as a ``datetime`` (a date at midnight; a Timestamp as is), or
    None for a blank: empty text or what pandas reads as no time (NaT)."""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    stamp = pd.Timestamp(value)  # numpy datetime64 or text, as pandas reads it
    return None if pd.isna(stamp) else stamp.to_pydatetime()


def _spread(kind: str, codes: np.ndarray, uniques, convert) -> CellColumn:
    """Convert each distinct value once; code -1 (None, NaN, NaT) picks the None at the end.

    factorize merges values that compare equal (1, 1.0, True): harmless here, as int() and
    float() give them one result, and a date, a datetime and a Timestamp of the same moment
    give one datetime."""
    return CellColumn(kind, codes, _objects([*map(convert, uniques), None]))


def _text(series: pd.Series) -> CellColumn:
    values = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        # numbers or dates in a text column: str() of each cell, as 1 and 1.0 must not merge
        blank = pd.isna(values)
        values = _objects([None if b else str(v) for b, v in zip(blank, values, strict=True)])
    codes, uniques = pd.factorize(values)
    # empty text is a blank cell
    return CellColumn("text", codes, _objects([*(value or None for value in uniques), None]))


def _objects(items: list) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array
