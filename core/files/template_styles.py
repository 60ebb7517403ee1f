"""A template workbook's cell styles (``xl/styles.xml``), with the few a filled file adds.

``template_fill`` writes each data cell in its column's template style. Two kinds of
cell need a style the template may lack, made from that style so its font, border and
fill stay: a date in a column not formatted as a date (it would show as a serial
number) gets the plan's date format, and text that starts like a formula gets Excel's
quote prefix with the text format (what ``files/write.py`` writes). The new ``<xf>``
and ``<numFmt>`` entries are appended; nothing else in the part changes.
"""

from __future__ import annotations

import re
from html import escape

from ecmx.core.errors import ConfigError

_CELL_XFS = re.compile(rb"(<cellXfs\b[^>]*>)(.*?)(</cellXfs>)", re.S)
_XF = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_NUM_FMTS = re.compile(rb"(<numFmts\b[^>]*>)(.*?)(</numFmts>)", re.S)
_EMPTY_NUM_FMTS = re.compile(rb"<numFmts\b[^>]*/>")
_NUM_FMT = re.compile(rb"<numFmt\b[^>]*/>")
_ATTRS = re.compile(rb'(\w+)="([^"]*)"')
_STYLE_SHEET = re.compile(rb"<styleSheet\b[^>]*>")
# Excel's built-in date and time formats (ECMA-376 part 1, 18.8.30), by id.
_BUILTIN_DATES = {*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)}
_TEXT_FORMAT = 49  # "@"
_FIRST_CUSTOM = 164


class Styles:
    """The template's ``cellXfs`` and custom number formats; ``xml()`` with what was added."""

    def __init__(self, xml: bytes | None):
        if xml is None or _CELL_XFS.search(xml) is None:
            raise ConfigError("the template has no cell styles (xl/styles.xml); save it again")
        self._xml = xml
        block = _CELL_XFS.search(xml)
        self._xfs = [m.group(0) for m in _XF.finditer(block.group(2))] if block else []
        self._formats = {
            int(a[b"numFmtId"]): a[b"formatCode"].decode()
            for a in (dict(_ATTRS.findall(m.group(0))) for m in _NUM_FMT.finditer(xml))
            if b"numFmtId" in a and b"formatCode" in a
        }
        self._added_xfs: list[bytes] = []
        self._added_formats: dict[int, str] = {}
        self._made: dict[tuple[int, int, bool], int] = {}

    def for_column(self, kind: str, base: int, date_format: str) -> tuple[int, int]:
        """(style of a value, style of text that starts like a formula) for a column of
        ``kind`` whose template style is ``base``."""
        base = base if 0 <= base < len(self._xfs) else 0
        if kind == "date":
            if self._is_date(base):
                return base, base
            return (self._derived(base, self._format_id(date_format), quote=False),) * 2
        if kind == "text":
            return base, self._derived(base, _TEXT_FORMAT, quote=True)
        return base, base

    def xml(self) -> bytes:
        """styles.xml with the added styles (the template's bytes when none was added)."""
        xml = self._xml
        if self._added_formats:
            entries = b"".join(
                b'<numFmt numFmtId="%d" formatCode="%s"/>' % (i, escape(code).encode())
                for i, code in self._added_formats.items()
            )
            total = len(self._formats) + len(self._added_formats)
            if _NUM_FMTS.search(xml):
                xml = _NUM_FMTS.sub(
                    lambda m: _counted(m.group(1), total) + m.group(2) + entries + m.group(3),
                    xml,
                    count=1,
                )
            elif _EMPTY_NUM_FMTS.search(xml):
                block = b'<numFmts count="%d">' % total + entries + b"</numFmts>"
                xml = _EMPTY_NUM_FMTS.sub(lambda m: block, xml, count=1)
            else:  # numFmts is the first child of styleSheet
                found = _STYLE_SHEET.search(xml)
                at = found.end() if found else 0
                xml = (
                    xml[:at] + b'<numFmts count="%d">' % total + entries + b"</numFmts>" + xml[at:]
                )
        if self._added_xfs:
            total = len(self._xfs) + len(self._added_xfs)
            xml = _CELL_XFS.sub(
                lambda m: (
                    _counted(m.group(1), total)
                    + m.group(2)
                    + b"".join(self._added_xfs)
                    + m.group(3)
                ),
                xml,
                count=1,
            )
        return xml

    def _number_format(self, index: int) -> int:
        opening = self._xfs[index].split(b">", 1)[0]
        attrs = dict(_ATTRS.findall(opening))
        return int(attrs.get(b"numFmtId", b"0"))

    def _is_date(self, index: int) -> bool:
        number = self._number_format(index)
        if number in _BUILTIN_DATES:
            return True
        code = self._formats.get(number, "")
        # a custom format is a date's when, outside quotes and brackets, it has d, m or y
        bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
        return bool(re.search(r"[dy]|m(?!.*[hs])", bare)) and "0" not in bare

    def _format_id(self, code: str) -> int:
        for number, known in {**self._formats, **self._added_formats}.items():
            if known == code:
                return number
        number = max([_FIRST_CUSTOM - 1, *self._formats, *self._added_formats]) + 1
        self._added_formats[number] = code
        return number

    def _derived(self, base: int, number_format: int, *, quote: bool) -> int:
        key = (base, number_format, quote)
        if key not in self._made:
            xf = _set(self._xfs[base], b"numFmtId", b"%d" % number_format)
            xf = _set(xf, b"applyNumberFormat", b"1")
            if quote:
                xf = _set(xf, b"quotePrefix", b"1")
            self._added_xfs.append(xf)
            self._made[key] = len(self._xfs) + len(self._added_xfs) - 1
        return self._made[key]


def _set(xf: bytes, name: bytes, value: bytes) -> bytes:
    """``xf`` with the attribute ``name`` set on its opening tag."""
    end = xf.index(b">")
    end = end - 1 if xf[end - 1 : end] == b"/" else end
    opening, rest = xf[:end], xf[end:]
    pattern = re.compile(rb"\s" + name + rb'="[^"]*"')
    if pattern.search(opening):
        opening = pattern.sub(b" " + name + b'="' + value + b'"', opening, count=1)
    else:
        opening += b" " + name + b'="' + value + b'"'
    return opening + rest


def _counted(opening: bytes, total: int) -> bytes:
    if re.search(rb'\scount="\d+"', opening):
        return re.sub(rb'\scount="\d+"', b' count="%d"' % total, opening, count=1)
    return opening[:-1] + b' count="%d">' % total
