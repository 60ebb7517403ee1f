"""Plan configs the JSON Schema passed before, so a start does not validate them again.

Validating the built-in plans takes jsonschema about 0.2 s (twelve passes) at every
start of every command, and importing it as long again. A pass that found nothing is
recorded as a digest of what decides its verdict: the schema's text, the code that
derives the partial schema, the installed jsonschema, which pass, and the plan's data
as ``repr`` shows it (types and all). The same digest is the same verdict. A changed
plan has another digest and is validated; a pass that found a problem is never
recorded, so a problem is always reported.

The record is one small file in ``$ECMX_CACHE_DIR`` (default: ``$XDG_CACHE_HOME/ecmx``,
else ``~/.cache/ecmx``); ``ECMX_CACHE_DIR=""`` turns it off. A record that cannot be read
or written is ignored: every plan is then validated, as without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from importlib import resources, util
from pathlib import Path
from typing import Any

from ecmx.core.plans import check

CACHE_DIR_ENV = "ECMX_CACHE_DIR"
FILE_NAME = "plan-schema-passes.json"
KEEP = 512  # the newest digests kept: every plan file, through many edits

_added: list[str] = []


def schema_problems(
    which: str, data: dict[str, Any], origin: str, *, only_required: bool = False
) -> list[str]:
    """``check.schema_problems`` with the ``partial`` or ``full`` schema, unless the same
    pass found nothing on the same data before."""
    key = digest(_schema_text(), f"{which} {only_required}", data)
    if passed(key):
        return []
    validator = (check.partial_validator if which == "partial" else check.full_validator)()
    problems = check.schema_problems(validator, data, origin, only_required=only_required)
    if not problems:
        record(key)
    return problems


def cache_file() -> Path | None:
    value = os.environ.get(CACHE_DIR_ENV)
    if value is not None:
        return Path(value) / FILE_NAME if value.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ecmx" / FILE_NAME


def digest(schema_text: str, which: str, data: object) -> str:
    sha = hashlib.sha256()
    for part in (_code_identity(), schema_text, which, repr(data)):
        sha.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return sha.hexdigest()


def passed(key: str) -> bool:
    return key in _known()


def record(key: str) -> None:
    """Remember a pass that found nothing (written at once: a start may end any time)."""
    path = cache_file()
    if path is None or key in _known():
        return
    _known().add(key)
    _added.append(key)
    older = [k for k in _read(path) if k not in _added]
    room = max(KEEP - len(_added), 0)
    keys = (older[-room:] if room else []) + _added[-KEEP:]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as out:
            json.dump(keys, out)
        os.replace(out.name, path)  # whole or not at all, even with two starts at once
    except OSError:
        pass


@cache
def _known() -> set[str]:
    path = cache_file()
    return set(_read(path)) if path is not None else set()


def _read(path: Path) -> list[str]:
    try:
        keys = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


@cache
def _schema_text() -> str:
    return (
        resources.files("ecmx.core.plans").joinpath("schemas/plan.schema.json").read_text("utf-8")
    )


@cache
def _code_identity() -> str:
    """What else decides a verdict: the checking code here, and the installed jsonschema
    (its files change on an upgrade; found without importing it)."""
    parts = [resources.files("ecmx.core.plans").joinpath("check.py").read_text("utf-8")]
    spec = util.find_spec("jsonschema")
    for name in ("validators.py", "_keywords.py", "_types.py", "_format.py"):
        file = Path(spec.origin).with_name(name) if spec and spec.origin else None
        if file is not None and file.is_file():
            stat = file.stat()
            parts.append(f"{file}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)
