"""``ecmx sftp trust|check PLAN``: the click wiring; the work is ``ecmx.core.jobs.sftp``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecmx.core.cli import console as out
from ecmx.core.cli.options import pass_state, run_job
from ecmx.core.jobs.sftp import SftpCheckRequest, SftpTrustRequest, run_sftp_check, run_sftp_trust

_provider = click.option(
    "--provider",
    "provider",
    default="provider.yaml",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The provider profile holding plans.PLAN.sftp.",
)


@click.group("sftp")
def sftp():
    """A plan's sFTP server: trust its host key, check the login and folder."""


@sftp.command("trust")
@click.argument("plan")
@_provider
@click.option("--yes", is_flag=True, help="Trust the key shown without asking.")
@click.option("--replace", is_flag=True, help="Replace a key that changed (ask the plan first).")
@pass_state
def trust(state, plan, provider, yes, replace):
    """Show PLAN's server host key fingerprint and add it to known_hosts (asked, or --yes)."""
    confirm = (lambda question: click.confirm(question)) if sys.stdin.isatty() else None
    request = SftpTrustRequest(plan, provider, yes=yes, replace=replace, confirm=confirm)
    result = run_job(run_sftp_trust, request, state)
    where = result.settings.known_hosts
    line = f"{result.settings.where} {result.key_type} {result.fingerprint}"
    if result.outcome == "not trusted":
        out.error_line(f"{line}: not trusted; rerun with --yes to trust it (in {where})")
    else:
        out.info(f"{line}: {result.outcome} (in {where})")
    sys.exit(result.exit_code)


@sftp.command("check")
@click.argument("plan")
@_provider
@pass_state
def check(state, plan, provider):
    """Log in to PLAN's server (host key verified), list its folder and say what is there."""
    result = run_job(run_sftp_check, SftpCheckRequest(plan, provider), state)
    settings = result.settings
    out.info(f"{settings.where}: host key {result.fingerprint} trusted; logged in")
    out.stdout.print(f"{settings.path}: {len(result.files)} file(s)", markup=False)
    if result.files:
        out.table(
            f"{settings.plan}: {settings.path}",
            ["file", "bytes"],
            [[f.name, f"{f.size:,}"] for f in result.files],
        )
    sys.exit(result.exit_code)
