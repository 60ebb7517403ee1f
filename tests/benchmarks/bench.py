"""Benchmark: ecmx against the floor and the naive baseline, in alternating pairs. Not a test.

    python tests/benchmarks/bench.py [--quick] [--members 100000] [--small 10000]
        [--pairs 3] [--out bench-out] [--cache DIR] [--ecmx "COMMAND"]

Every comparison runs ecmx (A) and its reference (B) alternately, A B A B ..., each in a
fresh process, --pairs times, and prints per pair and as medians: CPU seconds of the
whole process tree, wall seconds, peak memory of the tree (sampled), and the ratio A/B
pair by pair (measure.py says how each is taken). The comparisons, at --members:

- the monthly job (``ecmx convert --plan all``) from the xlsx dataset and from the CSV
  dataset, each against the floor: the same input read and ecmx's own output rows
  written by the fastest reader and writer found, in one process (floor.py). Which are
  fastest is measured first, one process per candidate: readers at --members, writers
  on the output rows of the --small job;
- ``ecmx validate`` of a --members-row RTF against the floor's bare read of it;
- ``ecmx claims --plan all``, alone (--pairs runs), in claim lines (SV1) per second;
- the naive baseline (steps.py: pandas+openpyxl+Cerberus) once at --small members,
  its inside CPU scaled by dataset rows, against the monthly job from xlsx;
- the RTF of --small members written plain and into a template (steps.py).

Then the issue's targets, met or not, and the total time. The workload (``ecmx
sample-data``) is cached in --cache by size (workload.py). Everything measured goes to
--out/bench.json, every pair's figures and the machine included. ``--quick`` is 10,000
members (about 3 minutes on 2 cores); the default is the full run at 100,000 members.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the sibling modules, when run as a script or from tox

import measure  # noqa: E402
import report  # noqa: E402
import workload  # noqa: E402
from floor import READERS, WRITERS  # noqa: E402

PERIOD, MADE = workload.PERIOD, "2025-12-03"
MONTH = ("--period", PERIOD, "--production-date", MADE)
PROFILES = {
    "quick": (10_000, 2_000, 180),
    "full": (100_000, 10_000, 600),
}  # members, small, budget s


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.ecmx_command = (
            shlex.split(args.ecmx) if args.ecmx else [sys.executable, "-m", "ecmx.core"]
        )
        self.pairs, self.out = args.pairs, args.out
        self.work, self.logs = args.out / "work", args.out / "logs"
        self.cache = args.cache or args.out / "workload"
        for folder in (self.work, self.logs):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)

    def ecmx(self, *args) -> list[str]:
        return [*self.ecmx_command, *map(str, args), "-q"]

    def floor(self, *args) -> list[str]:
        return [sys.executable, str(HERE / "floor.py"), *map(str, args)]

    def step(self, *args) -> list[str]:
        return [sys.executable, str(HERE / "steps.py"), *map(str, args)]

    def once(self, argv: list[str], label: str) -> dict:
        return measure.run_measured(argv, self.logs, label)

    def rank(self, kind: str, names, argv, members: int) -> dict:
        """Each candidate once, in its own process; the fastest by CPU."""
        figures = {name: self.once(argv(name), f"candidate {name}") for name in names}
        usable = {n: f for n, f in figures.items() if "not_applicable" not in f.get("reported", {})}
        return {"members": members, "figures": figures,
                "fastest": min(usable, key=lambda n: usable[n]["cpu"])}  # fmt: skip

    def job_vs_floor(self, label: str, source: Path, reader: str, writer: str) -> dict:
        """The monthly job from `source` against the floor reading the same source and
        writing the rows ecmx wrote in the first pair (prepared once, after A1)."""
        outs, rows = self.work / label, self.work / f"{label}-rows.pickle"

        def after_ecmx(index: int) -> None:
            if index == 0:
                self.once(self.floor("prepare", outs / "0", rows), f"{label} prepare rows")
            shutil.rmtree(outs / str(index))

        a = measure.Runner("ecmx convert --plan all",
                           lambda i: self.ecmx("convert", source, "--plan", "all", *MONTH, "--out", outs / str(i)),
                           after_ecmx)  # fmt: skip
        b = measure.Runner(f"floor: {reader} + {writer}",
                           lambda i: self.floor("job", reader, writer, source, rows, self.work / "floor-out"))  # fmt: skip
        return measure.alternate(label, a, b, self.pairs, self.logs)


def run(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    measure.become_subreaper()
    bench = Bench(args)
    result: dict = {"members": args.members, "small": args.small, "pairs": args.pairs,
                    "machine": report.machine(), "ecmx": shlex.join(bench.ecmx_command)}  # fmt: skip
    result["at_rest"] = bench.once(bench.ecmx("plans", "list"), "ecmx at rest")

    print(f"bench: the workload ({args.members:,} and {args.small:,} members)", file=sys.stderr)
    made = time.perf_counter()
    big_csv, big_xlsx = workload.dataset(
        bench.cache, args.members, lambda a: bench.once(bench.ecmx(*a), "sample-data")
    )
    small_csv, small_xlsx = workload.dataset(
        bench.cache, args.small, lambda a: bench.once(bench.ecmx(*a), "sample-data")
    )
    result["workload_seconds"] = round(time.perf_counter() - made, 1)
    result["input_rows"], result["small_rows"] = (
        workload.csv_rows(big_csv),
        workload.csv_rows(small_csv),
    )
    work = bench.work

    print("bench: the floor's candidates", file=sys.stderr)
    result["small_job"] = bench.once(
        bench.ecmx("convert", small_xlsx, "--plan", "all", *MONTH, "--out", work / "out-small"),
        "small job",
    )
    bench.once(bench.floor("prepare", work / "out-small", work / "small-rows.pickle"), "small rows")
    candidates = {
        "xlsx reader": bench.rank("xlsx", READERS["xlsx"], lambda n: bench.floor("read", n, big_xlsx), args.members),
        "CSV reader": bench.rank("csv", READERS["csv"], lambda n: bench.floor("read", n, big_csv), args.members),
        "xlsx writer": bench.rank("writer", WRITERS, lambda n: bench.floor("write", n, work / "small-rows.pickle", work / "candidate-out"), args.small),
    }  # fmt: skip
    result["candidates"] = candidates
    xlsx_reader, csv_reader, writer = (
        candidates[k]["fastest"] for k in ("xlsx reader", "CSV reader", "xlsx writer")
    )

    comparisons = result["comparisons"] = {}
    print("bench: the monthly job from xlsx, in pairs", file=sys.stderr)
    comparisons["job_xlsx"] = bench.job_vs_floor("job-xlsx", big_xlsx, xlsx_reader, writer)
    print("bench: the monthly job from CSV, in pairs", file=sys.stderr)
    comparisons["job_csv"] = bench.job_vs_floor("job-csv", big_csv, csv_reader, writer)

    print("bench: validate, in pairs", file=sys.stderr)
    one_plan = workload.one_plan_copy(big_csv, work / "one-plan")
    single = ("--plan", "healthnet", *MONTH, "--kind", "rtf")
    bench.once(bench.ecmx("convert", one_plan, *single, "--out", work / "rtf"), "the RTF")
    rtf = next((work / "rtf").glob("*.xlsx"))
    result["rtf_rows"] = bench.once(bench.step("count-rows", work / "rtf"), "RTF rows")["reported"][
        "rows"
    ]
    comparisons["validate"] = measure.alternate("validate",
        measure.Runner("ecmx validate", lambda i: bench.ecmx("validate", rtf, "--plan", "healthnet", "--kind", "rtf", "--period", PERIOD)),
        measure.Runner(f"floor: {xlsx_reader}", lambda i: bench.floor("read", xlsx_reader, rtf)),
        args.pairs, bench.logs)  # fmt: skip

    print("bench: claims", file=sys.stderr)
    claims_out = work / "claims"
    comparisons["claims"] = measure.repeat("claims",
        measure.Runner("ecmx claims --plan all", lambda i: bench.ecmx("claims", big_csv, "--plan", "all", *MONTH, "--out", claims_out / str(i))),
        args.pairs, bench.logs)  # fmt: skip
    result["claim_lines"] = workload.claim_lines(claims_out / "0")

    print(f"bench: the naive baseline at {args.small:,} members", file=sys.stderr)
    base = bench.once(
        bench.step("baseline", small_xlsx, work / "out-small", work / "base"), "baseline"
    )
    scale = result["input_rows"] / max(result["small_rows"], 1)
    scaled = sum(base["reported"]["cpu"].values()) * scale
    job_cpu = comparisons["job_xlsx"]["median"]["a_cpu"]
    result["baseline"] = {"members": args.small, "run": base, "cpu": base["reported"]["cpu"],
                          "scale": round(scale, 3), "scaled_cpu": round(scaled, 1),
                          "times_slower": round(scaled / job_cpu, 2) if job_cpu else None}  # fmt: skip

    if not args.no_template:
        print("bench: the RTF into a template", file=sys.stderr)
        workload.one_plan_copy(small_csv, work / "one-plan-small")
        bench.once(
            bench.ecmx("convert", work / "one-plan-small", *single, "--out", work / "rtf-small"),
            "small RTF",
        )
        small_rtf = next((work / "rtf-small").glob("*.xlsx"))
        fill = bench.once(
            bench.step("template-fill", small_rtf, work / "tpl", args.pairs), "template fill"
        )
        result["template_fill"] = fill["reported"]

    v, cl = comparisons["validate"]["median"], comparisons["claims"]["median"]
    result["rates"] = {
        "validate_rows_per_cpu_s": round(result["rtf_rows"] / v["a_cpu"]) if v["a_cpu"] else 0,
        "validate_rows_per_wall_s": round(result["rtf_rows"] / v["a_wall"]) if v["a_wall"] else 0,
        "claim_lines_per_cpu_s": round(result["claim_lines"] / cl["cpu"]) if cl["cpu"] else 0,
        "claim_lines_per_wall_s": round(result["claim_lines"] / cl["wall"]) if cl["wall"] else 0,
    }
    result["load_average_at_end"] = list(os.getloadavg())
    result["budget_seconds"] = args.budget
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 members, about 3 minutes")
    parser.add_argument("--members", type=int, help="default 100,000 (10,000 with --quick)")
    parser.add_argument("--small", type=int, help="the baseline's and the writer candidates' size")
    parser.add_argument("--pairs", type=int, default=3, help="alternating pairs per comparison")
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--cache", type=Path, help="the workload cache (default OUT/workload)")
    parser.add_argument("--ecmx", help='the ecmx to measure (default "python -m ecmx.core")')
    parser.add_argument("--no-template", action="store_true", help="skip the template fill")
    args = parser.parse_args(argv)
    members, small, args.budget = PROFILES["quick" if args.quick else "full"]
    args.members, args.small = args.members or members, args.small or small
    if args.pairs < 1:
        parser.error("--pairs must be at least 1 (3 or more for figures worth quoting)")
    result = run(args)
    text = report.render(result)
    print(text)
    (args.out / "bench.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'bench.json'}")


if __name__ == "__main__":
    main()
