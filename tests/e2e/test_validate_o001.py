"""O001 (B010 merged into it): an OTF row for a member enrolled on the attempt's date,
found by `validate --dataset` as `convert` finds it: the same code and severity."""

from __future__ import annotations

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from ecmx.core.calendar.periods import Period
from ecmx.core.cli.main import main
from ecmx.core.dataset.sample import generate, write_sample


def run(capsys, *argv) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    return done.value.code, capsys.readouterr().err


def test_an_otf_row_for_an_enrolled_member_is_o001_with_the_dataset(tmp_path, capsys):
    data = tmp_path / "data"
    write_sample(generate(members=40, seed=3, period=Period(2025, 11)), data)
    code, _ = run(
        capsys,
        "convert",
        str(data),
        "--plan",
        "healthnet",
        "--period",
        "2025-11",
        "--out",
        str(tmp_path / "out"),
        "--production-date",
        "2025-12-03",
        "-q",
    )
    assert code == 0
    rtf = next((tmp_path / "out").glob("*_RTF_*.xlsx"))
    otf = next((tmp_path / "out").glob("*_OTF_*.xlsx"))
    header, *rows = CalamineWorkbook.from_path(str(rtf)).get_sheet_by_name("RTF").to_python()
    enrolled = next(r for r in rows if r[header.index("Member ECM Status")] == "2")
    book = openpyxl.load_workbook(otf)
    sheet = book.active
    columns = [c.value for c in sheet[1]]
    sheet.cell(2, columns.index("Member CIN") + 1).value = enrolled[
        header.index("Member Client Index Number (CIN)")
    ]
    edited = tmp_path / "otf.xlsx"
    book.save(edited)
    check = ("validate", str(edited), "--plan", "healthnet", "--kind", "otf", "--period", "2025-11")

    code, err = run(capsys, *check, "--dataset", str(data))
    # a warning, as when converting: the plan gets a row it does not count as outreach
    assert code == 0
    (line,) = [line for line in err.splitlines() if "O001" in line]
    assert "warning O001" in line and "OTF!I2" in line
    assert "encounters" in line and "RTF" in line
    assert "B010" not in err

    code, err = run(capsys, *check)  # without the dataset there is nothing to compare with
    assert code == 0 and "O001" not in err
