"""``ecmx validate``: the click wiring; the work is ``ecmx.core.jobs.validate``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecmx.core.cli import console as out
from ecmx.core.cli import render
from ecmx.core.cli.options import (
    output_options,
    parse_period,
    pass_state,
    run_job,
    show_values_option,
)
from ecmx.core.jobs.validate import ValidateRequest, run_validate


@click.command()
@output_options
@click.argument("file_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_id", required=True, help="The plan the file is for.")
@click.option(
    "--kind",
    "kind_name",
    required=True,
    help="rtf, otf (iot), mif, mini_mif, tel, csasf or referral.",
)
@click.option(
    "--period",
    callback=parse_period,
    help="Reporting period YYYY-MM: picks the layout version (default: last month).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the findings: .json, .csv, .html, or .xlsx (a copy of the file, bad cells marked).",
)
@click.option(
    "--dataset",
    "dataset_path",
    type=click.Path(path_type=Path),
    help="Your dataset, for checks that need it (outreach history, caseloads).",
)
@click.option(
    "--provider",
    "provider_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Provider profile for --dataset (default: beside it).",
)
@show_values_option
@click.option("--force", is_flag=True, help="Replace an existing report.")
@pass_state
def validate(
    state, file_path, plan_id, kind_name, report_path, dataset_path, provider_path, **options
):
    """Check a plan file that already exists (edited by hand, or made by another tool)."""
    request = ValidateRequest(
        file_path,
        plan_id,
        kind_name,
        report=report_path,
        dataset=dataset_path,
        provider=provider_path,
        plans_dirs=tuple(state.plans_dirs),
        **options,
    )
    result = run_job(run_validate, request, state)
    render.findings(result.findings, result.meta, show_values=request.show_values)
    out.info(result.summary)
    sys.exit(result.exit_code)
