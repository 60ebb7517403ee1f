"""A plan's own template workbook (``files.<kind>.template``): does it fit the layout?

A plan may hand its providers a template workbook (validation lists, styles, other
sheets, macros). ``convert`` then fills a copy of it (``files/template_fill.py``)
instead of writing a new workbook. Before that, the template is looked at here: it
must be a readable workbook of the file's format, hold the layout's sheet, and have a
header row (found in the first 30 rows) whose cells, from column A, are the layout's
headers in order (compared as the reader compares them: case and runs of spaces aside).
``plans check`` and ``convert`` report the same problems.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecmx.core.checks.findings import column_letter
from ecmx.core.dataset import values as V
from ecmx.core.errors import InputError
from ecmx.core.files.read import normalise_header
from ecmx.core.plans.spec import FileSpec, Layout, PlanSpec
from ecmx.core.storage.sheets import Workbook, is_blank

HEADER_SCAN_ROWS = 30  # the template's header row is looked for in its first rows
TEMPLATE_SUFFIXES = {"xlsx": ".xlsx", "xlsm": ".xlsm"}  # file format -> template suffix


@dataclass(frozen=True)
class TemplateSheet:
    """Where the layout's header is in the template; ``problems`` empty when it fits."""

    path: Path
    sheet: str  # the sheet's name as the template spells it
    header_row: int  # 1-based; 0 when no header row was found
    problems: tuple[str, ...] = ()


def suffix_problem(template: Path, file_format: str) -> str | None:
    """Why a template of this suffix cannot make a file of ``file_format``, or None."""
    wanted = TEMPLATE_SUFFIXES.get(file_format)
    suffix = template.suffix.lower()
    if wanted is None:
        return f"a template fills an xlsx or xlsm file; this file's format is {file_format}"
    if suffix == wanted:
        return None
    if suffix == ".xlsm":
        return (
            "an .xlsm template keeps its macros, so the file must be xlsm too: "
            "set format: xlsm (and accepted_formats to take it)"
        )
    return f"a {file_format} file is filled from a {wanted} template, not {suffix or 'no suffix'}"


def template_problems(plan: PlanSpec) -> list[str]:
    """What ``plans check`` says of the plan's templates, against each file's latest layout."""
    out = []
    for file in plan.files.values():
        if file.template is not None:
            layout = max(file.versions, key=lambda v: v.effective)
            where = f"{plan.origin}: files.{file.kind}.template"
            out += [f"{where}: {p}" for p in inspect_template(file, layout).problems]
    return out


def inspect_template(file: FileSpec, layout: Layout) -> TemplateSheet:
    """The template of ``file`` looked at against ``layout`` (never raises for the
    template's own faults: they are ``problems``)."""
    path = file.template
    if path is None:
        raise ValueError(f"the {file.kind} file has no template")
    where = f"template {path}"
    problem = suffix_problem(path, file.format)
    if problem:
        return TemplateSheet(path, file.sheet, 0, (f"{where}: {problem}",))
    if not path.is_file():
        return TemplateSheet(path, file.sheet, 0, (f"{where}: no such file",))
    try:
        book = Workbook(path)
        sheet = book.find_sheet(file.sheet)
        if sheet is None:
            names = ", ".join(book.sheet_names)
            return TemplateSheet(
                path, file.sheet, 0, (f"{where}: no sheet {file.sheet!r} (it has: {names})",)
            )
        rows = book.read(sheet).rows[:HEADER_SCAN_ROWS]
    except InputError as exc:
        return TemplateSheet(path, file.sheet, 0, (f"{where}: {_without_path(exc, path)}",))
    return _header(path, sheet, rows, layout)


def _without_path(exc: InputError, path: Path) -> str:
    text = str(exc)
    return text[len(str(path)) + 2 :] if text.startswith(f"{path}: ") else text


def _header(path: Path, sheet: str, rows: list[list], layout: Layout) -> TemplateSheet:
    """The row matching most of the layout's headers, and how it differs from them."""
    wanted = [normalise_header(h) for h in layout.headers]
    best, best_index = 0, -1
    for index, row in enumerate(rows):
        found = sum(1 for cell in row if normalise_header(cell) in wanted)
        if found > best:
            best, best_index = found, index
    where = f"template {path}, sheet {sheet!r}"
    if best_index < 0:
        return TemplateSheet(
            path,
            sheet,
            0,
            (
                f"{where}: no row of the first {HEADER_SCAN_ROWS} holds the layout's headers "
                f"(e.g. {layout.headers[0]!r})",
            ),
        )
    row = list(rows[best_index])
    while row and is_blank(row[-1]):
        row.pop()
    cells = [V.as_text(cell)[0] or "" for cell in row]
    differences = _differences(cells, layout.headers)
    problems: tuple[str, ...] = ()
    if differences:
        shown = "; ".join(differences[:5]) + ("; ..." if len(differences) > 5 else "")
        problems = (
            f"{where}: the header row (row {best_index + 1}) differs from the layout "
            f"{layout.version}'s headers: {shown}",
        )
    return TemplateSheet(path, sheet, best_index + 1, problems)


def _differences(cells: list[str], headers: list[str]) -> list[str]:
    """Column by column, where the template's header cell is not the layout's header."""
    out = []
    for index in range(max(len(cells), len(headers))):
        cell = cells[index] if index < len(cells) else ""
        header = headers[index] if index < len(headers) else ""
        if normalise_header(cell) == normalise_header(header):
            continue
        letter = column_letter(index)
        if not header:
            out.append(f"column {letter} {cell!r} is not in the layout")
        elif not cell:
            out.append(f"column {letter} should be {header!r} and is blank")
        else:
            out.append(f"column {letter} is {cell!r}, the layout has {header!r}")
    return out


def filled_problems(
    path: Path, plan: PlanSpec, file: FileSpec, layout: Layout, rows: int
) -> list[str]:
    """A filled template read back as ``validate`` reads it: the layout's headers in their
    columns, and every row there. What is wrong, one line each (nothing: it holds)."""
    from ecmx.core.files.read import read_plan_file

    try:
        back = read_plan_file(
            path, plan, file, layout, one_row_per_member=False, sent_by_plan=False
        )
    except InputError as exc:
        return [f"{path.name} read back: {exc}"]
    moved = [h for i, h in enumerate(layout.headers) if back.columns.get(h) != i]
    problems = []
    if moved:
        problems.append(
            f"{path.name} read back: column {moved[0]!r} is not where the layout puts it"
        )
    if len(back.frame) != rows:
        problems.append(f"{path.name} read back: {len(back.frame)} rows, {rows} written")
    return problems
