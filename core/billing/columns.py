"""Column helpers for billing: a Python function applied once per distinct value.

A month's claim lines repeat a few codes, modifiers, charges, dates and diagnosis
lists tens of thousands of times, so what must stay Python (cleaning text for X12,
splitting a diagnosis list) runs per distinct value and numpy spreads the results.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def objects(values, count: int = -1) -> np.ndarray:
    """A 1-d object array (``np.array`` would make a 2-d array of equal-length tuples)."""
    return np.fromiter(values, dtype=object, count=count)


def codes(values) -> np.ndarray:
    """An integer (from -1) per distinct value. factorize treats 1, 1.0 and True as one
    value, and None, NaN, NaT and pd.NA as one missing value: a column mixing types is
    keyed by type too, and each type of missing value gets its own code."""
    found, uniques = pd.factorize(values)
    if len({type(u) for u in uniques}) > 1:
        typed = objects(((type(v).__name__, v) for v in values), len(values))
        found, uniques = pd.factorize(typed)
    blank = np.flatnonzero(found == -1)
    if len(blank):
        kinds, _ = pd.factorize(objects(type(values[i]).__name__ for i in blank))
        found[blank] = len(uniques) + kinds
    return found


def row_codes(*keys: np.ndarray) -> np.ndarray:
    """An integer per distinct row of integer key columns (each >= -1), from 0 in the
    order rows first appear."""
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key in keys:
        width = int(key.max(initial=-1)) + 2
        if int(combined.max(initial=0)) >= (2**62) // width:  # would overflow: re-number
            combined = pd.factorize(combined)[0].astype(np.int64)
        combined = combined * width + key + 1
    return pd.factorize(combined)[0]


def firsts(row_code: np.ndarray) -> np.ndarray:
    """Where each code of ``row_codes`` first appears (codes are numbered in that order)."""
    if len(row_code) == 0:
        return np.zeros(0, dtype=np.int64)
    seen = np.maximum.accumulate(row_code)
    return np.flatnonzero(np.append(True, row_code[1:] > seen[:-1]))


def per_distinct(function: Callable, *columns) -> np.ndarray:
    """``function(*row)`` for every row of the columns (arrays or Series), called once
    per distinct row; rows share a result only when their values are equal and of one
    type (None and NaN never share one)."""
    columns = tuple(c.to_numpy() if isinstance(c, pd.Series) else c for c in columns)
    if len(columns[0]) == 0:
        return objects((), 0)
    inverse = row_codes(*(codes(c) for c in columns))
    done = objects(function(*(c[i] for c in columns)) for i in firsts(inverse))
    return done[inverse]


def mapped(series: pd.Series, function: Callable) -> pd.Series:
    """``series.map(function)`` with ``function`` called once per distinct value; the
    result typed as ``map`` types it (bools as bool, not object: ``~`` of an object True
    is -2)."""
    return pd.Series(per_distinct(function, series), index=series.index).infer_objects()
