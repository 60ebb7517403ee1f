"""``ecmx sample-data`` and ``ecmx demo``: the click wiring; the work is ``ecmx.core.jobs``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecmx.core.cli import console as out
from ecmx.core.cli import render
from ecmx.core.cli.convert import show_convert
from ecmx.core.cli.options import (
    output_options,
    parse_day,
    parse_period,
    pass_state,
    run_job,
    sample_options,
)
from ecmx.core.jobs.demo import DemoRequest, run_demo
from ecmx.core.jobs.sample_data import SampleDataRequest, run_sample_data


@click.command("sample-data")
@output_options
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(path_type=Path),
    help="A .xlsx workbook (provider.yaml is written beside it) or a folder of CSVs.",
)
@sample_options
@click.option(
    "--period",
    callback=parse_period,
    help="Period the activity centres on, YYYY-MM (default: last month).",
)
@click.option("--force", is_flag=True, help="Replace existing outputs.")
@click.option(
    "--plan",
    "plan_ids",
    multiple=True,
    metavar="PLAN",
    help="Share the members among these plans (repeatable; a --plans-dir plan too; 'all': "
    "every plan known). Default: the built-in plans.",
)
@pass_state
def sample_data(state, out_path, members, seed, period, force, plan_ids):
    """Write a synthetic dataset (no real people) covering the plans and the seed edge cases.

    Made from the plans' configs: each plan's billing rules decide what its members' rows
    carry (a TAR where the plan pays outreach or services only with one).
    """
    request = SampleDataRequest(
        out_path, members, seed, period, force, tuple(plan_ids), tuple(state.plans_dirs)
    )
    plugins = state.plugins() if plan_ids else None
    with out.job_progress() as progress:
        result = run_sample_data(request, plugins=plugins, progress=progress)
    render.notes(f"wrote {path}" for path in result.written)


@click.command()
@output_options
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the sample dataset and every plan's files.",
)
@sample_options
@click.option(
    "--period", callback=parse_period, help="Reporting period, YYYY-MM (default: last month)."
)
@click.option(
    "--production-date",
    callback=parse_day,
    help="The files' production date, YYYY-MM-DD (default: the 3rd of the month after the period, or today if earlier: on time for every plan).",
)
@click.option("--force", is_flag=True, help="Replace existing outputs.")
@pass_state
def demo(state, out_dir, **options):
    """Make sample data, then every plan's RTF and OTF/IOT (DIR/files) and 837P claims (DIR/claims)."""
    request = DemoRequest(out_dir, plans_dirs=tuple(state.plans_dirs), **options)
    result = run_job(run_demo, request, state)
    render.notes(f"wrote {path}" for path in result.sample)
    show_convert(result.convert, show_values=False)
    render.run(result.claims, show_values=False)
    sys.exit(result.exit_code)
