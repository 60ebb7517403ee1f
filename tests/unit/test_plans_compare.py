"""The pieces of ``plans compare``: matching headers, the fewest moves, formats, lists."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from ecmx.core.plans.compare import format_problem, in_order, match_columns, similarity
from ecmx.core.plans.spec import ColumnSpec
from ecmx.core.plans.template_lists import resolve
from ecmx.core.plans.template_read import TemplateColumn, format_kind


def layout(*headers):
    return [ColumnSpec(header=h, key=h.lower().replace(" ", "_")) for h in headers]


def template(*headers):
    return [TemplateColumn(i, h, f"RTF!{chr(65 + i)}1") for i, h in enumerate(headers)]


def matched(pairs, columns, headers):
    return {columns[li].header: headers[ti].header for li, (ti, _) in pairs.items()}


def test_a_rare_shared_word_outweighs_a_common_one():
    columns = layout("Member Client Index Number (CIN)", "Member Acuity Level", "Member Last Name")
    headers = template("Member CIN", "Acuity", "Member Last Name")
    pairs = match_columns(columns, headers)
    assert matched(pairs, columns, headers) == {
        "Member Client Index Number (CIN)": "Member CIN",
        "Member Acuity Level": "Acuity",
        "Member Last Name": "Member Last Name",
    }
    assert pairs[2][1] == "same header"
    assert pairs[0][1].startswith("by name (similarity")


def test_case_and_spaces_match_but_say_so():
    pairs = match_columns(layout("Member Last Name"), template("member  last name"))
    assert pairs == {0: (0, "same header but for case or spaces")}


def test_by_position_when_the_names_share_nothing():
    columns = layout("City", "Zip", "State")
    headers = template("City", "Postal Code", "State")
    pairs = match_columns(columns, headers)
    assert pairs[1] == (
        1,
        "by position (between 'City' and 'State'); the names share little: check it",
    )


def test_no_match_across_an_uneven_gap():
    """Two columns left in the layout, one in the template: no guess by position."""
    columns = layout("City", "Zip", "County", "State")
    headers = template("City", "Postal Code", "State")
    assert 1 not in match_columns(columns, headers) and 2 not in match_columns(columns, headers)


def test_a_typo_matches_by_spelling():
    assert similarity("Member Acuity Levl", "Member Acuity Level") > 0.85


@pytest.mark.parametrize(
    "positions, kept",
    [
        ([0, 1, 2, 3], {0, 1, 2, 3}),
        ([1, 0, 2, 3], {0, 2, 3}),
        ([3, 0, 1, 2], {1, 2, 3}),
        ([], set()),
    ],
)
def test_the_fewest_moves(positions, kept):
    assert in_order(positions) == kept


@pytest.mark.parametrize(
    "type_, number_format, problem",
    [
        ("date", "@", "a date column, formatted as text (@) in the template"),
        ("date", "mm/dd/yyyy", ""),
        ("date", "General", ""),
        ("text", "mm/dd/yyyy", "a text column, formatted as a date (mm/dd/yyyy)"),
        ("int", "@", "a int column, formatted as text (@)"),
        ("text", "0", "a text column, formatted as a number (0): leading zeros go"),
        ("code", "0", ""),
    ],
)
def test_the_number_format_against_the_type(type_, number_format, problem):
    header = TemplateColumn(
        0, "X", "RTF!A1", number_format=number_format, format_kind=format_kind(number_format)
    )
    assert format_problem(ColumnSpec(header="X", type=type_), header) == problem


def test_lists_resolve_from_ranges_quoted_sheets_and_names(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "RTF"
    codes = book.create_sheet("Code Lists")
    for row, value in enumerate([1, 2.0, "3", None, "3"], start=1):
        codes.cell(row, 1, value)
    book.defined_names["Status"] = DefinedName("Status", attr_text="'Code Lists'!$A$1:$A$5")
    assert resolve('"Y, N"', book, "RTF") == (("Y", "N"), "")
    assert resolve("='Code Lists'!$A$1:$A$5", book, "RTF") == (("1", "2", "3"), "")
    assert resolve("Status", book, "RTF") == (("1", "2", "3"), "")
    assert resolve("INDIRECT(A1)", book, "RTF") == (
        None,
        "the list is a formula ecmx does not read (INDIRECT(A1))",
    )
    assert resolve("Gone!$A$1:$A$3", book, "RTF") == (
        None,
        "the list's sheet 'Gone' is not in the workbook",
    )
