"""Filling a plan's template workbook writes the values the plain writer writes, and keeps
the rest of the template: checked cell by cell with two readers."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.table import Table
from python_calamine import CalamineWorkbook

from ecmx.core.errors import ConfigError
from ecmx.core.files.template import inspect_template, suffix_problem
from ecmx.core.files.template_fill import _extend, fill_template
from ecmx.core.files.write import _write_xlsx
from ecmx.core.plans.spec import ColumnSpec, FileSpec, Layout

COLUMNS = (
    ColumnSpec("Member CIN", key="cin"),
    ColumnSpec("Start Date", key="start", type="date"),
    ColumnSpec("Visits", key="visits", type="int"),
    ColumnSpec("Hours", key="hours", type="number"),
    ColumnSpec("Note", key="note"),
)
LAYOUT = Layout("1", date(2025, 1, 1), COLUMNS)
TEXTS = [
    "000123456",  # leading zeros stay
    "=SUM(A1:A2)",  # never a formula
    "+1 555",
    "a\x01b\x1fc",  # control characters, escaped as _xHHHH_
    "_x0041_ literal",  # a literal escape stays literal
    "  spaces kept  ",
    "x & <y> \"z\" 'w'",
    "line\nbreak\ttab",
    "ümlaut ✓ 𝔘",
    "",
]


def frame(rows: int = len(TEXTS)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Member CIN": [TEXTS[i % len(TEXTS)] for i in range(rows)],
            "Start Date": [
                pd.Timestamp(2025, 11, 1 + i % 28) if i % 3 else pd.NaT for i in range(rows)
            ],
            "Visits": [i if i % 4 else None for i in range(rows)],
            "Hours": [i / 3 if i % 5 else None for i in range(rows)],
            "Note": [TEXTS[-1 - i % len(TEXTS)] for i in range(rows)],
        }
    )


def file_spec(template, fmt: str = "xlsx") -> FileSpec:
    return FileSpec(
        "rtf", "RTF", fmt, "Data", "mm/dd/yyyy", "x", 1, {}, (LAYOUT,), (fmt,), template=template
    )


def make(path, *, header_row: int = 3, table: bool = False, calc_chain: bool = False):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Data"
    ws["A1"] = "Title block"
    for index, column in enumerate(COLUMNS, start=1):
        ws.cell(header_row, index, column.header)
    ws.cell(header_row + 1, 3).number_format = "0"
    if table:
        ws.add_table(Table(displayName="Rows", ref=f"A{header_row}:E{header_row + 1}"))
    book.create_sheet("Other")["B2"] = "kept"
    book.save(path)
    if calc_chain:
        _add_calc_chain(path)
    return path


def _add_calc_chain(path) -> None:
    temp = path.with_name("with-calc.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temp, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>',
                )
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
                )
            out.writestr(item, data)
        out.writestr(
            "xl/calcChain.xml",
            b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="A5" i="1"/></calcChain>',
        )
    temp.replace(path)


def calamine_rows(path, sheet: str) -> list[list]:
    return (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name(sheet)
        .to_python(skip_empty_area=False)
    )


def openpyxl_rows(path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


@pytest.mark.parametrize("rows", [len(TEXTS), 2500])
def test_filled_values_are_the_plain_writers_by_both_readers(tmp_path, rows):
    template = make(tmp_path / "template.xlsx")
    data = frame(rows)
    spec = file_spec(template)
    filled, plain = tmp_path / "filled.xlsx", tmp_path / "plain.xlsx"
    fill_template(data, spec, LAYOUT, filled)
    _write_xlsx(data, replace(spec, template=None), LAYOUT, plain)
    assert calamine_rows(filled, "Data")[3:] == calamine_rows(plain, "Data")[1:]
    assert openpyxl_rows(filled, "Data")[3:] == openpyxl_rows(plain, "Data")[1:]
    assert openpyxl_rows(filled, "Data")[2] == tuple(LAYOUT.headers)
    assert calamine_rows(filled, "Data")[0][0] == "Title block"
    assert calamine_rows(filled, "Other") == calamine_rows(template, "Other")
    sheet = openpyxl.load_workbook(filled)["Data"]
    assert sheet["B5"].is_date and sheet["B5"].number_format == "mm/dd/yyyy"  # a real date
    assert sheet["A4"].data_type == "s" and sheet["A5"].value == "=SUM(A1:A2)"
    assert sheet["A5"].quotePrefix  # shown as text when edited, as the plain writer does
    assert sheet["C5"].number_format == "0"  # the template's own column format
    assert sheet.max_row == 3 + rows


def test_other_parts_are_copied_byte_for_byte(tmp_path):
    template = make(tmp_path / "template.xlsx")
    filled = tmp_path / "filled.xlsx"
    fill_template(frame(), file_spec(template), LAYOUT, filled)
    with zipfile.ZipFile(template) as a, zipfile.ZipFile(filled) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert changed == ["xl/worksheets/sheet1.xml", "xl/styles.xml"]


def test_a_table_that_stops_short_is_extended_and_calc_chain_dropped(tmp_path):
    template = make(tmp_path / "template.xlsx", table=True, calc_chain=True)
    filled = tmp_path / "filled.xlsx"
    fill_template(frame(), file_spec(template), LAYOUT, filled)
    with zipfile.ZipFile(filled) as book:
        names = book.namelist()
        table = book.read("xl/tables/table1.xml").decode()
        types = book.read("[Content_Types].xml").decode()
        rels = book.read("xl/_rels/workbook.xml.rels").decode()
    assert "xl/calcChain.xml" not in names and "calcChain" not in types + rels
    assert f'ref="A3:E{3 + len(TEXTS)}"' in table
    assert openpyxl.load_workbook(filled)["Data"].tables["Rows"].ref == f"A3:E{3 + len(TEXTS)}"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("C4:C10", "C4:C50"),  # stops short: extended
        ("C4", "C4:C50"),
        ("C4:C1048576", "C4:C1048576"),  # reaches further: kept
        ("C5:C10", "C5:C10"),  # starts below the first data row: not the column's
        ("$C$2:$C$10", "$C$2:$C$50"),
        ("A1", "A1"),
    ],
)
def test_ranges_are_extended_only_when_they_stop_short(ref, expected):
    assert _extend(ref, 4, 50) == expected


def test_a_template_that_does_not_fit_says_where(tmp_path):
    template = make(tmp_path / "template.xlsx")
    book = openpyxl.load_workbook(template)
    book["Data"]["B3"] = "Begin Date"
    book.save(template)
    found = inspect_template(file_spec(template), LAYOUT)
    assert found.header_row == 3
    [problem] = found.problems
    assert "column B is 'Begin Date', the layout has 'Start Date'" in problem
    missing = inspect_template(file_spec(tmp_path / "none.xlsx"), LAYOUT)
    assert missing.problems[0].endswith("none.xlsx: no such file")
    (tmp_path / "junk.xlsx").write_bytes(b"not a zip")
    assert (
        "not a readable" in inspect_template(file_spec(tmp_path / "junk.xlsx"), LAYOUT).problems[0]
    )
    with pytest.raises(ConfigError, match="no such file"):
        fill_template(frame(), file_spec(tmp_path / "none.xlsx"), LAYOUT, tmp_path / "out.xlsx")


def test_template_suffix_must_match_the_format(tmp_path):
    assert suffix_problem(tmp_path / "t.xlsx", "xlsx") is None
    assert suffix_problem(tmp_path / "t.xlsm", "xlsm") is None
    assert "set format: xlsm" in suffix_problem(tmp_path / "t.xlsm", "xlsx")
    assert "from a .xlsm template" in suffix_problem(tmp_path / "t.xlsx", "xlsm")
    assert "xlsx or xlsm" in suffix_problem(tmp_path / "t.xlsx", "csv")


def test_a_1904_template_gets_1904_serials(tmp_path):
    template = make(tmp_path / "template.xlsx")
    book = openpyxl.load_workbook(template)
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    book.save(template)
    filled = tmp_path / "filled.xlsx"
    fill_template(frame(), file_spec(template), LAYOUT, filled)
    assert openpyxl.load_workbook(filled)["Data"]["B5"].value == datetime(2025, 11, 2)
