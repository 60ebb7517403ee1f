"""What the built-in plan plugins share: finding their YAML inside the package."""

from __future__ import annotations

from importlib import resources


def register_config(registry, name: str) -> None:
    """Register ``plan_configs/<name>.yaml`` shipped with ecmx."""
    path = resources.files("ecmx.plan_configs").joinpath(f"{name}.yaml")
    registry.add_plan_file(path, origin=f"{name}.yaml")
