"""``demo``: sample data, then every plan's RTF and OTF/IOT (``out/files``) and 837P claims
(``out/claims``), from one plugin manager."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.jobs.claims import ClaimsRequest, ClaimsResult, run_claims
from ecmx.core.jobs.common import Progress, no_progress, plugins_for
from ecmx.core.jobs.convert import ConvertRequest, ConvertResult, run_convert
from ecmx.core.jobs.sample_data import SampleDataRequest, run_sample_data
from ecmx.core.storage.targets import prepare_folder


@dataclass(frozen=True)
class DemoRequest:
    """``ecmx demo --out OUT_DIR [options]``."""

    out_dir: Path  # the sample dataset, and files/ and claims/ beside it
    members: int = 60
    seed: int = 7
    period: Period | None = None  # default: last month
    # Default: the 3rd of the month after the period, or today if earlier (on time for every plan).
    production_date: date | None = None
    force: bool = False  # replace existing outputs
    plans_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class DemoResult:
    sample: list[Path]  # the sample dataset's files
    convert: ConvertResult
    claims: ClaimsResult
    exit_code: int  # the worse of the two runs'


def run_demo(request: DemoRequest, *, plugins=None, progress: Progress = no_progress) -> DemoResult:
    """Make the sample, then convert and bill it. Raises ``EcmxError`` subclasses."""
    plugins = plugins_for(request, plugins)
    period = request.period or Period.containing(date.today()).shift(-1)
    prepare_folder(request.out_dir)
    dataset = request.out_dir / "dataset.xlsx"
    sample = SampleDataRequest(dataset, request.members, request.seed, period, request.force)
    written = run_sample_data(sample, progress=progress).written
    made = request.production_date
    if made is None:
        # Made on time: the 3rd of the month after the period, before every plan's due date,
        # so the demo shows the files rather than late-file warnings (ecmx due shows those).
        made = min(date.today(), period.shift(1).start.replace(day=3))
    converted = run_convert(
        ConvertRequest(
            dataset,
            "all",
            period,
            request.out_dir / "files",
            production_date=made,
            force=request.force,
        ),
        plugins=plugins,
        progress=progress,
    )
    billed = run_claims(
        ClaimsRequest(
            dataset,
            "all",
            period,
            request.out_dir / "claims",
            production_date=made,
            force=request.force,
        ),
        plugins=plugins,
        progress=progress,
    )
    return DemoResult(written, converted, billed, max(converted.exit_code, billed.exit_code))
