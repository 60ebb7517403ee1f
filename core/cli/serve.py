"""``ecmx serve``: the local web page (core/web; docs/web.md)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from ecmx.core.cli.options import pass_state
from ecmx.core.jobs.status import no_workspace


@click.command("serve")
@click.option(
    "--workspace",
    "workspace_option",
    type=click.Path(file_okay=False, path_type=Path),
    help="The workspace to show (made by `ecmx init DIR`); default: as for every command.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8741,
    show_default=True,
    help="The port on 127.0.0.1 to try first (the next free one if taken; 0: any).",
)
@click.option("--no-browser", is_flag=True, help="Print the address; do not open a browser.")
@pass_state
def serve_command(state, workspace_option, port, no_browser):
    """Open the month's page in your browser: the board, your data, making and checking
    the files, claims, the calendar and the plans, without the command line.

    It listens on 127.0.0.1 only and needs the secret in the address it prints (new at
    every start). Stop it with Ctrl+C.
    """
    from ecmx.core.ledger.db import check_ledger
    from ecmx.core.ledger.workspace import resolve_workspace
    from ecmx.core.web.server import serve

    workspace = resolve_workspace(workspace_option) if workspace_option else state.workspace()
    if workspace is None:
        raise no_workspace()
    check_ledger(workspace)
    # uvicorn stops on Ctrl+C, then raises it again: a normal end
    with contextlib.suppress(KeyboardInterrupt):
        serve(
            workspace,
            state.plugins(),
            tuple(state.plans_dirs),
            port,
            open_browser=not no_browser,
            say=lambda text: print(text, file=sys.stdout, flush=True),
        )
    print("ecmx serve: stopped", flush=True)
