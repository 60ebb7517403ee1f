"""Reading never guesses a column's type: each cell keeps its own, however late it comes.

Readers that infer a type from the first rows (fastexcel, polars) turned a late
``"02134"`` after 2,000 numeric ZIPs into 2134.0, and late text in date and number
columns into null (design.md). Here the late cells come back as written, cell for
cell equal to calamine's own reading, and the dataset reader reports each one.
"""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from ecmx.core.dataset.read import read_dataset
from ecmx.core.dataset.values import CellError, as_date, as_identifier, as_text, convert_distinct
from ecmx.core.storage.sheets import Workbook

ROWS = 3000  # more than the 1,000 rows a guessing reader samples
LATE = ROWS - 5  # the off-type cells sit near the end, after a blank row


def _late_sheet() -> list[list]:
    header = ["member_id", "cin", "plan", "first_name", "last_name", "dob", "zip", "mrn"]
    rows = [header]
    for i in range(ROWS):
        rows.append(
            [
                f"M{i}",
                f"9{i:07d}A",
                "healthnet",
                "Ana",
                "Lee",
                dt.date(1980, 1, 2),
                90210 + i % 7,
                i,
            ]
        )
    rows[LATE - 1] = [None] * len(header)  # a blank row in between
    rows[LATE] = ["M-late", "91111111Z", "healthnet", 12345, "Lee", "not a date", "02134", "x1"]
    rows[LATE + 1] = ["M-num", "92222222Z", "healthnet", "Bo", "Ng", 45000.5, "00501", 7.5]
    return rows


def test_late_off_type_cells_read_back_as_calamine_reads_them(tmp_path, write_book, provider_yaml):
    path = write_book(
        tmp_path / "data.xlsx",
        {"members": _late_sheet(), "enrollments": [["member_id", "status"], ["M1", "enrolled"]]},
    )
    mine = Workbook(path).read("members").rows
    theirs = (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name("members")
        .to_python(skip_empty_area=False)
    )
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs, strict=True):
        assert [(type(x), x) for x in a] == [(type(y), y) for y in b]
    late = mine[LATE]
    assert late[6] == "02134" and isinstance(late[6], str)  # after 2,995 numeric ZIPs
    assert late[5] == "not a date" and late[3] == 12345
    assert isinstance(mine[1][6], int | float) and not isinstance(mine[1][6], bool)
    assert isinstance(mine[1][5], dt.date)


def test_the_dataset_keeps_late_cells_and_reports_them(tmp_path, write_book, provider_yaml):
    provider_yaml(tmp_path)
    path = write_book(
        tmp_path / "data.xlsx",
        {"members": _late_sheet(), "enrollments": [["member_id", "status"], ["M1", "enrolled"]]},
    )
    dataset = read_dataset(path)
    members = dataset.members.set_index("member_id")
    assert members.loc["M-late", "zip"] == "02134"
    assert members.loc["M0", "zip"] == "90210"  # a number a sheet stored: its digits
    assert members.loc["M-late", "first_name"] == "12345"
    assert members.loc["M-num", "mrn"] == "7.5"
    assert len(members) == ROWS - 1  # the blank row is skipped, nothing else
    bad_dates = [f for f in dataset.findings if f.code == "D102"]
    assert [(f.row, f.value) for f in bad_dates] == [
        (LATE + 1, "not a date"),
        (LATE + 2, "45000.5"),
    ]


# ------------------------------------------------------------------ mixed columns

_CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.sampled_from([0.0, -0.0, 1.0, 2134.0, float("nan")]),
    st.text(alphabet="01 aN/A#-", max_size=5),
    st.sampled_from(["02134", "NA", "", " ", "#N/A", "TRUE", "1", "1.0"]),
    st.dates(dt.date(1990, 1, 1), dt.date(1990, 1, 3)),
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(1990, 1, 2)),
    st.sampled_from([CellError("#N/A"), CellError("")]),
)


def _reference(cells, convert):
    """Each cell converted on its own: what convert_distinct must equal."""
    out = [convert(cell) for cell in cells]
    return [value for value, _ in out], [(i, p) for i, (_, p) in enumerate(out) if p]


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(_CELLS, max_size=30), which=st.sampled_from([as_text, as_date, as_identifier])
)
def test_mixed_columns_convert_cell_by_cell(cells, which):
    from ecmx.core.dataset.values import excel_error

    def checked(cell):
        problem = excel_error(cell)
        return (None, problem) if problem else which(cell)

    values, problems = convert_distinct(list(cells), which)
    expected_values, expected_problems = _reference(cells, checked)
    assert all(_same(a, b) for a, b in zip(values, expected_values, strict=True))
    assert problems == expected_problems
