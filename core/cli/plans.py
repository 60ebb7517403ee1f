"""``ecmx plans list|show|fields|check|new|doc``: the click wiring; the work is ``ecmx.core.jobs.plans``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecmx.core.cli import console as out
from ecmx.core.cli.options import file_out_options, output_options, parse_period, pass_state
from ecmx.core.errors import EXIT_FINDINGS
from ecmx.core.jobs.plans import (
    PlansCheckRequest,
    PlansDocRequest,
    PlansNewRequest,
    PlansRequest,
    PlansShowRequest,
    check_plans,
    field_tables,
    new_plan,
    plan_doc_page,
    plan_to_show,
    plans_rows,
)


@click.group()
def plans():
    """List, show and check plan configurations."""


@plans.command("list")
@output_options
@pass_state
def plans_list(state):
    """Every plan ecmx knows: id, name, family, file kinds and layout versions."""
    rows = plans_rows(PlansRequest(plans_dirs=tuple(state.plans_dirs)), plugins=state.plugins())
    out.table("Plans", ("id", "name", "family", "file kinds", "layout versions"), rows)


@plans.command("show")
@output_options
@click.argument("plan_id", metavar="PLAN")
@click.option("--kind", help="Only this file kind (rtf, otf).")
@click.option(
    "--period",
    callback=parse_period,
    help="Show the layout in force for YYYY-MM (default: the latest).",
)
@click.option(
    "--assumptions",
    is_flag=True,
    help="List every value marked assumed: true (to confirm with the plan).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="With each column and code, the plan file that set or last changed it.",
)
@pass_state
def plans_show(state, plan_id, kind, period, assumptions, explain):
    """Show a plan's layouts, codes and naming, or what is still assumed."""
    from ecmx.core.cli.plans_show import show_assumptions, show_plan

    request = PlansShowRequest(
        plan_id, kind, period, assumptions, tuple(state.plans_dirs), explain=explain
    )
    plan, kinds = plan_to_show(request, plugins=state.plugins())
    if assumptions:
        show_assumptions(plan, kinds)
    else:
        show_plan(plan, kinds, period, explain=explain)


@plans.command("fields")
@output_options
@click.argument("kind_name", metavar="KIND", required=False)
@pass_state
def plans_fields(state, kind_name):
    """The canonical fields a layout column can use, and the rule that fills each."""
    request = PlansRequest(kind_name, tuple(state.plans_dirs))
    for title, rows in field_tables(request, plugins=state.plugins()):
        out.table(title, ("field", "type", "codes", "filled from"), rows)


@plans.command("check")
@output_options
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_state
def plans_check(state, files):
    """Validate every plan config (and FILES, plan YAMLs to add). Exit 1 on any problem.

    What a plan should still set (its own name, MCP and payer, where it extends another
    plan) is printed as a warning, one line per YAML path; it does not fail the check.
    """
    result = check_plans(PlansCheckRequest(files, tuple(state.plans_dirs)), plugins=state.plugins())
    if not result.valid:
        for line in result.problems:
            out.error_line(line)
        out.error_line(f"{len(result.problems)} problem(s) in plan configuration")
        sys.exit(EXIT_FINDINGS)
    for notice in result.notices:  # usable, but billed and reported under defaults until set
        out.warning_line(notice)
    out.info(f"ok: {result.plans} plan(s) and {result.bases} family base(s) are valid")


@plans.command("new")
@output_options
@click.argument("plan_id", metavar="ID")
@click.option("--extends", "base", required=True, metavar="PLAN", help="The plan to start from.")
@click.option("--name", help="The plan's display name (default: ID).")
@file_out_options(
    "--out",
    "out_path",
    "Where to write the scaffold (default: ID.yaml in the current folder).",
    "Replace an existing file.",
)
@pass_state
def plans_new(state, plan_id, base, name, out_path, force):
    """Write a commented YAML scaffold of a plan that extends PLAN.

    Each value the new plan must set of its own (MCP name and identifier, payer name,
    file names) is a placeholder marked assumed: true, with a note saying what to put
    there; `ecmx plans check ID.yaml` accepts the scaffold as written.
    """
    request = PlansNewRequest(plan_id, base, name, out_path, force, tuple(state.plans_dirs))
    result = new_plan(request, plugins=state.plugins())
    out.info(
        f"wrote {result.path}: plan {result.plan_id} extending {result.extends}; "
        f"set the {len(result.to_set)} values marked assumed: true "
        f"({', '.join(result.to_set)}), then run: ecmx plans check {result.path}"
    )


@plans.command("doc")
@output_options
@click.argument("plan_id", metavar="PLAN")
@file_out_options(
    "--out",
    "out_path",
    "Write the page to this file instead of printing it.",
    "Replace an existing --out file.",
)
@pass_state
def plans_doc(state, plan_id, out_path, force):
    """A plan's reference page in markdown: files, every column of each layout version,
    code lists, calendar, billing, sources and every value to confirm with the plan.

    The built-in plans' pages are docs/plans/PLAN.md; this prints the same for any plan,
    one of --plans-dir too.
    """
    request = PlansDocRequest(plan_id, out_path, force, tuple(state.plans_dirs))
    result = plan_doc_page(request, plugins=state.plugins())
    if result.written is None:
        sys.stdout.write(result.text)
    else:
        out.info(f"wrote {result.written}")


@plans.command("compare")
@output_options
@click.argument("template", type=click.Path(path_type=Path), metavar="TEMPLATE")
@click.option("--plan", "plan_id", required=True, metavar="PLAN", help="The plan to compare.")
@click.option("--kind", required=True, help="The file kind of the template (rtf, otf).")
@click.option("--version", help="The layout version (default: the one in force today).")
@click.option("--sheet", help="The template's sheet (default: the layout's, else the first).")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the comparison to FILE (.json or .csv).",
)
@click.option(
    "--write-yaml",
    "write_yaml",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Draft the plan YAML that makes the layout match, citing the template.",
)
@click.option("--id", "draft_id", help="The draft plan's id (default: PLAN_template).")
@click.option("--force", is_flag=True, help="Replace an existing --report or --write-yaml file.")
@pass_state
def plans_compare(
    state, template, plan_id, kind, version, sheet, report, write_yaml, draft_id, force
):
    """Hold PLAN's KIND layout against the plan's TEMPLATE workbook (.xlsx, .xlsm, .csv).

    Column by column: same header, renamed, missing from the template, extra in it,
    order, validation list against the code list, number format against the column's
    type. Exit 0 when the layout matches the template, 1 when it differs.
    """
    from ecmx.core.cli.plans_compare import show_comparison
    from ecmx.core.jobs.plans_compare import PlansCompareRequest, run_plans_compare

    request = PlansCompareRequest(
        template, plan_id, kind, version, sheet, report, write_yaml, draft_id, force,
        tuple(state.plans_dirs),
    )  # fmt: skip
    result = run_plans_compare(request, plugins=state.plugins())
    show_comparison(result)
    sys.exit(result.exit_code)


@plans.command("test")
@output_options
@click.argument("plan_id", metavar="PLAN")
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the sample dataset, the plan's files and claims in this folder.",
)
@click.option(
    "--period",
    callback=parse_period,
    help="The month the sample centres on, YYYY-MM (default: last month).",
)
@pass_state
def plans_test(state, plan_id, keep, period):
    """Run the conformance checks on synthetic data made for PLAN.

    One line per check, pass, fail or skip, with why: plans check; every code the data
    uses has a code; each file converts without errors; every column of the files sent
    to the plan is filled, or blank by a rule of the config; each file round-trips
    (validate, or ingest of the files the plan sends); claims (837P through pyx12 when it
    is installed, else invoices). Exit 0 when no check fails, 1 when one does.
    """
    from ecmx.core.cli.options import run_job
    from ecmx.core.jobs.plans_test import PlansTestRequest, run_plans_test

    request = PlansTestRequest(plan_id, keep, period, plans_dirs=tuple(state.plans_dirs))
    result = run_job(run_plans_test, request, state)
    for outcome in result.outcomes:  # the result: stdout, one line per check
        click.echo(f"{outcome.status:4}  {outcome.check}: {outcome.detail}")
    failed = len(result.failed)
    summary = f"{result.plan}: {len(result.outcomes) - failed} of {len(result.outcomes)} checks"
    kept = f"; sample and files in {result.kept}" if result.kept else ""
    if failed:
        out.error_line(f"{summary} passed, {failed} failed{kept}")
        sys.exit(EXIT_FINDINGS)
    out.info(f"{summary} passed or skipped{kept}")
