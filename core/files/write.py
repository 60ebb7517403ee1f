"""Write a plan frame as the plan's file: xlsx, xlsm or csv.

xlsx/xlsm go through rustpy-xlsxwriter, or xlsxwriter where it cannot store a file's
cells exactly as xlsxwriter does (files/write_xlsx.py), both in constant-memory mode.
Text is written as text, never guessed, so CIN, NPI, ZIP and phone keep their leading
zeros. A plan file never changes a value: text that starts
like a formula (= + - @) is written unchanged as a string cell, which a
spreadsheet never runs, with Excel's quote prefix so that editing the cell keeps
it text. Escaping with an apostrophe (``escape_text``) is only for CSV reports
meant for people. Dates are real dates in the plan's format. A file whose plan names a
template workbook (``files.<kind>.template``) is written by filling a copy of it instead
(``files/template_fill.py``), with the same value rules.
"""

from __future__ import annotations

import csv
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ecmx.core.errors import ConfigError
from ecmx.core.files.write_cells import cell_columns
from ecmx.core.files.write_xlsx import rust_refuses, write_rust, write_xlsxwriter
from ecmx.core.plans.spec import FileSpec, Layout
from ecmx.core.storage.atomic import atomic_batch, atomic_file
from ecmx.core.storage.csv_text import FORMULA_START
from ecmx.core.storage.gcpause import gc_paused

_XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


# Excel's limits: text per cell and what a sheet name may be.
MAX_SHEET_NAME = 31
SHEET_NAME_FORBIDDEN = frozenset("[]:*?/\\")


def escape_text(value: str) -> str:
    """For CSV reports people open in a spreadsheet: the OWASP defence against formulas."""
    return "'" + value if value.startswith(FORMULA_START) else value


def sheet_name_problem(name: str) -> str | None:
    """Why Excel would refuse ``name`` as a sheet name, or None."""
    if not name or not name.strip():
        return "a sheet name cannot be empty"
    if len(name) > MAX_SHEET_NAME:
        return f"a sheet name has at most {MAX_SHEET_NAME} characters (this has {len(name)})"
    forbidden = sorted(set(name) & SHEET_NAME_FORBIDDEN)
    if forbidden:
        return f"a sheet name cannot hold {' '.join(forbidden)}"
    if name.startswith("'") or name.endswith("'"):
        return "a sheet name cannot begin or end with an apostrophe"
    return None


def estimated_bytes(jobs) -> int:
    """Room a batch needs, on the safe side: xlsx measured about 5 bytes a cell and 5 KB a
    file; CSV text runs longer."""
    return sum(64_000 + 32 * len(frame) * len(layout.columns) for frame, _, layout, _ in jobs)


@dataclass(frozen=True)
class Writer:
    """How to write a plan frame in one file format, registered with ``registry.add_writer``.

    ``write(frame, file, layout, path)`` writes the whole file at ``path``, a temporary
    name the engine moves into place; ``file.format`` names the writer and is the
    file's suffix.
    """

    format: str
    write: Callable[[pd.DataFrame, FileSpec, Layout, Path], None]


def write_plan_files(
    jobs, *, force: bool, advance=lambda label="": None, writers: Iterable[Writer] = ()
) -> None:
    """Write ``(frame, file, layout, path)`` jobs as one batch, one file after another.

    Every file is written to a temporary name first and all are moved into place
    at the end (core/storage/atomic.py), so a failure half-way (a full disk) leaves no
    file of the batch under its final name. One process: with the Rust writer, worker
    processes cost more (start-up, pickled frames) than they saved, measured at 20,000
    and 100,000 members.
    """
    writers = tuple(writers) or BUILTIN_WRITERS
    with atomic_batch([path for *_, path in jobs], force=force) as temps:
        for frame, file, layout, path in jobs:
            write_plan_content(frame, file, layout, temps[path], writers)
            advance(path.name)


def write_plan_file(
    frame: pd.DataFrame,
    file: FileSpec,
    layout: Layout,
    path: Path,
    *,
    force: bool,
    writers: Iterable[Writer] = (),
) -> None:
    """One plan file, written atomically."""
    with atomic_file(path, force=force) as tmp:
        write_plan_content(frame, file, layout, tmp, tuple(writers) or BUILTIN_WRITERS)


@gc_paused()
def write_plan_content(
    frame: pd.DataFrame, file: FileSpec, layout: Layout, path: Path, writers: tuple[Writer, ...]
) -> None:
    """The file's bytes at ``path`` (a temporary name: the caller moves it into place)."""
    if file.template is not None:  # the plan's own workbook, filled (xlsx and xlsm only)
        from ecmx.core.files.template_fill import fill_template

        fill_template(frame, file, layout, path)
        return
    writer = next((w for w in writers if w.format == file.format), None)
    if writer is None:  # plans are checked against the registry at load: a caller's bug
        known = ", ".join(w.format for w in writers)
        raise ConfigError(f"no writer for format {file.format!r} (known: {known})")
    writer.write(frame, file, layout, path)


def _cells(frame: pd.DataFrame, layout: Layout) -> list[tuple[str, np.ndarray]]:
    """(kind, values) per column, blanks as None: the value rules template_fill shares."""
    return [(column.kind, column.values) for column in cell_columns(frame, layout)]


def _write_workbook(frame, file: FileSpec, layout: Layout, path: Path) -> None:
    columns = cell_columns(frame, layout)
    if rust_refuses(columns, layout) is None:
        write_rust(columns, file, layout, path)
    else:
        write_xlsxwriter(columns, file, layout, path)


def _write_csv(frame, file: FileSpec, layout: Layout, path: Path) -> None:
    strftime = excel_to_strftime(file.date_format)
    columns = [
        column.mapped(lambda day: day.strftime(strftime), "")
        if column.kind == "date"
        else column.values  # csv writes None as an empty field
        for column in cell_columns(frame, layout)
    ]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        for _ in range(file.header_row - 1):
            out.writerow([])
        out.writerow(layout.headers)
        out.writerows(zip(*columns, strict=True))


def excel_to_strftime(number_format: str) -> str:
    """``mm/dd/yyyy`` -> ``%m/%d/%Y`` for the date formats plans use."""
    tokens = {
        "yyyy": "%Y",
        "yy": "%y",
        "mmmm": "%B",
        "mmm": "%b",
        "mm": "%m",
        "m": "%m",
        "dddd": "%A",
        "ddd": "%a",
        "dd": "%d",
        "d": "%d",
    }
    pattern = "|".join(sorted(tokens, key=len, reverse=True))
    return re.sub(pattern, lambda m: tokens[m.group(0)], number_format.lower())


# Both look ``_write_workbook`` up when called, so the two formats share one workbook
# writer whatever stands in for it (tests make it fail half-way).
def _write_xlsx(frame, file: FileSpec, layout: Layout, path: Path) -> None:
    _write_workbook(frame, file, layout, path)


def _write_xlsm(frame, file: FileSpec, layout: Layout, path: Path) -> None:
    _write_workbook(frame, file, layout, path)
    _mark_macro_enabled(path)


def _mark_macro_enabled(path: Path) -> None:
    """Give an xlsxwriter workbook the macro-enabled content type an .xlsm needs.

    A macro-enabled workbook without macros is valid; Excel refuses an .xlsm
    whose main part still says it is a plain xlsx.
    """
    patched = path.with_name(path.name + "-xlsm")  # a temporary name of the same owner
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(_XLSX_MAIN.encode(), _XLSM_MAIN.encode())
            target.writestr(item, data)
    os.replace(patched, path)


BUILTIN_WRITERS = (
    Writer("xlsx", _write_xlsx),
    Writer("xlsm", _write_xlsm),
    Writer("csv", _write_csv),
)
