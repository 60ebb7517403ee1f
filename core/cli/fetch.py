"""``ecmx fetch`` and ``ecmx response``: the click wiring; the work is ``ecmx.core.jobs.fetch``
and ``ecmx.core.jobs.response``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecmx.core.cli import console as out
from ecmx.core.cli import render
from ecmx.core.cli.options import output_options, pass_state, run_job, table_format_option
from ecmx.core.jobs.fetch import COLUMNS, FetchRequest, run_fetch
from ecmx.core.jobs.response import ResponseRequest, run_response

_ANSWER_COLUMNS = ("plan", "response", "row", "file", "status", "reason", "outcome")


@click.command("fetch")
@output_options
@click.option(
    "--plan",
    "plans",
    multiple=True,
    help="A plan to fetch from (repeatable; default: all with sftp:).",
)
@click.option("--to", "to", type=click.Path(file_okay=False, path_type=Path),
              help="Put files in TO/<plan>/ (default: <workspace>/inbox/<plan>/).")  # fmt: skip
@click.option("--provider", default="provider.yaml", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The provider profile holding plans.PLAN.sftp.")  # fmt: skip
@click.option("--ingest", is_flag=True, help="Merge every new MIF, mini-MIF and TEL into --out.")
@click.option(
    "--dataset", type=click.Path(path_type=Path), help="--ingest: your dataset (never modified)."
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    help="--ingest: where to write the merged dataset.",
)
@click.option(
    "--force", is_flag=True, help="--ingest: replace --out; write despite unreadable dataset cells."
)
@table_format_option("How to print the files on stdout.")
@pass_state
def fetch_command(state, plans, to, provider, ingest, dataset, out_path, force, output_format):
    """Download each plan's new files from its sFTP server; nothing remote is changed."""
    request = FetchRequest(
        tuple(plans), to, provider, ingest, dataset, out_path, force, tuple(state.plans_dirs),
        state.workspace(),
    )  # fmt: skip
    result = run_job(run_fetch, request, state)
    _print_rows(result.rows(), COLUMNS, output_format, "ecmx fetch")
    if result.answers and output_format == "table":
        out_rows = [[str(a[c]) for c in _ANSWER_COLUMNS] for a in result.answers]
        _table("plan responses", _ANSWER_COLUMNS, out_rows)
    _findings(result.findings, "fetch", output_format)
    for merged in result.merged:
        _info(f"merged {merged['file']}: {merged['new']} new, {merged['dropped']} dropped, "
              f"{merged['changed']} changed, {merged['conflict']} conflict(s)")  # fmt: skip
    if result.written:
        _info("wrote " + " and ".join(str(p) for p in result.written))
    elif request.ingest:
        _info(f"nothing merged: {request.out} not written")
    for plan, error in result.plan_errors.items():
        named = f"sftp {plan}" in error or f"plans.{plan}" in error
        out.error_line(error if named else f"{plan}: {error}")
    sys.exit(result.exit_code)


@click.command("response")
@output_options
@click.argument("file_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_id", required=True, help="The plan that sent the response.")
@table_format_option("How to print the rows on stdout.")
@pass_state
def response_command(state, file_path, plan_id, output_format):
    """Record a plan's response file (e.g. one that came by secure email) against the files sent."""
    request = ResponseRequest(file_path, plan_id, tuple(state.plans_dirs), state.workspace())
    result = run_job(run_response, request, state)
    _print_rows(result.answers, _ANSWER_COLUMNS, output_format, f"ecmx response: {file_path.name}")
    _findings(result.findings, "response", output_format)
    sys.exit(result.exit_code)


def _print_rows(rows: list[dict], columns, output_format: str, title: str) -> None:
    if render.records(rows, list(rows[0]) if rows else columns, output_format):
        return
    if not rows:
        _info(f"{title}: nothing there")
    else:
        _table(title, columns, [[str(row[c]) for c in columns] for row in rows])


def _findings(findings, command: str, output_format: str) -> None:
    """The findings table; with json or csv on stdout, one line each on stderr instead."""
    if not findings:
        return
    if output_format == "table":
        render.findings(findings, {"command": command}, show_values=False)
        return
    for finding in findings:
        say = out.error_line if finding.severity == "error" else out.warning_line
        say(finding.line())


def _table(title: str, columns, rows) -> None:
    out.table(title, columns, rows)


def _info(line: str) -> None:
    out.info(line)
