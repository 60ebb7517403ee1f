"""The workspace's current dataset: the one the page makes files and claims from, chosen
on the Your data page (remembered in .ecmx/web.json across restarts), and the provider
profile that goes with it (the workspace's provider.yaml, else the one beside it)."""

from __future__ import annotations

import json
from pathlib import Path

from ecmx.core.dataset.provider import PROVIDER_FILE
from ecmx.core.storage.atomic import atomic_file

_STATE = Path(".ecmx") / "web.json"


def _state(workspace: Path) -> dict:
    try:
        return json.loads((workspace / _STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def current_dataset(workspace: Path) -> Path | None:
    """The dataset chosen last, if it still exists."""
    name = _state(workspace).get("dataset")
    path = (workspace / name) if name else None
    return path if path is not None and path.exists() else None


def set_current_dataset(workspace: Path, dataset: Path) -> None:
    """Remember ``dataset`` (inside the workspace) as the current one."""
    state = {
        **_state(workspace),
        "dataset": str(dataset.resolve().relative_to(workspace.resolve())),
    }
    with atomic_file(workspace / _STATE, force=True) as tmp:
        tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")


def provider_for(workspace: Path, dataset: Path) -> Path | None:
    """The provider profile for ``dataset``: the workspace's provider.yaml if it has one,
    else None (the jobs then look beside the dataset)."""
    own = workspace / PROVIDER_FILE
    return own if own.exists() else None
