"""The ``ecmx`` command line: the group, its global options and the entry point.

Each command group is a module of its own (cli/convert.py, cli/plans.py, ...)
that builds a job's request (core/jobs) and renders its result.

Exit codes: 0 ok; 1 findings of severity error; 2 usage error, unreadable
input or an output that cannot be written; 3 internal error (a bug: please
report it); 4 a plan's sFTP server unreachable, refusing the login or lacking its
folder; 5 a server host key not trusted (unknown or changed). A user never sees a traceback unless they ask for one with --debug.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from ecmx.core import __version__
from ecmx.core.cli import console as out
from ecmx.core.cli.options import State
from ecmx.core.errors import EXIT_INTERNAL, EXIT_OK, EcmxError

# Each command's module (ecmx.core.cli.<module>) and its command object. A module is
# imported when its command runs or a help lists it: ``ecmx validate`` does not pay for
# sFTP (paramiko), the web page or the calendars at every start.
COMMANDS = {
    "plans": ("plans", "plans"),
    "sample-data": ("demo", "sample_data"),
    "convert": ("convert", "convert"),
    "validate": ("validate", "validate"),
    "ingest": ("ingest", "ingest"),
    "demo": ("demo", "demo"),
    "calendar": ("calendar", "calendar_command"),
    "due": ("calendar", "due_command"),
    "claims": ("claims_status", "claims_group"),
    "sftp": ("sftp", "sftp"),
    "send": ("send", "send_command"),
    "init": ("ledger", "init_command"),
    "ledger": ("ledger", "ledger_command"),
    "fetch": ("fetch", "fetch_command"),
    "response": ("fetch", "response_command"),
    "status": ("status", "status_command"),
    "capacity": ("capacity", "capacity_command"),
    "serve": ("serve", "serve_command"),
}


class LazyGroup(click.Group):
    """The ``ecmx`` group: commands named up front, their modules imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"ecmx.core.cli.{module}"), attribute)
            if cmd_name == "claims" and "resubmit" not in command.commands:
                from ecmx.core.cli.claims_resubmit import resubmit_command

                command.add_command(resubmit_command)  # ecmx claims resubmit
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="ecmx")
@click.option(
    "--plans-dir",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Add YAML-only plans from this folder (repeatable; also $ECMX_PLANS_DIR).",
)
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help="The workspace whose ledger records what ecmx makes and reads (also $ECMX_WORKSPACE; "
    "default: the nearest folder upward holding .ecmx/, made by `ecmx init`).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the final result.")
@click.option("-v", "--verbose", is_flag=True, help="Print every finding, not a summary.")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.pass_context
def cli(ctx, plans_dir, workspace, quiet, verbose, debug):
    """ecmx: one provider dataset in, every Medi-Cal plan's ECM files out."""
    ctx.obj = State(plans_dir, quiet, verbose, debug, workspace)
    out.configure(quiet=quiet, verbose=verbose)


# ----------------------------------------------------------------------------- entry


def main(argv=None) -> None:
    try:
        result = cli.main(args=argv, prog_name="ecmx", standalone_mode=False)
        if isinstance(result, int) and result:
            sys.exit(result)  # click's own exits (--help of a bare group) keep their code
    except click.exceptions.Abort:
        out.error_line("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except EcmxError as exc:
        for line in exc.details or [str(exc)]:
            out.error_line(line)
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        out.error_line("interrupted: no output was left half-written")
        sys.exit(130)
    except Exception as exc:  # a bug: one line, the traceback only on request
        if "--debug" in (argv if argv is not None else sys.argv):
            raise
        out.error_line(f"internal error ({type(exc).__name__}); rerun with --debug and report it")
        sys.exit(EXIT_INTERNAL)
    sys.exit(EXIT_OK)
