"""The ``ecmx`` command line: the group, its global options and the entry point.

Each command group is a module of its own (cli/convert.py, cli/plans.py, ...)
that builds a job's request (core/jobs) and renders its result.

Exit codes: 0 ok; 1 findings of severity error; 2 usage error, unreadable
input or an output that cannot be written; 3 internal error (a bug: please
report it); 4 a plan's sFTP server unreachable, refusing the login or lacking its
folder; 5 a server host key not trusted (unknown or changed). A user never sees a traceback unless they ask for one with --debug.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecmx.core import __version__
from ecmx.core.cli import console as out
from ecmx.core.cli.calendar import calendar_command, due_command
from ecmx.core.cli.capacity import capacity_command
from ecmx.core.cli.claims_resubmit import resubmit_command
from ecmx.core.cli.claims_status import claims_group
from ecmx.core.cli.convert import convert
from ecmx.core.cli.demo import demo, sample_data
from ecmx.core.cli.fetch import fetch_command, response_command
from ecmx.core.cli.ingest import ingest
from ecmx.core.cli.ledger import init_command, ledger_command
from ecmx.core.cli.options import State
from ecmx.core.cli.plans import plans
from ecmx.core.cli.send import send_command
from ecmx.core.cli.serve import serve_command
from ecmx.core.cli.sftp import sftp
from ecmx.core.cli.status import status_command
from ecmx.core.cli.validate import validate
from ecmx.core.errors import EXIT_INTERNAL, EXIT_OK, EcmxError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


for command in (
    plans,
    sample_data,
    convert,
    validate,
    ingest,
    demo,
    calendar_command,
    due_command,
    claims_group,
    sftp,
    send_command,
    init_command,
    ledger_command,
    fetch_command,
    response_command,
    status_command,
    capacity_command,
    serve_command,
):
    cli.add_command(command)
claims_group.add_command(resubmit_command)  # ecmx claims resubmit


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
