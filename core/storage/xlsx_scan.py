"""Look inside an xlsx/xlsm zip before the spreadsheet reader is given it.

The reader (python-calamine, in Rust) allocates a sheet's whole used rectangle at
once and aborts the process when that fails, and it reads an Excel error cell
(``#N/A``, ``#REF!``) as a blank. So the zip is checked first, cheaply and
without building any cell: its entries and unpacked sizes, and for each sheet the
rows and columns its cells claim (``limits``), and where its error cells are.

The sheet XML is streamed and searched with byte patterns, not parsed: a sheet of
a million rows is scanned in a few seconds. Cells are located by their ``r``
attribute (``r="E7"``), which Excel and every library we know write first; a sheet
written otherwise (no references, a namespace prefix, single quotes) is parsed
cell by cell instead, exactly but slowly.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from xml.etree import ElementTree

from ecmx.core.errors import InputError
from ecmx.core.storage import limits

_CHUNK = 8 * 1024 * 1024
_MAX_PART_BYTES = 16 * 1024 * 1024  # workbook.xml and its relationships: a list of sheets

# The sheet XML Excel and the libraries we know write: every row and cell carries its
# reference first, in double quotes, without a namespace prefix. Such a "plain" sheet
# is scanned with patterns that start with a literal (fast); any other is parsed.
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>]*?\st="e"[^>]*>')
_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
# Single quotes, a prefixed cell or row, a cell or row without attributes.
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref=["\'](?:[A-Z]{1,3}\d+:)?([A-Z]{1,3})(\d+)')
_NOT_PLAIN = (b"='", b":c", b":row", b"<c>", b"<row>")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class SheetScan:
    """What one sheet's XML holds: its extent and its error cells ((row, column) 0-based)."""

    rows: int = 0
    columns: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


def scan_workbook(path: Path) -> dict[str, SheetScan]:
    """Sheet name -> scan; InputError (one line) when the zip is over a limit."""
    try:
        with zipfile.ZipFile(path) as book:
            _check_entries(path, book)
            members = _sheet_members(book)
            budget = [limits.MAX_UNPACKED_BYTES]
            return {
                name: _scan_sheet(path, name, book, member, budget)
                for name, member in members.items()
            }
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ElementTree.ParseError) as exc:
        raise InputError(
            f"{path}: not a readable xlsx/xlsm workbook ({type(exc).__name__}); "
            "open it in Excel and save it as .xlsx"
        ) from None
    except NotImplementedError:  # a compression method zipfile does not know
        raise InputError(
            f"{path}: the workbook is packed in a way ecmx cannot read; save it again as .xlsx"
        ) from None


def sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its XML (a workbook already checked by ``scan_workbook``)."""
    return _sheet_members(book)


def _check_entries(path: Path, book: zipfile.ZipFile) -> None:
    entries = book.infolist()
    if len(entries) > limits.MAX_ZIP_ENTRIES:
        raise InputError(
            f"{path}: the workbook holds {len(entries):,} parts (limit "
            f"{limits.MAX_ZIP_ENTRIES:,}); refused as not a workbook ecmx reads"
        )
    unpacked = sum(e.file_size for e in entries)
    if unpacked > limits.MAX_UNPACKED_BYTES:
        raise InputError(
            f"{path}: the workbook unpacks to {limits.mib(unpacked)} (limit "
            f"{limits.mib(limits.MAX_UNPACKED_BYTES)}); split the dataset or use a CSV folder"
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 2**20 and ratio > limits.MAX_COMPRESSION_RATIO:
            raise InputError(
                f"{path}: part {entry.filename} unpacks {ratio:,.0f} times its packed size "
                f"(limit {limits.MAX_COMPRESSION_RATIO}): refused as a zip bomb"
            )


def _sheet_members(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its XML, from xl/workbook.xml and its relationships."""
    workbook = _small_xml(book, "xl/workbook.xml")
    relations = _small_xml(book, "xl/_rels/workbook.xml.rels")
    if workbook is None or relations is None:
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in relations.iter(f"{_PKG_REL}Relationship")}
    members = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if member in book.namelist():
            members[sheet.get("name", "")] = member
    return members


sheet_members = _sheet_members  # the template filler's way to a sheet's part (files/template_fill)


def _small_xml(book: zipfile.ZipFile, name: str):
    try:
        info = book.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PART_BYTES:
        raise InputError(f"{book.filename}: part {name} is larger than a workbook needs; refused")
    return ElementTree.fromstring(book.read(info))


def _scan_sheet(path, name, book, member, budget) -> SheetScan:
    scan = SheetScan()
    for index, data in enumerate(_chunks(path, book, member, budget.copy())):
        if index == 0:
            _check_dimension(path, name, data)
        if not _is_plain(data):
            return _parse_sheet(path, name, book, member, budget)
        _scan_chunk(data, scan)
        _check_extent(path, name, scan)
    budget[0] -= book.getinfo(member).file_size
    return scan


def _chunks(path, book, member, budget):
    """The member's XML in pieces that end at a tag's end, counted against ``budget``."""
    carry = b""
    with book.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise InputError(
                    f"{path}: the workbook unpacks to more than "
                    f"{limits.mib(limits.MAX_UNPACKED_BYTES)}; split the dataset or use a CSV folder"
                )
            data = carry + chunk
            cut = data.rfind(b">") + 1
            if cut:
                data, carry = data[:cut], data[cut:]
                yield data
            elif len(data) > 4 * _CHUNK:  # one huge text without a tag: nothing to split
                carry = b""
                yield data
            else:
                carry = data
    if carry:
        yield carry


def _is_plain(data: bytes) -> bool:
    return (
        data.count(b"<c ") == data.count(b'<c r="')
        and data.count(b"<row ") == data.count(b'<row r="')
        and not any(marker in data for marker in _NOT_PLAIN)
    )


def _check_dimension(path: Path, name: str, data: bytes) -> None:
    """The used range the sheet declares: some reader versions reserve all of it at once."""
    claimed = _DIMENSION.search(data)
    if claimed:
        corner = SheetScan(int(claimed.group(2)), _column_number(claimed.group(1)))
        _check_extent(path, name, corner)


def _scan_chunk(data: bytes, scan: SheetScan) -> None:
    numbers = _ROW_NUMBER.findall(data)
    if numbers:
        scan.rows = max(scan.rows, *map(int, numbers))
    # A cell below every row seen, or right of every column seen: rare, so looked for
    # with one search and only then collected (a well-formed sheet has none below).
    beyond = re.compile(
        rb'<c r="(?:(?:'
        + _columns_over(scan.columns)
        + rb")\d|[A-Z]{1,3}0*(?:"
        + _numbers_over(scan.rows)
        + rb')")'
    )
    if beyond.search(data):
        for letters, digits in _REF.findall(data):
            scan.columns = max(scan.columns, _column_number(letters))
            scan.rows = max(scan.rows, int(digits))
    if b't="e"' in data:
        for match in _ERROR_CELL.finditer(data):
            value = None
            if not match.group(0).endswith(b"/>"):  # else an error cell without its value
                value = _VALUE.search(data, match.end(), data.find(b"</c>", match.end()) + 4)
            code = value.group(1).decode("utf-8", "replace").strip() if value else ""
            cell = (int(match.group(2)) - 1, _column_number(match.group(1)) - 1)
            scan.errors[cell] = code


def _parse_sheet(path, name, book, member, budget) -> SheetScan:
    """The slow, exact way for a sheet written otherwise: every row and cell parsed."""
    scan = SheetScan()
    parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(
        events=("start", "end")
    )
    row = column = 0
    error_at: tuple[int, int] | None = None
    for data in _chunks(path, book, member, budget):
        parser.feed(data)
        # start and end events (the only ones asked for) come as (event, element)
        events = cast(Iterator[tuple[str, ElementTree.Element]], parser.read_events())
        for event, element in events:
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start" and tag == "row":
                number = element.get("r", "")
                row, column = (int(number) if number.isdigit() else row + 1), 0
            elif event == "start" and tag == "c":
                ref = re.fullmatch(r"([A-Z]{1,3})(\d+)", element.get("r", ""))
                if ref:
                    column, row = _column_number(ref.group(1).encode()), int(ref.group(2))
                else:
                    column += 1
                scan.rows, scan.columns = max(scan.rows, row), max(scan.columns, column)
                if element.get("t") == "e":
                    error_at = (row - 1, column - 1)
                    scan.errors[error_at] = ""
            elif event == "end" and tag == "v" and error_at is not None:
                scan.errors[error_at] = (element.text or "").strip()
            elif event == "end" and tag == "c":
                error_at = None
                element.clear()
            elif event == "end" and tag == "row":
                element.clear()
                _check_extent(path, name, scan)
    _check_extent(path, name, scan)
    return scan


def _check_extent(path: Path, name: str, scan: SheetScan) -> None:
    where = f"{path} sheet {name!r}"
    rows = scan.rows
    if rows > limits.EXCEL_MAX_ROWS:
        raise InputError(
            f"{where}: claims row {rows:,}, beyond Excel's {limits.EXCEL_MAX_ROWS:,} rows; "
            "refused as not a real workbook"
        )
    if scan.columns > limits.EXCEL_MAX_COLUMNS:
        raise InputError(
            f"{where}: claims column {scan.columns:,}, beyond Excel's "
            f"{limits.EXCEL_MAX_COLUMNS:,} columns; refused as not a real workbook"
        )
    if rows * max(scan.columns, 26) > limits.MAX_SHEET_CELLS:
        raise InputError(
            f"{where}: its cells span {rows:,} rows by {max(scan.columns, 26):,} columns, more "
            f"than {limits.MAX_SHEET_CELLS:,} cells; delete unused rows and columns "
            "(a stray cell far away counts) or split the sheet"
        )


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number


def _columns_over(columns: int) -> bytes:
    """A pattern for column letters after column number ``columns`` (26 at least)."""
    if columns <= 26:
        return rb"[A-Z]{2,3}"
    if columns >= 702:
        return rb"[A-Z]{3}"  # three letters are collected in any case
    first, second = divmod(columns - 1, 26)
    first_letter, second_letter = chr(64 + first), chr(65 + second)
    alternatives = [rb"[A-Z]{3}"]
    if second_letter < "Z":
        alternatives.append(f"{first_letter}[{chr(ord(second_letter) + 1)}-Z]".encode())
    if first_letter < "Z":
        alternatives.append(f"[{chr(ord(first_letter) + 1)}-Z][A-Z]".encode())
    return b"|".join(alternatives)


def _numbers_over(number: int) -> bytes:
    """A pattern for decimal numbers (no leading zeros) greater than ``number``."""
    text = str(max(number, 0))
    alternatives = [rb"[1-9]\d{%d,}" % len(text)]
    for index, digit in enumerate(text):
        if digit != "9":
            lead, low = text[:index], int(digit) + 1
            rest = len(text) - index - 1
            alternatives.append(f"{lead}[{low}-9]".encode() + (rb"\d{%d}" % rest if rest else b""))
    return b"|".join(alternatives)
