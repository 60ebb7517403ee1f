"""Map the three top-level folders into one ``ecmx`` import namespace.

core/ -> ecmx.core, plugins/ -> ecmx.plugins, plan_configs/ -> ecmx.plan_configs.
The package list is computed, so a new sub-package needs no edit here, and
nothing named ``core`` or ``plugins`` ever lands in site-packages.
"""

from setuptools import find_packages, setup

ROOTS = ("core", "plugins", "plan_configs")

packages = [
    f"ecmx.{name}" for name in find_packages(include=[*ROOTS, *(f"{root}.*" for root in ROOTS)])
]

setup(packages=packages, package_dir={f"ecmx.{root}": root for root in ROOTS})
