"""The data-validation lists of a template sheet, read from its XML and resolved to values.

A list is written inline (``"A,B,C"``), as a range (``Lists!$A$2:$A$9``) or as a defined
name. Excel writes a list that points at another sheet in the sheet's ``extLst``
(``x14:dataValidation``), which openpyxl drops when it loads the workbook: so both kinds
are read here from the sheet's XML, and only the cells a range names from openpyxl.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from ecmx.core.storage.xlsx_scan import sheet_parts

_RANGE = re.compile(
    r"^(?:(?P<sheet>'(?:[^']|'')+'|[^'!]+)!)?\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)"
    r"(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>\d+))?$"
)
MAX_LIST_CELLS = 10_000  # a code list longer than this is not a code list


@dataclass(frozen=True)
class ListRule:
    """One list validation of the sheet: the cells it covers and its formula."""

    areas: tuple[tuple[int, int, int, int], ...]  # (min col, min row, max col, max row), 1-based
    formula: str

    def covers_below(self, column: int, header_row: int) -> bool:
        """It applies to some cell of ``column`` (1-based) below the header row."""
        return any(c1 <= column <= c2 and r2 > header_row for c1, r1, c2, r2 in self.areas)


def column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (ord(char) - 64)
    return number


def _areas(sqref: str) -> tuple[tuple[int, int, int, int], ...]:
    found = []
    for part in sqref.split():
        match = _RANGE.match(part)
        if match:
            c1, r1 = column_number(match["c1"]), int(match["r1"])
            c2, r2 = column_number(match["c2"] or match["c1"]), int(match["r2"] or match["r1"])
            found.append((c1, r1, c2, r2))
    return tuple(found)


def list_rules(path: Path, sheet: str) -> list[ListRule]:
    """Every list validation of ``sheet``: the sheet's own and those of its ``extLst``."""
    with zipfile.ZipFile(path) as book:
        member = sheet_parts(book).get(sheet)
        if member is None:
            return []
        with book.open(member) as stream:
            return list(_parse(stream))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse(stream: IO[bytes]) -> Iterator[ListRule]:
    inside = False
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        name = _local(element.tag)
        if name == "dataValidation":
            inside = event == "start"
            if event == "end":
                rule = _rule(element)
                if rule is not None:
                    yield rule
                element.clear()
        elif event == "end" and name in ("row", "sheetData") and not inside:
            element.clear()


def _rule(element: ElementTree.Element) -> ListRule | None:
    if element.get("type") != "list":
        return None
    sqref = element.get("sqref") or ""
    formula = ""
    for child in element.iter():
        name = _local(child.tag)
        if name == "sqref" and child.text:
            sqref = child.text
        elif name == "formula1":
            formula = "".join(child.itertext())
    return ListRule(_areas(sqref), formula.strip()) if formula.strip() else None


def cell_text(value: object) -> str:
    """A cell as the text a code is: ``1.0`` is ``1``, a date its ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def resolve(formula: str, book: Any, sheet: str) -> tuple[tuple[str, ...] | None, str]:
    """The list's values, or None and why they could not be read."""
    text = formula.lstrip("=").strip()
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        inner = text[1:-1].replace('""', '"')
        return tuple(v.strip() for v in inner.split(",") if v.strip()), ""
    match = _RANGE.match(text)
    if match is None:
        named = _defined_name(book, sheet, text)
        if named is None:
            return None, f"the list is a formula ecmx does not read ({text})"
        match = _RANGE.match(named)
        if match is None:
            return None, f"the name {text} is {named}, not a range of cells"
    return _range_values(book, sheet, match)


def _defined_name(book: Any, sheet: str, name: str) -> str | None:
    scoped = getattr(book[sheet], "defined_names", {}) or {}
    found = scoped.get(name) if name in scoped else None
    if found is None and name in book.defined_names:
        found = book.defined_names[name]
    if found is None:
        return None
    return str(found.attr_text or "").lstrip("=")


def _range_values(
    book: Any, sheet: str, match: re.Match[str]
) -> tuple[tuple[str, ...] | None, str]:
    target = (match["sheet"] or sheet).strip("'").replace("''", "'")
    if target not in book.sheetnames:
        return None, f"the list's sheet {target!r} is not in the workbook"
    c1, r1 = column_number(match["c1"]), int(match["r1"])
    c2, r2 = column_number(match["c2"] or match["c1"]), int(match["r2"] or match["r1"])
    if (c2 - c1 + 1) * (r2 - r1 + 1) > MAX_LIST_CELLS:
        return None, f"the list's range is over {MAX_LIST_CELLS:,} cells"
    cells = book[target].iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2, values_only=True)
    values = [cell_text(v) for row in cells for v in row]
    return tuple(dict.fromkeys(v for v in values if v)), ""
