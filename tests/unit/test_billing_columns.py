"""billing/columns.py: a function run once per distinct value gives what running it on
every value gives (claims and the 837P rely on it to stay byte for byte the same)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ecmx.core.billing.columns import firsts, mapped, objects, per_distinct, row_codes

# values a claim column can hold, mixed on purpose: 1, 1.0 and True are equal in Python,
# None, NaN, NaT and pd.NA are all "missing" to pandas, yet each renders differently
VALUES = st.one_of(
    st.sampled_from([None, math.nan, pd.NaT, pd.NA, 1, 1.0, True, 0, False, "", "a", "A"]),
    st.text(max_size=3),
    st.integers(-3, 3),
    st.tuples(st.sampled_from(["U1", "GQ"])),
    st.dates(date(2025, 1, 1), date(2025, 1, 3)),
)


@given(st.lists(VALUES, max_size=30), st.lists(VALUES, max_size=30))
def test_per_distinct_is_the_function_on_every_row(left, right):
    right = (right * (len(left) // max(len(right), 1) + 1))[: len(left)] if right else left
    a, b = objects(left, len(left)), objects(right, len(right))
    got = per_distinct(lambda x, y: repr((type(x), x, type(y), y)), a, b)
    assert got.tolist() == [
        repr((type(x), x, type(y), y)) for x, y in zip(left, right, strict=True)
    ]


def test_per_distinct_keeps_tuples_whole_and_takes_series():
    column = pd.Series([("U1", "GQ"), ("U1",), ("U1", "GQ")], index=[5, 6, 7])
    assert per_distinct(len, column).tolist() == [2, 1, 2]
    assert per_distinct(len, column[:0]).tolist() == []


def test_row_codes_number_rows_in_order_of_first_appearance():
    codes = row_codes(np.array([3, 3, -1, 3, 0]), np.array([1, 2, 1, 1, -1]))
    assert codes.tolist() == [0, 1, 2, 0, 3]
    assert firsts(codes).tolist() == [0, 1, 2, 4]


def test_mapped_types_bools_as_map_does():
    charge = pd.Series([1.0, math.inf, math.nan])
    check = mapped(charge, math.isfinite)
    assert check.dtype == charge.map(math.isfinite).dtype == bool
    assert (~check).tolist() == [False, True, True]
