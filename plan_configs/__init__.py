"""The built-in plans' YAML files, shipped with ecmx.

``PLAN_FILES`` is the one list the built-in plan plugin (``ecmx.plugins.builtin``)
registers: a new built-in plan is a YAML file here and a line in this list.
``sources.yaml`` is the list of sources the plans cite, not a plan.
"""

PLAN_FILES = (
    "dhcs_base.yaml",  # DHCS-style layouts and code lists every built-in plan starts from
    "healthnet_family.yaml",  # the Health Net family base: Health Net, CalViva, CHPIV; CHWP
    "healthnet.yaml",  # Health Net (seeds 001, 002)
    "calviva.yaml",  # CalViva Health (seed 002)
    "chpiv.yaml",  # Community Health Plan of Imperial Valley (seed 002)
    "chwp.yaml",  # California Health & Wellness Plan (seed 000)
    "partnership.yaml",  # Partnership HealthPlan of California (seeds 003, 004)
)
