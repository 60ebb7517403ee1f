"""Health Net (seeds 001, 002)."""

from ecmx.core.hookspecs import hookimpl
from ecmx.plugins.builtin import register_config


@hookimpl(tryfirst=True)
def ecmx_register_plans(registry):
    register_config(registry, "healthnet")
