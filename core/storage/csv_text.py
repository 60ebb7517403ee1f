"""How ecmx writes text into a dataset's CSV files, and reads it back exactly.

Staff open a CSV-folder dataset in Excel, which runs a cell starting with
= + - @ (or a tab or CR) as a formula: a MIF cell like ``=HYPERLINK(...)``
would run on the provider's machine (OWASP: CSV injection). So ecmx writes such
text with a leading apostrophe, which Excel shows as text. To read a value
back unchanged, the reader removes that apostrophe, and so that text which
itself begins with an apostrophe followed by one of those characters (or by a
second apostrophe) survives, such text gets one more apostrophe on writing.
Any other text is written as it is: a name like ``'Iolani`` stays as typed.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_START = (*FORMULA_START, "'")


def escape_csv_text(value: str) -> str:
    """Text as ecmx writes it into a dataset CSV."""
    if value.startswith(FORMULA_START) or (
        value.startswith("'") and value[1:].startswith(_ESCAPED_START)
    ):
        return "'" + value
    return value


def unescape_csv_text(value: str) -> str:
    """A dataset CSV cell as the value it stands for (the reverse of ``escape_csv_text``)."""
    if value.startswith("'") and value[1:].startswith(_ESCAPED_START):
        return value[1:]
    return value
