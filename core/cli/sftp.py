"""``ecmx sftp trust|check|password PLAN``: the click wiring; the work is
``ecmx.core.jobs.sftp``. ``password`` reads the secret here: twice without echo on a
terminal (getpass), else one line from stdin, so a script can pipe it."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from ecmx.core.cli import console as out
from ecmx.core.cli.options import pass_state, run_job
from ecmx.core.errors import InputError, printable
from ecmx.core.jobs.sftp import (
    SftpCheckRequest,
    SftpPasswordRequest,
    SftpTrustRequest,
    password_target,
    run_sftp_check,
    run_sftp_password,
    run_sftp_trust,
)

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


@sftp.command("password")
@click.argument("plan")
@_provider
@click.option(
    "--passphrase", is_flag=True, help="The key's passphrase (plans.PLAN.sftp.passphrase)."
)
@click.option("--delete", is_flag=True, help="Remove the entry from the OS keyring.")
@pass_state
def password(state, plan, provider, passphrase, delete):
    """Store PLAN's sFTP password (or key passphrase) in the OS keyring, under the service
    provider.yaml names ({keyring: SERVICE}) and the sftp user. Asked twice without echo on
    a terminal; otherwise read as one line from stdin. Never printed."""
    request = SftpPasswordRequest(plan, provider, passphrase=passphrase, delete=delete)
    settings, field, service = password_target(request)  # a config problem before asking
    entry = f"OS keyring service {printable(service)!r}, user {printable(settings.user)!r}"
    if not delete:
        secret = _read_secret(f"{printable(plan)} sFTP {field} for {settings.where}", field)
        request = SftpPasswordRequest(plan, provider, secret, passphrase, delete)
    result = run_job(run_sftp_password, request, state)
    hint = "" if delete else f"; ecmx sftp check {printable(plan)} tries it"
    out.info(f"{result.field} {result.outcome} ({entry}){hint}")
    sys.exit(result.exit_code)


def _read_secret(what: str, field: str) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    try:
        first = getpass.getpass(f"{what}: ")
        again = getpass.getpass(f"{what} (again): ")
    except EOFError:  # Ctrl-D at the prompt
        raise InputError(f"no {field} typed; nothing stored") from None
    if again != first:
        raise InputError(f"the two {field}s typed differ; nothing stored")
    return first
