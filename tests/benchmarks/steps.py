"""Steps the benchmark runs in a child process, each printing one JSON line:

    steps.py baseline DATASET.xlsx OUTPUT_FOLDER SCRATCH   the naive stack
    steps.py template-fill RTF.xlsx SCRATCH [PAIRS]        plain write vs template fill
    steps.py count-rows FOLDER                             data rows of the xlsx files

The naive baseline is pandas with openpyxl reading the dataset and writing the output
rows, and Cerberus checking each RTF row with ecmx's own field rules; it is kept as it
was when the benchmark began, so its figures stay comparable from run to run. Each
stage is timed inside (wall and CPU), without the process start and imports.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path


def step_baseline(dataset: str, folder: str, scratch: str) -> dict:
    """The naive stack: pandas+openpyxl reading the dataset, Cerberus checking each RTF row,
    pandas+openpyxl writing the same output rows."""
    import pandas as pd

    from ecmx.core.checks.reference import reference_findings
    from ecmx.core.checks.rules import Target
    from ecmx.core.plans.spec import ColumnSpec, Layout

    timings, cpu, rows = {}, {}, {}
    started, cpu_started = time.perf_counter(), time.process_time()
    tables = pd.read_excel(dataset, sheet_name=None, engine="openpyxl", dtype=str)
    timings["read"] = time.perf_counter() - started
    cpu["read"] = time.process_time() - cpu_started
    rows["read"] = sum(len(t) for t in tables.values())

    outputs = {
        f: pd.read_excel(f, engine="openpyxl", dtype=str) for f in Path(folder).glob("*.xlsx")
    }
    started, cpu_started = time.perf_counter(), time.process_time()
    checked = 0
    for frame in (f for name, f in outputs.items() if "RTF" in name.name):
        frame = frame.fillna("")
        layout = Layout("bench", dt.date.min, tuple(ColumnSpec(header=h) for h in frame.columns))
        target = Target(None, "rtf", layout, frame, frame, range(len(frame)), {}, "RTF")
        reference_findings(target)
        checked += len(frame)
    timings["validate"] = time.perf_counter() - started
    cpu["validate"] = time.process_time() - cpu_started
    rows["validate"] = checked

    Path(scratch).mkdir(parents=True, exist_ok=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    for file, frame in outputs.items():
        frame.to_excel(Path(scratch) / file.name, index=False, engine="openpyxl")
    timings["write"] = time.perf_counter() - started
    cpu["write"] = time.process_time() - cpu_started
    rows["write"] = sum(len(f) for f in outputs.values())
    return {
        "wall": {k: round(v, 3) for k, v in timings.items()},
        "cpu": {k: round(v, 3) for k, v in cpu.items()},
        "rows_by_stage": rows,
    }


def step_template_fill(rtf: str, scratch: str, pairs: str = "3") -> dict:
    """The same RTF rows written plain (xlsxwriter) and into a copy of a template workbook
    (files.rtf.template), in alternating pairs so both see the same machine state."""
    from dataclasses import replace
    from statistics import median

    import pandas as pd
    from python_calamine import CalamineWorkbook

    from ecmx.core.files.template import filled_problems
    from ecmx.core.files.write import write_plan_content
    from ecmx.core.hooks.manager import make_plugin_manager

    _, registry = make_plugin_manager([])
    plan = registry.plan("healthnet")
    file = plan.files["rtf"]
    layout = max(file.versions, key=lambda v: v.effective)
    book = CalamineWorkbook.from_path(rtf)
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    folder = Path(scratch)
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / "template.xlsx"
    _template(template, layout.headers, file.sheet)
    filled = replace(file, template=template)
    times: dict[str, list[float]] = {"plain": [], "template": [], "read back": []}
    for index in range(int(pairs)):
        for name, spec in (("plain", file), ("template", filled)):
            target = folder / f"{name}-{index}.xlsx"
            started = time.perf_counter()
            write_plan_content(frame, spec, layout, target, tuple(registry.writers.values()))
            times[name].append(round(time.perf_counter() - started, 2))
            if name == "template":  # convert then reads the filled file back (T001)
                started = time.perf_counter()
                assert not filled_problems(target, plan, filled, layout, len(frame))
                times["read back"].append(round(time.perf_counter() - started, 2))
            target.unlink()
    return {"rows": len(frame), "pairs": int(pairs), "times": times,
            "plain_seconds": median(times["plain"]),
            "template_seconds": median(times["template"]),
            "read_back_seconds": median(times["read back"])}  # fmt: skip


def _template(path: Path, headers: list[str], sheet: str) -> None:
    """A template as a plan sends one: a title block, the header on row 3, a list sheet
    and two list validations."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws["A1"] = "ECM Return Transmission File"
    for index, header in enumerate(headers, start=1):
        ws.cell(3, index, header).font = Font(bold=True)
    lists = book.create_sheet("Lists")
    for row, code in enumerate("12345", start=2):
        lists.cell(row, 1, code)
    for formula, ref in (('"Y,N"', "F4:F1000"), ("=Lists!$A$2:$A$6", "P4:P1000")):
        check = DataValidation(type="list", formula1=formula, allow_blank=True)
        check.add(ref)
        ws.add_data_validation(check)
    book.save(path)


def step_count_rows(folder: str) -> dict:
    """Data rows of the xlsx files in a folder."""
    from python_calamine import CalamineWorkbook

    total = 0
    for file in Path(folder).glob("*.xlsx"):
        book = CalamineWorkbook.from_path(str(file))
        total += len(book.get_sheet_by_name(book.sheet_names[0]).to_python()) - 1
    return {"rows": total}


STEPS = {
    "baseline": step_baseline,
    "template-fill": step_template_fill,
    "count-rows": step_count_rows,
}

if __name__ == "__main__":
    print(json.dumps(STEPS[sys.argv[1]](*sys.argv[2:])))
