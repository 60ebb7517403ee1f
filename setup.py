"""Map the four top-level folders into one ``ecmx`` import namespace.

core/ -> ecmx.core, plugins/ -> ecmx.plugins, plan_configs/ -> ecmx.plan_configs,
testing/ -> ecmx.testing (the conformance kit for plugin packages).
The package list is computed, so a new sub-package needs no edit here, and
nothing named ``core`` or ``plugins`` ever lands in site-packages.
"""

from setuptools import find_packages, setup

ROOTS = ("core", "plugins", "plan_configs", "testing")

packages = [
    f"ecmx.{name}" for name in find_packages(include=[*ROOTS, *(f"{root}.*" for root in ROOTS)])
]

setup(packages=packages, package_dir={f"ecmx.{root}": root for root in ROOTS})
