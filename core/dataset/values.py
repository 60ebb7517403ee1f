"""Turn one raw cell (as a reader returned it) into a typed value.

Each converter returns ``(value, problem)``: ``problem`` is None when the cell
is fine, else a short phrase for a finding ("not a date"). A blank cell is
``(None, None)``: whether blank is allowed is the caller's rule.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

# What Excel shows in a cell whose formula failed; saved as CSV, the cell holds this text.
EXCEL_ERRORS = frozenset(
    "#NULL! #DIV/0! #VALUE! #REF! #NAME? #NUM! #N/A #GETTING_DATA #SPILL! #CALC! "
    "#FIELD! #BLOCKED! #CONNECT! #BUSY! #UNKNOWN! #PYTHON!".split()
)


class CellError(str):
    """An Excel error cell (``#N/A``), as the sheet reader marks it: never a value."""


def excel_error(raw) -> str | None:
    """The problem phrase when a cell is an Excel error (a real one, or its text in a CSV)."""
    if isinstance(raw, CellError) or (isinstance(raw, str) and raw.strip() in EXCEL_ERRORS):
        code = raw.strip() or "error"
        return f"the Excel error {code}, not a value: fix the formula or type the value"
    return None


_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%m-%d-%Y", "%Y%m%d", "%m/%d/%y")
_DATETIME_TAIL = re.compile(r"[ T]00:00(:00(\.0+)?)?$")


def as_text(raw) -> tuple[str | None, str | None]:
    """Text as written. A number a spreadsheet stored (``12345.0``) becomes ``12345``."""
    if raw is None:
        return None, None
    if isinstance(raw, str):
        text = raw.strip()
        return (text or None), None
    if isinstance(raw, bool):
        return ("true" if raw else "false"), None
    if isinstance(raw, float):
        if math.isnan(raw):
            return None, None
        if raw.is_integer():
            return str(int(raw)), None
        return repr(raw), None
    if isinstance(raw, datetime):
        return (
            raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat(),
            None,
        )
    if isinstance(raw, date):
        return raw.isoformat(), None
    return str(raw).strip() or None, None


def as_identifier(raw) -> tuple[str | None, str | None]:
    """An id (a TAR, an authorization number) is text: a cell a spreadsheet stored as a
    number has lost any leading zeros (``0000000006`` reads as 6), so it is a problem;
    its digits are kept as the value."""
    text, _ = as_text(raw)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and text is not None:
        return text, "a number in the workbook, not text: leading zeros, if any, are lost"
    return text, None


def as_date(raw) -> tuple[date | None, str | None]:
    if raw is None:
        return None, None
    if isinstance(raw, datetime):
        return raw.date(), None
    if isinstance(raw, date):
        return raw, None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return None, "a number, not a date: format the cell as a date or write 2025-11-04"
    text = str(raw).strip()
    if not text:
        return None, None
    text = _DATETIME_TAIL.sub("", text)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date(), None
        except ValueError:
            continue
    return None, "not a date: write it as 2025-11-04 (or 11/04/2025)"


def as_bool(raw) -> tuple[bool | None, str | None]:
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, int | float):
        if raw in (0, 1):
            return bool(raw), None
        return None, "not a yes/no value: write true/false, yes/no, y/n or 1/0"
    text = str(raw).strip().lower()
    if not text:
        return None, None
    if text in _TRUE:
        return True, None
    if text in _FALSE:
        return False, None
    return None, "not a yes/no value: write true/false, yes/no, y/n or 1/0"


def as_number(raw) -> tuple[float | None, str | None]:
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, "not a number"
    if isinstance(raw, int | float):
        return (None, None) if isinstance(raw, float) and math.isnan(raw) else (float(raw), None)
    text = str(raw).strip().replace(",", "")
    if not text:
        return None, None
    try:
        number = float(text.lstrip("$"))
    except ValueError:
        return None, "not a number"
    if math.isnan(number) or math.isinf(number):
        return None, "not a number"
    return number, None


def as_int(raw) -> tuple[int | None, str | None]:
    number, problem = as_number(raw)
    if problem or number is None:
        return None, problem and "not a whole number"
    if not number.is_integer():
        return None, "not a whole number"
    return int(number), None


def code_key(raw) -> str | None:
    """Normalise a code for comparison: ``4.0`` -> ``4``, `` In Person `` -> ``in person``."""
    text, _ = as_text(raw)
    return text.lower() if text is not None else None


def as_code(raw, allowed) -> tuple[str | None, str | None]:
    key = code_key(raw)
    if key is None:
        return None, None
    key = key.replace(" ", "_").replace("-", "_")
    for value in allowed:  # the canonical spelling: "f" -> "F", "In Person" -> "in_person"
        if value.lower() == key:
            return value, None
    return None, f"not one of the allowed values ({', '.join(allowed)})"


def as_codes(raw, allowed) -> tuple[str | None, str | None]:
    """A ``;``-separated list of keys, normalised and re-joined in the given order."""
    text, _ = as_text(raw)
    if text is None:
        return None, None
    keys, bad = [], []
    for part in re.split(r"[;,|]", text):
        key, problem = as_code(part, allowed)
        if problem:
            bad.append(part.strip())
        elif key and key not in keys:
            keys.append(key)
    if bad:
        return None, f"unknown value(s) {len(bad)}: allowed are {', '.join(allowed)}"
    return (";".join(keys) or None), None


def convert_distinct(cells: list, convert) -> tuple[list, list[tuple[int, str]]]:
    """``convert`` (a cell -> (value, problem) function) applied to a whole column.

    Each distinct cell is converted once: codes, dates, flags and even names repeat.
    Returns the values and ``(index, problem)`` for each unreadable cell; an Excel
    error cell (``#N/A``) is unreadable whatever the column's type.
    """

    def checked(cell):
        problem = excel_error(cell)
        return (None, problem) if problem else convert(cell)

    kinds = list(map(type, cells))
    if set(kinds) <= {str, type(None)}:  # CSV, text sheets: hashed in C
        return _convert_text_column(cells, checked)
    return _convert_mixed_column(cells, kinds, checked)


def _convert_mixed_column(cells: list, kinds: list, convert) -> tuple[list, list[tuple[int, str]]]:
    """Cells of several types (dates and blanks of a sheet), each type factorized apart:
    True == 1 == 1.0 in Python, but they read differently. A NaN cell keeps its own
    reading (no NA sentinel)."""
    import numpy as np
    import pandas as pd

    column = pd.Series(cells, dtype=object).to_numpy()
    kind_codes, kind_list = pd.factorize(pd.Series(kinds, dtype=object))
    values = np.empty(len(cells), dtype=object)
    problems: list[tuple[int, str]] = []
    for kind, cell_type in enumerate(kind_list):
        where = np.flatnonzero(kind_codes == kind)
        if cell_type is type(None):  # factorize would make a blank NaN: it reads as blank
            codes, uniques = np.zeros(len(where), dtype=np.intp), np.array([None], dtype=object)
        else:
            codes, uniques = pd.factorize(column[where], use_na_sentinel=False)
        converted = [convert(u) for u in uniques]
        table = np.empty(len(converted), dtype=object)
        table[:] = [value for value, _ in converted]
        values[where] = table[codes]
        bad = [slot for slot, (_, problem) in enumerate(converted) if problem]
        if bad:
            hits = np.isin(codes, bad)
            problems += [
                (int(i), converted[slot][1])
                for i, slot in zip(where[hits], codes[hits], strict=True)
            ]
    return values.tolist(), sorted(problems)


def _convert_text_column(cells: list, convert) -> tuple[list, list[tuple[int, str]]]:
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
    converted = [*(convert(u) for u in uniques), convert(None)]  # code -1: a blank cell
    table = np.empty(len(converted), dtype=object)
    table[:] = [value for value, _ in converted]
    values = table[codes].tolist()
    bad = [slot for slot, (_, problem) in enumerate(converted) if problem]
    if not bad:
        return values, []
    slots = np.where(codes < 0, len(converted) - 1, codes)
    return values, [(int(i), converted[slots[i]][1]) for i in np.flatnonzero(np.isin(slots, bad))]
