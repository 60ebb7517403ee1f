"""What the built-in plan plugins share: finding their YAML inside the package."""

from __future__ import annotations

from importlib import resources


def register_config(registry, name: str) -> None:
    # Built-ins register with tryfirst hooks, so a plugin or folder that reuses a
    # built-in id is the one named in the duplicate-id message.
    """Register ``plan_configs/<name>.yaml`` shipped with ecmx."""
    path = resources.files("ecmx.plan_configs").joinpath(f"{name}.yaml")
    registry.add_plan_file(path, origin=f"{name}.yaml")
