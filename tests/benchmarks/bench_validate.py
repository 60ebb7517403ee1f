"""Benchmark: `ecmx validate` of a 100,000-row RTF (issue 4). Not a test: run it.

    python tests/benchmarks/bench_validate.py [--rows 100000] [--out bench-out]

It makes its own workload: sample data, a Health Net RTF written by ecmx,
repeated to --rows rows; then times the validation in a fresh process and
prints wall time, rows per second and peak memory (also as JSON in --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

HERE = Path(__file__).resolve()


def ecmx(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "ecmx.core", *args, "-q"], check=True, stdout=subprocess.DEVNULL
    )


def make_rtf(folder: Path, rows: int) -> Path:
    data, files = folder / "data", folder / "files"
    ecmx("sample-data", "--out", str(data), "--members", "25000", "--period", "2025-11")
    ecmx(
        "convert",
        str(data),
        "--plan",
        "healthnet",
        "--kind",
        "rtf",
        "--period",
        "2025-11",
        "--out",
        str(files),
        "--production-date",
        "2025-12-03",
    )
    source = next(files.glob("*.xlsx"))
    header, *body = CalamineWorkbook.from_path(str(source)).get_sheet_by_name("RTF").to_python()
    target = folder / f"rtf-{rows}.xlsx"
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_numbers": False})
    sheet, dates = book.add_worksheet("RTF"), book.add_format({"num_format": "mm/dd/yyyy"})
    sheet.write_row(0, 0, header)
    for r in range(1, rows + 1):
        for c, value in enumerate(body[(r - 1) % len(body)]):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, dates)
            elif isinstance(value, float):
                sheet.write_number(r, c, value)
            elif value not in (None, ""):
                sheet.write_string(r, c, str(value))
    book.close()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rtf = args.out / f"rtf-{args.rows}.xlsx"
    if not rtf.exists():
        rtf = make_rtf(args.out, args.rows)
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ecmx.core",
            "validate",
            str(rtf),
            "--plan",
            "healthnet",
            "--kind",
            "rtf",
            "--period",
            "2025-11",
            "-q",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = {
        "job": "validate healthnet rtf",
        "rows": args.rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(args.rows / seconds),
        "peak_memory_mb": round(peak_mb),
        "exit_code": done.returncode,
    }
    print(
        f"{result['job']}: {args.rows} rows in {seconds:.1f} s = {result['rows_per_second']} rows/s, "
        f"peak {peak_mb:.0f} MB (exit {done.returncode})"
    )
    (args.out / "bench_validate.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
