"""Build the plugin manager: built-ins, installed plugins, and YAML plan folders.

Built-ins are registered from an explicit list, exactly like a third-party
plugin, then entry points on the ``ecmx.plans`` group are loaded, then plan
folders from ``--plans-dir`` and ``ECMX_PLANS_DIR``. ``check_pending()`` makes
a misspelt hook name fail at start-up instead of being silently ignored.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from pathlib import Path

import pluggy

from ecmx.core import hookspecs
from ecmx.core.errors import ConfigError
from ecmx.core.hooks.registry import Registry
from ecmx.core.hookspecs import hookimpl

ENTRY_POINT_GROUP = "ecmx.plans"
PLANS_DIR_ENV = "ECMX_PLANS_DIR"

BUILTIN_PLUGINS = (
    "ecmx.core.files.kinds.rtf",
    "ecmx.core.files.kinds.otf",
    "ecmx.core.files.kinds.csprtf",
    "ecmx.core.files.kinds.inbound",
    "ecmx.core.files.kinds.referral",
    "ecmx.core.files.kinds.csasf",
    "ecmx.core.files.formats",
    "ecmx.core.files.transforms",
    "ecmx.core.checks.crossfile",
    "ecmx.core.checks.field",
    "ecmx.core.checks.business",
    "ecmx.core.checks.completion",
    "ecmx.core.checks.community_supports",
    "ecmx.core.checks.claim_rules",
    "ecmx.core.calendar.rule_kinds",
    "ecmx.plugins.builtin",
)


class PlansDirPlugin:
    """Registers every YAML file of some folders as a plan (no code needed)."""

    def __init__(self, directories: list[Path]):
        self.directories = directories

    @hookimpl(trylast=True)  # after built-ins and packages: a duplicate id blames the folder
    def ecmx_register_plans(self, registry: Registry) -> None:
        for directory in self.directories:
            registry.add_plans_dir(directory)


def plans_dirs_from_env() -> list[Path]:
    value = os.environ.get(PLANS_DIR_ENV, "")
    return [Path(p) for p in value.split(os.pathsep) if p.strip()]


def make_plugin_manager(plans_dirs: Iterable[Path | str] = (), *, entry_points: bool = True):
    """Return ``(plugin_manager, registry)`` with every plugin registered and checked."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    directories = [*plans_dirs_from_env(), *map(Path, plans_dirs)]
    if directories:
        pm.register(PlansDirPlugin(directories), name="plans-dirs")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise ConfigError(f"a plugin implements an unknown hook: {exc}") from None
    return pm, fill_registry(pm)


def fill_registry(pm: pluggy.PluginManager) -> Registry:
    """A registry filled by every registration hook, plans last (they name the others)."""
    registry = Registry()
    pm.hook.ecmx_register_file_kinds(registry=registry)
    pm.hook.ecmx_register_formats(registry=registry)
    pm.hook.ecmx_register_transforms(registry=registry)
    pm.hook.ecmx_register_rules(registry=registry)
    pm.hook.ecmx_register_calendar_rules(registry=registry)
    pm.hook.ecmx_register_plans(registry=registry)
    return registry


def chain(pm: pluggy.PluginManager, hook_name: str, value, **kwargs):
    """Call a hook that adjusts ``value`` so that each implementation sees the last result.

    ``value`` is passed as the one argument of the hook's spec that ``kwargs`` does not
    name (``frame``, ``lines``). Each implementation is one call through pluggy (the
    public ``subset_hook_caller``: the hook with every other implementation left out), in
    pluggy's order (tryfirst, last registered, ..., trylast), so tracing and monitoring
    see every step and a ``wrapper=True`` implementation wraps each step: it receives
    that step's results (``[value]`` or ``[]``) and returns them, changed or not.
    """
    hook = getattr(pm.hook, hook_name)
    spec_args = hook.spec.argnames if hook.spec else ()
    [name] = [arg for arg in spec_args if arg not in kwargs]
    steps = [impl for impl in hook.get_hookimpls() if not (impl.wrapper or impl.hookwrapper)]
    for impl in reversed(steps):  # pluggy calls the last of the list first
        others = [other.plugin for other in steps if other is not impl]
        results = pm.subset_hook_caller(hook_name, remove_plugins=others)(**{name: value, **kwargs})
        if results and results[-1] is not None:  # not firstresult: this step's results
            value = results[-1]
    return value
