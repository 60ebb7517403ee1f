"""Hostile and malformed inputs, through the command line as a user would give them.

Every file here is made by the test itself, most of them by hand (a zip written
entry by entry), so each is a few kilobytes however much it claims to hold.
Whatever the input, ecmx must end with a documented exit code (0, 1 or 2; 3 is
a bug), say each problem on one line with no traceback, never hang, and keep
member values off the terminal unless --show-values.
"""

from __future__ import annotations

import csv
import os
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from ecmx.core.dataset.sample import provider_profile

from .conftest import invoke

# Member values planted in every dataset: none may reach the terminal.
PHI = {"first_name": "Quilliam", "last_name": "Zebrowski", "cin": "93456781C"}
MEMBERS = [
    ["member_id", "cin", "plan", "first_name", "last_name", "dob", "address", "city"],
    ["M1", PHI["cin"], "healthnet", PHI["first_name"], PHI["last_name"], "1980-01-02",
     "12 Elm St", "Fresno"],
]  # fmt: skip
ENROLLMENTS = [
    ["member_id", "status", "referral_date", "enrollment_start", "acuity"],
    ["M1", "enrolled", "2025-09-01", "2025-10-01", "low"],
]
OUTREACH = [
    ["member_id", "date", "method", "successful", "minutes"],
    ["M1", "2025-09-15", "phone", "yes", "12"],
]


def tables(**changes) -> dict[str, list[list]]:
    base = {"members": MEMBERS, "enrollments": ENROLLMENTS, "outreach": OUTREACH}
    return {name: [list(r) for r in rows] for name, rows in {**base, **changes}.items()}


def write_provider(folder: Path, **overrides) -> Path:
    path = folder / "provider.yaml"
    path.write_text(yaml.safe_dump({**provider_profile(), **overrides}), encoding="utf-8")
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.close()
    write_provider(path.parent)
    return path


def write_csv_folder(folder: Path, sheets: dict[str, list[list]], encoding="utf-8") -> Path:
    folder.mkdir(exist_ok=True)
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding=encoding) as handle:
            csv.writer(handle).writerows(rows)
    write_provider(folder)
    return folder


# A workbook written part by part: the smallest xlsx calamine reads.
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>'
)
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)


def hand_made_xlsx(path: Path, sheets: dict[str, str], *, pad: int = 0) -> Path:
    """``sheets``: name -> the XML inside <sheetData>; ``pad`` spaces make a zip bomb."""
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
        for i in range(1, len(names) + 1)
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets>'
        + "".join(
            f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1)
        )
        + "</sheets></workbook>"
    )
    relations = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        + "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES.format(overrides=overrides))
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", workbook)
        book.writestr("xl/_rels/workbook.xml.rels", relations)
        for i, name in enumerate(names, 1):
            book.writestr(
                f"xl/worksheets/sheet{i}.xml",
                '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                + sheets[name]
                + "</sheetData>"
                + " " * pad
                + "</worksheet>",
            )
    write_provider(path.parent)
    return path


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_rows(sheet: str) -> str:
    """Header and first row of a dataset table, as sheet XML (columns A, B, ...)."""
    rows = tables()[sheet]
    return "".join(
        f'<row r="{r}">'
        + "".join(text_cell(f"{chr(65 + c)}{r}", str(v)) for c, v in enumerate(row))
        + "</row>"
        for r, row in enumerate(rows, 1)
    )


def assert_user_facing(run, *, codes=(0, 1, 2), show_values=False):
    """A documented exit, no traceback or internal error, and no member value shown."""
    assert run.code in codes, f"exit {run.code}:\n{run.text}"
    assert "Traceback" not in run.text and "internal error" not in run.text, run.text
    if not show_values:
        for value in PHI.values():
            assert value not in run.text, f"member value {value!r} shown:\n{run.text}"


def convert(dataset: Path, out: Path, *extra):
    return invoke("convert", dataset, "--plan", "all", "--period", "2025-11", "--out", out,
                  "--production-date", "2025-12-03", *extra)  # fmt: skip


# ----------------------------------------------------------------------------- workbooks


def test_error_cells_in_a_workbook_are_findings_at_their_cell(tmp_path):
    path = write_xlsx(tmp_path / "d.xlsx", tables())
    book = openpyxl.load_workbook(path)
    enrollments = book["enrollments"]
    enrollments["D2"] = "#N/A"  # enrollment_start
    enrollments["D2"].data_type = "e"
    enrollments["E2"] = "#REF!"  # acuity (optional)
    enrollments["E2"].data_type = "e"
    book.save(path)
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name("enrollments").to_python()[1][
        3:5
    ] == ["", ""], "calamine reads error cells as blanks: the scan must find them"

    run = convert(path, tmp_path / "out")
    assert_user_facing(run, codes=(1,))
    errors = [line for line in run.error_lines() if " D107 " in line]
    assert any("enrollments!D2" in line and "#N/A" in line for line in errors), run.err
    assert any("enrollments!E2" in line and "#REF!" in line for line in errors), run.err
    assert not (tmp_path / "out" / "SUNRISE_HN_ECM_RTF_20251203.xlsx").exists()


def test_error_cell_written_by_a_formula_with_a_cached_error(tmp_path):
    path = tmp_path / "d.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, rows in tables().items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    book.get_worksheet_by_name("enrollments").write_formula("D2", "=NA()", None, "#N/A")
    book.close()
    write_provider(tmp_path)
    run = convert(path, tmp_path / "out")
    assert_user_facing(run, codes=(1,))
    assert any(" D107 " in line and "enrollments!D2" in line for line in run.error_lines())


def test_error_text_in_a_csv_is_an_error_cell_too(tmp_path):
    enrollments = [ENROLLMENTS[0], ["M1", "enrolled", "2025-09-01", "#N/A", "low"]]
    folder = write_csv_folder(tmp_path / "csv", tables(enrollments=enrollments))
    run = convert(folder, tmp_path / "out")
    assert_user_facing(run, codes=(1,))
    assert any(" D107 " in line and "enrollments!D2" in line for line in run.error_lines())


def test_validate_finds_an_error_cell_in_an_optional_column(tmp_path):
    dataset = write_xlsx(tmp_path / "d.xlsx", tables())
    assert_user_facing(convert(dataset, tmp_path / "out"))
    rtf = tmp_path / "out" / "SUNRISE_HN_ECM_RTF_20251203.xlsx"
    assert invoke("validate", rtf, "--plan", "healthnet", "--kind", "rtf",
                  "--period", "2025-11").code == 0  # fmt: skip
    book = openpyxl.load_workbook(rtf)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    optional = headers.index("ECM Lead Care Manager Name") + 1
    sheet.cell(2, optional).value = "#REF!"
    sheet.cell(2, optional).data_type = "e"
    book.save(rtf)
    run = invoke("validate", rtf, "--plan", "healthnet", "--kind", "rtf", "--period", "2025-11")
    assert_user_facing(run, codes=(1,))
    letter = openpyxl.utils.get_column_letter(optional)
    assert any(" L011 " in line and f"!{letter}2" in line for line in run.error_lines()), run.err


@pytest.mark.parametrize(
    ("sheet_xml", "says"),
    [
        # one stray cell at the far corner of the grid: calamine would allocate 17e9 cells
        (text_cell("A1", "member_id") + text_cell("XFD1048576", "x"), "more than 67,108,864"),
        ('<row r="4000000">' + text_cell("A4000000", "x") + "</row>", "beyond Excel's"),
        (text_cell("XFE1", "x"), "beyond Excel's 16,384 columns"),
    ],
)
def test_a_workbook_claiming_more_than_the_grid_is_refused_before_reading(
    tmp_path, sheet_xml, says
):
    sheets = {"members": sheet_xml, "enrollments": header_rows("enrollments")}
    path = hand_made_xlsx(tmp_path / "d.xlsx", sheets)
    assert path.stat().st_size < 4096
    run = convert(path, tmp_path / "out")
    assert_user_facing(run, codes=(2,))
    assert says in run.one_error_line("d.xlsx", "members")


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path):
    path = hand_made_xlsx(
        tmp_path / "d.xlsx",
        {"members": header_rows("members"), "enrollments": header_rows("enrollments")},
        pad=64 * 2**20,
    )
    assert path.stat().st_size < 200_000
    started = time.monotonic()
    run = convert(path, tmp_path / "out")
    assert time.monotonic() - started < 10
    assert_user_facing(run, codes=(2,))
    assert "zip bomb" in run.one_error_line("d.xlsx")


def test_rows_beyond_the_grid_are_refused_while_unpacking(tmp_path):
    # 1,100,000 empty rows: 18 MB of XML in a zip of under 3 MB (not a zip bomb by ratio)
    rows = "".join(f'<row r="{r}"/>' for r in range(1, 1_100_001))
    path = hand_made_xlsx(tmp_path / "d.xlsx", {"members": rows, "enrollments": ""})
    assert path.stat().st_size < 3_000_000
    run = convert(path, tmp_path / "out")
    assert_user_facing(run, codes=(2,))
    assert "beyond Excel's 1,048,576 rows" in run.one_error_line("d.xlsx", "members")


def _truncated(tmp_path):
    whole = write_xlsx(tmp_path / "whole.xlsx", tables()).read_bytes()
    path = tmp_path / "d.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _not_a_zip(tmp_path):
    path = tmp_path / "d.xlsx"
    path.write_text("member_id,cin\nM1,91234567A\n")
    return path


def _wrong_sheet_names(tmp_path):
    return write_xlsx(tmp_path / "d.xlsx", {"Sheet1": MEMBERS, "Sheet2": ENROLLMENTS})


def _odd_cells(tmp_path):
    """Formulas, merged cells, dates and numbers as text, a 40,000-character name, odd unicode."""
    path = tmp_path / "d.xlsx"
    book = xlsxwriter.Workbook(str(path))
    members = book.add_worksheet("members")
    members.write_row(0, 0, MEMBERS[0])
    odd = "\u202e\u0301\U0001f600\ufeff" + "x" * 40_000
    members.write_row(1, 0, ["M1", PHI["cin"], "healthnet", PHI["first_name"], odd, "01/02/1980"])
    members.write_formula("A3", '="M"&2', None, "M2")
    members.write_row(2, 1, ["91234568C", "healthnet", "Ann", "Lee"])
    members.write_number(2, 5, 29000)  # a date as a bare number
    members.merge_range("G2:H2", "merged", None)
    enrollments = book.add_worksheet("enrollments")
    enrollments.write_row(0, 0, ENROLLMENTS[0])
    enrollments.write_row(1, 0, ["M1", "Enrolled", "9/1/2025", "2025-10-01", "LOW"])
    enrollments.write_row(2, 0, ["M2", "enrolled", 45000, "2025-10-01T00:00:00", 3])
    book.close()
    write_provider(tmp_path)
    return path


@pytest.mark.parametrize("make", [_truncated, _not_a_zip, _wrong_sheet_names, _odd_cells])
@pytest.mark.parametrize("command", ["convert", "validate", "ingest"])
def test_malformed_workbooks_end_in_a_documented_exit(tmp_path, make, command):
    path = make(tmp_path)
    if command == "convert":
        run = convert(path, tmp_path / "out")
    elif command == "validate":
        run = invoke(
            "validate", path, "--plan", "healthnet", "--kind", "rtf", "--period", "2025-11"
        )
    else:
        dataset = write_csv_folder(tmp_path / "own", tables())
        run = invoke("ingest", path, "--plan", "healthnet", "--dataset", dataset,
                     "--out", tmp_path / "merged", "--received", "2025-11-15")  # fmt: skip
    assert_user_facing(run)
    assert all(line.startswith("ecmx: ") for line in run.error_lines() if run.code == 2), run.err


# ----------------------------------------------------------------------------- CSV files


def test_a_csv_with_a_nul_byte_is_refused_naming_file_and_line(tmp_path):
    folder = write_csv_folder(tmp_path / "csv", tables())
    members = folder / "members.csv"
    members.write_bytes(members.read_bytes().replace(b"Fresno", b"Fres\x00no"))
    run = convert(folder, tmp_path / "out")
    assert_user_facing(run, codes=(2,))
    run.one_error_line("members.csv line 2", "NUL")


@pytest.mark.parametrize(
    ("encoding", "prefix", "ragged", "code"),
    [
        ("utf-8-sig", b"", False, (0, 1)),  # a BOM, as Excel writes 'CSV UTF-8'
        ("latin-1", b"", False, (2,)),  # Zebrowsk\xe9: not UTF-8
        ("utf-8", b"\xff\xfe", False, (2,)),  # a UTF-16 mark on UTF-8 text: mixed encodings
        ("utf-8", b"", True, (0, 1)),  # rows of different lengths
    ],
)
def test_csv_encodings_and_shapes(tmp_path, encoding, prefix, ragged, code):
    members = [list(MEMBERS[0]), [*MEMBERS[1][:4], "Zebrowské", *MEMBERS[1][5:]]]
    if ragged:
        members[1] = [*members[1], "extra", "cells"]
        members[0] = members[0][:-1]
    folder = write_csv_folder(tmp_path / "csv", tables(members=members), encoding=encoding)
    if prefix:
        path = folder / "members.csv"
        path.write_bytes(prefix + path.read_bytes())
    run = convert(folder, tmp_path / "out")
    assert_user_facing(run, codes=code)
    if run.code == 2:
        run.one_error_line("members.csv", "UTF-8")


# ----------------------------------------------------------------------------- YAML


BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)
DEEP = "facility_name: " + "[" * 5000 + "]" * 5000 + "\n"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (BILLION_LAUGHS, "through aliases"),
        (DEEP, "nested deeper than 64 levels"),
        ("- a\n- list\n", "expected a mapping"),
        ("facility_name: X\nnpi: '1654321987'\ntin: '123456789'\nplans: [healthnet]\n", "plans"),
        ("facility_name: X\nnpi: 1234567893\ntin: '123456789'\n", "quote it"),
        ("facility_name: X\nnpi: 0123456789\ntin: 12345678.9\n", "tin"),
    ],
)
def test_hostile_provider_yaml_is_one_clear_line(tmp_path, text, says):
    folder = write_csv_folder(tmp_path / "csv", tables())
    (folder / "provider.yaml").write_text(text)
    started = time.monotonic()
    run = convert(folder, tmp_path / "out")
    assert time.monotonic() - started < 20
    assert_user_facing(run, codes=(2,))
    assert says in run.err and "provider.yaml" in run.err


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        (BILLION_LAUGHS, 2, "through aliases"),
        ("id: deep\nname: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", 2, "nested deeper"),
        ("id: mine\nname: Mine\nextends: [healthnet]\n", 1, "extends"),
        ("id: mine\nname: Mine\nextends: healthnet\nfiles: [rtf]\n", 1, "files"),
        ("id: [mine]\nname: Mine\n", 1, "id"),
    ],
)
def test_hostile_plan_configs_are_clear_lines(tmp_path, text, code, says):
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    started = time.monotonic()
    run = invoke("plans", "check", path)
    assert time.monotonic() - started < 20
    assert_user_facing(run, codes=(code,))
    assert any("mine.yaml" in line and says in line for line in run.error_lines()), run.err


# ----------------------------------------------------------------------------- FIFOs


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize(
    "where",
    ["provider", "provider_beside", "csv_table", "workbook", "plans_dir", "mif", "to_validate"],
)
def test_a_named_pipe_is_refused_not_waited_on(script, tmp_path, where):
    """Run as the installed script in a subprocess, so a hang is a failed test."""
    folder = write_csv_folder(tmp_path / "csv", tables())
    fifo = tmp_path / "pipe"
    argv = ["convert", folder, "--plan", "all", "--period", "2025-11", "--out", tmp_path / "out"]
    if where == "provider":
        os.mkfifo(fifo)
        argv += ["--provider", fifo]
    elif where == "provider_beside":
        (folder / "provider.yaml").unlink()
        os.mkfifo(fifo := folder / "provider.yaml")
    elif where == "csv_table":
        (folder / "members.csv").unlink()
        os.mkfifo(fifo := folder / "members.csv")
    elif where == "workbook":
        os.mkfifo(fifo := tmp_path / "d.xlsx")
        argv[1] = fifo
    elif where == "mif":
        os.mkfifo(fifo := tmp_path / "mif.xlsx")
        argv = ["ingest", fifo, "--plan", "healthnet", "--dataset", folder, "--out", tmp_path / "o"]
    elif where == "to_validate":
        os.mkfifo(fifo := tmp_path / "rtf.xlsx")
        argv = ["validate", fifo, "--plan", "healthnet", "--kind", "rtf", "--period", "2025-11"]
    else:
        (tmp_path / "plans").mkdir()
        os.mkfifo(fifo := tmp_path / "plans" / "mine.yaml")
        argv = ["--plans-dir", tmp_path / "plans", "plans", "check"]
    run = script(*argv, cwd=tmp_path, timeout=60)
    code, text = run.code, run.text
    assert code == 2, text
    lines = [line for line in text.splitlines() if line.startswith("ecmx: ")]
    assert len(lines) == 1 and "named pipe (FIFO)" in lines[0] and fifo.name in lines[0], text


# ----------------------------------------------------------------------------- fuzzing

CELL = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["#N/A", "#REF!", "=1+1", "+cmd|' /C calc'!A0", "1e308", "-0", "nan",
                     "2025-02-30", "13/45/2025", "00:30", "0123", "TRUE", "\u202e", " "]),
)  # fmt: skip
_FUZZ_COLUMNS = {
    "members": ["cin", "plan", "dob", "address", "city"],
    "enrollments": ["status", "referral_date", "enrollment_start", "acuity"],
    "outreach": ["date", "method", "successful", "minutes"],
}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzzed_dataset_cells_end_in_a_documented_exit(tmp_path_factory, data):
    changed = tables()
    for name, columns in _FUZZ_COLUMNS.items():
        for column in data.draw(st.lists(st.sampled_from(columns), max_size=3, unique=True)):
            rows = changed[name]
            value = data.draw(CELL).replace("\x00", "")
            rows[1][rows[0].index(column)] = value
    folder = write_csv_folder(tmp_path_factory.mktemp("fuzz") / "csv", changed)
    run = convert(folder, folder.parent / "out")
    assert_user_facing(run)


YAML_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    overrides=st.dictionaries(
        st.sampled_from(["facility_name", "npi", "tin", "zip", "plans", "rates", "state"]),
        YAML_VALUE,
        max_size=3,
    )
)
def test_fuzzed_provider_yaml_ends_in_a_documented_exit(tmp_path_factory, overrides):
    folder = write_csv_folder(tmp_path_factory.mktemp("fuzz") / "csv", tables())
    write_provider(folder, **overrides)
    run = convert(folder, folder.parent / "out")
    assert_user_facing(run)
    if run.code == 2:
        assert all(line.startswith("ecmx: ") for line in run.error_lines()), run.err


def test_the_hand_made_workbook_is_a_real_workbook(tmp_path):
    """The helper above must make files a reader accepts, or the refusals prove nothing."""
    path = hand_made_xlsx(
        tmp_path / "d.xlsx",
        {"members": header_rows("members"), "enrollments": header_rows("enrollments")},
    )
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("members").to_python()
    assert rows[0][:2] == ["member_id", "cin"]
    run = convert(path, tmp_path / "out")
    assert_user_facing(run, codes=(0, 1))
