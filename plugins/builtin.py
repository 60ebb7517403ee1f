"""The built-in plans: every YAML file of ``ecmx.plan_configs.PLAN_FILES``.

Registered like a third-party plugin, through ``ecmx_register_plans``, but
``tryfirst``: built-ins are added before any package or ``--plans-dir`` plan, so
a plan that reuses a built-in id is the one named in the duplicate-id message.
"""

from __future__ import annotations

from importlib import resources

from ecmx.core.hookspecs import hookimpl
from ecmx.plan_configs import PLAN_FILES


@hookimpl(tryfirst=True)
def ecmx_register_plans(registry) -> None:
    folder = resources.files("ecmx.plan_configs")
    for name in PLAN_FILES:
        registry.add_plan_file(folder.joinpath(name), origin=name)
