"""``ecmx claims resubmit``: the click wiring; the work is ``run_claims`` with
``ClaimsRequest.resubmit`` (core/jobs/claims_resubmit.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecmx.core.billing.resubmit import resubmission
from ecmx.core.cli import render
from ecmx.core.cli.claims import billed_file_options
from ecmx.core.cli.options import output_options, parse_period, pass_state, run_job
from ecmx.core.jobs.claims import ClaimsRequest, run_claims


@click.command("resubmit")
@output_options
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--plan", "plan_id", required=True, help="The plan the claims were billed to.")
@click.option("--period", required=True, callback=parse_period, help="Service period, YYYY-MM.")
@click.option(
    "--claim",
    "claims",
    multiple=True,
    required=True,
    metavar="CLM01[=PAYERNUMBER]",
    help="A claim to resubmit (its CLM01) and the payer's claim number for it, from the "
    "277CA (REF*1K) or 835 (CLP07); CLM01 alone: the number `ecmx claims load` recorded "
    "in the workspace. Repeatable.",
)
@click.option("--void", is_flag=True, help="Void the claims (frequency 8), not replace (7).")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the 837P: the one the claims were billed into, so its control "
    "numbers are never reused (a workspace's ledger keeps them across folders).",
)
@billed_file_options
@click.option("--force", is_flag=True, help="Bill lines that break a billing rule.")
@pass_state
def resubmit_command(state, dataset, plan_id, claims, void, out_dir, provider_path, report_path,
                     **options):  # fmt: skip
    """A replacement (frequency 7) or void (8) 837P for chosen claims of a period's billing:
    the claims rebuilt from DATASET as `ecmx claims` bills them, each naming the payer's
    claim number (REF*F8), in a new interchange (new control numbers)."""
    request = ClaimsRequest(
        dataset,
        plan_id,
        out_dir=out_dir,
        provider=provider_path,
        report=report_path,
        plans_dirs=tuple(state.plans_dirs),
        workspace=state.workspace(),
        resubmit=resubmission(claims, void),
        **options,
    )
    result = run_job(run_claims, request, state)
    render.run(result, show_values=request.show_values)
    sys.exit(result.exit_code)
