"""The benchmark's input: ``ecmx sample-data`` datasets (CSV and xlsx), made once per size
and kept in a cache folder, so a rerun does not remake them.

A cached dataset is keyed by the member count, the period and a hash of the sample
generator's source as installed (ecmx.core.dataset.sample*, jobs/sample_data.py): when
the generator changes, the dataset is made again.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import shutil
import subprocess
from pathlib import Path

PERIOD = "2025-11"


def generator_hash() -> str:
    """The installed sample generator's source, hashed; 'unknown' if it cannot be found.
    Found without importing ecmx.core: the bench process stays small (measure.py)."""
    spec = importlib.util.find_spec("ecmx.core")
    if spec is None or not spec.submodule_search_locations:
        return "unknown"
    core = Path(next(iter(spec.submodule_search_locations)))
    sources = sorted(core.glob("dataset/sample*.py")) + sorted(core.glob("jobs/sample_data.py"))
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:12]


def datasets(cache: Path, sizes: list[int], ecmx: list[str]) -> dict[int, tuple[Path, Path]]:
    """{members: (CSV folder, xlsx file)}; the missing ones made by `ecmx sample-data`, all
    at once (nothing is measured while they are made)."""
    found, making = {}, []
    for members in sizes:
        folder = cache / f"{members}-members-{PERIOD}-{generator_hash()}"
        found[members] = csv_folder, xlsx = folder / "csv", folder / "xlsx" / "data.xlsx"
        if (folder / "COMPLETE").exists():
            continue
        shutil.rmtree(folder, ignore_errors=True)  # a run stopped while making it
        common = ["--members", str(members), "--period", PERIOD, "-q"]
        for target in (csv_folder, xlsx):
            argv = [*ecmx, "sample-data", "--out", str(target), *common]
            making.append((folder, subprocess.Popen(argv, stdout=subprocess.DEVNULL)))
    for folder, process in making:
        if process.wait() != 0:
            raise SystemExit(f"bench: ecmx sample-data failed ({process.returncode}) for {folder}")
    for folder, _ in making:
        (folder / "COMPLETE").write_text("made by ecmx sample-data\n")
    return found


def one_plan_copy(source: Path, target: Path, plan: str = "healthnet") -> Path:
    """The CSV dataset with every member in one plan: the source of an RTF of all members."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for file in source.iterdir():
        if file.name != "members.csv":
            shutil.copyfile(file, target / file.name)
    with (
        open(source / "members.csv", newline="", encoding="utf-8") as src,
        open(target / "members.csv", "w", newline="", encoding="utf-8") as dst,
    ):
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, reader.fieldnames or [])
        writer.writeheader()
        for row in reader:
            writer.writerow({**row, "plan": plan})
    return target


def csv_rows(folder: Path) -> int:
    """Data rows of a CSV dataset (header lines not counted)."""
    total = 0
    for file in folder.glob("*.csv"):
        with open(file, newline="", encoding="utf-8") as handle:
            total += max(0, sum(1 for _ in csv.reader(handle)) - 1)
    return total


def claim_lines(folder: Path) -> int:
    """Service lines (SV1 segments) in the 837P files of a folder."""
    lines = 0
    for file in folder.glob("*.837"):
        text = file.read_text(encoding="utf-8", errors="replace")
        if len(text) < 106:
            continue
        element, terminator = text[3], text[105]  # fixed by the ISA segment's layout
        lines += sum(1 for s in text.split(terminator) if s.lstrip().startswith("SV1" + element))
    return lines
