"""DHCS-style layouts and code lists every built-in plan starts from (family base)."""

from ecmx.core.hookspecs import hookimpl
from ecmx.plugins.builtin import register_config


@hookimpl(tryfirst=True)
def ecmx_register_plans(registry):
    register_config(registry, "dhcs_base")
