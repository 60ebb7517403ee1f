"""``ecmx claims``: the click wiring; the work is ``ecmx.core.jobs.claims``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecmx.core.cli import render
from ecmx.core.cli.options import (
    State,
    output_options,
    parse_day,
    parse_period,
    pass_state,
    provider_option,
    report_option,
    run_job,
    show_values_option,
)
from ecmx.core.errors import EcmxError
from ecmx.core.jobs.claims import ClaimsRequest, run_claims


class FormatOption(click.Option):
    """``--format``: its choices are the registered claim writers, which are known only once
    the plugins load, after click has built the options. So the help is made when it is
    shown, and the job refuses a format nobody registered (exit code 2, as a bad option)."""

    def get_help_record(self, ctx: click.Context):
        writers = _claim_writers(ctx)
        self.metavar = f"[{'|'.join(writers)}]"
        self.help = "; ".join(f"{name}: {w.help}" for name, w in writers.items()) + "."
        return super().get_help_record(ctx)


def _claim_writers(ctx: click.Context) -> dict:
    """The registered claim writers by format; the built-in ones when a plugin fails to
    load (the command itself then reports why)."""
    from ecmx.core.billing.claim_writers import BUILTIN_CLAIM_WRITERS

    state = ctx.find_object(State)
    try:
        writers = state.plugins()[1].claim_writers if state else {}
    except EcmxError:
        writers = {}
    return writers or {w.format: w for w in BUILTIN_CLAIM_WRITERS}


def billed_file_options(command):
    """--provider, --production-date, --report, --show-values and --test-file: what
    ``claims`` and ``claims resubmit`` ask alike about the file they bill."""
    for option in reversed(
        (
            provider_option,
            click.option(
                "--production-date",
                callback=parse_day,
                help="The file's date, YYYY-MM-DD (default: today).",
            ),
            report_option,
            show_values_option,
            click.option(
                "--test-file",
                is_flag=True,
                help="Mark the 837P as a test interchange (ISA15 = T), for a payer's EDI testing.",
            ),
        )
    ):
        command = option(command)
    return command


@click.command("claims")
@output_options
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--plan", "plan_id", required=True, help="A plan id, or 'all'.")
@click.option("--period", required=True, callback=parse_period, help="Service period, YYYY-MM.")
@click.option(
    "--format",
    "output_format",
    cls=FormatOption,
    default="837p",
    show_default=True,
    help="A registered claim writer's format.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the claim files (created if missing).",
)
@billed_file_options
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
        workspace=state.workspace(),
        **options,
    )
    result = run_job(run_claims, request, state)
    render.run(result, show_values=request.show_values)
    sys.exit(result.exit_code)
