"""docs/architecture.md names modules by their paths: it must follow the code when a module
moves, and a new subpackage of core/ must be placed in it (a newcomer reads it first)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
# The flow and the subpackage table; "where does my change go" names places to create.
FLOW = DOC.read_text(encoding="utf-8").split("## Where does my change go?")[0]
SUBPACKAGES = sorted(p.parent.name for p in (ROOT / "core").glob("*/__init__.py"))


def _exists(reference: str) -> bool:
    path = ROOT / "core" / reference
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _table_rows() -> dict[str, list[str]]:
    """Subpackage -> the modules its row of the table names."""
    rows = {}
    for line in FLOW.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        packages = re.findall(r"`([a-z_]+)/`", cells[0]) if len(cells) == 3 else []
        if packages:
            rows[packages[0]] = re.findall(r"`([a-z_0-9]+(?:/[a-z_0-9]+)?)`", cells[2])
    return rows


def test_every_subpackage_of_core_has_a_row():
    missing = sorted(set(SUBPACKAGES) - set(_table_rows()))
    assert not missing, f"docs/architecture.md: add a row for core/{', core/'.join(missing)}"


@pytest.mark.parametrize("package", SUBPACKAGES)
def test_the_modules_a_row_names_exist(package):
    named = _table_rows().get(package, [])
    stale = [m for m in named if not _exists(m if "/" in m else f"{package}/{m}")]
    assert not stale, f"docs/architecture.md names core/{package}/{stale} that do not exist"


def test_the_paths_the_diagram_names_exist():
    paths = set(
        re.findall(r"\b([a-z_]+/[a-z_0-9]+)\b", FLOW.split("```mermaid")[1].split("```")[0])
    )
    stale = sorted(p for p in paths if p.split("/")[0] in SUBPACKAGES and not _exists(p))
    assert paths and not stale, f"docs/architecture.md's diagram names missing {stale}"


def test_the_places_a_change_goes_exist():
    """Every module path the whole document names (``checks/step.py``, ``files/kinds/``)."""
    text = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:[a-z_]+/)+[a-z_0-9]+)(?:\.py|/)`", text))
    stale = sorted(p for p in named if p.split("/")[0] in SUBPACKAGES and not _exists(p))
    assert named and not stale, f"docs/architecture.md names missing {stale}"


def test_the_readme_links_it():
    assert "(docs/architecture.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
