"""Write a plan file by filling a copy of the plan's template workbook (``files.<kind>.template``).

openpyxl would drop what a plan's template is for: data validations kept in the
sheet's extLst (lists on another sheet, as newer Excel writes them) and, without
``keep_vba``, the macros. So the package is copied at the zip level, every part
byte for byte, except:

- the layout's sheet: the rows down to the header row are kept as they are; the rows
  below it are replaced by the file's rows, streamed as XML (text as inline strings,
  so a text cell is never a formula and keeps its leading zeros; control characters
  escaped as xlsxwriter escapes them). ``<dimension>`` is updated, and a data
  validation, conditional format or autofilter that stops short of the last row is
  extended to it;
- ``styles.xml``, only when a column needs a style the template lacks: a date column
  whose template style is not a date format gets the plan's date format, and text
  that starts like a formula gets Excel's quote prefix, as ``files/write.py`` writes;
- a table (ListObject) whose range starts at the header row and stops short;
- ``calcChain.xml``, dropped: it lists formula cells of the rows replaced.

Each data cell takes the style of the template's cell in the first row below the
header (else the column's style): borders, fonts and number formats stay the
plan's. Values are typed as the plain writer types them (``write._cells``).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pandas as pd
from xlsxwriter.xmlwriter import XMLwriter

from ecmx.core.checks.findings import column_letter
from ecmx.core.errors import ConfigError
from ecmx.core.files.template import inspect_template
from ecmx.core.files.template_styles import Styles
from ecmx.core.plans.spec import FileSpec, Layout
from ecmx.core.storage.csv_text import FORMULA_START
from ecmx.core.storage.xlsx_scan import sheet_members

_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData\b[^>]*>(.*?)</sheetData>", re.S)
_ROW = re.compile(rb"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>.*?</c>)", re.S)
_NUMBER = re.compile(rb'\sr="(\d+)"')
_REF = re.compile(rb'\sr="([A-Z]{1,3})\d+"')
_STYLE = re.compile(rb'\ss="(\d+)"')
_COL = re.compile(rb"<col\b[^>]*/?>")
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_SQREF = re.compile(rb'(\ssqref=")([^"]*)(")|(<xm:sqref>)([^<]*)(</xm:sqref>)')
_AUTOFILTER = re.compile(rb'(<autoFilter\b[^>]*?\sref=")([^"]*)(")')
_RANGE = re.compile(r"^(\$?[A-Z]{1,3}\$?)(\d+)(?::(\$?[A-Z]{1,3}\$?)(\d+))?$")
_CHUNK_ROWS = 2_000
MAX_CELL_TEXT = 32_767


def fill_template(frame: pd.DataFrame, file: FileSpec, layout: Layout, path: Path) -> None:
    """Write ``frame`` at ``path`` (a temporary name) into a copy of ``file.template``."""
    from ecmx.core.files.write import _cells  # the plain writer's value rules

    found = inspect_template(file, layout)
    if not found.header_row:  # convert reports these first: here only with --force
        raise ConfigError(found.problems[0])
    template = found.path
    with zipfile.ZipFile(template) as source:
        member = sheet_members(source).get(found.sheet)
        if member is None:  # calamine found it; the package's own list does not name it
            raise ConfigError(f"template {template}: sheet {found.sheet!r} has no part of its own")
        xml = source.read(member)
        names = set(source.namelist())
        styles = Styles(source.read("xl/styles.xml") if "xl/styles.xml" in names else None)
        date1904 = re.search(rb'date1904="(1|true)"', source.read("xl/workbook.xml")) is not None
        head, kept, first, tail = _split(xml, found.header_row, template)
        columns = _cells(frame, layout)
        bases = _column_styles(head, first, len(columns))
        looks = [
            styles.for_column(kind, base, file.date_format)
            for (kind, _), base in zip(columns, bases, strict=True)
        ]
        last = found.header_row + len(frame)
        head = _dimension(head, last, len(columns))
        tail = _extend_ranges(tail, found.header_row, last)
        replaced = {
            "xl/styles.xml": styles.xml(),
            **_tables(source, member, found.header_row, last),
            **_without_calc_chain(source),
        }
        rows = _rows(columns, looks, found.header_row + 1, _row_attributes(first), date1904)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename == "xl/calcChain.xml":
                    continue
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.compress_type, copy.external_attr = info.compress_type, info.external_attr
                if info.filename != member:
                    data = replaced.get(info.filename)
                    target.writestr(copy, data if data is not None else source.read(info))
                    continue
                with target.open(copy, "w", force_zip64=True) as out:
                    out.write(head + b"<sheetData>" + b"".join(kept))
                    for chunk in rows:
                        out.write(chunk)
                    out.write(b"</sheetData>" + tail)


def _split(xml: bytes, header_row: int, template: Path):
    """The sheet XML as (before sheetData, rows to keep, first row below the header, after)."""
    match = _SHEET_DATA.search(xml)
    if match is None:
        raise ConfigError(f"template {template}: the sheet has no sheetData; save it again")
    kept: list[bytes] = []
    first: bytes | None = None
    number = 0
    for row in _ROW.finditer(match.group(1) or b""):
        text = row.group(0)
        found = _NUMBER.search(text[: text.index(b">")])
        number = int(found.group(1)) if found else number + 1
        if number <= header_row:
            kept.append(text)
        elif number == header_row + 1:
            first = text
    return xml[: match.start()], kept, first, xml[match.end() :]


def _column_styles(head: bytes, first: bytes | None, width: int) -> list[int]:
    """Each column's style: its cell in the first row below the header, else its <col>'s."""
    styles = [0] * width
    for col in _COL.finditer(head):
        attrs = dict(re.findall(rb'(\w+)="([^"]*)"', col.group(0)))
        if b"style" in attrs and b"min" in attrs and b"max" in attrs:
            for index in range(int(attrs[b"min"]) - 1, min(int(attrs[b"max"]), width)):
                styles[index] = int(attrs[b"style"])
    if first is not None:
        for cell in _CELL.finditer(first):
            ref, style = _REF.search(cell.group(1)), _STYLE.search(cell.group(1))
            index = _column_index(ref.group(1)) if ref else -1
            if style and 0 <= index < width:
                styles[index] = int(style.group(1))
    return styles


def _column_index(letters: bytes | str) -> int:
    number = 0
    for char in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(char) - 64
    return number - 1


def _row_attributes(first: bytes | None) -> str:
    """The first data row's own attributes (height, style) for every row written."""
    if first is None:
        return ""
    tag = first[: first.index(b">")].rstrip(b"/").decode()
    attrs = re.findall(r'\s(\w+)="([^"]*)"', tag)
    return "".join(
        f' {k}="{v}"' for k, v in attrs if k in ("s", "customFormat", "ht", "customHeight")
    )


def _rows(columns, looks, first_row: int, row_attrs: str, date1904: bool) -> Iterator[bytes]:
    """The data rows' XML, a chunk of rows at a time."""
    letters = [column_letter(i) for i in range(len(columns))]
    writers = [
        _cell_writer(kind, look, date1904) for (kind, _), look in zip(columns, looks, strict=True)
    ]
    chunk: list[str] = []
    for offset, values in enumerate(zip(*(v for _, v in columns), strict=True)):
        number = first_row + offset
        chunk.append(f'<row r="{number}"{row_attrs}>')
        for letter, write, value in zip(letters, writers, values, strict=True):
            chunk.append(write(f"{letter}{number}", value))
        chunk.append("</row>")
        if offset % _CHUNK_ROWS == _CHUNK_ROWS - 1:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    yield "".join(chunk).encode("utf-8")


def _cell_writer(kind: str, look: tuple[int, int], date1904: bool):
    style, quoted = look
    s = f' s="{style}"' if style else ""
    q = f' s="{quoted}"' if quoted else ""
    blank = f'<c r="{{}}"{s}/>' if style else ""

    def empty(ref: str) -> str:
        return blank.format(ref) if blank else ""

    if kind == "date":
        return lambda ref, v: (
            empty(ref) if v is None else f'<c r="{ref}"{s}><v>{_serial(v, date1904):.16G}</v></c>'
        )
    if kind in ("int", "number"):
        return lambda ref, v: empty(ref) if v is None else f'<c r="{ref}"{s}><v>{v:.16G}</v></c>'

    def text(ref: str, value: str | None) -> str:
        if value is None:
            return empty(ref)
        value = value[:MAX_CELL_TEXT]
        escaped = _escape(value)
        space = ' xml:space="preserve"' if value != value.strip() else ""
        style = q if value.startswith(FORMULA_START) else s
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'

    return text


def _escape(value: str) -> str:
    # xlsxwriter's own escape of control characters (_xHHHH_), so both writers agree
    value = XMLwriter._escape_control_characters(value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _serial(value: datetime, date1904: bool) -> float:
    """Excel's serial day number, as xlsxwriter computes it (1900's phantom leap day too)."""
    epoch = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 31)
    delta = value - epoch
    days = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return days + 1 if not date1904 and days > 59 else days


def _dimension(head: bytes, last_row: int, width: int) -> bytes:
    match = _DIMENSION.search(head)
    if match is None:
        return head
    start_col, start_row, end_col, end_row = match.groups()
    end_col = end_col or start_col
    col = column_letter(max(_column_index(end_col), width - 1)).encode()
    row = max(int(end_row or start_row), last_row)
    new = b'<dimension ref="' + start_col + start_row + b":" + col + str(row).encode() + b'"'
    return head[: match.start()] + new + head[match.end() :]


def _extend_ranges(tail: bytes, header_row: int, last_row: int) -> bytes:
    """Validations, conditional formats and the autofilter that stop short of the last row."""

    def sqref(match: re.Match) -> bytes:
        start, refs, end = (
            (match.group(1), match.group(2), match.group(3))
            if match.group(1)
            else (match.group(4), match.group(5), match.group(6))
        )
        extended = " ".join(_extend(ref, header_row + 1, last_row) for ref in refs.decode().split())
        return start + extended.encode() + end

    def autofilter(match: re.Match) -> bytes:
        return (
            match.group(1)
            + _extend(match.group(2).decode(), header_row, last_row).encode()
            + match.group(3)
        )

    return _AUTOFILTER.sub(autofilter, _SQREF.sub(sqref, tail))


def _extend(ref: str, first_row: int, last_row: int) -> str:
    """``C4:C10`` -> ``C4:C{last_row}`` when it starts at or above ``first_row``, covers
    it and ends above ``last_row``; any other range as it is."""
    match = _RANGE.match(ref)
    if match is None:
        return ref
    start_col, start, end_col, end = match.groups()
    end_col, end = end_col or start_col, end or start
    if int(start) <= first_row <= int(end) < last_row:
        return f"{start_col}{start}:{end_col}{last_row}"
    return ref


def _tables(source: zipfile.ZipFile, member: str, header_row: int, last_row: int):
    """The sheet's tables whose range starts at the header row, extended to the last row."""
    folder, name = member.rsplit("/", 1)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in source.namelist():
        return {}
    out = {}
    for target in re.findall(
        rb'Target="([^"]*)"[^>]*?Type="[^"]*/table"|Type="[^"]*/table"[^>]*?Target="([^"]*)"',
        source.read(rels),
    ):
        path = _resolve(folder, (target[0] or target[1]).decode())
        if path not in source.namelist():
            continue
        xml = source.read(path)
        if re.search(rb'totalsRowCount="[1-9]', xml):
            continue

        def ref(match: re.Match) -> bytes:
            return (
                match.group(1)
                + _extend(match.group(2).decode(), header_row, last_row).encode()
                + match.group(3)
            )

        out[path] = re.sub(rb'(<(?:table|autoFilter)\b[^>]*?\sref=")([^"]*)(")', ref, xml)
    return out


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = folder.split("/")
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _without_calc_chain(source: zipfile.ZipFile) -> dict[str, bytes]:
    """The content types and workbook relationships without calcChain.xml, if it is there."""
    if "xl/calcChain.xml" not in source.namelist():
        return {}
    types = source.read("[Content_Types].xml")
    rels = source.read("xl/_rels/workbook.xml.rels")
    return {
        "[Content_Types].xml": re.sub(rb'<Override\b[^>]*?/xl/calcChain\.xml"[^>]*/>', b"", types),
        "xl/_rels/workbook.xml.rels": re.sub(
            rb'<Relationship\b[^>]*?calcChain\.xml"[^>]*/>', b"", rels
        ),
    }
