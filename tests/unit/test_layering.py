"""The engine is one, the faces are many: nothing outside core/cli/ imports click or the
command line, or prints (issue 12). The CLI, and the web page to come, build a request,
call a job and render its result; a job called from a script must not write to its
terminal."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = sorted(
    p
    for p in (ROOT / "core").rglob("*.py")
    if "cli" not in p.relative_to(ROOT / "core").parts and p.name != "__main__.py"
)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _imports(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("path", ENGINE, ids=_name)
def test_the_engine_neither_imports_the_cli_nor_prints(path):
    tree = ast.parse(path.read_text("utf-8"))
    faces = [n for n in _imports(tree) if n.split(".")[0] in ("click", "rich")
             or n.startswith("ecmx.core.cli")]  # fmt: skip
    prints = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"
    ]
    assert not faces, f"{_name(path)} imports {faces}: render in core/cli/ instead"
    assert not prints, f"{_name(path)} prints (lines {prints}): return it in the result"


def test_the_engine_is_found():
    assert len(ENGINE) > 80 and any(p.parent.name == "jobs" for p in ENGINE)
