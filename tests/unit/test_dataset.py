"""read_dataset: typed tables, every content problem a located finding, structure errors at once."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from ecmx.core.dataset.read import read_dataset
from ecmx.core.errors import InputError

MEMBER_HEADER = ["member_id", "cin", "plan", "first_name", "last_name", "dob"]
ENROLLMENT_HEADER = ["member_id", "status"]


def member(mid="M1", cin="91234567A", plan="healthnet", first="Ana", last="Sampleton", dob=None):
    return [mid, cin, plan, first, last, dob or dt.date(1980, 1, 2)]


def by_code(dataset, code):
    return [f for f in dataset.findings if f.code == code]


@pytest.fixture
def book(tmp_path, write_book, provider_yaml):
    """``book(sheets)`` writes dataset.xlsx (+ provider.yaml) and returns its path."""

    def make(sheets):
        provider_yaml(tmp_path)
        return write_book(tmp_path / "dataset.xlsx", sheets)

    return make


@pytest.fixture
def csv_folder(tmp_path, provider_yaml):
    """``csv_folder({name: rows}, bom=False)`` writes a CSV dataset folder and returns it."""

    def make(tables, *, bom=False):
        folder = tmp_path / "csv"
        folder.mkdir()
        provider_yaml(folder)
        for name, rows in tables.items():
            encoding = "utf-8-sig" if bom else "utf-8"
            with open(folder / f"{name}.csv", "w", newline="", encoding=encoding) as handle:
                csv.writer(handle).writerows(rows)
        return folder

    return make


def minimal(members=None, enrollments=None):
    return {
        "members": [MEMBER_HEADER, *(members or [member()])],
        "enrollments": [ENROLLMENT_HEADER, *(enrollments or [["M1", "enrolled"]])],
    }


# ------------------------------------------------------------------ a clean read


def test_clean_workbook_reads_typed_tables_without_errors(book):
    path = book(
        minimal(
            members=[member(), member("M2", "92345678C", "Calviva", dob="03/04/1990")],
            enrollments=[["M1", "Enrolled"], ["M2", "pending outreach"]],
        )
    )
    dataset = read_dataset(path)
    assert [f for f in dataset.findings if f.severity != "info"] == []
    assert list(dataset.members["member_id"]) == ["M1", "M2"]
    assert list(dataset.members["dob"].dt.date) == [dt.date(1980, 1, 2), dt.date(1990, 3, 4)]
    assert list(dataset.enrollments["status"]) == ["enrolled", "pending_outreach"]
    assert list(dataset.members["_row"]) == [2, 3]
    assert dataset.provider.facility_name == "Sunrise Community Health"


def test_missing_optional_tables_are_empty_with_a_note(book):
    dataset = read_dataset(book(minimal()))
    assert len(dataset.outreach) == 0
    assert len(dataset.encounters) == 0
    notes = {f.message for f in by_code(dataset, "D001")}
    assert notes == {"no outreach table: treated as empty", "no encounters table: treated as empty"}
    assert all(f.severity == "info" for f in by_code(dataset, "D001"))


def test_header_names_match_case_and_space_insensitively(book):
    header = ["Member ID", "CIN", "Plan", "First Name", "LAST_NAME", "DOB"]
    dataset = read_dataset(
        book({"Members": [header, member()], "ENROLLMENTS": minimal()["enrollments"]})
    )
    assert list(dataset.members["cin"]) == ["91234567A"]
    assert not by_code(dataset, "D002")


# ------------------------------------------------------------------ content problems


def test_text_in_a_date_column_is_a_located_finding(book):
    path = book(minimal(members=[member(), member("M2", "92345678C", dob="next tuesday")]))
    dataset = read_dataset(path)
    (finding,) = by_code(dataset, "D102")
    assert finding.severity == "error"
    assert finding.cell == "members!F3"
    assert (finding.file, finding.sheet, finding.row, finding.column) == (
        str(path),
        "members",
        3,
        "dob",
    )
    assert finding.value == "next tuesday"
    assert finding.member_id == "M2"
    assert "members!F3" in finding.hint


def test_cell_letter_follows_the_real_column_position(book):
    header = ["dob", "member_id", "last_name", "first_name", "plan", "cin"]
    row = ["1980-13-45", "M1", "Sampleton", "Ana", "healthnet", "91234567A"]
    dataset = read_dataset(
        book({"members": [header, row], "enrollments": minimal()["enrollments"]})
    )
    (finding,) = by_code(dataset, "D102")
    assert finding.cell == "members!A2"


def test_every_bad_cell_is_reported_not_just_the_first(book):
    outreach = [
        ["member_id", "date", "method", "successful", "minutes"],
        ["M1", "someday", "pigeon", "maybe", "ten"],
        ["M1", "2025-11-04", "phone", "yes", "12"],
        ["M1", "2025-11-05", "carrier", "no", None],
    ]
    dataset = read_dataset(book({**minimal(), "outreach": outreach}))
    cells = sorted((f.code, f.cell) for f in dataset.findings if f.severity == "error")
    assert cells == [
        ("D102", "outreach!B2"),
        ("D103", "outreach!D2"),
        ("D104", "outreach!E2"),
        ("D105", "outreach!C2"),
        ("D105", "outreach!C4"),
    ]
    successful = dataset.outreach["successful"]
    assert successful.isna().tolist() == [True, False, False]
    assert successful.tolist()[1:] == [True, False]


def test_unknown_status_is_a_finding_and_the_value_is_kept_only_in_value(book):
    dataset = read_dataset(book(minimal(enrollments=[["M1", "on vacation"]])))
    (finding,) = [f for f in dataset.findings if f.column == "status"]
    assert (finding.severity, finding.code, finding.cell) == ("error", "D105", "enrollments!B2")
    assert "pending_outreach" in finding.message  # says what is allowed
    assert "on vacation" not in finding.message
    assert finding.value == "on vacation"
    assert dataset.enrollments["status"].isna().all()


def test_blank_required_cell_is_a_finding(book):
    dataset = read_dataset(book(minimal(enrollments=[["M1", None], ["M1", "enrolled"]])))
    (finding,) = by_code(dataset, "D101")
    assert (finding.severity, finding.cell, finding.column) == ("error", "enrollments!B2", "status")


def test_duplicate_member_id(book):
    path = book(minimal(members=[member(), member("M1", "92345678C", first="Bo")]))
    (finding,) = by_code(read_dataset(path), "D201")
    assert (finding.severity, finding.sheet, finding.row, finding.column) == (
        "error",
        "members",
        3,
        "member_id",
    )


@pytest.mark.parametrize("cin", ["1234", "81234567A", "9123456A", "912345678", "91234567AB"])
def test_bad_cin_shape_is_an_error(book, cin):
    (finding,) = by_code(read_dataset(book(minimal(members=[member(cin=cin)]))), "D202")
    assert (finding.severity, finding.row, finding.column, finding.value) == (
        "error",
        2,
        "cin",
        cin,
    )
    assert cin not in finding.message


@pytest.mark.parametrize("letter", sorted("BIJKLOPQRS"))
def test_excluded_cin_letter_is_a_warning(book, letter):
    dataset = read_dataset(book(minimal(members=[member(cin=f"91234567{letter}")])))
    (finding,) = by_code(dataset, "D203")
    assert finding.severity == "warning"
    assert not by_code(dataset, "D202")


def test_good_cin_has_no_cin_finding(book):
    dataset = read_dataset(book(minimal(members=[member(cin="90000001Z")])))
    assert not by_code(dataset, "D202") and not by_code(dataset, "D203")


def test_orphan_rows_in_every_table(book):
    sheets = {
        **minimal(enrollments=[["M1", "enrolled"], ["M7", "enrolled"]]),
        "outreach": [
            ["member_id", "date", "method", "successful"],
            ["M8", "2025-11-01", "phone", "no"],
        ],
        "encounters": [
            ["member_id", "date", "staff_type", "mode"],
            ["M1", "2025-11-01", "clinical", "phone"],
            ["M9", "2025-11-01", "clinical", "phone"],
        ],
    }
    found = {(f.sheet, f.row) for f in by_code(read_dataset(book(sheets)), "D204")}
    assert found == {("enrollments", 3), ("outreach", 2), ("encounters", 3)}


def test_relation_findings_carry_the_cell(book):
    sheets = minimal(
        members=[member(), member("M1", "1234")],
        enrollments=[["M1", "enrolled"], ["M7", "enrolled"]],
    )
    cells = {f.code: f.cell for f in read_dataset(book(sheets)).findings}
    assert cells["D201"] == "members!A3"
    assert cells["D202"] == "members!B3"
    assert cells["D204"] == "enrollments!A3"


# ------------------------------------------------------------------ structure problems


def test_missing_required_columns_are_all_listed_across_sheets(book):
    sheets = {
        "members": [
            ["member_id", "plan", "first_name", "last_name"],
            ["M1", "healthnet", "A", "B"],
        ],
        "enrollments": [["member_id", "acuity"], ["M1", "low"]],
        "outreach": [["member_id", "date", "successful"]],
    }
    with pytest.raises(InputError) as caught:
        read_dataset(book(sheets))
    details = caught.value.details
    assert len(details) == 4
    for sheet, column in [
        ("members", "cin"),
        ("members", "dob"),
        ("enrollments", "status"),
        ("outreach", "method"),
    ]:
        assert any(f"sheet {sheet!r}" in d and f"{column!r}" in d for d in details), (sheet, column)
    assert str(caught.value) == details[0]


def test_missing_members_sheet(book):
    with pytest.raises(InputError) as caught:
        read_dataset(book({"enrollments": minimal()["enrollments"]}))
    assert "'members' is missing" in str(caught.value)


def test_missing_members_csv(csv_folder):
    folder = csv_folder({"enrollments": minimal()["enrollments"]})
    with pytest.raises(InputError) as caught:
        read_dataset(folder)
    assert "'members.csv' is missing" in str(caught.value)


def test_unknown_columns_are_a_note_not_an_error(book):
    sheets = minimal()
    sheets["members"][0] = [*MEMBER_HEADER, "favourite_colour"]
    sheets["members"][1] = [*member(), "teal"]
    dataset = read_dataset(book(sheets))
    (note,) = by_code(dataset, "D002")
    assert note.severity == "info"
    assert note.column == "favourite_colour"
    assert "favourite_colour" not in dataset.members.columns
    assert len(dataset.members) == 1


@pytest.mark.parametrize("path_name", ["nothing-here", "dataset.csv", "dataset.ods"])
def test_unusable_dataset_paths(tmp_path, path_name):
    path = tmp_path / path_name
    if path_name != "nothing-here":
        path.write_text("member_id\nM1\n")
    with pytest.raises(InputError):
        read_dataset(path)


def test_corrupt_workbook_is_an_input_error(tmp_path):
    path = tmp_path / "dataset.xlsx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(InputError) as caught:
        read_dataset(path)
    assert "not a readable" in str(caught.value)


# ------------------------------------------------------------------ traps that lose data


def test_trailing_blank_rows_are_ignored(tmp_path, provider_yaml):
    import xlsxwriter

    provider_yaml(tmp_path)
    path = tmp_path / "dataset.xlsx"
    book = xlsxwriter.Workbook(str(path))
    fmt = book.add_format({"bold": True})
    for name, rows in minimal().items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, book.add_format({"num_format": "yyyy-mm-dd"}))
                else:
                    sheet.write_string(r, c, value)
        for r in range(len(rows), len(rows) + 5):  # formatted but empty: Excel keeps these
            for c in range(len(rows[0])):
                sheet.write_blank(r, c, None, fmt)
        sheet.write_string(len(rows) + 5, 0, "   ")
    book.close()
    dataset = read_dataset(path)
    assert len(dataset.members) == 1
    assert len(dataset.enrollments) == 1
    assert [f for f in dataset.findings if f.severity != "info"] == []


def test_trailing_blank_csv_lines_are_ignored(csv_folder):
    tables = minimal(
        members=[[c if not isinstance(c, dt.date) else "1980-01-02" for c in member()]]
    )
    tables["members"] += [[""] * 6, [" "] * 6]
    dataset = read_dataset(csv_folder(tables))
    assert len(dataset.members) == 1
    assert [f for f in dataset.findings if f.severity != "info"] == []


def test_a_late_off_type_cell_is_not_lost(book):
    members = [[*member(f"M{i}", f"9{i:07d}A"), 93721] for i in range(1, 1500)]
    members[-1][-1] = "02134"  # row 1500: text after 1,498 numbers
    outreach = [["M1", "2025-11-01", "phone", "no", 5] for _ in range(1, 1499)]
    outreach.append(["M1", "2025-11-02", "phone", "no", "about ten"])  # row 1500
    sheets = {
        "members": [[*MEMBER_HEADER, "zip"], *members],
        "enrollments": minimal()["enrollments"],
        "outreach": [["member_id", "date", "method", "successful", "minutes"], *outreach],
    }
    dataset = read_dataset(book(sheets))
    assert dataset.members["zip"].iloc[-1] == "02134"
    assert dataset.members["zip"].iloc[0] == "93721"
    (finding,) = by_code(dataset, "D104")
    assert (finding.cell, finding.value) == ("outreach!E1500", "about ten")
    assert len(dataset.outreach) == 1499


def test_csv_folder_keeps_text_and_locates_problems(csv_folder):
    rows = [
        ["M1", "01234567A", "healthnet", "Ana", "Sampleton", "1980-01-02", "01234"],
        ["M2", "92345678C", "healthnet", "Bo", "Testwood", "02/30/1990", "00501"],
    ]
    folder = csv_folder(
        {"members": [[*MEMBER_HEADER, "zip"], *rows], "enrollments": minimal()["enrollments"]},
        bom=True,
    )
    dataset = read_dataset(folder)
    assert list(dataset.members["zip"]) == ["01234", "00501"]
    assert list(dataset.members["cin"]) == ["01234567A", "92345678C"]
    (finding,) = by_code(dataset, "D102")
    assert finding.cell == "members!F3"
    assert finding.file == str(folder / "members.csv")


def test_member_values_never_appear_in_messages_or_hints(book):
    names = ("Zebulonia", "Quixtanner", "Wolfgarda", "Pemberlyx")
    cins = ("93141592C", "1234XYZ", "97654321B")
    members = [
        member("M1", cins[0], first=names[0], last=names[1], dob=names[1]),
        member("M1", cins[1], first=names[2], last=names[3]),
        member("M2", cins[2], first=names[2], last=names[3], dob="12/31/1970"),
    ]
    enrollments = [["M1", names[0]], ["M9", "enrolled"], ["M2", "enrolled"]]
    sheets = minimal(members=members, enrollments=enrollments)
    sheets["outreach"] = [
        ["member_id", "date", "method", "successful"],
        ["M2", cins[0], names[3], names[2]],
    ]
    dataset = read_dataset(book(sheets))
    assert {"D102", "D105", "D201", "D202", "D203", "D204", "D103"} <= {
        f.code for f in dataset.findings
    }
    for finding in dataset.findings:
        for secret in (*names, *cins):
            assert secret not in finding.message, finding
            assert secret not in finding.hint, finding


# ------------------------------------------------------------------ hostile cells


def test_excel_error_cells_are_findings_at_their_cell_never_blanks(book):
    import openpyxl

    path = book(
        {
            **minimal(),
            "enrollments": [
                ["member_id", "status", "enrollment_start", "acuity"],
                ["M1", "enrolled", dt.date(2025, 10, 1), "low"],
            ],
        }
    )
    workbook = openpyxl.load_workbook(path)
    for ref, code in (("C2", "#N/A"), ("D2", "#REF!")):
        workbook["enrollments"][ref] = code
        workbook["enrollments"][ref].data_type = "e"
    workbook.save(path)
    dataset = read_dataset(path)
    found = sorted((f.code, f.cell, f.column) for f in by_code(dataset, "D107"))
    assert found == [
        ("D107", "enrollments!C2", "enrollment_start"),
        ("D107", "enrollments!D2", "acuity"),
    ]
    assert all(f.file == str(path) for f in by_code(dataset, "D107"))


def test_excel_error_text_in_a_csv_is_an_error_cell(csv_folder):
    tables = minimal(enrollments=[["M1", "#N/A"]])
    dataset = read_dataset(csv_folder(tables))
    (finding,) = by_code(dataset, "D107")
    assert finding.cell == "enrollments!B2" and "#N/A" in finding.message


@pytest.mark.parametrize("minutes", [1e308, -5, 1441])
def test_minutes_out_of_range_are_findings(book, minutes):
    outreach = [
        ["member_id", "date", "method", "successful", "minutes"],
        ["M1", "2025-11-04", "phone", "yes", minutes],
    ]
    dataset = read_dataset(book({**minimal(), "outreach": outreach}))
    (finding,) = by_code(dataset, "D104")
    assert finding.cell == "outreach!E2" and "from 0 to 1440" in finding.message
    assert dataset.outreach["minutes"].isna().all()


def test_a_csv_with_a_nul_byte_names_the_file_and_line(csv_folder):
    folder = csv_folder(minimal(members=[member(), member("M2", "91234568C")]))
    path = folder / "members.csv"
    path.write_bytes(path.read_bytes().replace(b"M2", b"M\x002"))
    with pytest.raises(InputError, match=r"members\.csv line 3: holds a NUL byte"):
        read_dataset(folder)


def test_a_csv_longer_than_the_row_limit_is_refused(csv_folder, monkeypatch):
    from ecmx.core.storage import limits

    monkeypatch.setattr(limits, "MAX_CSV_ROWS", 2)
    folder = csv_folder(minimal(members=[member(), member("M2", "91234568C")]))
    with pytest.raises(InputError, match="more than 2 rows"):
        read_dataset(folder)
