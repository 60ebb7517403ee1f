"""What a file-kind builder and the plugin hooks get to see for one conversion."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ecmx.core.calendar.periods import Period
from ecmx.core.checks.findings import Finding
from ecmx.core.dataset.read import Dataset
from ecmx.core.plans.spec import FileSpec, Layout, PlanSpec


@dataclass
class BuildContext:
    dataset: Dataset
    plan: PlanSpec
    kind: str
    period: Period
    production_date: date
    file: FileSpec
    layout: Layout
    findings: list[Finding] = field(default_factory=list)
    # The canonical frame once built (before mapping), for validation hooks.
    canonical: pd.DataFrame | None = None
