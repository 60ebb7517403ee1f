"""The zip and sheet checks made before calamine reads a workbook (core.xlsx_scan).

The byte patterns that find a cell beyond every row or column seen so far must say
"beyond" for exactly the numbers and letters beyond: a miss would let a stray far
cell reach the reader (which aborts the process), a false hit only costs time.
"""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecmx.core.errors import InputError
from ecmx.core.storage import limits
from ecmx.core.storage.xlsx_scan import _column_number, _columns_over, _numbers_over, scan_workbook

FAST = settings(max_examples=300, deadline=None, database=None)


def letters(number: int) -> str:
    text = ""
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(65 + rest) + text
    return text


@FAST
@given(st.integers(0, 2_000_000), st.integers(0, 20_000_000))
def test_numbers_over_matches_exactly_the_larger_numbers(bound, number):
    pattern = re.compile(rb"(?:" + _numbers_over(bound) + rb")")
    assert bool(pattern.fullmatch(str(number).encode())) == (number > bound)


@FAST
@given(st.integers(0, 702), st.integers(1, 702))
def test_columns_over_matches_the_two_letter_columns_further_right(bound, column):
    pattern = re.compile(rb"(?:" + _columns_over(bound) + rb")")
    name = letters(column).encode()
    assert _column_number(name) == column
    assert bool(pattern.fullmatch(name)) == (column > max(bound, 26))


def test_error_cells_are_found_with_their_code_and_place(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "enrollments"
    sheet["A1"] = "member_id"
    for ref, code in {"E7": "#N/A", "AB3": "#REF!", "C2": "#DIV/0!"}.items():
        sheet[ref] = code
        sheet[ref].data_type = "e"
    book.save(tmp_path / "d.xlsx")
    scan = scan_workbook(tmp_path / "d.xlsx")["enrollments"]
    assert scan.errors == {(6, 4): "#N/A", (2, 27): "#REF!", (1, 2): "#DIV/0!"}
    assert (scan.rows, scan.columns) == (7, 28)


def test_too_many_zip_entries_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ZIP_ENTRIES", 3)
    path = tmp_path / "d.xlsx"
    with zipfile.ZipFile(path, "w") as book:
        for n in range(5):
            book.writestr(f"part{n}.xml", "<x/>")
    with pytest.raises(InputError, match="holds 5 parts"):
        scan_workbook(path)


def test_declared_unpacked_size_over_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 1000)
    path = tmp_path / "d.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/sharedStrings.xml", "<sst>" + "a" * 5000 + "</sst>")
    with pytest.raises(InputError, match="unpacks to"):
        scan_workbook(path)


def _sheet_zip(path, sheet_xml: str):
    """A zip with one sheet ``s`` whose worksheet XML is given whole."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        book.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


NS = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def test_a_sheet_written_otherwise_is_parsed_exactly(tmp_path):
    # a namespace prefix, single quotes and cells without references: the slow path
    cells = "<x:c><x:v>1</x:v></x:c>" * 3 + "<x:c t='e'><x:v>#NAME?</x:v></x:c>"
    xml = f"<x:worksheet {NS}><x:sheetData><x:row>{cells}</x:row></x:sheetData></x:worksheet>"
    scan = scan_workbook(_sheet_zip(tmp_path / "d.xlsx", xml))["s"]
    assert (scan.rows, scan.columns, scan.errors) == (1, 4, {(0, 3): "#NAME?"})


def test_a_far_cell_in_a_sheet_written_otherwise_is_refused(tmp_path):
    xml = (
        f"<x:worksheet {NS}><x:sheetData><x:row r='1'><x:c r='A1'/></x:row>"
        "<x:row r='2'><x:c r='XFD1048576'><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>"
    )
    with pytest.raises(InputError, match="more than 67,108,864 cells"):
        scan_workbook(_sheet_zip(tmp_path / "d.xlsx", xml))


def test_a_dimension_claiming_the_whole_grid_is_refused(tmp_path):
    # some calamine versions reserve the declared range before reading a cell
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    with pytest.raises(InputError, match="1,048,576 rows by 16,384 columns"):
        scan_workbook(_sheet_zip(tmp_path / "d.xlsx", xml))
