"""The oldest-versions constraints file is the lower bound of every range pyproject declares.

tox -e oldest (and CI) runs the whole suite with tests/constraints/oldest.txt; if a
bound in pyproject.toml moved without the constraints file, the oldest run would test
a version the project no longer allows, or miss the one it does.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def _lower_bounds() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    bounds = {}
    for requirement in requirements:
        found = re.search(r">=\s*([0-9][0-9A-Za-z.]*)", requirement)
        if found:
            bounds[_name(requirement)] = found.group(1)
    return bounds


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "tests/constraints/oldest.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    return pins


def _same_version(bound: str, pin: str) -> bool:
    """6.0 and 6.0.0 are one version; a bound like 3.0 may be met first by 3.1.0 (no 3.0 exists)."""

    def parts(v: str) -> list[int]:
        numbers = [int(p) for p in v.split(".")]
        while numbers and numbers[-1] == 0:
            numbers.pop()
        return numbers

    return parts(pin) >= parts(bound)


def test_every_lower_bound_is_pinned_in_the_oldest_constraints():
    bounds, pins = _lower_bounds(), _pins()
    assert set(bounds) <= set(pins), f"not pinned for the oldest run: {set(bounds) - set(pins)}"
    for name, bound in bounds.items():
        assert _same_version(bound, pins[name]), f"{name}: bound {bound}, pinned {pins[name]}"


def test_the_oldest_pins_are_the_bounds_themselves():
    """Pinned exactly at the bound, except where the registry has no release equal to it."""
    no_exact_release = {"pyx12": ("3.0", "3.1.0")}  # pyx12 jumped from 2.3.3 to 3.1.0
    bounds, pins = _lower_bounds(), _pins()
    for name, bound in bounds.items():
        if no_exact_release.get(name) == (bound, pins[name]):
            continue
        padded = bound.split(".") + ["0"] * (3 - len(bound.split(".")))
        assert pins[name] in {bound, ".".join(padded)}, (
            f"{name}: bound {bound}, pinned {pins[name]}"
        )
