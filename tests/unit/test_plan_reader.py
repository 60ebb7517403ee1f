"""Reading a plan's file back (core.plan_reader): tolerant of the messy files plans send.

Each test writes a small MIF (or mini-MIF, TEL) the way a plan might have saved it,
cell types included (text, numbers, real dates), and reads it with Health Net's or
Partnership's layout. What comes back is canonical: dataset field names, dataset
codes, dates as dates, CINs cleaned.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from ecmx.core.calendar.periods import Period
from ecmx.core.errors import InputError
from ecmx.core.files.read import FILE_ROW, as_plan_date, read_plan_file
from ecmx.core.files.write import write_plan_file

NOV = Period(2025, 11)
NOV_4 = pd.Timestamp("2025-11-04")
CIN = "Member Client Index Number (CIN)"
STATUS = "Member ECM Status"


@pytest.fixture
def healthnet(plugins):
    _, registry = plugins
    return registry.plan("healthnet")


@pytest.fixture
def read(healthnet):
    """``read(path, kind="mif", plan=healthnet)`` -> PlanFile with the layout in force in Nov 2025."""

    def run(path, kind="mif", plan=None):
        plan = plan or healthnet
        file = plan.files[kind]
        return read_plan_file(path, plan, file, file.layout_for(NOV))

    return run


def full_row(healthnet, **values) -> list:
    """One MIF row in Health Net's layout order: ``{header: value}``, blanks elsewhere."""
    headers = healthnet.files["mif"].layout_for(NOV).headers
    unknown = set(values) - set(headers)
    assert not unknown, unknown
    return [values.get(h) for h in headers]


# ------------------------------------------------------------------ finding the header


def test_header_below_a_title_row_and_a_blank_row(tmp_path, write_book, read):
    path = write_book(
        tmp_path / "mif.xlsx",
        {
            "MIF": [
                ["Health Net ECM Member Information File - November 2025"],
                [],
                [CIN, "Member Last Name", STATUS, "ECM Assignment Date"],
                ["91234567A", "Sampleton", "1", dt.date(2025, 11, 4)],
                ["92345678C", "Testwood", "2", dt.date(2025, 10, 1)],
            ]
        },
    )
    plan_file = read(path)
    assert plan_file.header_row == 3
    assert plan_file.sheet == "MIF"
    frame = plan_file.frame
    assert list(frame["cin"]) == ["91234567A", "92345678C"]
    assert list(frame["last_name"]) == ["Sampleton", "Testwood"]
    assert list(frame["ecm_status"]) == ["pending_outreach", "enrolled"]
    assert list(frame["assigned_date"]) == [NOV_4, pd.Timestamp("2025-10-01")]
    assert list(frame[FILE_ROW]) == [4, 5]  # rows of the plan's file, for the report
    assert plan_file.columns == {CIN: 0, "Member Last Name": 1, STATUS: 2, "ECM Assignment Date": 3}
    assert plan_file.findings == []


def test_headers_match_whatever_their_case_and_spacing(tmp_path, write_book, read):
    path = write_book(
        tmp_path / "mif.xlsx",
        {
            "MIF": [
                ["  member client  INDEX number (cin) ", "MEMBER ECM STATUS"],
                ["91234567A", "2"],
            ]
        },
    )
    frame = read(path).frame
    assert list(frame["cin"]) == ["91234567A"]
    assert list(frame["ecm_status"]) == ["enrolled"]


def test_reordered_and_extra_columns(tmp_path, write_book, read):
    header = ["Internal Notes", "City", STATUS, CIN, "Member First Name", "Zip"]
    path = write_book(
        tmp_path / "mif.xlsx",
        {
            "MIF": [
                header,
                ["call first", "Fresno", "1", "91234567A", "Ana", "93721"],
                [None, "Eureka", "2", "92345678C", "Luis", "95501"],
            ]
        },
    )
    plan_file = read(path)
    frame = plan_file.frame
    assert list(frame["cin"]) == ["91234567A", "92345678C"]
    assert list(frame["first_name"]) == ["Ana", "Luis"]
    assert list(frame["city"]) == ["Fresno", "Eureka"]
    assert list(frame["zip"]) == ["93721", "95501"]
    assert "Internal Notes" not in frame and "call first" not in frame.to_numpy()
    (note,) = plan_file.findings
    assert (note.severity, note.code, note.cell, note.row) == ("info", "F001", "MIF!A1", 1)
    assert "'Internal Notes' is not in the mif layout" in note.message
    assert note.plan == "healthnet" and note.kind == "mif"


def test_blank_rows_are_skipped_row_numbers_kept(tmp_path, write_book, read):
    path = write_book(
        tmp_path / "mif.xlsx",
        {
            "MIF": [
                [CIN, STATUS, "Member Last Name"],
                ["91234567A", "1", "Sampleton"],
                [" ", None, ""],  # blank in the middle
                ["92345678C", "2", "Testwood"],
                [None, " ", None],  # trailing blank rows a spreadsheet leaves behind
                [" ", None, "  "],
                [None, None, " "],
            ]
        },
    )
    frame = read(path).frame
    assert list(frame["cin"]) == ["91234567A", "92345678C"]
    assert list(frame[FILE_ROW]) == [2, 4]


def test_a_sheet_named_as_the_layout_says_is_read_else_the_first(tmp_path, write_book, read):
    rows = [[CIN, STATUS], ["91234567A", "1"]]
    named = write_book(tmp_path / "a.xlsx", {"Read me": [["notes only"]], "mif": rows})
    assert read(named).sheet == "mif"  # the layout's sheet MIF, any case
    assert list(read(named).frame["cin"]) == ["91234567A"]
    other = write_book(tmp_path / "b.xlsx", {"Sheet1": rows, "Sheet2": [["x"]]})
    assert read(other).sheet == "Sheet1"


# ------------------------------------------------------------------ values


@pytest.mark.parametrize(
    "cell",
    [
        "11/04/2025",
        "2025-11-04",
        " 11/04/2025 ",
        "2025-11-04 00:00:00",
        dt.date(2025, 11, 4),
        dt.datetime(2025, 11, 4),
        45965,  # the spreadsheet serial of 2025-11-04, stored as a number
        45965.0,
        "45965",  # ... or as text
    ],
    ids=repr,
)
def test_dates_as_text_real_dates_or_serial_numbers(tmp_path, write_book, read, cell):
    path = write_book(
        tmp_path / "mif.xlsx",
        {"MIF": [[CIN, STATUS, "Member Date of Birth"], ["91234567A", "1", cell]]},
    )
    plan_file = read(path)
    assert plan_file.findings == []
    assert list(plan_file.frame["dob"]) == [NOV_4]
    assert plan_file.frame["dob"].dtype.kind == "M"


def test_as_plan_date_directly():
    assert as_plan_date(45965) == (dt.date(2025, 11, 4), None)
    assert as_plan_date(1) == (dt.date(1899, 12, 31), None)
    assert as_plan_date(None) == (None, None)
    value, problem = as_plan_date(-3)
    assert value is None and "not a spreadsheet date" in problem
    value, problem = as_plan_date("Nov the 4th")
    assert value is None and problem.startswith("not a date")


def test_cins_lose_stray_spaces_and_case(tmp_path, write_book, read):
    path = write_book(
        tmp_path / "mif.xlsx",
        {"MIF": [[CIN, STATUS], [" 91234567a ", "1"], ["9234 5678c", "1"], ["\t93456789D", "1"]]},
    )
    assert list(read(path).frame["cin"]) == ["91234567A", "92345678C", "93456789D"]


def test_codes_by_code_or_label_booleans_and_lists(tmp_path, write_book, read):
    header = [
        CIN,
        STATUS,
        "Member Acuity Level",
        "Member Homelessness Indicator",
        "Member POF",
        "Discontinuation Reason Code",
    ]
    path = write_book(
        tmp_path / "mif.xlsx",
        {
            "MIF": [
                header,
                ["91000001A", "Pending Outreach", "high", "Y", "Birth Equity", None],
                ["91000002C", 2, "Low", "N", "Experiencing Homelessness|Birth Equity", None],
                ["91000003D", 4.0, None, "yes", None, "6"],
                ["91000004E", " discontinued ", "MEDIUM", None, "", "Member is deceased"],
            ]
        },
    )
    plan_file = read(path)
    assert plan_file.findings == []
    frame = plan_file.frame
    # 5 is shared by every exit status: the first in the plan's list stands for it
    assert list(frame["ecm_status"]) == ["pending_outreach", "enrolled", "declined", "disenrolled"]
    assert list(frame["acuity"].fillna("")) == ["high", "low", "", "medium"]
    assert list(frame["homeless"].astype(object).where(frame["homeless"].notna(), None)) == [
        True,
        False,
        True,
        None,
    ]
    assert list(frame["populations_of_focus"].fillna("")) == [
        "birth_equity",
        "homelessness;birth_equity",
        "",
        "",
    ]
    assert list(frame["discontinuation_reason"].fillna("")) == [
        "",
        "",
        "member_declined",
        "deceased",
    ]


def test_text_and_number_cells_become_text(tmp_path, write_book, read):
    header = [CIN, STATUS, "Zip", "Member Phone Number", "Member Last Name"]
    path = write_book(
        tmp_path / "mif.xlsx",
        {"MIF": [header, ["91234567A", "1", 93721, 5595550100, "  Sampleton  "]]},
    )
    frame = read(path).frame
    assert (frame["zip"].iloc[0], frame["phone"].iloc[0]) == ("93721", "5595550100")
    assert frame["last_name"].iloc[0] == "Sampleton"


# ------------------------------------------------------------------ other file types


def test_csv_with_a_shifted_header_and_text_dates(tmp_path, read):
    path = tmp_path / "mif.csv"
    path.write_text(
        "Health Net MIF,,,\n"
        f"{STATUS},Member Date of Birth,{CIN},Unexpected\n"
        "1,11/04/2025, 91234567a ,x\n"
        "2,2025-11-04,92345678C,\n"
        ",,,\n"
        ",,,\n",
        encoding="utf-8-sig",  # Excel's "CSV UTF-8" starts with a BOM
    )
    plan_file = read(path)
    assert plan_file.header_row == 2
    frame = plan_file.frame
    assert list(frame["cin"]) == ["91234567A", "92345678C"]
    assert list(frame["dob"]) == [NOV_4, NOV_4]
    assert list(frame["ecm_status"]) == ["pending_outreach", "enrolled"]
    assert list(frame[FILE_ROW]) == [3, 4]
    assert [f.code for f in plan_file.findings] == ["F001"]
    assert plan_file.findings[0].cell == "mif!D2"  # a CSV's sheet is its name


def test_a_macro_enabled_workbook_as_ecmx_writes_it(tmp_path, healthnet, read):
    """An .xlsm (the RTF's other accepted extension, seed 002) reads like an .xlsx."""
    file = dataclasses.replace(healthnet.files["mif"], format="xlsm")
    layout = file.layout_for(NOV)
    frame = pd.DataFrame([full_row(healthnet)], columns=layout.headers, dtype=object)
    frame.loc[0, [CIN, STATUS, "Member Date of Birth"]] = ["91234567A", "2", NOV_4]
    frame.loc[0, "Member Last Name"] = "Sampleton"
    path = tmp_path / "mif.xlsm"
    write_plan_file(frame, file, layout, path, force=False)
    plan_file = read(path)
    assert plan_file.findings == []
    row = plan_file.frame.iloc[0]
    assert (row["cin"], row["ecm_status"], row["dob"], row["last_name"]) == (
        "91234567A",
        "enrolled",
        NOV_4,
        "Sampleton",
    )


def test_another_file_type_is_refused(tmp_path, read):
    path = tmp_path / "mif.txt"
    path.write_text(f"{CIN}\n91234567A\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"unsupported file type \.txt; use \.xlsx, \.xlsm or \.csv"
    ):
        read(path)


# ------------------------------------------------------------------ problems


def test_a_missing_required_column_is_one_error_naming_it(tmp_path, write_book, read):
    path = write_book(
        tmp_path / "mif.xlsx",
        {"MIF": [["Title"], [CIN, "Member Last Name", "Status Notes"], ["91234567A", "X", "y"]]},
    )
    with pytest.raises(InputError) as caught:
        read(path)
    message = str(caught.value)
    assert caught.value.details == [message]
    assert f"{path}: column 'Member ECM Status' is missing from the header row (row 2)" in message
    assert "Health Net's mif layout 2022.1 requires it" in message
    assert "did you mean" not in message


def test_a_misspelt_required_column_gets_a_did_you_mean(tmp_path, write_book, read):
    path = write_book(
        tmp_path / "mif.xlsx",
        {"MIF": [[CIN, "Member ECM Stat", "Member Last Name"], ["91234567A", "1", "X"]]},
    )
    with pytest.raises(
        InputError, match=r"'Member ECM Status' is missing .*\(did you mean 'Member ECM Stat'\?\)"
    ):
        read(path)


def test_no_header_row_at_all(tmp_path, write_book, read):
    path = write_book(
        tmp_path / "mif.xlsx", {"MIF": [["Some", "Other", "Report"], ["91234567A", "1", "x"]]}
    )
    with pytest.raises(InputError) as caught:
        read(path)
    message = str(caught.value)
    assert "no header row found in the first 30 rows of sheet 'MIF'" in message
    assert "is this the right plan and --kind?" in message


def test_an_unknown_code_is_a_finding_at_its_cell(tmp_path, write_book, read, healthnet):
    rows = [
        full_row(healthnet, **{CIN: f"9100000{n}A", STATUS: status})
        for n, status in enumerate(("1", "2", "Enrolled", "ZZ9"), start=1)
    ]
    headers = healthnet.files["mif"].layout_for(NOV).headers
    path = write_book(tmp_path / "mif.xlsx", {"MIF": [headers, *rows]})
    plan_file = read(path)
    (finding,) = plan_file.findings
    assert (finding.severity, finding.code, finding.cell, finding.row) == (
        "error",
        "L005",
        "MIF!R5",
        5,
    )
    assert finding.column == STATUS and finding.value == "ZZ9"
    assert "not a code of the plan's ecm_status list" in finding.message
    assert "ZZ9" not in finding.line()  # the value stays masked on a terminal
    assert list(plan_file.frame["ecm_status"].fillna("")) == [
        "pending_outreach",
        "enrolled",
        "enrolled",
        "",
    ]


def test_an_unreadable_date_is_a_finding_and_the_cell_stays_blank(tmp_path, write_book, read):
    path = write_book(
        tmp_path / "mif.xlsx",
        {
            "MIF": [
                [CIN, STATUS, "ECM Enrollment Start Date"],
                ["91234567A", "2", "soon"],
                ["92345678C", "2", "11/04/2025"],
            ]
        },
    )
    plan_file = read(path)
    (finding,) = plan_file.findings
    assert (finding.code, finding.cell, finding.value) == ("L003", "MIF!C2", "soon")
    assert "ECM Enrollment Start Date is not a date" in finding.message
    assert pd.isna(plan_file.frame["enrollment_start"].iloc[0])
    assert plan_file.frame["enrollment_start"].iloc[1] == NOV_4


def test_partnership_tel_layout(tmp_path, write_book, read, plugins):
    _, registry = plugins
    partnership = registry.plan("partnership")
    path = write_book(
        tmp_path / "tel.xlsx",
        {
            "TEL": [
                ["Member CIN", "Member Last Name", "Referral Date", "Population of Focus"],
                ["91234567A", "Sampleton", "11/20/2025", "Pregnant and Postpartum"],
            ]
        },
    )
    plan_file = read(path, "tel", partnership)
    assert plan_file.findings == []
    row = plan_file.frame.iloc[0]
    assert (row["cin"], row["referral_date"], row["populations_of_focus"]) == (
        "91234567A",
        pd.Timestamp("2025-11-20"),
        "pregnant_postpartum",
    )
    assert "ecm_status" not in plan_file.frame  # a TEL carries no status: new referrals


def test_a_row_without_a_cin_is_a_finding(tmp_path, write_book, read):
    path = write_book(
        tmp_path / "mif.xlsx",
        {
            "MIF": [
                [CIN, STATUS, "Member Last Name"],
                ["91234567A", "1", "Sampleton"],
                [None, "2", "Testwood"],
            ]
        },
    )
    plan_file = read(path)
    assert [f.cell for f in plan_file.findings if f.severity in ("error", "warning")] == ["MIF!A3"]


def test_an_excel_error_cell_is_a_finding_at_its_cell_not_a_blank(tmp_path, healthnet, read):
    import openpyxl

    headers = healthnet.files["mif"].layout_for(NOV).headers
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "MIF"
    sheet.append(headers)
    sheet.append(full_row(healthnet, **{CIN: "910000001A", STATUS: "1"}))
    column = headers.index(STATUS) + 1
    sheet.cell(2, column).value = "#REF!"
    sheet.cell(2, column).data_type = "e"
    book.save(tmp_path / "mif.xlsx")
    (finding,) = read(tmp_path / "mif.xlsx").findings
    letter = openpyxl.utils.get_column_letter(column)
    assert (finding.severity, finding.code, finding.cell) == ("error", "L011", f"MIF!{letter}2")
    assert "the Excel error #REF!" in finding.message
