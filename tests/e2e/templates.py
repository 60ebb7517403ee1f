"""Template workbooks as a plan hands them out, made for the tests of ``files.<kind>.template``.

The RTF template: a title block over the header (row 3), a styled header, a first data
row of bordered blank cells (a date column formatted as a date, another left General),
column widths, a "Lists" sheet with a defined name, an inline validation list, a range
validation that stops short of the rows a month needs, an x14 validation in the
sheet's extLst pointing at the list sheet (what openpyxl drops), and an "Instructions"
sheet. ``make_xlsm`` adds a tiny vbaProject.bin and the macro content types.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

HEADER_ROW = 3
STATUS_CODES = ["1", "2", "3", "4", "5"]
INLINE = '"Y,N"'  # the inline list on the address indicator column
X14_SQREF = "Q4:Q10"  # acuity, a list on the Lists sheet, kept only in the extLst
X14 = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" '
    'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>Lists!$B$2:$B$4</xm:f></x14:formula1>"
    f"<xm:sqref>{X14_SQREF}</xm:sqref></x14:dataValidation></x14:dataValidations>"
    "</ext></extLst>"
)
VBA = b"\xd0\xcf\x11\xe0ecmx test vba project\x00\x01\x02" * 8
VBA_TYPE = "application/vnd.ms-office.vbaProject"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

# LibreOffice opens the written workbooks as a user's office suite would. CI installs it
# (.ci/run), so there the test runs (and fails without it); elsewhere it is skipped.
needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui",
)


def make_template(path: Path, headers: list[str], *, sheet: str = "RTF") -> dict[str, str]:
    """An RTF template for ``headers``; returns the validations' formula by sqref."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws["A1"] = "Health Net ECM Return Transmission File"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Provider: fill in every row below the header; do not rename the columns"
    thin = Side(style="thin")
    for index, header in enumerate(headers, start=1):
        cell = ws.cell(HEADER_ROW, index, header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
        below = ws.cell(HEADER_ROW + 1, index)
        below.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        if header == "ECM Enrollment Start Date":
            below.number_format = "yyyy-mm-dd"  # the template's own date format, kept
        ws.column_dimensions[get_column_letter(index)].width = 22
    lists = book.create_sheet("Lists")
    lists["A1"], lists["B1"] = "ECM status", "Acuity"
    for row, code in enumerate(STATUS_CODES, start=2):
        lists.cell(row, 1, code)
    for row, code in enumerate(["High", "Medium", "Low"], start=2):
        lists.cell(row, 2, code)
    book.defined_names["StatusList"] = DefinedName("StatusList", attr_text="Lists!$A$2:$A$6")
    notes = book.create_sheet("Instructions")
    notes["A1"] = "Send this file by the 10th of each month."
    validations = {}
    for header, formula, rows in (
        ("Member New Address Indicator", INLINE, 200),
        ("Member ECM Status", "=Lists!$A$2:$A$6", 10),  # stops short: convert extends it
    ):
        letter = get_column_letter(headers.index(header) + 1)
        check = DataValidation(type="list", formula1=formula, allow_blank=True)
        check.add(f"{letter}{HEADER_ROW + 1}:{letter}{rows}")
        ws.add_data_validation(check)
        validations[f"{letter}{HEADER_ROW + 1}:{letter}{rows}"] = formula.lstrip("=")
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    book.save(path)
    _with_x14(path)
    return validations


def _with_x14(path: Path) -> None:
    """The RTF sheet with an x14 list validation in its extLst, as newer Excel writes one."""
    _rewrite(
        path,
        {
            "xl/worksheets/sheet1.xml": lambda x: x.replace(
                b"</worksheet>", X14.encode() + b"</worksheet>"
            )
        },
    )


def make_xlsm(xlsx: Path, xlsm: Path) -> None:
    """``xlsx`` as a macro-enabled workbook with a (tiny, fake) vbaProject.bin."""
    xlsm.write_bytes(xlsx.read_bytes())
    _rewrite(
        xlsm,
        {
            "[Content_Types].xml": lambda x: x.replace(
                XLSX_MAIN.encode(), XLSM_MAIN.encode()
            ).replace(
                b"<Default ",
                f'<Default Extension="bin" ContentType="{VBA_TYPE}"/><Default '.encode(),
                1,
            ),
            "xl/_rels/workbook.xml.rels": lambda x: x.replace(
                b"</Relationships>",
                f'<Relationship Id="rIdVba" Type="{VBA_REL}" Target="vbaProject.bin"/>'
                "</Relationships>".encode(),
            ),
        },
        extra={"xl/vbaProject.bin": VBA},
    )


def _rewrite(path: Path, changes, extra: dict[str, bytes] | None = None) -> None:
    temp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            change = changes.get(item.filename)
            out.writestr(item.filename, change(data) if change else data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    temp.replace(path)


def sheet_xml(path: Path, sheet_index: int = 1) -> str:
    with zipfile.ZipFile(path) as book:
        return book.read(f"xl/worksheets/sheet{sheet_index}.xml").decode("utf-8")
