"""A plan's response file: what it says about each file it received (accepted, or declined
with a reason), read as the plan's ``delivery.responses`` describes it.

No plan page shows a response file, so the layout is configuration (``dhcs_base`` ships
an assumed one every plan inherits). A row is one file: its name, its status (a value of
``statuses.accepted`` or ``statuses.declined``, case ignored), and optionally a reason and
a date. A file that cannot be read is one finding (P001); a status not listed is a
finding for its row (P002), which is not recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import PurePosixPath, PureWindowsPath

from ecmx.core.checks.codes import P001, P002
from ecmx.core.checks.findings import Finding
from ecmx.core.errors import EcmxError
from ecmx.core.ledger.inbox import Answer
from ecmx.core.plans.spec import ResponseSpec
from ecmx.core.storage.sheets import is_blank, read_csv, read_workbook_sheet

ACCEPTED, DECLINED = "accepted", "declined"
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y%m%d")


def read_response(path, spec: ResponseSpec, plan: str) -> tuple[list[Answer], list[Finding]]:
    """The answers of a response file, and a finding for each row (or file) not read."""
    where = {"plan": plan, "kind": "response", "file": str(path)}
    try:
        sheet = read_csv(path) if spec.format == "csv" else read_workbook_sheet(path, spec.sheet)
    except EcmxError as exc:
        return [], [P001.finding(str(exc), **where)]
    rows = [(sheet.first_row + i, row) for i, row in enumerate(sheet.rows)
            if not all(is_blank(cell) for cell in row)]  # fmt: skip
    if not rows:
        return [], [P001.finding("the response file holds no header row", **where)]
    header_row, header_cells = rows[0]
    header = [str(cell or "").strip().casefold() for cell in header_cells]
    columns = {}
    for key, name in spec.columns.items():
        if name.strip().casefold() not in header:
            if key in ("file", "status"):
                return [], [P001.finding(
                    f"no column {name!r} (the {key}) in the header row", sheet=sheet.sheet,
                    row=header_row, column=name, **where,
                )]  # fmt: skip
            continue
        columns[key] = header.index(name.strip().casefold())
    statuses = {v.casefold(): ACCEPTED for v in spec.accepted}
    statuses |= {v.casefold(): DECLINED for v in spec.declined}
    answers, findings = [], []
    for number, row in rows[1:]:
        cells = {key: _cell(row, index) for key, index in columns.items()}
        status = statuses.get(cells["status"].casefold())
        if status is None or not cells["file"]:
            what = "no file name" if not cells["file"] else f"status {cells['status']!r}"
            findings.append(P002.finding(
                f"{what}: neither accepted nor declined in delivery.responses.statuses",
                sheet=sheet.sheet, row=number, column=spec.columns["status"], **where,
            ))  # fmt: skip
            continue
        answers.append(Answer(number, _base_name(cells["file"]), status,
                              cells.get("reason", ""), _day(cells.get("date", ""))))  # fmt: skip
    return answers, findings


def _cell(row: list, index: int) -> str:
    value = row[index] if index < len(row) else None
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return "" if is_blank(value) else str(value).strip()


def _base_name(text: str) -> str:
    """A name as sent, even when the plan writes the folder too (``/inbound/x.xlsx``)."""
    return PureWindowsPath(PurePosixPath(text).name).name


def _day(text: str) -> date | None:
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text[:10] if form == "%Y-%m-%d" else text, form).date()
        except ValueError:
            continue
    return None
