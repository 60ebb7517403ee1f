"""Fixtures for the end-to-end tests: run ``ecmx`` as a user would, read what it wrote.

The CLI runs in-process through ``ecmx.core.cli.main.main`` (fast); a few tests run the
installed console script in a subprocess to prove the entry point works. Datasets
and conversions that several tests read are made once per session.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
import yaml
from python_calamine import CalamineWorkbook

from ecmx.core.calendar.periods import Period
from ecmx.core.cli import console
from ecmx.core.cli.main import main
from ecmx.core.hooks.manager import PLANS_DIR_ENV, make_plugin_manager

PERIOD = Period(2025, 11)
PRODUCTION_DATE = date(2025, 12, 3)
PLAN_IDS = ("calviva", "chpiv", "chwp", "healthnet", "partnership")
ECMX_SCRIPT = Path(sys.executable).parent / "ecmx"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Environment that would change what ecmx prints or which plans it knows.
_NOISY_ENV = (PLANS_DIR_ENV, "FORCE_COLOR", "TTY_COMPATIBLE", "PYTHONPATH", "ECMX_WORKSPACE")


@dataclass(frozen=True)
class Run:
    """What one ``ecmx`` invocation did: exit code, stdout, stderr (colour codes removed)."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]

    def one_error_line(self, *needles) -> str:
        """A user error: one line on stderr holding every needle, and no traceback."""
        assert "Traceback" not in self.text
        lines = self.error_lines()
        assert len(lines) == 1, f"expected one error line, got:\n{self.err}"
        for needle in needles:
            assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
        return lines[0]


def _strip(text: str) -> str:
    return _ANSI.sub("", text)


def _call_main(argv) -> int:
    try:
        main([str(a) for a in argv])
    except SystemExit as exc:
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else 1
    raise AssertionError("ecmx main() returned instead of exiting")


def invoke(*argv) -> Run:
    """Run the CLI in-process, capturing output without capsys (for session fixtures)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        for name in _NOISY_ENV:
            mp.delenv(name, raising=False)
        mp.setattr(console.stdout, "width", 400)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = _call_main(argv)
    return Run(code, _strip(out.getvalue()), _strip(err.getvalue()))


@pytest.fixture
def cli(capsys, monkeypatch):
    """``cli(*argv) -> Run``: the ecmx command line, in-process, output from capsys."""
    for name in _NOISY_ENV:
        monkeypatch.delenv(name, raising=False)
    # Tables are as wide as the terminal; wide enough here that no cell wraps.
    monkeypatch.setattr(console.stdout, "width", 400)

    def run(*argv) -> Run:
        capsys.readouterr()
        code = _call_main(argv)
        captured = capsys.readouterr()
        return Run(code, _strip(captured.out), _strip(captured.err))

    return run


@pytest.fixture(scope="session")
def script():
    """``script(*argv, cwd=..., env=..., timeout=...) -> Run``: the installed ``ecmx`` console script."""
    assert ECMX_SCRIPT.is_file(), f"console script not installed next to {sys.executable}"

    def run(*argv, cwd: Path, env: dict | None = None, timeout: float = 180) -> Run:
        environ = {k: v for k, v in os.environ.items() if k not in _NOISY_ENV}
        environ["COLUMNS"] = "400"
        environ.update(env or {})
        proc = subprocess.run(
            [str(ECMX_SCRIPT), *map(str, argv)],
            cwd=cwd,
            env=environ,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Run(proc.returncode, _strip(proc.stdout), _strip(proc.stderr))

    return run


# ----------------------------------------------------------------------------- plans


@pytest.fixture(scope="session")
def registry():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(PLANS_DIR_ENV, raising=False)
        return make_plugin_manager(entry_points=False)[1]


@pytest.fixture(scope="session")
def expected_names(registry):
    """``expected_names(provider: dict, day) -> {(plan, kind): file name}`` from each plan's naming.

    Only the month's files a provider sends (direction ``to_plan``: RTF, OTF), which is
    what ``convert --kind all`` writes (not Partnership's referral file, made on request);
    ``inbound=True`` gives the files a plan sends (MIF, mini-MIF, TEL) instead.
    """

    def names(provider: dict, day: date, *, inbound: bool = False) -> dict[tuple[str, str], str]:
        wanted = "from_plan" if inbound else "to_plan"
        out = {}
        for plan in registry.concrete_plans():
            for kind, file in plan.files.items():
                spec = registry.file_kinds[kind]
                if spec.direction != wanted or not (inbound or spec.in_all):
                    continue
                key = registry.file_kinds[kind].provider_key  # the CSPRTF: CS providers only
                if key and not inbound and provider["plans"][plan.id].get(key) is not True:
                    continue
                stem = file.naming.format(
                    facility_name=provider["facility_name"],
                    file_prefix=provider["plans"][plan.id]["file_prefix"],
                    plan=plan.id,
                    kind=kind,
                    period=PERIOD.start,
                    period_end=PERIOD.end,
                    production_date=day,
                )
                out[plan.id, kind] = f"{stem}.{file.format}"
        return out

    return names


# ----------------------------------------------------------------------------- files


def file_digests(path: Path) -> dict[str, str]:
    """sha256 of a file, or of every file under a folder (relative name -> digest)."""
    path = Path(path)
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {
        str(p.relative_to(path.parent)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files
    }


def hidden_entries(folder: Path) -> list[str]:
    """Names left behind by an interrupted atomic write (``.name.part``, ``.name.old``)."""
    return sorted(
        str(p.relative_to(folder))
        for p in Path(folder).rglob("*")
        if p.name.startswith(".") or p.name.endswith(".part")
    )


def read_csv_table(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_csv_table(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def calamine_sheet(path: Path) -> tuple[str, list[list]]:
    """(sheet name, rows) of a one-sheet workbook, read by python-calamine."""
    book = CalamineWorkbook.from_path(str(path))
    assert len(book.sheet_names) == 1, f"{path.name}: sheets {book.sheet_names}"
    name = book.sheet_names[0]
    return name, book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def openpyxl_sheet(path: Path):
    """The only worksheet of a workbook, read by openpyxl (cells keep their types)."""
    book = openpyxl.load_workbook(path)
    assert len(book.worksheets) == 1, f"{path.name}: sheets {book.sheetnames}"
    return book.worksheets[0]


@dataclass
class Conversion:
    """A dataset converted for every plan: where it is and what ecmx said."""

    dataset: Path
    out: Path
    run: Run
    digests_before: dict[str, str]
    provider: dict

    def workbooks(self) -> dict[str, Path]:
        return {p.name: p for p in sorted(self.out.iterdir()) if p.is_file()}


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    """One sample (60 members, seed 7, 2025-11) written by the CLI as xlsx and as a CSV folder."""
    base = tmp_path_factory.mktemp("samples")
    common = ("--members", "60", "--seed", "7", "--period", str(PERIOD))
    (base / "xlsx").mkdir()
    for out in (base / "xlsx" / "dataset.xlsx", base / "csv"):
        run = invoke("sample-data", "--out", out, *common)
        assert run.code == 0, run.err
    return {"xlsx": base / "xlsx" / "dataset.xlsx", "csv": base / "csv"}


def copy_csv_sample(samples, target: Path) -> Path:
    """A private, editable copy of the session's CSV sample folder."""
    shutil.copytree(samples["csv"], target)
    return target


def convert_all(dataset: Path, out: Path, *extra) -> Conversion:
    before = file_digests(dataset)
    provider_file = (
        dataset / "provider.yaml" if dataset.is_dir() else dataset.parent / "provider.yaml"
    )
    before.update(file_digests(provider_file))
    run = invoke(
        "convert",
        dataset,
        "--plan",
        "all",
        "--period",
        str(PERIOD),
        "--out",
        out,
        "--production-date",
        PRODUCTION_DATE.isoformat(),
        *extra,
    )
    return Conversion(dataset, out, run, before, load_yaml(provider_file))


@pytest.fixture(scope="session")
def converted_xlsx(samples, tmp_path_factory):
    return convert_all(samples["xlsx"], tmp_path_factory.mktemp("out-xlsx") / "files")


@pytest.fixture(scope="session")
def converted_csv(samples, tmp_path_factory):
    return convert_all(samples["csv"], tmp_path_factory.mktemp("out-csv") / "files")


@pytest.fixture(scope="session")
def kit():
    """The helpers above, for test modules (which cannot import a conftest)."""
    return SimpleNamespace(
        PERIOD=PERIOD,
        PRODUCTION_DATE=PRODUCTION_DATE,
        PLAN_IDS=PLAN_IDS,
        invoke=invoke,
        digests=file_digests,
        hidden=hidden_entries,
        read_csv=read_csv_table,
        write_csv=write_csv_table,
        load_yaml=load_yaml,
        calamine_sheet=calamine_sheet,
        openpyxl_sheet=openpyxl_sheet,
        copy_csv_sample=copy_csv_sample,
        convert_all=convert_all,
    )


# ----------------------------------------------------------------------------- sshd


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    """A real OpenSSH sshd on 127.0.0.1 for this module's tests (tests/e2e/sshd.py)."""
    from .sshd import start_sshd

    server = start_sshd(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


@pytest.fixture
def downloads(tmp_path):
    """The folder the browser saves downloads to (tests/e2e/browser.py)."""
    return tmp_path / "downloads"


@pytest.fixture
def driver(downloads):
    """A headless Chromium driven by selenium for one test (tests/e2e/browser.py); mark
    the test ``needs_chromium``."""
    from .browser import chrome

    with chrome(downloads) as browser:
        yield browser


BILLED_PLAN = "chpiv"  # the plan the claims-after-sending tests bill


@pytest.fixture
def billed_month(cli, samples, tmp_path):
    """A workspace with the sample month billed to ``BILLED_PLAN``: (workspace, out, billed)."""
    from . import x12_responses

    workspace = tmp_path / "ws"
    assert cli("init", workspace).code == 0
    out = tmp_path / "claims"
    run = cli("--workspace", workspace, "claims", samples["csv"], "--plan", BILLED_PLAN,
              "--period", "2025-11", "--out", out, "--production-date", "2025-12-03")  # fmt: skip
    assert run.code in (0, 1), run.err
    (path,) = sorted(out.glob("*.837"))
    return workspace, out, x12_responses.billed(path)
