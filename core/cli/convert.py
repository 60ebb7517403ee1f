"""``ecmx convert``: the click wiring; the work is ``ecmx.core.jobs.convert``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecmx.core.cli import console as out
from ecmx.core.cli import render
from ecmx.core.cli.options import (
    output_options,
    parse_day,
    parse_period,
    pass_state,
    provider_option,
    report_option,
    run_job,
    show_values_option,
)
from ecmx.core.jobs.convert import ConvertRequest, run_convert


@click.command()
@output_options
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--plan", "plan_id", required=True, help="A plan id, or 'all'.")
@click.option(
    "--kind",
    "kind_name",
    default="all",
    show_default=True,
    help="rtf, otf (iot), mif, mini_mif, tel, referral (Partnership), or all (the month's "
    "files you send: rtf and otf).",
)
@click.option("--period", required=True, callback=parse_period, help="Reporting period, YYYY-MM.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the plan files (created if missing).",
)
@provider_option
@click.option(
    "--production-date",
    callback=parse_day,
    help="The file's production date, YYYY-MM-DD (default: today).",
)
@report_option
@show_values_option
@click.option(
    "--force", is_flag=True, help="Write files with error findings, and replace existing files."
)
@pass_state
def convert(state, dataset, plan_id, kind_name, out_dir, provider_path, report_path, **options):
    """Convert DATASET into each plan's files for a period."""
    request = ConvertRequest(
        dataset,
        plan_id,
        out_dir=out_dir,
        kind=kind_name,
        provider=provider_path,
        report=report_path,
        plans_dirs=tuple(state.plans_dirs),
        workspace=state.workspace(),
        **options,
    )
    sys.exit(show_convert(run_job(run_convert, request, state), request.show_values))


def show_convert(result, show_values: bool) -> int:
    """Print a convert result as the command always has; return its exit code."""
    if out.verbose():  # the dataset's notes, before the rest
        render.notes(finding.line() for finding in result.details)
    render.run(result, show_values=show_values)
    return result.exit_code
