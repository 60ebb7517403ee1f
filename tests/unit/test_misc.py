"""Periods, atomic writes, plan-file writers, transforms and finding display."""

from __future__ import annotations

import csv
import datetime as dt
import os

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecmx.core.calendar.periods import Period
from ecmx.core.checks.findings import Finding, column_letter
from ecmx.core.errors import EcmxError, OutputError
from ecmx.core.files.transforms import digits_only, strip_dashes, zip5
from ecmx.core.files.write import escape_text, excel_to_strftime, write_plan_file
from ecmx.core.plans.spec import ColumnSpec, FileSpec, Layout
from ecmx.core.storage.atomic import atomic_directory, atomic_file

# ------------------------------------------------------------------ periods


@pytest.mark.parametrize(
    "text", ["2025-13", "2025-00", "2025-1", "202511", "Nov 2025", "", "11/2025"]
)
def test_period_parse_errors_say_how_to_write_it(text):
    with pytest.raises(EcmxError, match=r"YYYY-MM, e\.g\. 2025-11"):
        Period.parse(text)


def test_period_parse_and_print():
    period = Period.parse(" 2025-03 ")
    assert period == Period(2025, 3)
    assert str(period) == "2025-03"
    assert (period.start, period.end) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


@pytest.mark.parametrize(
    ("period", "months", "expected"),
    [
        (Period(2025, 1), -1, Period(2024, 12)),
        (Period(2025, 12), 1, Period(2026, 1)),
        (Period(2025, 11), -23, Period(2023, 12)),
        (Period(2025, 11), 26, Period(2028, 1)),
        (Period(2025, 6), 0, Period(2025, 6)),
    ],
)
def test_period_shift_across_years(period, months, expected):
    assert period.shift(months) == expected


def test_period_end_knows_leap_years():
    assert Period(2024, 2).end == dt.date(2024, 2, 29)
    assert Period(2025, 2).end == dt.date(2025, 2, 28)
    assert Period.containing(dt.date(2025, 11, 30)) == Period(2025, 11)
    assert Period(2024, 12) < Period(2025, 1)


@settings(max_examples=50, deadline=None, database=None)
@given(
    st.integers(1900, 2200),
    st.integers(1, 12),
    st.integers(-600, 600),
    st.integers(-600, 600),
)
def test_period_shift_adds_up(year, month, a, b):
    period = Period(year, month)
    shifted = period.shift(a)
    assert 1 <= shifted.month <= 12
    assert shifted.shift(b) == period.shift(a + b)
    assert shifted.shift(-a) == period


# ------------------------------------------------------------------ atomic writes


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_atomic_file_writes_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out.txt"
    with atomic_file(target) as tmp:
        assert tmp != target
        assert not target.exists()  # nothing under the real name until the end
        tmp.write_text("done")
    assert target.read_text() == "done"
    assert leftovers(tmp_path) == []


def test_atomic_file_refuses_an_existing_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("precious")
    with pytest.raises(OutputError, match="--force"), atomic_file(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "precious"
    assert leftovers(tmp_path) == []


def test_atomic_file_replaces_with_force(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_file(target, force=True) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert leftovers(tmp_path) == []


def test_atomic_file_failure_inside_leaves_nothing(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_file(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash while writing")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_file_failure_keeps_the_old_file_with_force(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_file(target, force=True) as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_atomic_file_missing_directory(tmp_path):
    with pytest.raises(OutputError, match="does not exist"), atomic_file(tmp_path / "no" / "x.txt"):
        pass


def test_atomic_file_gets_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        with atomic_file(tmp_path / "out.txt") as tmp:
            tmp.write_text("x")
    finally:
        os.umask(mask)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o644


def test_atomic_directory(tmp_path):
    target = tmp_path / "folder"
    with atomic_directory(target) as tmp:
        (tmp / "a.csv").write_text("1")
    assert (target / "a.csv").read_text() == "1"
    with pytest.raises(OutputError), atomic_directory(target):
        pass
    with pytest.raises(RuntimeError), atomic_directory(target, force=True) as tmp:
        (tmp / "b.csv").write_text("2")
        raise RuntimeError
    assert sorted(p.name for p in target.iterdir()) == ["a.csv"]
    with atomic_directory(target, force=True) as tmp:
        (tmp / "a.csv").write_text("new")
        (tmp / "b.csv").write_text("2")
    # --force replaces what it writes and leaves other files in the folder alone
    assert sorted(p.name for p in target.iterdir()) == ["a.csv", "b.csv"]
    assert (target / "a.csv").read_text() == "new"
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------ writers


@pytest.mark.parametrize("text", ["=1+2", "+15595550100", "-5", "@SUM(A1)", "\tx", "\r=1"])
def test_formula_like_text_is_escaped(text):
    assert escape_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Ana", "a=b", "91234567A", "", "O'Neil"])
def test_ordinary_text_is_kept(text):
    assert escape_text(text) == text


@pytest.mark.parametrize(
    ("excel", "strftime"),
    [
        ("mm/dd/yyyy", "%m/%d/%Y"),
        ("yyyymmdd", "%Y%m%d"),
        ("yyyy-mm-dd", "%Y-%m-%d"),
        ("m/d/yy", "%m/%d/%y"),
    ],
)
def test_excel_to_strftime(excel, strftime):
    assert excel_to_strftime(excel) == strftime


def test_excel_to_strftime_month_name():
    assert excel_to_strftime("dd-mmm-yyyy") == "%d-%b-%Y"


LAYOUT = Layout(
    "1",
    dt.date(2024, 1, 1),
    (
        ColumnSpec("CIN"),
        ColumnSpec("Start", type="date"),
        ColumnSpec("Count", type="int"),
        ColumnSpec("Note"),
    ),
)
FRAME = pd.DataFrame(
    {
        "CIN": ["01234567A", "92345678C"],
        "Start": [pd.Timestamp("2025-11-04"), pd.NaT],
        "Count": [3, 0],
        "Note": ['=HYPERLINK("http://x")', None],
    }
)


def file_spec(fmt, header_row=1):
    return FileSpec("rtf", "RTF", fmt, "RTF", "mm/dd/yyyy", "x", header_row, {}, (LAYOUT,))


def test_csv_plan_file(tmp_path):
    target = tmp_path / "out.csv"
    write_plan_file(FRAME, file_spec("csv", header_row=2), LAYOUT, target, force=False)
    with open(target, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        [],
        ["CIN", "Start", "Count", "Note"],
        # a plan file never changes a value: no apostrophe (the plan's system reads it)
        ["01234567A", "11/04/2025", "3", '=HYPERLINK("http://x")'],
        ["92345678C", "", "0", ""],
    ]


def test_xlsx_plan_file_keeps_text_as_text(tmp_path):
    target = tmp_path / "out.xlsx"
    write_plan_file(FRAME, file_spec("xlsx"), LAYOUT, target, force=False)
    sheet = openpyxl.load_workbook(target)["RTF"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["CIN", "Start", "Count", "Note"]
    assert rows[1] == ["01234567A", dt.datetime(2025, 11, 4), 3, '=HYPERLINK("http://x")']
    assert rows[2][:3] == ["92345678C", None, 0]
    assert sheet["B2"].number_format == "mm/dd/yyyy"
    assert sheet["A2"].data_type == "s"
    # a string cell, never a formula; shown as text by Excel (quote prefix)
    assert sheet["D2"].data_type == "s" and sheet["D2"].quotePrefix


def test_plan_file_is_never_overwritten_silently(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"the plan's accepted file")
    with pytest.raises(OutputError):
        write_plan_file(FRAME, file_spec("xlsx"), LAYOUT, target, force=False)
    assert target.read_bytes() == b"the plan's accepted file"
    write_plan_file(FRAME, file_spec("xlsx"), LAYOUT, target, force=True)
    assert openpyxl.load_workbook(target)["RTF"]["A2"].value == "01234567A"


def test_xlsm_is_marked_macro_enabled(tmp_path):
    import zipfile

    target = tmp_path / "out.xlsm"
    write_plan_file(FRAME, file_spec("xlsm"), LAYOUT, target, force=False)
    with zipfile.ZipFile(target) as book:
        types = book.read("[Content_Types].xml").decode()
    assert "macroEnabled.main+xml" in types


# ------------------------------------------------------------------ transforms


def test_transforms():
    assert zip5(pd.Series(["1234", "93721-1234", "937211234", None])).tolist()[:3] == [
        "01234",
        "93721",
        "93721",
    ]
    assert digits_only(pd.Series(["(559) 555-0100"])).tolist() == ["5595550100"]
    assert strip_dashes(pd.Series(["12-3456789"])).tolist() == ["123456789"]
    assert pd.isna(zip5(pd.Series([None])).iloc[0])


def test_zip5_without_digits_is_blank():
    assert pd.isna(zip5(pd.Series(["N/A"])).iloc[0])


# ------------------------------------------------------------------ findings


@pytest.mark.parametrize(
    ("index", "letters"),
    [(0, "A"), (5, "F"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (702, "AAA")],
)
def test_column_letter(index, letters):
    assert column_letter(index) == letters


def test_finding_display_masks_values():
    finding = Finding(
        "error",
        "D102",
        "members.dob is not a date",
        hint="correct the cell members!F3",
        file="data.xlsx",
        cell="members!F3",
        column="dob",
        value="Sampleton",
        member_id="M1",
    )
    line = finding.line()
    assert (
        line
        == "error D102 data.xlsx, members!F3, column 'dob': members.dob is not a date (correct the cell members!F3)"
    )
    assert "Sampleton" in finding.line(show_values=True)
    data = finding.as_dict()
    assert data["value"] == "***"
    assert "member_id" not in data
    assert finding.as_dict(show_values=True)["value"] == "Sampleton"
