"""What several jobs share: the plugins, the progress callback, reading the dataset for
plans, the report file, and the plans a run skips for having no members."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from ecmx.core.checks.findings import INFO, Finding
from ecmx.core.dataset.read import Dataset, read_dataset
from ecmx.core.files.convert import unknown_plan_findings
from ecmx.core.storage.atomic import refuse_existing
from ecmx.core.storage.targets import check_file_target, refuse_inputs

# A note is told as it is made (the command line shows it at once, before an error that
# may follow) and kept in the job's result; a script sees it only if it configures logging.
log = logging.getLogger("ecmx")

# progress(stage, done, total, item): ``total`` 0 is a step of unknown length ("reading
# x.xlsx"); otherwise ``done`` of ``total`` are finished, ``item`` the last one.
Progress = Callable[..., None]


def no_progress(stage: str, done: int, total: int, item: str = "") -> None:
    """The default progress callback: a job called from a script reports nothing."""


def plugins_for(request, plugins=None):
    """``(plugin_manager, registry)``: the caller's, or one made for ``request.plans_dirs``
    (plus $ECMX_PLANS_DIR and the ``ecmx.plans`` entry points, as the command line has)."""
    if plugins is not None:
        return plugins
    from ecmx.core.hooks.manager import make_plugin_manager

    return make_plugin_manager(list(request.plans_dirs))


def check_report_target(report_path: Path | None, force: bool, inputs=()) -> None:
    """Before any work: the report's format and folder are right, it is none of the run's
    ``inputs``, and it is new (or ``force``)."""
    if report_path:
        from ecmx.core.reports.findings_report import check_findings_report_path

        check_findings_report_path(report_path)
        check_file_target(report_path)
        refuse_inputs([report_path], inputs)
        refuse_existing(report_path, force)


def read_for_plans(registry, dataset_path, provider_path, progress: Progress) -> Dataset:
    """The dataset, with a finding for each member of a plan ecmx does not know."""
    progress(f"reading {dataset_path}", 0, 0)
    dataset = read_dataset(dataset_path, provider_path)
    dataset.findings.extend(unknown_plan_findings(dataset, registry))
    return dataset


def plans_with_members(
    dataset: Dataset, plan_ids: set[str], skipped_note: str
) -> tuple[set[str], list[str]]:
    """The plans that have members, and a note naming the others: a provider contracts with
    some plans only, and gets no empty files for the others."""
    present = set(dataset.members["plan"].dropna().str.lower())
    skipped = sorted(plan_ids - present)
    notes = [f"no members for {', '.join(skipped)}: {skipped_note} for them"] if skipped else []
    for line in notes:
        log.info(line)
    return plan_ids & present, notes


def report_findings(
    findings: list[Finding],
    meta: dict,
    report_path,
    show_values: bool,
    force: bool,
    progress: Progress = no_progress,
) -> list[Finding]:
    """Each finding once, notes (info) left out; written to ``report_path`` when given."""
    unique = list(dict.fromkeys(f for f in findings if f.severity != INFO))
    if report_path:
        progress(f"writing {Path(report_path).name}", 0, 0)
        from ecmx.core.reports.findings_report import write_findings_report

        write_findings_report(unique, report_path, meta=meta, show_values=show_values, force=force)
        log.info(f"wrote {report_path}")
    return unique
