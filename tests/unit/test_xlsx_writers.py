"""The two xlsx writers behind a plan file (core/files/write_xlsx.py): rustpy-xlsxwriter,
used where it stores every cell as xlsxwriter does, and xlsxwriter for the rest.

Both are read back by two independent readers (python-calamine, openpyxl) and, where
LibreOffice is installed, by LibreOffice; the fast one must store the same cells, types,
formats, widths, header and frozen panes as the fallback. The one difference left is how
a number is spelt in the XML (``<v>3.0</v>`` against ``<v>3</v>``): the same double to
Excel, LibreOffice and calamine; openpyxl alone reads the second as a Python int.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from ecmx.core.files import write as writers
from ecmx.core.files.write_cells import cell_columns
from ecmx.core.files.write_xlsx import rust_refuses, write_rust, write_xlsxwriter
from ecmx.core.plans.spec import ColumnSpec, FileSpec, Layout
from tests.e2e.templates import needs_libreoffice

WRITERS = {"rustpy": write_rust, "xlsxwriter": write_xlsxwriter}
AWKWARD_TEXT = [
    "02134", "000", "1e5", "TRUE", "#N/A", " lead", "trail ", "a\nb", "x\r\ny", "a\tb",
    "Ñandú 北京 🎉", "\x01x\x1f", "\x00", "\x0b\x0c", "_x0041_", "&<>\"'", "'Iolani", "'=x",
    "\x7f\x85x", "a\u2028b", "\ufffe", "https://x.invalid/a?b=1", "9" * 30, "x" * 32_767,
]  # fmt: skip
DAYS = [dt.date(1900, 3, 1), dt.date(2024, 2, 29), dt.date(2025, 11, 3), dt.date(9999, 12, 31)]
INTEGERS = [0, -5, 7, 2**53 - 1, 60]
NUMBERS = [1.5, 0.1, -2.25, 1e-7, 123456.789, 3.0, 1e20]


def layout_of(types: dict[str, str]) -> Layout:
    columns = tuple(ColumnSpec(header=h, type=t) for h, t in types.items())
    return Layout(version="1", effective=dt.date(2020, 1, 1), columns=columns)


def file_of(layout: Layout, header_row: int = 1, date_format: str = "mm/dd/yyyy") -> FileSpec:
    return FileSpec(
        kind="rtf", title="Return Transmission File", format="xlsx", sheet="RTF",
        date_format=date_format, naming="x", header_row=header_row, rules={}, versions=(layout,),
    )  # fmt: skip


def awkward_frame(rows: int = 30) -> tuple[pd.DataFrame, Layout]:
    """Every value the fast writer takes, with blanks of every sort in between."""

    def cycle(values, blank):
        padded = [*values, blank]
        return [padded[i % len(padded)] for i in range(rows)]

    layout = layout_of(
        {"Member CIN": "text", "Last Name": "text", "Enrollment Start Date": "date",
         "Minutes": "int", "Amount": "number", "Empty": "text", "Dates Given As Text": "date"}
    )  # fmt: skip
    frame = pd.DataFrame(
        {
            "Member CIN": [f"{i:09d}" if i % 7 else None for i in range(rows)],
            "Last Name": cycle(AWKWARD_TEXT, ""),
            "Enrollment Start Date": cycle([pd.Timestamp(d) for d in DAYS], pd.NaT),
            "Minutes": cycle(INTEGERS, np.nan),
            "Amount": cycle(NUMBERS, None),
            "Empty": [None] * rows,
            "Dates Given As Text": cycle(["2025-11-03"], None),
        }
    )
    return frame, layout


def write_both(frame, layout, file, folder: Path) -> dict[str, Path]:
    columns = cell_columns(frame, layout)
    paths = {}
    for name, write in WRITERS.items():
        paths[name] = folder / f"{name}.xlsx"
        write(columns, file, layout, paths[name])
    return paths


def calamine_rows(path: Path) -> list[list]:
    return (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name("RTF")
        .to_python(skip_empty_area=False)
    )


def openpyxl_cells(path: Path) -> dict:
    """Each cell as openpyxl sees it (a number as a float: see the module's docstring)."""
    sheet = openpyxl.load_workbook(path)["RTF"]
    cells = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            value = float(cell.value) if type(cell.value) is int else cell.value
            cells[cell.coordinate] = (
                value, cell.data_type, cell.number_format, cell.quotePrefix,
                cell.font.b, cell.alignment.wrap_text, cell.alignment.vertical,
            )  # fmt: skip
    columns = {k: (d.width, d.customWidth, d.style) for k, d in sheet.column_dimensions.items()}
    heights = {k: d.height for k, d in sheet.row_dimensions.items() if d.height}
    return {"cells": cells, "columns": columns, "heights": heights, "freeze": sheet.freeze_panes}


def parts(path: Path) -> dict[str, bytes]:
    """The package's parts, numbers read as numbers, creation times left out."""
    with zipfile.ZipFile(path) as book:
        found = {name: book.read(name) for name in book.namelist()}
    del found["docProps/core.xml"], found["xl/theme/theme1.xml"]
    found["xl/worksheets/sheet1.xml"] = re.sub(
        rb"<v>([^<]*)</v>",
        lambda m: b"<v>" + repr(float(m.group(1))).encode() + b"</v>",
        found["xl/worksheets/sheet1.xml"],
    )
    return found


@pytest.mark.parametrize("header_row", [1, 3])
def test_the_fast_writer_stores_what_xlsxwriter_stores(tmp_path, header_row):
    frame, layout = awkward_frame()
    file = file_of(layout, header_row)
    assert rust_refuses(cell_columns(frame, layout), layout) is None
    paths = write_both(frame, layout, file, tmp_path)
    fast, fallback = paths["rustpy"], paths["xlsxwriter"]
    assert parts(fast) == parts(fallback)  # every part of the package, byte for byte
    assert calamine_rows(fast) == calamine_rows(fallback)
    assert openpyxl_cells(fast) == openpyxl_cells(fallback)


def test_values_come_back_as_written_by_either_writer(tmp_path):
    frame, layout = awkward_frame()
    file = file_of(layout, header_row=2)
    for path in write_both(frame, layout, file, tmp_path).values():
        rows = calamine_rows(path)
        assert rows[0] == [""] * len(layout.columns)  # the row above the header stays blank
        assert rows[1] == layout.headers
        body = rows[2:]
        assert len(body) == len(frame)
        for r, row in enumerate(body):
            cin, last, start, minutes, amount, empty, as_text = row
            expected = frame["Member CIN"][r]
            assert cin == ("" if pd.isna(expected) else expected)  # text, leading zeros kept
            assert _decoded(last) == _as_read(frame["Last Name"][r])
            expected_start = frame["Enrollment Start Date"][r]
            assert start == ("" if pd.isna(expected_start) else expected_start.date())
            expected = frame["Minutes"][r]
            assert minutes == ("" if math.isnan(expected) else int(expected))
            expected = frame["Amount"][r]
            assert amount == ("" if expected is None or math.isnan(expected) else expected)
            assert empty == ""
            assert as_text in ("", dt.date(2025, 11, 3))
        sheet = openpyxl.load_workbook(path)["RTF"]
        assert sheet.freeze_panes == "A3"
        assert sheet["A2"].font.b and sheet.row_dimensions[2].height == 30
        assert sheet["A4"].number_format == "@" and sheet["C4"].number_format == "mm/dd/yyyy"
        assert sheet["C4"].is_date and sheet["D4"].data_type == "n"


@needs_libreoffice
def test_libreoffice_reads_the_fast_writers_file_as_the_fallbacks(tmp_path):
    frame, layout = awkward_frame(12)
    frame["Last Name"] = frame["Last Name"].str.slice(0, 40)
    paths = write_both(frame, layout, file_of(layout), tmp_path)
    seen = {}
    for name, path in paths.items():
        out = tmp_path / f"csv-{name}"
        done = subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
             "--convert-to", "csv", "--outdir", out, path],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        seen[name] = (out / f"{name}.csv").read_bytes()
    assert seen["rustpy"] == seen["xlsxwriter"]
    assert b"000000001," in seen["rustpy"]  # text: the leading zeros kept
    assert b"11/03/2025" in seen["rustpy"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(st.text(max_size=20), min_size=1, max_size=8))
@example(texts=["a", "a\x00", "a\x00b"])  # pandas before 3.1 merged these (pandas#66512)
@pytest.mark.parametrize("writer", WRITERS)
def test_any_text_reads_back_as_written(tmp_path, writer, texts):
    """Control characters, formula-looking text, digits: what was written is read back
    (calamine decodes Excel's _xHHHH_ escapes; U+FFFE and U+FFFF, which XML cannot hold,
    come back escaped)."""
    layout = layout_of({"Text": "text"})
    frame = pd.DataFrame({"Text": texts}, dtype=object)
    path = tmp_path / f"{writer}.xlsx"
    WRITERS[writer](cell_columns(frame, layout), file_of(layout), layout, path)
    read = [row[0] for row in calamine_rows(path)[1:]]
    read, expected = [_decoded(t) for t in read], [_as_read(t) for t in texts]
    # calamine stops at the last row with a value: trailing blank rows are not read
    assert read == expected[: len(read)] and not any(expected[len(read) :])


@functools.cache
def _reader_decodes() -> bool:
    """Whether the installed python-calamine decodes Excel's _xHHHH_ escapes (0.2.3, the
    oldest allowed, does not)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "probe.xlsx"
        book = xlsxwriter.Workbook(str(path))
        book.add_worksheet("RTF").write_string(0, 0, "\x01")
        book.close()
        return calamine_rows(path)[0][0] == "\x01"


def _decoded(text: str) -> str:
    """Text as calamine reads it, decoded where the installed one leaves escapes (one pass,
    left to right, as Excel reads them: _x005F_ is a literal underscore)."""
    if _reader_decodes():
        return text
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def _as_read(text: str) -> str:
    """What a decoding calamine returns for ``text``: U+FFFE and U+FFFF, which XML cannot
    hold, stay escaped."""
    if not _reader_decodes():
        return text
    return re.sub("[\ufffe\uffff]", lambda m: f"_x{ord(m.group(0)):04X}_", text)


@pytest.mark.parametrize(
    "column, value, reason",
    [
        ("text", "=SUM(A1:A2)", "quote prefix"),
        ("text", "+1555", "quote prefix"),
        ("text", "\tindented", "quote prefix"),
        ("text", "x" * 32_768, "longer than a cell"),
        ("text", "Bob\xa0", "non-ASCII space"),
        ("text", "\u3000Bob", "non-ASCII space"),
        ("date", pd.Timestamp("1900-02-28"), "before March 1900"),
        ("date", pd.Timestamp("2025-11-03", tz="US/Pacific"), "time zone"),
        ("number", 0.1 + 0.2, "16 significant digits"),
        ("number", math.inf, "not finite"),
        ("int", 2**53 + 1, "16 significant digits"),
    ],
)
def test_what_only_xlsxwriter_stores_exactly_goes_to_xlsxwriter(column, value, reason):
    layout = layout_of({"Value": column})
    frame = pd.DataFrame({"Value": [value, None]}, dtype=object)
    assert reason in rust_refuses(cell_columns(frame, layout), layout)


def test_two_columns_with_one_header_go_to_xlsxwriter():
    layout = Layout("1", dt.date(2020, 1, 1), (ColumnSpec("A"), ColumnSpec("A")))
    assert "share a header" in rust_refuses(
        cell_columns(pd.DataFrame({"A": ["x"]}), layout), layout
    )


def test_a_plan_file_takes_the_writer_its_cells_allow(tmp_path, monkeypatch):
    chosen = []
    monkeypatch.setattr(writers, "write_rust", lambda *a: chosen.append("rustpy"))
    monkeypatch.setattr(writers, "write_xlsxwriter", lambda *a: chosen.append("xlsxwriter"))
    layout = layout_of({"Name": "text"})
    for name in ("Bob", "-Bob", "Bob"):
        writers._write_workbook(pd.DataFrame({"Name": [name]}), file_of(layout), layout, tmp_path)
    assert chosen == ["rustpy", "xlsxwriter", "rustpy"]


# ----------------------------------------------------------------------------- datasets

DATASET_COLUMNS = {
    "cin": ["000123456", "=SUM(A1:A2)", None, "+1555", "'Iolani", "\x01x"],
    "dob": [dt.date(1950, 1, 2), None, dt.date(2024, 2, 29), dt.date(1900, 3, 1), None, None],
    "active": [True, False, None, True, True, False],
    "minutes": [0, 15, None, 2.5, 1e20, -3],
}


def dataset_cells(path: Path) -> dict:
    """Each sheet's cells by two readers; numbers as floats, as in ``openpyxl_cells``."""
    book = CalamineWorkbook.from_path(str(path))
    found = {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
    for sheet in openpyxl.load_workbook(path).worksheets:
        found[f"openpyxl {sheet.title}"] = [
            (c.coordinate, float(c.value) if type(c.value) is int else c.value, c.data_type,
             c.number_format, c.quotePrefix, c.font.b)
            for row in sheet.iter_rows() for c in row if c.value is not None
        ]  # fmt: skip
    return found


def test_a_dataset_workbook_stores_the_same_cells_by_either_writer(tmp_path, monkeypatch):
    from ecmx.core.dataset import write_rows

    tables = {"members": DATASET_COLUMNS, "outreach": {"cin": [], "date": []}}
    provider = {"npi": "1654321987", "rates": {"G9008": 125.0}, "cs": True}
    assert write_rows.dataset_rust_refuses({"members": DATASET_COLUMNS}) is None
    write_rows.write_workbook_columns(tables, provider, tmp_path / "fast.xlsx")
    monkeypatch.setattr(write_rows, "dataset_rust_refuses", lambda _: "the test says so")
    write_rows.write_workbook_columns(tables, provider, tmp_path / "fallback.xlsx")
    fast, fallback = (
        dataset_cells(tmp_path / "fast.xlsx"),
        dataset_cells(tmp_path / "fallback.xlsx"),
    )
    assert fast == fallback
    assert fast["members"][1] == ["000123456", dt.date(1950, 1, 2), "true", 0.0]
    assert fast["provider"] == [["key", "value"], ["npi", "1654321987"],
                                ["rates.G9008", 125.0], ["cs", "true"]]  # fmt: skip


@pytest.mark.parametrize(
    "values, reason",
    [
        ([dt.date(2025, 1, 1), 3], "dates mixed"),
        ([dt.datetime(2025, 1, 1, 9, 30)], "another type"),
        ([np.float64(1.5)], "another type"),
        ([0.1 + 0.2], "16 significant digits"),
        (["x\xa0"], "non-ASCII space"),
    ],
)
def test_what_only_xlsxwriter_stores_exactly_in_a_dataset_goes_to_xlsxwriter(values, reason):
    from ecmx.core.dataset.write_xlsx import dataset_rust_refuses

    assert reason in dataset_rust_refuses({"members": {"value": values}})
