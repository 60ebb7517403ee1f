"""Benchmark: the monthly job, ingest, validate and claims at 100,000 members. Not a test.

    python tests/benchmarks/bench.py [--members 100000] [--small 10000] [--out bench-out]

One run makes its own workload with ``ecmx sample-data`` (CSV and xlsx), then
measures, each step in a fresh process (wall time, rows per second, peak memory):

- the monthly job: ``ecmx convert --plan all`` from the xlsx and from the CSV
  dataset (read, build, validate, write every plan's RTF and OTF/IOT), and
  again at --small members to show memory grows linearly;
- ``ecmx ingest`` of a --members-row MIF, ``ecmx validate`` of a --members-row
  RTF (end to end, and the rule checks alone), ``ecmx claims`` (837P);
- the same RTF written plain and into a copy of a template workbook
  (``files.rtf.template``), in alternating pairs;
- the floor: the same input read by the fastest reader (python-calamine for
  xlsx, the csv module for CSV) and the same output rows written by the fastest
  writer (xlsxwriter, constant memory), with nothing else;
- the naive baseline: pandas with openpyxl reading and writing, Cerberus
  validating row by row. It runs at --small members and is scaled to --members
  by rows (it would take most of an hour at full size; the scaling is printed).

It prints a table with the ratios to the floor and the baseline, and writes the
figures as JSON in --out (bench.json) so later runs can be compared.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
PERIOD = "2025-11"
MADE = "2025-12-03"


# ----------------------------------------------------------------------------- measuring


def measured(argv: list[str], scratch: Path) -> dict:
    """Run argv in a fresh process: wall seconds, peak memory (MB), and its JSON if any."""
    scratch.mkdir(parents=True, exist_ok=True)
    out_path, err_path = scratch / "stdout.txt", scratch / "stderr.txt"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: findings, still a complete run
        tail = err_path.read_text(errors="replace")[-2000:]
        raise SystemExit(f"bench: {' '.join(map(str, argv[:6]))} failed ({code}):\n{tail}")
    result = {"seconds": round(seconds, 2), "peak_mb": round(usage.ru_maxrss / 1024)}
    text = out_path.read_text(errors="replace").strip()
    if text.startswith("{"):
        result.update(json.loads(text))
    return result


def ecmx(*args) -> list[str]:
    return [sys.executable, "-m", "ecmx.core", *map(str, args), "-q"]


def step(name: str, *args) -> list[str]:
    return [sys.executable, str(HERE), "step", name, *map(str, args)]


# ----------------------------------------------------------------------------- steps run in a child


def step_floor_read(path: str) -> dict:
    """Every cell of the dataset, read by the fastest reader, converted to nothing."""
    from python_calamine import CalamineWorkbook

    started, rows = time.perf_counter(), 0
    source = Path(path)
    if source.is_dir():
        for file in sorted(source.glob("*.csv")):
            with open(file, newline="", encoding="utf-8") as handle:
                rows += sum(1 for _ in csv.reader(handle))
    else:
        book = CalamineWorkbook.from_path(str(source))
        for name in book.sheet_names:
            rows += len(book.get_sheet_by_name(name).to_python())
    return {"inner_seconds": round(time.perf_counter() - started, 2), "rows": rows}


def step_floor_write(folder: str, scratch: str) -> dict:
    """The output rows ecmx wrote, written again by xlsxwriter and nothing else."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    sheets = []
    for file in sorted(Path(folder).glob("*.xlsx")):
        book = CalamineWorkbook.from_path(str(file))
        name = book.sheet_names[0]
        sheets.append((file.name, name, book.get_sheet_by_name(name).to_python()))
    Path(scratch).mkdir(parents=True, exist_ok=True)
    started, rows = time.perf_counter(), 0
    for file_name, sheet_name, data in sheets:
        book = xlsxwriter.Workbook(
            str(Path(scratch) / file_name),
            {"constant_memory": True, "strings_to_urls": False, "strings_to_numbers": False},
        )
        sheet = book.add_worksheet(sheet_name)
        dates = book.add_format({"num_format": "mm/dd/yyyy"})
        for r, values in enumerate(data):
            for c, value in enumerate(values):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, dates)
                elif value != "":
                    sheet.write(r, c, value)
        book.close()
        rows += len(data)
    return {"inner_seconds": round(time.perf_counter() - started, 2), "rows": rows}


def step_baseline(dataset: str, folder: str, scratch: str) -> dict:
    """The naive stack: pandas+openpyxl reading the dataset, Cerberus checking each RTF row,
    pandas+openpyxl writing the same output rows."""
    import pandas as pd

    from ecmx.core.checks.reference import reference_findings
    from ecmx.core.checks.rules import Target
    from ecmx.core.plans.spec import ColumnSpec, Layout

    timings, rows = {}, {}
    started = time.perf_counter()
    tables = pd.read_excel(dataset, sheet_name=None, engine="openpyxl", dtype=str)
    timings["read"] = time.perf_counter() - started
    rows["read"] = sum(len(t) for t in tables.values())

    outputs = {
        f: pd.read_excel(f, engine="openpyxl", dtype=str) for f in Path(folder).glob("*.xlsx")
    }
    started = time.perf_counter()
    checked = 0
    for frame in (f for name, f in outputs.items() if "RTF" in name.name):
        frame = frame.fillna("")
        layout = Layout("bench", dt.date.min, tuple(ColumnSpec(header=h) for h in frame.columns))
        target = Target(None, "rtf", layout, frame, frame, range(len(frame)), {}, "RTF")
        reference_findings(target)
        checked += len(frame)
    timings["validate"] = time.perf_counter() - started
    rows["validate"] = checked

    Path(scratch).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for file, frame in outputs.items():
        frame.to_excel(Path(scratch) / file.name, index=False, engine="openpyxl")
    timings["write"] = time.perf_counter() - started
    rows["write"] = sum(len(f) for f in outputs.values())
    return {"inner": {k: round(v, 2) for k, v in timings.items()}, "rows_by_stage": rows}


def step_validate_stage(rtf: str) -> dict:
    """`ecmx validate`'s rule checks alone, on a file already read (the read is timed apart)."""
    from datetime import date

    from ecmx.core.calendar.periods import Period
    from ecmx.core.checks.findings import column_letter
    from ecmx.core.checks.rules import Target, run_rules
    from ecmx.core.files.read import FILE_ROW, read_plan_file
    from ecmx.core.hooks.manager import make_plugin_manager

    _, registry = make_plugin_manager(entry_points=False)
    plan = registry.plan("healthnet")
    file = plan.files["rtf"]
    layout = file.layout_for(Period.parse(PERIOD))
    started = time.perf_counter()
    read = read_plan_file(Path(rtf), plan, file, layout, one_row_per_member=True)
    read_seconds = time.perf_counter() - started
    target = Target(
        plan, "rtf", layout, read.cells, read.frame.drop(columns=[FILE_ROW]),
        read.frame[FILE_ROW].tolist(),
        {header: column_letter(p) for header, p in read.columns.items()},
        read.sheet, file=rtf, production_date=date(2025, 12, 3),
    )  # fmt: skip
    started = time.perf_counter()
    findings = run_rules(registry.rules.values(), target)
    return {
        "read_seconds": round(read_seconds, 2),
        "inner_seconds": round(time.perf_counter() - started, 3),
        "rows": len(read.frame),
        "findings": len(findings),
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
    """Data rows of the xlsx files in a folder (run in a child: the parent stays small, so a
    child's peak memory is its own)."""
    from python_calamine import CalamineWorkbook

    total = 0
    for file in Path(folder).glob("*.xlsx"):
        book = CalamineWorkbook.from_path(str(file))
        total += len(book.get_sheet_by_name(book.sheet_names[0]).to_python()) - 1
    return {"rows": total}


STEPS = {
    "count-rows": step_count_rows,
    "floor-read": step_floor_read,
    "floor-write": step_floor_write,
    "baseline": step_baseline,
    "validate-stage": step_validate_stage,
    "template-fill": step_template_fill,
}


# ----------------------------------------------------------------------------- the workload


def one_plan_copy(source: Path, target: Path, plan: str = "healthnet") -> Path:
    """The CSV dataset with every member in one plan: a MIF or RTF of --members rows."""
    target.mkdir(parents=True, exist_ok=True)
    for file in source.iterdir():
        if file.name != "members.csv":
            (target / file.name).write_bytes(file.read_bytes())
    with (
        open(source / "members.csv", newline="", encoding="utf-8") as src,
        open(target / "members.csv", "w", newline="", encoding="utf-8") as dst,
    ):
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, reader.fieldnames)
        writer.writeheader()
        for row in reader:
            writer.writerow({**row, "plan": plan})
    return target


def dataset_rows(folder: Path) -> int:
    return sum(max(0, sum(1 for _ in open(f, encoding="utf-8")) - 1) for f in folder.glob("*.csv"))


# ----------------------------------------------------------------------------- the run


def run(members: int, small: int, out: Path) -> dict:
    work = out / "work"
    if work.exists():
        import shutil

        shutil.rmtree(work)
    work.mkdir(parents=True)
    logs = work / "logs"
    figures: dict[str, dict] = {}

    def measure(argv):
        return measured(argv, logs)

    def job(label, argv, rows):
        print(f"bench: {label}", file=sys.stderr)
        figures[label] = {**measure(argv), "rows": rows}
        return figures[label]

    figures["ecmx at rest (plans list)"] = {**measure(ecmx("plans", "list")), "rows": 0}
    print(f"bench: making the workload ({members:,} and {small:,} members)", file=sys.stderr)
    for size, name in ((members, "big"), (small, "small")):
        measure(
            ecmx(
                "sample-data", "--out", work / f"{name}-csv", "--members", size, "--period", PERIOD
            )
        )
        measure(
            ecmx(
                "sample-data",
                "--out",
                work / f"{name}-xlsx" / "data.xlsx",
                "--members",
                size,
                "--period",
                PERIOD,
            )
        )
    input_rows, small_rows = dataset_rows(work / "big-csv"), dataset_rows(work / "small-csv")

    common = ("--plan", "all", "--period", PERIOD, "--production-date", MADE)
    job(
        "monthly job, xlsx input",
        ecmx("convert", work / "big-xlsx" / "data.xlsx", *common, "--out", work / "out-xlsx"),
        input_rows,
    )
    job(
        "monthly job, CSV input",
        ecmx("convert", work / "big-csv", *common, "--out", work / "out-csv"),
        input_rows,
    )
    job(f"monthly job, CSV input, {small:,} members",
        ecmx("convert", work / "small-csv", *common, "--out", work / "out-small"), small_rows)  # fmt: skip
    job(
        "claims (837P)",
        ecmx("claims", work / "big-csv", *common, "--out", work / "claims"),
        input_rows,
    )

    one = one_plan_copy(work / "big-csv", work / "one-plan")
    single = ("--plan", "healthnet", "--period", PERIOD, "--production-date", MADE)
    measure(ecmx("convert", one, *single, "--kind", "mif", "--out", work / "mif"))
    measure(ecmx("convert", one, *single, "--kind", "rtf", "--out", work / "rtf"))
    mif, rtf = next((work / "mif").glob("*.xlsx")), next((work / "rtf").glob("*.xlsx"))
    mif_rows = measure(step("count-rows", work / "mif"))["rows"]
    rtf_rows = measure(step("count-rows", work / "rtf"))["rows"]
    job("ingest MIF", ecmx("ingest", mif, "--plan", "healthnet", "--dataset", one,
        "--out", work / "ingested", "--received", "2025-11-15"), mif_rows)  # fmt: skip
    job("validate RTF", ecmx("validate", rtf, "--plan", "healthnet", "--kind", "rtf",
        "--period", PERIOD), rtf_rows)  # fmt: skip
    job("validate RTF: rule checks alone", step("validate-stage", rtf), rtf_rows)
    job("floor: read the RTF", step("floor-read", rtf), rtf_rows)
    print("bench: the RTF written plain and into a template, alternating", file=sys.stderr)
    figures["write the RTF into a template"] = measure(step("template-fill", rtf, work / "tpl"))

    print("bench: the floor (fastest reader and writer, nothing else)", file=sys.stderr)
    figures["floor: read xlsx"] = measure(step("floor-read", work / "big-xlsx" / "data.xlsx"))
    figures["floor: read CSV"] = measure(step("floor-read", work / "big-csv"))
    figures["floor: write the outputs"] = measure(
        step("floor-write", work / "out-xlsx", work / "floor-out")
    )

    print(f"bench: the naive baseline at {small:,} members", file=sys.stderr)
    figures["baseline"] = measure(
        step("baseline", work / "small-xlsx" / "data.xlsx", work / "out-small", work / "base")
    )
    return {"members": members, "small": small, "input_rows": input_rows,
            "small_rows": small_rows,
            "output_rows": measure(step("count-rows", work / "out-xlsx"))["rows"],
            "figures": figures}  # fmt: skip


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    runner = sub.add_parser("run")
    runner.add_argument("--members", type=int, default=100_000)
    runner.add_argument("--small", type=int, default=10_000)
    runner.add_argument("--out", type=Path, default=Path("bench-out"))
    inner = sub.add_parser("step")
    inner.add_argument("name", choices=sorted(STEPS))
    inner.add_argument("args", nargs="*")
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("run", "step"):
        argv = ["run", *argv]  # `bench.py --members 1000` runs the benchmark
    args = parser.parse_args(argv)
    if args.command == "step":
        print(json.dumps(STEPS[args.name](*args.args)))
        return
    started = time.perf_counter()
    result = run(args.members, args.small, args.out)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    result["machine"] = machine()
    report(result, args.out)


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "date": dt.date.today().isoformat(),
    }


def derived(result: dict) -> dict:
    """Ratios to the floor and to the baseline (scaled by rows from --small to --members)."""
    f = result["figures"]
    scale = result["input_rows"] / result["small_rows"]
    base = f["baseline"]["inner"]
    baseline_job = (base["read"] + base["validate"] + base["write"]) * scale
    floor_xlsx = (
        f["floor: read xlsx"]["inner_seconds"] + f["floor: write the outputs"]["inner_seconds"]
    )
    floor_csv = (
        f["floor: read CSV"]["inner_seconds"] + f["floor: write the outputs"]["inner_seconds"]
    )
    xlsx_job = f["monthly job, xlsx input"]["seconds"]
    csv_job = f["monthly job, CSV input"]["seconds"]
    small_job = next(v for k, v in f.items() if k.startswith("monthly job, CSV input, "))
    return {
        "floor_seconds_xlsx": round(floor_xlsx, 1),
        "floor_seconds_csv": round(floor_csv, 1),
        "baseline_seconds_scaled": round(baseline_job, 1),
        "baseline_scale": round(scale, 2),
        "job_xlsx_vs_floor": _ratio(xlsx_job, floor_xlsx, 2),
        "job_csv_vs_floor": _ratio(csv_job, floor_csv, 2),
        "baseline_vs_job_xlsx": _ratio(baseline_job, xlsx_job, 1),
        "validate_rows_per_second": round(f["validate RTF"]["rows"] / f["validate RTF"]["seconds"]),
        "validate_rule_checks_rows_per_second": round(
            f["validate RTF: rule checks alone"]["rows"]
            / max(f["validate RTF: rule checks alone"]["inner_seconds"], 1e-6)
        ),
        "validate_vs_floor_read": _ratio(
            f["validate RTF"]["seconds"], f["floor: read the RTF"]["inner_seconds"], 2
        ),
        "template_vs_plain": _ratio(
            f["write the RTF into a template"]["template_seconds"],
            f["write the RTF into a template"]["plain_seconds"],
            2,
        ),
        "memory_growth_for_input_growth": [
            _growth(
                f["monthly job, CSV input"]["peak_mb"],
                small_job["peak_mb"],
                f["ecmx at rest (plans list)"]["peak_mb"],
            ),
            round(scale, 1),
        ],
        "memory_mb_per_1000_input_rows": {
            "small": round(small_job["peak_mb"] / (result["small_rows"] / 1000), 2),
            "big": round(
                csv_job and f["monthly job, CSV input"]["peak_mb"] / (result["input_rows"] / 1000),
                2,
            ),
        },
    }


def _ratio(numerator: float, denominator: float, digits: int) -> float | None:
    """numerator / denominator, or None when a tiny workload timed the denominator as 0."""
    return round(numerator / denominator, digits) if denominator > 0 else None


def _growth(big_mb: float, small_mb: float, rest_mb: float) -> float | None:
    """How much more memory the big job took above ecmx at rest than the small one; None
    when the small job's peak is not above rest (a workload too small to tell)."""
    if small_mb <= rest_mb:
        return None
    return round((big_mb - rest_mb) / (small_mb - rest_mb), 1)


def report(result: dict, out: Path) -> None:
    result["derived"] = d = derived(result)
    rows = []
    for label, fig in result["figures"].items():
        if label == "write the RTF into a template":
            for way, key in (("plain", "plain"), ("into a template", "template"),
                             ("filled, read back", "read_back")):  # fmt: skip
                rows.append((f"write the RTF {way} (median of {fig['pairs']})",
                             fig[f"{key}_seconds"], fig["rows"], fig["peak_mb"]))  # fmt: skip
            continue
        seconds = (
            fig.get("inner_seconds")
            if label.startswith(("floor", "validate RTF: rule"))
            else fig.get("seconds")
        )
        if label == "baseline":
            for stage, secs in fig["inner"].items():
                n = fig["rows_by_stage"][stage]
                rows.append(
                    (f"baseline {stage} ({result['small']:,} members)", secs, n, fig["peak_mb"])
                )
            continue
        rows.append((label, seconds, fig.get("rows"), fig.get("peak_mb")))
    print(f"\necmx benchmark: {result['members']:,} members, {result['input_rows']:,} dataset rows, "
          f"{result['output_rows']:,} output rows ({result['machine']['cpus']} CPUs, "
          f"Python {result['machine']['python']})")  # fmt: skip
    print(f"{'step':<52}{'seconds':>9}{'rows':>11}{'rows/s':>10}{'peak MB':>9}")
    for label, seconds, n, peak in rows:
        rate = f"{n / seconds:,.0f}" if n and seconds else "-"
        print(f"{label:<52}{seconds:>9.2f}{n or 0:>11,}{rate:>10}{peak or 0:>9,}")
    print()
    print(f"monthly job vs floor: xlsx {d['job_xlsx_vs_floor']}x (floor {d['floor_seconds_xlsx']} s), "
          f"CSV {d['job_csv_vs_floor']}x (floor {d['floor_seconds_csv']} s); target within 2x")  # fmt: skip
    print(f"naive baseline vs monthly job (xlsx): {d['baseline_vs_job_xlsx']}x slower "
          f"({d['baseline_seconds_scaled']} s, measured at {result['small']:,} members and scaled "
          f"x{d['baseline_scale']} by rows); target at least 10x")  # fmt: skip
    print(f"validate RTF: {d['validate_rows_per_second']:,} rows/s end to end, "
          f"{d['validate_rule_checks_rows_per_second']:,} rows/s for the rule checks; target 100,000")  # fmt: skip
    print(f"validate RTF end to end is {d['validate_vs_floor_read']}x the time calamine alone "
          f"takes to read the file")  # fmt: skip
    t = result["figures"]["write the RTF into a template"]
    print(f"RTF of {t['rows']:,} rows into a template: {t['template_seconds']} s against "
          f"{t['plain_seconds']} s plain ({d['template_vs_plain']}x; {t['pairs']} alternating pairs), "
          f"then {t['read_back_seconds']} s to read it back")  # fmt: skip
    grow, rows_grow = d["memory_growth_for_input_growth"]
    if grow is None:
        print("peak memory above ecmx at rest: the small workload did not rise above rest")
    else:
        print(f"peak memory above ecmx at rest grows {grow}x for {rows_grow}x the input rows")
    m = d["memory_mb_per_1000_input_rows"]
    print(f"peak memory per 1,000 dataset rows: {m['small']} MB at {result['small']:,} members, "
          f"{m['big']} MB at {result['members']:,}; total run {result['total_seconds']} s")  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out / 'bench.json'}")


if __name__ == "__main__":
    main()
