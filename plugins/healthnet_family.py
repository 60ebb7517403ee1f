"""The Health Net family base (seed 002): Health Net, CalViva, CHPIV; CHWP follows it."""

from ecmx.core.hookspecs import hookimpl
from ecmx.plugins.builtin import register_config


@hookimpl(tryfirst=True)
def ecmx_register_plans(registry):
    register_config(registry, "healthnet_family")
