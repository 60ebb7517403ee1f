"""An invoice workbook for a plan that is billed by invoice instead of 837P.

One sheet ``Invoice``: who bills whom for which period, then one row per service
line (member, CIN, date, code and modifiers, units, place of service,
diagnoses, TAR, charge) and a total that is a number, not a formula, so it
reads the same in any program. Written with xlsxwriter at the temporary path the
claims job gives it (the job moves every plan's file into place together).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from ecmx.core.billing.lines import missing, text_or_blank
from ecmx.core.storage.gcpause import gc_paused

if TYPE_CHECKING:
    from ecmx.core.billing.claim_writers import ClaimFile

HEADERS = (
    "Claim", "Member Last Name", "Member First Name", "Member CIN", "Date of Birth",
    "Date of Service", "Procedure Code", "Modifiers", "Units", "Place of Service",
    "Diagnosis Codes", "Authorization (TAR)", "Charge",
)  # fmt: skip


@gc_paused()
def write_invoice(claim_file: ClaimFile, path: Path) -> None:
    """The invoice claim writer (``ecmx claims --format invoice``): one workbook per plan."""
    f = claim_file
    _write(f.claims, f.provider, f.spec.payer_name, f.period, f.created, Path(path))


def _write(claims, provider, payer_name, period, created, path: Path) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = book.add_worksheet("Invoice")
    formats = _formats(book)
    sheet.write_string(0, 0, "ECM Invoice", formats["title"])
    facts = (
        ("Provider", provider.facility_name),
        ("NPI", provider.npi),
        ("TIN", provider.tin),
        ("Address", ", ".join(str(provider.get(k) or "") for k in ("address", "city", "state", "zip"))),
        ("Bill to", payer_name),
        ("Service period", f"{period.start:%m/%d/%Y} - {period.end:%m/%d/%Y}"),
        ("Invoice date", f"{created:%m/%d/%Y}"),
        ("Claims", str(len(claims))),
    )  # fmt: skip
    for row, (label, value) in enumerate(facts, start=2):
        sheet.write_string(row, 0, label, formats["bold"])
        sheet.write_string(row, 1, str(value), formats["text"])
    top = len(facts) + 3
    widths = (20, 18, 18, 12, 12, 12, 10, 12, 7, 9, 22, 18, 12)
    for col, (name, width) in enumerate(zip(HEADERS, widths, strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(top, col, name, formats["header"])
    row, total = _write_lines(sheet, claims, top, formats)
    sheet.write_string(row + 1, 11, "Total", formats["bold"])
    sheet.write_number(row + 1, 12, round(total, 2), formats["money_bold"])
    sheet.freeze_panes(top + 1, 0)
    book.close()


def _formats(book) -> dict:
    return {
        "bold": book.add_format({"bold": True}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "header": book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1}),
        "day": book.add_format({"num_format": "mm/dd/yyyy"}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "money_bold": book.add_format({"num_format": "#,##0.00", "bold": True, "top": 1}),
        "text": book.add_format({"num_format": "@"}),
    }


def _write_lines(sheet, claims, top: int, formats: dict) -> tuple[int, float]:
    """One row per service line below the header row ``top``: the last row and the total."""
    text, day = formats["text"], formats["day"]
    row, total = top, 0.0
    for claim in claims:
        member = claim.member
        for line in claim.lines:
            row += 1
            cells = (
                claim.control_number, member.get("last_name"), member.get("first_name"),
                claim.subscriber_id,
            )  # fmt: skip
            for col, value in enumerate(cells):
                sheet.write_string(row, col, text_or_blank(value), text)
            if not missing(member.get("dob")):
                sheet.write_datetime(row, 4, _datetime(member["dob"]), day)
            sheet.write_datetime(row, 5, _datetime(line.service_date), day)
            sheet.write_string(row, 6, line.code, text)
            sheet.write_string(row, 7, " ".join(line.modifiers), text)
            sheet.write_number(row, 8, line.units)
            sheet.write_string(row, 9, line.place_of_service, text)
            codes = [claim.diagnoses[p - 1] for p in line.pointers if p <= len(claim.diagnoses)]
            sheet.write_string(row, 10, " ".join(codes), text)
            sheet.write_string(row, 11, line.authorization or "", text)
            sheet.write_number(row, 12, line.charge, formats["money"])
            total += line.charge
    return row, total


def _datetime(value) -> datetime:
    return datetime(value.year, value.month, value.day)
