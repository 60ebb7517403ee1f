"""A dataset workbook (``ingest``'s merged dataset, ``sample-data``) written by
rustpy-xlsxwriter, about 7x faster than xlsxwriter, where it stores every cell as the
xlsxwriter writer in write_rows.py does: text as text, true/false as text, dates as
real dates, numbers as numbers. Where it would not (see ``dataset_rust_refuses``),
write_rows.py writes the workbook with xlsxwriter; the choice depends only on the values.

One difference is kept: rustpy gives a date column the date format as its column style
too (xlsxwriter only the cells). No cell changes, and ecmx reads cells only.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import rustpy_xlsxwriter as rx

from ecmx.core.files.write_xlsx import same_digits, text_differs

DATE_FORMAT = "yyyy-mm-dd"
_NUMBERS = {int, float}


def dataset_rust_refuses(sheets: dict[str, dict[str, list]]) -> str | None:
    """Why rustpy would not store these sheets (sheet -> column -> values) as xlsxwriter."""
    for sheet, columns in sheets.items():
        for column, values in columns.items():
            reason = _column_refusal(set(values) - {None})
            if reason:
                return f"{sheet}.{column}: {reason}"
    return None


def _column_refusal(distinct: set) -> str | None:
    kinds = {type(value) for value in distinct}
    if date in kinds and kinds != {date}:
        # rustpy styles a column holding a date as a date column: its numbers would read as dates
        return "dates mixed with other values (or a date with a time)"
    if not kinds <= {str, bool, date, *_NUMBERS}:
        return f"values of another type ({', '.join(sorted(k.__name__ for k in kinds))})"
    numbers = [value for value in distinct if type(value) in _NUMBERS]
    if not all(same_digits(value) for value in numbers):
        return "a number that 16 significant digits do not hold, or not finite"
    return text_differs([value for value in distinct if type(value) is str])


def write_dataset_rust(sheets: dict[str, dict[str, list]], path: Path) -> None:
    frames: list[tuple[str, Any]] = [
        (name, pd.DataFrame({c: _bools_as_text(v) for c, v in columns.items()}, dtype=object))
        for name, columns in sheets.items()
    ]
    rx.write_worksheets(frames, str(path), datetime_format=DATE_FORMAT)


def _bools_as_text(values: list) -> list:
    if not any(type(value) is bool for value in values):
        return values
    return [("true" if v else "false") if type(v) is bool else v for v in values]
