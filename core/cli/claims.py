"""``ecmx claims``: the click wiring; the work is ``ecmx.core.jobs.claims``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

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
from ecmx.core.jobs.claims import ClaimsRequest, run_claims


@click.command("claims")
@output_options
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--plan", "plan_id", required=True, help="A plan id, or 'all'.")
@click.option("--period", required=True, callback=parse_period, help="Service period, YYYY-MM.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["837p", "invoice"], case_sensitive=False),
    default="837p",
    show_default=True,
    help="837p: an X12 837P (005010X222A1) file per plan; invoice: an invoice workbook.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the claim files (created if missing).",
)
@provider_option
@click.option(
    "--production-date", callback=parse_day, help="The files' date, YYYY-MM-DD (default: today)."
)
@report_option
@show_values_option
@click.option(
    "--test-file",
    is_flag=True,
    help="Mark the 837P as a test interchange (ISA15 = T), for a payer's EDI testing.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Bill lines that break a billing rule, and replace existing files.",
)
@pass_state
def claims_command(state, dataset, plan_id, output_format, out_dir, provider_path, report_path,
                   **options):  # fmt: skip
    """Bill DATASET's ECM encounters for a period: one claim per member, coded by rule."""
    request = ClaimsRequest(
        dataset,
        plan_id,
        out_dir=out_dir,
        format=output_format.lower(),
        provider=provider_path,
        report=report_path,
        plans_dirs=tuple(state.plans_dirs),
        **options,
    )
    result = run_job(run_claims, request, state)
    render.run(result, show_values=request.show_values)
    sys.exit(result.exit_code)
