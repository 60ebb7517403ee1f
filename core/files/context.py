"""What a file-kind builder and the plugin hooks get to see for one conversion or check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset.read import Dataset
from ecmx.core.plans.spec import FileSpec, Layout, PlanSpec


@dataclass
class BuildContext:
    """The inputs of one (plan, kind, period); it holds no findings: every stage returns its own.

    ``dataset`` is None when ``validate`` checks a file without ``--dataset``;
    ``file`` and ``layout`` are None for claim lines (kind ``claims``), which have no plan file.
    """

    dataset: Dataset | None
    plan: PlanSpec
    kind: str
    period: Period
    production_date: date
    file: FileSpec | None
    layout: Layout | None
    # The canonical frame once built (before mapping), for validation hooks.
    canonical: pd.DataFrame | None = None
