"""``ecmx claims``: the click wiring (the work is in ``claims_command``)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ecmx.core.cli.options import (
    output_options,
    parse_day,
    parse_period,
    pass_state,
    provider_option,
    report_option,
    show_values_option,
)


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
def claims_command(
    state,
    dataset,
    plan_id,
    period,
    output_format,
    out_dir,
    provider_path,
    production_date,
    report_path,
    show_values,
    test_file,
    force,
):
    """Bill DATASET's ECM encounters for a period: one claim per member, coded by rule."""
    from ecmx.core.jobs.claims import run_claims

    code = run_claims(
        state,
        dataset,
        plan_id,
        period,
        output_format.lower(),
        out_dir,
        provider_path,
        production_date or date.today(),
        force,
        report_path,
        show_values,
        usage="T" if test_file else "P",
    )
    sys.exit(code)
