"""The code stays readable: no module over 400 lines, no function over 60 (issue 12).

Small modules with one purpose and short functions are what let a newcomer find where a
change goes (docs/architecture.md); this test keeps it so as the code grows.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for folder in ("core", "plugins") for p in (ROOT / folder).rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_module_is_small(path):
    lines = len(path.read_text("utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, (
        f"{_name(path)} has {lines} lines (at most {MAX_MODULE_LINES}): split it by purpose"
    )


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_functions_are_short(path):
    tree = ast.parse(path.read_text("utf-8"))
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{_name(path)}: over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"


def test_sources_found():
    assert len(SOURCES) > 50  # the glob found the code, so the tests above check something
