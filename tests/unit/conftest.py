"""Fixtures for the unit tests: tiny hand-built datasets and the plugin manager."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
import xlsxwriter
import yaml

from ecmx.core.dataset.read import read_dataset
from ecmx.core.dataset.sample import provider_profile
from ecmx.core.errors import ConfigError
from ecmx.core.hooks.manager import PLANS_DIR_ENV, make_plugin_manager


def _write_book(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write each sheet's rows cell by cell, keeping each Python type as the cell type."""
    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, date_format)
                else:
                    sheet.write_number(r, c, value)
    book.close()
    return path


def _table(rows: list[dict]) -> list[list]:
    """Dict rows to a header row plus value rows (columns in first-seen order)."""
    header = list(dict.fromkeys(key for row in rows for key in row))
    return [header, *([row.get(key) for key in header] for row in rows)]


@pytest.fixture
def write_book():
    """``write_book(path, {sheet: [[header...], [cells...], ...]})`` -> path."""
    return _write_book


@pytest.fixture
def provider_yaml():
    """``provider_yaml(folder, **overrides)`` writes a valid provider.yaml there."""

    def write(folder: Path, **overrides) -> Path:
        data = {**provider_profile(), **overrides}
        path = Path(folder) / "provider.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def make_dataset(tmp_path, provider_yaml):
    """``make_dataset(members=[{...}], enrollments=[...], outreach=..., encounters=...)``.

    Writes a workbook (one sheet per table given, dict rows) and provider.yaml in
    tmp_path, then reads it back with ``read_dataset``.
    """

    def make(**tables: list[dict]):
        provider_yaml(tmp_path)
        sheets = {name: _table(rows) for name, rows in tables.items() if rows is not None}
        path = _write_book(tmp_path / "dataset.xlsx", sheets)
        return read_dataset(path)

    return make


@pytest.fixture(scope="session")
def plugins():
    """``(pm, registry)`` with the built-in plans only (no entry points, no env dirs)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(PLANS_DIR_ENV, raising=False)
        return make_plugin_manager(entry_points=False)


# The sources list a test plans dir carries unless the test gives its own: the ids the
# test plans cite (a source: names an entry of a sources list, docs/configuration.md).
TEST_SOURCES = """\
sources:
  my-plan-guide:
    title: My Plan provider guide
    publisher: My Plan
    date: "2025"
    where: My Plan's provider portal
    plans: [myplan, solo, sepplan]
  my-contract:
    title: My Plan ECM contract
    publisher: My Plan
    date: "2025-01-01"
    where: the provider's contract with My Plan
    plans: [myplan]
"""


@pytest.fixture
def plugins_with(tmp_path, monkeypatch):
    """``plugins_with({"name.yaml": text, ...})`` -> ``(pm, registry)`` with a plans dir
    (and TEST_SOURCES as its sources.yaml unless ``files`` holds one)."""
    monkeypatch.delenv(PLANS_DIR_ENV, raising=False)

    def make(files: dict[str, str]):
        folder = tmp_path / "plans"
        folder.mkdir(exist_ok=True)
        files = {"sources.yaml": TEST_SOURCES, **files}
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return make_plugin_manager([folder], entry_points=False)

    return make


@pytest.fixture
def config_problems(plugins_with):
    """``config_problems({"name.yaml": text})`` -> every problem line loading them reports."""

    def problems(files: dict[str, str]) -> list[str]:
        _, registry = plugins_with({n: textwrap.dedent(text) for n, text in files.items()})
        with pytest.raises(ConfigError) as caught:
            registry.plans  # noqa: B018 - loading is what is tested
        assert str(caught.value) == f"{len(caught.value.details)} plan configuration problem(s)"
        return caught.value.details

    return problems
