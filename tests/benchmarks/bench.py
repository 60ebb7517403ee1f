"""Benchmark: ecmx against the floor and the naive baseline, in alternating pairs. Not a test.

    python tests/benchmarks/bench.py [--quick] [--members 100000] [--small 5000]
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
--out/bench.json, every pair's figures and the machine included. ``--quick`` is 5,000
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
ONE_PLAN = ("--plan", "healthnet", *MONTH)
# members; small (the baseline's, the writer candidates' and the template fill's); budget s
PROFILES = {"quick": (5_000, 1_000, 180), "full": (100_000, 5_000, 600)}


class Bench:
    """One run's settings and folders, and the argv of each kind of child process."""

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

    def keep(self, result: dict) -> None:
        """What is measured so far, in case the run is stopped (bench.json is written last)."""
        (self.out / "bench.partial.json").write_text(json.dumps(result, indent=1), encoding="utf-8")

    def once(self, argv: list[str], label: str) -> dict:
        return measure.run_measured(argv, self.logs, label)

    def rank(self, names, argv, members: int) -> dict:
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

    def candidates(self, big: tuple[Path, Path], small_xlsx: Path, args) -> dict:
        """The floor's readers, ranked on the --members input, and writers, ranked on the
        rows of a --small monthly job."""
        work = self.work
        self.once(self.ecmx("convert", small_xlsx, "--plan", "all", *MONTH, "--out", work / "out-small"), "small job")  # fmt: skip
        rows = work / "small-rows.pickle"
        self.once(self.floor("prepare", work / "out-small", rows), "small rows")
        big_csv, big_xlsx = big
        return {
            "xlsx reader": self.rank(READERS["xlsx"], lambda n: self.floor("read", n, big_xlsx), args.members),
            "CSV reader": self.rank(READERS["csv"], lambda n: self.floor("read", n, big_csv), args.members),
            "xlsx writer": self.rank(WRITERS, lambda n: self.floor("write", n, rows, work / "candidate-out"), args.small),
        }  # fmt: skip

    def rtf(self, csv_folder: Path, name: str) -> Path:
        """An RTF of every member of a dataset (all moved into one plan), written by ecmx."""
        one_plan = workload.one_plan_copy(csv_folder, self.work / f"one-plan-{name}")
        out = self.work / f"rtf-{name}"
        self.once(self.ecmx("convert", one_plan, *ONE_PLAN, "--kind", "rtf", "--out", out), f"RTF {name}")  # fmt: skip
        return next(out.glob("*.xlsx"))

    def validate(self, rtf: Path, reader: str) -> dict:
        ecmx = measure.Runner("ecmx validate", lambda i: self.ecmx("validate", rtf, "--plan", "healthnet", "--kind", "rtf", "--period", PERIOD))  # fmt: skip
        floor = measure.Runner(f"floor: {reader}", lambda i: self.floor("read", reader, rtf))
        return measure.alternate("validate", ecmx, floor, self.pairs, self.logs)

    def claims(self, csv_folder: Path) -> tuple[dict, int]:
        out = self.work / "claims"
        ecmx = measure.Runner("ecmx claims --plan all", lambda i: self.ecmx("claims", csv_folder, "--plan", "all", *MONTH, "--out", out / str(i)))  # fmt: skip
        runs = measure.repeat("claims", ecmx, self.pairs, self.logs)
        return runs, workload.claim_lines(out / "0")

    def baseline(self, small_xlsx: Path, input_rows: int, small_rows: int, job_cpu: float) -> dict:
        run = self.once(self.step("baseline", small_xlsx, self.work / "out-small", self.work / "base"), "baseline")  # fmt: skip
        scale = input_rows / max(small_rows, 1)
        scaled = sum(run["reported"]["cpu"].values()) * scale
        return {"run": run, "cpu": run["reported"]["cpu"], "scale": round(scale, 3),
                "scaled_cpu": round(scaled, 1),
                "times_slower": round(scaled / job_cpu, 2) if job_cpu else None}  # fmt: skip


def run(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    measure.become_subreaper()
    bench = Bench(args)
    result: dict = {"members": args.members, "small": args.small, "pairs": args.pairs,
                    "machine": report.machine(), "ecmx": shlex.join(bench.ecmx_command)}  # fmt: skip
    result["at_rest"] = bench.once(bench.ecmx("plans", "list"), "ecmx at rest")

    say(f"the workload ({args.members:,} and {args.small:,} members)")
    made = time.perf_counter()
    sets = workload.datasets(bench.cache, [args.members, args.small], bench.ecmx_command)
    (big_csv, big_xlsx), (small_csv, small_xlsx) = sets[args.members], sets[args.small]
    result["workload_seconds"] = round(time.perf_counter() - made, 1)
    result["input_rows"] = workload.csv_rows(big_csv)
    result["small_rows"] = workload.csv_rows(small_csv)

    say("the floor's candidates")
    result["candidates"] = ranked = bench.candidates((big_csv, big_xlsx), small_xlsx, args)
    xlsx_reader, csv_reader, writer = (ranked[k]["fastest"] for k in ("xlsx reader", "CSV reader", "xlsx writer"))  # fmt: skip

    comparisons = result["comparisons"] = {}
    say("the monthly job from xlsx, in pairs")
    comparisons["job_xlsx"] = bench.job_vs_floor("job-xlsx", big_xlsx, xlsx_reader, writer)
    bench.keep(result)
    say("the monthly job from CSV, in pairs")
    comparisons["job_csv"] = bench.job_vs_floor("job-csv", big_csv, csv_reader, writer)
    bench.keep(result)
    say("validate, in pairs")
    rtf = bench.rtf(big_csv, "big")
    result["rtf_rows"] = bench.once(bench.step("count-rows", rtf.parent), "RTF rows")["reported"]["rows"]  # fmt: skip
    comparisons["validate"] = bench.validate(rtf, xlsx_reader)
    bench.keep(result)
    say("claims")
    comparisons["claims"], result["claim_lines"] = bench.claims(big_csv)
    bench.keep(result)
    say(f"the naive baseline at {args.small:,} members")
    job_cpu = comparisons["job_xlsx"]["median"]["a_cpu"]
    result["baseline"] = {"members": args.small, **bench.baseline(
        small_xlsx, result["input_rows"], result["small_rows"], job_cpu)}  # fmt: skip
    if not args.no_template:
        say(f"the RTF of {args.small:,} members into a template, in pairs")
        small_rtf = bench.rtf(small_csv, "small")
        fill = bench.once(bench.step("template-fill", small_rtf, bench.work / "tpl", args.pairs), "template fill")  # fmt: skip
        result["template_fill"] = fill["reported"]

    result["rates"] = rates(result)
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["budget_seconds"] = args.budget
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    return result


def rates(result: dict) -> dict:
    """Rows (validate) and claim lines per second of median CPU and of median wall."""
    v, c = result["comparisons"]["validate"]["median"], result["comparisons"]["claims"]["median"]

    def per(count, seconds):
        return round(count / seconds) if seconds else 0

    return {
        "validate_rows_per_cpu_s": per(result["rtf_rows"], v["a_cpu"]),
        "validate_rows_per_wall_s": per(result["rtf_rows"], v["a_wall"]),
        "claim_lines_per_cpu_s": per(result["claim_lines"], c["cpu"]),
        "claim_lines_per_wall_s": per(result["claim_lines"], c["wall"]),
    }


def say(what: str) -> None:
    print(f"bench: {what}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 members, about 3 minutes")
    parser.add_argument("--members", type=int, help="default 100,000 (5,000 with --quick)")
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
    result["targets"] = [
        {"target": target, "measured": measured, "met": met}
        for target, measured, met in report.targets(result)
    ]
    text = report.render(result)
    print(text)
    (args.out / "bench.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (args.out / "bench.partial.json").unlink(missing_ok=True)
    print(f"wrote {args.out / 'bench.json'}")


if __name__ == "__main__":
    main()
