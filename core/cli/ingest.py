"""``ecmx ingest``: the click wiring; the work is ``ecmx.core.jobs.ingest``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecmx.core.cli import console as out
from ecmx.core.cli import render
from ecmx.core.cli.options import output_options, parse_day, pass_state, run_job
from ecmx.core.jobs.ingest import IngestRequest, run_ingest


@click.command()
@output_options
@click.argument("file_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_id", required=True, help="The plan that sent the file.")
@click.option(
    "--kind",
    "kind_name",
    default="mif",
    show_default=True,
    help="mif, mini_mif (Health Net), tel (Partnership) or csasf (Health Net, CalViva, CHPIV).",
)
@click.option(
    "--dataset",
    "dataset_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Your dataset (workbook or CSV folder); never modified.",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Where to write the merged dataset (same format as --dataset).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the changes to a .json, .csv or .xlsx file (CINs and values masked unless --show-values).",
)
@click.option(
    "--provider",
    "provider_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Provider profile (default: beside the dataset).",
)
@click.option(
    "--received", callback=parse_day, help="The day the file came, YYYY-MM-DD (default: today)."
)
@click.option(
    "--show-values",
    is_flag=True,
    help="Show CINs and values on the terminal and in the --report (they are PHI).",
)
@click.option(
    "--force", is_flag=True, help="Replace existing outputs; write despite unreadable cells."
)
@pass_state
def ingest(state, file_path, plan_id, kind_name, dataset_path, out_path, report_path,
           provider_path, **options):  # fmt: skip
    """Merge a plan's MIF, mini-MIF, TEL or CSASF into a copy of your dataset; list what changed."""
    request = IngestRequest(
        file_path,
        plan_id,
        dataset_path,
        out_path,
        kind=kind_name,
        report=report_path,
        provider=provider_path,
        plans_dirs=tuple(state.plans_dirs),
        workspace=state.workspace(),
        **options,
    )
    result = run_job(run_ingest, request, state)
    show_values = request.show_values
    if result.findings is not None:
        meta = {"command": "ingest", "file": str(request.file)}
        render.findings(result.findings, meta, show_values=show_values)
    if result.merge is None:
        out.error_line(
            f"{result.unreadable} unreadable cell(s): nothing written; "
            "fix them, or --force to write with those cells blank"
        )
    else:
        from ecmx.core.cli.merge_table import show_merge

        show_merge(result.merge, result.meta, show_values=show_values)
        out.info("wrote " + " and ".join(str(path) for path in result.written))
    sys.exit(result.exit_code)
