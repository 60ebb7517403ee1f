"""The ``ecmx`` command line.

Exit codes: 0 ok; 1 findings of severity error; 2 usage error, unreadable
input or an output that cannot be written; 3 internal error (a bug: please
report it). A user never sees a traceback unless they ask for one with --debug.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ecmx.core import __version__
from ecmx.core.calendar.periods import Period
from ecmx.core.cli import console as out
from ecmx.core.cli.calendar import calendar_command, due_command
from ecmx.core.cli.claims import claims_command
from ecmx.core.cli.options import (
    State,
    output_options,
    parse_day,
    parse_period,
    pass_state,
    provider_option,
    report_option,
    sample_options,
    show_values_option,
)
from ecmx.core.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EcmxError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ecmx")
@click.option(
    "--plans-dir",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Add YAML-only plans from this folder (repeatable; also $ECMX_PLANS_DIR).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the final result.")
@click.option("-v", "--verbose", is_flag=True, help="Print every finding, not a summary.")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.pass_context
def cli(ctx, plans_dir, quiet, verbose, debug):
    """ecmx: one provider dataset in, every Medi-Cal plan's ECM files out."""
    ctx.obj = State(plans_dir, quiet, verbose, debug)
    out.configure(quiet=quiet, verbose=verbose)


# ----------------------------------------------------------------------------- plans


@cli.group()
def plans():
    """List, show and check plan configurations."""


@plans.command("list")
@output_options
@pass_state
def plans_list(state):
    """Every plan ecmx knows: id, name, family, file kinds and layout versions."""
    _, registry = state.plugins()
    rows = []
    for plan in sorted(registry.concrete_plans(), key=lambda p: p.id):
        kinds = ", ".join(f"{k} ({f.title})" for k, f in plan.files.items())
        versions = "; ".join(
            f"{k}: " + ", ".join(f"{v.version} from {v.effective}" for v in f.versions)
            for k, f in plan.files.items()
        )
        rows.append((plan.id, plan.name, plan.family or "-", kinds, versions))
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
@pass_state
def plans_show(state, plan_id, kind, period, assumptions):
    """Show a plan's layouts, codes and naming, or what is still assumed."""
    from ecmx.core.plans.show import show_assumptions, show_plan

    _, registry = state.plugins()
    plan = registry.plan(plan_id)
    kinds = [registry.kind(kind).name] if kind else list(plan.files)
    if assumptions:
        show_assumptions(plan, kinds)
    else:
        show_plan(plan, kinds, period)


@plans.command("fields")
@output_options
@click.argument("kind_name", metavar="KIND", required=False)
@pass_state
def plans_fields(state, kind_name):
    """The canonical fields a layout column can use, and the rule that fills each."""
    _, registry = state.plugins()
    kinds = [registry.kind(kind_name)] if kind_name else list(registry.file_kinds.values())
    for kind in kinds:
        rows = [(f.name, f.type, f.codes or "", f.rule) for f in kind.fields.values()]
        out.table(f"{kind.name}: {kind.title}", ("field", "type", "codes", "filled from"), rows)


@plans.command("check")
@output_options
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_state
def plans_check(state, files):
    """Validate every plan config (and FILES, plan YAMLs to add). Exit 1 on any problem.

    What a plan should still set (its own name, MCP and payer, where it extends another
    plan) is printed as a warning, one line per YAML path; it does not fail the check.
    """
    from ecmx.core.errors import ConfigError

    _, registry = state.plugins()
    for path in files:
        registry.add_plan_file(path)
    try:
        plans_found = registry.plans
    except ConfigError as exc:
        for line in exc.details:
            out.error_line(line)
        out.error_line(f"{len(exc.details)} problem(s) in plan configuration")
        sys.exit(EXIT_FINDINGS)
    concrete = [p for p in plans_found.values() if not p.abstract]
    for plan in concrete:  # usable, but billed and reported under defaults until set
        for notice in plan.notices:
            out.warning_line(notice)
    out.info(
        f"ok: {len(concrete)} plan(s) and {len(plans_found) - len(concrete)} family base(s) are valid"
    )


# ----------------------------------------------------------------------------- data


@cli.command("sample-data")
@output_options
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(path_type=Path),
    help="A .xlsx workbook (provider.yaml is written beside it) or a folder of CSVs.",
)
@sample_options
@click.option(
    "--period",
    callback=parse_period,
    help="Period the activity centres on, YYYY-MM (default: last month).",
)
@click.option("--force", is_flag=True, help="Replace existing outputs.")
def sample_data(out_path, members, seed, period, force):
    """Write a synthetic dataset (no real people) covering all five plans and the seed edge cases."""
    from ecmx.core.dataset.sample import generate, write_sample

    with out.status(f"generating {members} members"):
        sample = generate(members=members, seed=seed, period=period)
        written = write_sample(sample, out_path, force=force)
    for path in written:
        out.info(f"wrote {path}")


@cli.command()
@output_options
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--plan", "plan_id", required=True, help="A plan id, or 'all'.")
@click.option(
    "--kind",
    "kind_name",
    default="all",
    show_default=True,
    help="rtf, otf (iot), mif, mini_mif, tel, or all (the files you send: rtf and otf).",
)
@click.option("--period", required=True, callback=parse_period, help="Reporting period, YYYY-MM.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the plan files (created if missing).",
)
@provider_option
@click.option(
    "--production-date",
    callback=parse_day,
    help="The file's production date, YYYY-MM-DD (default: today).",
)
@report_option
@show_values_option
@click.option(
    "--force", is_flag=True, help="Write files with error findings, and replace existing files."
)
@pass_state
def convert(
    state,
    dataset,
    plan_id,
    kind_name,
    period,
    out_dir,
    provider_path,
    production_date,
    report_path,
    show_values,
    force,
):
    """Convert DATASET into each plan's files for a period."""
    from ecmx.core.jobs.commands import run_convert

    code = run_convert(
        state,
        dataset,
        plan_id,
        kind_name,
        period,
        out_dir,
        provider_path,
        production_date or date.today(),
        force,
        report_path,
        show_values,
    )
    sys.exit(code)


@cli.command()
@output_options
@click.argument("file_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_id", required=True, help="The plan the file is for.")
@click.option("--kind", "kind_name", required=True, help="rtf, otf (iot), mif, mini_mif or tel.")
@click.option(
    "--period",
    callback=parse_period,
    help="Reporting period YYYY-MM: picks the layout version (default: last month).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the findings: .json, .csv, .html, or .xlsx (a copy of the file, bad cells marked).",
)
@click.option(
    "--dataset",
    "dataset_path",
    type=click.Path(path_type=Path),
    help="Your dataset, for checks that need it (outreach history, caseloads).",
)
@click.option(
    "--provider",
    "provider_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Provider profile for --dataset (default: beside it).",
)
@show_values_option
@click.option("--force", is_flag=True, help="Replace an existing report.")
@pass_state
def validate(
    state,
    file_path,
    plan_id,
    kind_name,
    period,
    report_path,
    dataset_path,
    provider_path,
    show_values,
    force,
):
    """Check a plan file that already exists (edited by hand, or made by another tool)."""
    from ecmx.core.jobs.commands import run_validate

    period = period or Period.containing(date.today()).shift(-1)
    sys.exit(
        run_validate(
            state,
            file_path,
            plan_id,
            kind_name,
            period,
            report_path,
            dataset_path,
            provider_path,
            show_values,
            force,
        )
    )


@cli.command()
@output_options
@click.argument("file_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_id", required=True, help="The plan that sent the file.")
@click.option(
    "--kind",
    "kind_name",
    default="mif",
    show_default=True,
    help="mif, mini_mif (Health Net) or tel (Partnership).",
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
def ingest(
    state,
    file_path,
    plan_id,
    kind_name,
    dataset_path,
    out_path,
    report_path,
    provider_path,
    received,
    show_values,
    force,
):
    """Merge a plan's MIF, mini-MIF or TEL into a copy of your dataset and list what changed."""
    from ecmx.core.jobs.commands import run_ingest

    sys.exit(
        run_ingest(
            state,
            file_path,
            plan_id,
            kind_name,
            dataset_path,
            out_path,
            report_path,
            provider_path,
            received or date.today(),
            show_values,
            force,
        )
    )


@cli.command()
@output_options
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the sample dataset and every plan's files.",
)
@sample_options
@click.option(
    "--period", callback=parse_period, help="Reporting period, YYYY-MM (default: last month)."
)
@click.option(
    "--production-date",
    callback=parse_day,
    help="The files' production date, YYYY-MM-DD (default: the 3rd of the month after the period, or today if earlier: on time for every plan).",
)
@click.option("--force", is_flag=True, help="Replace existing outputs.")
@pass_state
def demo(state, out_dir, members, seed, period, production_date, force):
    """Make sample data, then every plan's RTF and OTF/IOT (DIR/files) and 837P claims (DIR/claims)."""
    from ecmx.core.dataset.sample import generate, write_sample
    from ecmx.core.jobs.commands import run_convert
    from ecmx.core.storage.targets import prepare_folder

    period = period or Period.containing(date.today()).shift(-1)
    prepare_folder(out_dir)
    dataset = out_dir / "dataset.xlsx"
    with out.status(f"generating {members} sample members"):
        written = write_sample(
            generate(members=members, seed=seed, period=period), dataset, force=force
        )
    for path in written:
        out.info(f"wrote {path}")
    if production_date is None:
        # Made on time: the 3rd of the month after the period, before every plan's due date,
        # so the demo shows the files rather than late-file warnings (ecmx due shows those).
        production_date = min(date.today(), period.shift(1).start.replace(day=3))
    code = run_convert(
        state, dataset, "all", "all", period, out_dir / "files", None, production_date, force
    )
    from ecmx.core.jobs.claims import run_claims

    billed = run_claims(
        state, dataset, "all", period, "837p", out_dir / "claims", None, production_date, force
    )
    sys.exit(max(code, billed))


# ----------------------------------------------------------------------------- calendar

cli.add_command(calendar_command)
cli.add_command(due_command)
cli.add_command(claims_command)


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
