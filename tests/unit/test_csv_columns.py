"""A dataset CSV read in columns by pandas' C parser says what the csv module says.

The only difference allowed: a cell missing from a short row or a blank line is ""
where the row reader pads with None; every converter reads both as blank.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecmx.core.dataset import csv_columns
from ecmx.core.dataset import read as dataset_read
from ecmx.core.dataset.csv_columns import read_csv_table, unescaped_rows
from ecmx.core.dataset.read import _body, read_dataset
from ecmx.core.storage.sheets import columns_of, parse_csv

# The characters that make CSV hard: separators, quotes, line ends, blanks, the
# apostrophe ecmx escapes formula-like text with, and text that looks like a number.
_CELL = st.text(alphabet="ab0 ,\"'\r\n\t=-+@#.;é", max_size=6)


def _by_rows(path: Path, text: str):
    raw = unescaped_rows(parse_csv(path, text))
    body, numbers = _body(raw)
    width = len(raw.rows[0]) if raw.rows else 0
    return raw.rows[0] if raw.rows else [], columns_of(body, width), numbers


def _assert_same(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="")
    raw, columns = read_csv_table(path)
    if columns is None:  # pandas refused it: the csv module read it, as before
        return
    header, by_rows, numbers = _by_rows(path, text)
    by_columns, column_numbers = columns.body()
    assert raw.rows == [header]
    assert column_numbers == numbers
    assert len(by_columns) == len(by_rows)
    for mine, theirs in zip(by_columns, by_rows, strict=True):
        assert [
            c if c != "" or t is not None else None for c, t in zip(mine, theirs, strict=True)
        ] == list(theirs)
        assert all(type(c) is str for c in mine)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_CELL, min_size=0, max_size=4), min_size=1, max_size=8))
def test_rows_written_by_the_csv_module_read_back_the_same(tmp_path, rows):
    import csv
    import io

    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    _assert_same(tmp_path / "t.csv", out.getvalue())


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet="ab1 ,\"'\r\n=", max_size=40))
def test_any_text_reads_the_same_or_falls_back(tmp_path, text):
    _assert_same(tmp_path / "t.csv", text)


def test_a_dataset_reads_the_same_both_ways(tmp_path, monkeypatch, provider_yaml):
    """Blank and whitespace lines, short rows, escaped formula text, a quoted line end,
    leading zeros, a bad date: the same tables and findings as the csv module gives."""
    folder = tmp_path / "ds"
    folder.mkdir()
    provider_yaml(folder)
    (folder / "members.csv").write_text(
        "member_id,cin,first_name,last_name,dob,plan,zip\r\n"
        "M1,91234567A,Ana,'=Lee,1980-01-02,healthnet,02134\r\n"
        "\r\n"
        "   ,  \r\n"
        'M2,91234568B,"Bo\r\nB",Ng,not a date,calviva\r\n'
        "M3,,Cy,''+x,1990-05-06,healthnet,00501,\r\n",
        encoding="utf-8",
        newline="",
    )
    (folder / "enrollments.csv").write_text(
        "member_id,status,enrollment_start\nM1,enrolled,2025-01-01\nM2,enrolled\n\n",
        encoding="utf-8",
    )
    fast = read_dataset(folder)
    monkeypatch.setattr(csv_columns, "read_csv_columns", lambda path, text: None)
    slow = read_dataset(folder)
    assert fast.findings == slow.findings and fast.findings
    for name, frame in slow.tables.items():
        pd.testing.assert_frame_equal(fast.tables[name], frame, check_exact=True)
    assert fast.members["zip"].tolist()[0] == "02134"
    assert dataset_read.file_of(fast, "members").endswith("members.csv")
