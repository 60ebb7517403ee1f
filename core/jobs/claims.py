"""``ecmx claims``: code a period's encounters, check them, write 837P files or invoices.

Every plan is coded and checked before the first file is written. A line that
breaks a billing rule is left off (``--force`` bills it anyway, except a line
without a charge or a diagnosis, which no claim can carry). The exit code is 1
when any line broke a rule (billed with --force or not), as ``convert`` does.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from ecmx.core.billing.claim_fields import member_findings
from ecmx.core.billing.claim_writers import ClaimFile, ClaimWriter
from ecmx.core.billing.claims import Claim, build_claims
from ecmx.core.billing.coding import BillingSpec, billing_spec
from ecmx.core.billing.control_numbers import reserved_numbers
from ecmx.core.billing.lines import code_lines, every_line
from ecmx.core.billing.resubmit import Resubmission
from ecmx.core.billing.x12 import Control, parties_for
from ecmx.core.calendar.periods import Period
from ecmx.core.checks.findings import ERROR, INFO, WARNING, Finding
from ecmx.core.checks.rules import Target, run_rules
from ecmx.core.checks.step import check
from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, EcmxError, InputError, OutputError
from ecmx.core.files.context import BuildContext
from ecmx.core.files.convert import findings_for_run, name_from_template
from ecmx.core.hints import did_you_mean
from ecmx.core.jobs.claims_resubmit import (
    check_resubmission,
    chosen_claims,
    payer_numbers,
    resubmit_name,
)
from ecmx.core.jobs.common import (
    Progress,
    check_report_target,
    no_progress,
    plans_with_members,
    plugins_for,
    read_for_plans,
    report_findings,
)
from ecmx.core.ledger.db import check_ledger
from ecmx.core.plans.spec import PlanSpec
from ecmx.core.storage.atomic import atomic_batch
from ecmx.core.storage.gcpause import gc_paused
from ecmx.core.storage.targets import check_batch, dataset_inputs

# A line without these cannot be put on a claim at all, --force or not, and a plan's
# ``rules:`` cannot switch them off (the payer would reject the whole file).
UNBILLABLE = frozenset({"K009", "K010", "K011", "K012", "K014", "K015", "K019"})


@dataclass
class PlanClaims:
    plan: PlanSpec
    spec: BillingSpec
    lines: pd.DataFrame  # the period's coded lines
    findings: list[Finding]
    claims: list[Claim] = field(default_factory=list)
    refused: int = 0
    file_name: str | None = None


@dataclass(frozen=True)
class ClaimsRequest:
    """``ecmx claims DATASET --plan PLAN --period PERIOD --out OUT_DIR [options]``."""

    dataset: Path
    plan: str  # a plan id, or "all"
    period: Period
    out_dir: Path
    format: str = "837p"  # a registered claim writer's format: 837p and invoice are built in
    provider: Path | None = None  # default: beside the dataset
    production_date: date | None = None  # default: today
    report: Path | None = None  # .json, .csv, .html or .xlsx
    show_values: bool = False
    test_file: bool = False  # an 837P test interchange (ISA15 = T)
    force: bool = False  # bill lines that break a billing rule; replace existing files
    replace: bool = False  # replace existing files only (force's other half: the web page)
    plans_dirs: tuple[Path, ...] = ()
    workspace: Path | None = None  # its ledger: control numbers, each file written recorded
    # ``ecmx claims resubmit``: only these claims, as replacements or voids (billing/resubmit.py)
    resubmit: Resubmission | None = None


@dataclass(frozen=True)
class ClaimsResult:
    plans: list[PlanClaims]  # one per plan billed, in plan order
    written: list[Path]  # the claim files written
    findings: list[Finding]  # every finding once, notes left out (what the report holds)
    rows: list[tuple[str, ...]]  # plan, claims, lines, billed, refused lines, file
    notes: list[str]  # plans skipped for having no members; the report written
    meta: dict  # command, dataset, period, plan: the report's header
    title: str  # the summary table's title
    exit_code: int  # 1 (EXIT_FINDINGS) when any line broke a rule, billed or not


def run_claims(
    request: ClaimsRequest, *, plugins=None, progress: Progress = no_progress
) -> ClaimsResult:
    """Code and check every plan, then write. ``plugins``: a ``(plugin_manager, registry)``
    pair to reuse (default: made for ``request.plans_dirs``). Raises ``EcmxError`` subclasses."""
    plugins = plugins_for(request, plugins)
    registry = plugins[1]
    writer = claim_writer(registry, request.format)
    check_resubmission(request, writer)
    plans = registry.concrete_plans() if request.plan == "all" else [registry.plan(request.plan)]
    requested = sorted(plans, key=lambda p: p.id)
    inputs = dataset_inputs(request.dataset, request.provider)
    check_report_target(request.report, request.force or request.replace, inputs)
    check_ledger(request.workspace)
    wanted, numbers_from_ledger = (
        (None, [])
        if request.resubmit is None
        else payer_numbers(request, request.resubmit, requested[0].id)
    )
    dataset = read_for_plans(registry, request.dataset, request.provider, progress)
    plans = requested
    notes: list[str] = []
    if request.plan == "all":
        present, notes = plans_with_members(dataset, {p.id for p in plans}, "no claims")
        plans = [p for p in plans if p.id in present]
    made = request.production_date or date.today()
    results = []
    progress("coding claims", 0, len(plans))
    every = every_line(dataset)  # the same for every plan: made once
    for plan in plans:
        results.append(
            _code_plan(plugins, dataset, plan, request.period, made, request.force, every)
        )
        progress("coding claims", len(results), len(plans), plan.id)
    if wanted is not None:
        results = [chosen_claims(r, wanted, request.period) for r in results]
    written = _write(request, writer, results, dataset, made, inputs)
    findings = findings_for_run(dataset, registry, {p.id for p in requested})
    findings += [f for r in results for f in r.findings]
    meta = {"command": "claims", "dataset": str(request.dataset),
            "period": str(request.period), "plan": request.plan}  # fmt: skip
    unique = report_findings(
        findings, meta, request.report, request.show_values, request.force or request.replace
    )
    return ClaimsResult(
        plans=results,
        written=written,
        findings=unique,
        rows=[_row(r) for r in results],
        notes=numbers_from_ledger + notes + ([f"wrote {request.report}"] if request.report else []),
        meta=meta,
        title=_title(request, writer),
        exit_code=EXIT_FINDINGS if any(f.severity == ERROR for f in findings) else EXIT_OK,
    )


def _title(request: ClaimsRequest, writer: ClaimWriter) -> str:
    kind = writer.label if request.resubmit is None else f"{request.resubmit.label} {writer.label}"
    return f"ecmx claims {request.period} ({kind}) -> {request.out_dir}"


def claim_writer(registry, name: str) -> ClaimWriter:
    """The registered claim writer for ``--format name``; an ``EcmxError`` (exit code 2,
    as a bad option) names the registered formats when there is none."""
    writer = registry.claim_writers.get(name.lower())
    if writer is None:
        names = sorted(registry.claim_writers)
        raise EcmxError(
            f"--format: no claim writer for {name!r}{did_you_mean(name.lower(), names)}; "
            f"known formats: {', '.join(names)}"
        )
    return writer


def _write(request: ClaimsRequest, writer: ClaimWriter, results, dataset, made: date,
           inputs) -> list[Path]:  # fmt: skip
    """Name each plan's file, check every target, then write the plans with claims."""
    out_dir = request.out_dir
    for result in results:
        if writer.channel and writer.channel not in result.spec.channels:
            raise OutputError(
                f"{result.plan.name} does not take {writer.label} "
                f"(it takes: {', '.join(result.spec.channels)}); choose another --format"
            )
        if result.claims:
            result.file_name = _file_name(result, dataset, request.period, made, writer)
            if request.resubmit is not None:
                result.file_name = resubmit_name(result.file_name, request.resubmit, out_dir)
    to_write = [r for r in results if r.claims]
    provider = dataset.provider
    # the provider profile is checked for every plan before a file is written
    parties = [parties_for(provider, r.plan, r.spec) if writer.x12 else None for r in to_write]
    paths = [out_dir / r.file_name for r in to_write]
    check_batch(
        out_dir,
        [(r.plan.id, path) for r, path in zip(to_write, paths, strict=True)],
        others=[("--report", request.report)],
        inputs=inputs,
        force=request.force or request.replace,
    )
    created = _created(made)
    usage = "T" if request.test_file else "P"
    pairs = [(p.submitter_id, p.receiver_id) for p in parties if p is not None]
    numbers = (
        reserved_numbers(out_dir, len(to_write), workspace=request.workspace, pairs=pairs)
        if writer.x12
        else nullcontext(None)
    )
    # One batch: a failure half-way leaves no claim file of the run under its final name.
    replace = request.force or request.replace
    with numbers as reserved, atomic_batch(paths, force=replace) as tmp:
        for index, (result, path) in enumerate(zip(to_write, paths, strict=True)):
            number = reserved[index] if reserved is not None else None
            claim_file = ClaimFile(
                result.plan, result.spec, result.claims, provider, request.period, created,
                parties=parties[index],
                control=None if number is None else Control(number, number, usage),
            )  # fmt: skip
            writer.write(claim_file, tmp[path])
    if request.workspace is not None:
        _record(request.workspace, request, writer, to_write, paths, made)
    return paths


def _record(
    workspace: Path, request: ClaimsRequest, writer: ClaimWriter, results, paths, made: date
) -> None:
    """Each claim file written, in the workspace's ledger (rows: its claims)."""
    from ecmx.core.ledger.records import MadeFile, plan_config_hash, record_made

    files = []
    for result, path in zip(results, paths, strict=True):
        severities = [f.severity for f in result.findings]
        files.append(
            MadeFile(
                result.plan.id,
                writer.format,
                str(request.period),
                made,
                path,
                rows=len(result.claims),
                errors=severities.count(ERROR),
                warnings=severities.count(WARNING),
                notes=severities.count(INFO),
                plan_config_sha256=plan_config_hash(result.plan),
            )
        )
    record_made(workspace, files)


def _row(result: PlanClaims) -> tuple[str, ...]:
    return (
        result.plan.id,
        str(len(result.claims)),
        str(sum(len(c.lines) for c in result.claims)),
        f"{sum(c.total for c in result.claims):,.2f}",
        str(result.refused),
        result.file_name or "none: no billable lines",
    )


def _created(production_date: date) -> datetime:
    """The interchange date and time: the production date at the current time, or at the
    time of $SOURCE_DATE_EPOCH (the reproducible-builds convention) so a rerun is identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        clock = datetime.fromtimestamp(int(epoch), tz=UTC).time()
    else:
        clock = datetime.now().time()
    return datetime.combine(production_date, clock.replace(microsecond=0))


@gc_paused()
def _code_plan(plugins, dataset, plan, period, production_date, force, every=None) -> PlanClaims:
    """One plan's coded lines, checked by the check step, and the claims of those billed."""
    pm, registry = plugins
    spec = billing_spec(plan)
    lines = code_lines(dataset, plan, period, spec, pm, every)
    current = lines[lines["in_period"]].reset_index(drop=True)
    if current.empty:
        return PlanClaims(plan, spec, current, [])
    context = BuildContext(dataset, plan, "claims", period, production_date, None, None, current)
    # rows as the target numbers them (negative: a line from the outreach table)
    findings = check(_target(plan, dataset, current, spec), registry, pm, context,
                     fixed=UNBILLABLE)  # fmt: skip
    errors = [f for f in findings if f.severity == ERROR]
    refused_rows = {f.row for f in errors}
    unbillable_rows = {f.row for f in errors if f.code in UNBILLABLE}
    findings = [_outreach_place(f, dataset) if (f.row or 0) < 0 else f for f in findings]
    # A member whose own dataset rows have errors (a broken CIN, an unreadable date) is
    # not billed: the claim could not be trusted. Nor one whose name or address an 837P
    # cannot carry (K013): the payer would reject every claim of the file.
    held = member_findings(
        dataset, plan.id, current["member_id"], _subscriber_field(spec), spec.separators.all()
    )
    findings += held
    bad_members = {f.member_id for f in dataset.findings if f.severity == ERROR and f.member_id}
    bad_members |= {f.member_id for f in held if f.severity == ERROR}
    ids = dataset.members["member_id"]
    bad_members |= set(ids[ids.duplicated()])  # D201: which row is right is unknown
    refused = current["_row"].isin(refused_rows) | current["member_id"].isin(bad_members)
    keep = ~current["_row"].isin(unbillable_rows) if force else ~refused
    keep &= ~current["member_id"].isin(bad_members)
    # A member's diagnoses may all sit on refused lines: the lines left would make a claim
    # without one (an empty HI), so they are refused too, each named by K009.
    with_dx = (current["diagnoses"].map(len) > 0) & keep
    orphaned = keep & ~with_dx.groupby(current["member_id"]).transform("any")
    if orphaned.any():
        alone = current[orphaned].reset_index(drop=True)
        rule = registry.rules["K009"]
        found = run_rules([rule], _target(plan, dataset, alone, spec))
        findings += [_outreach_place(f, dataset) if (f.row or 0) < 0 else f for f in found]
        keep &= ~orphaned
    billable = current[keep]
    claims = build_claims(billable, period, _subscriber_field(spec))
    return PlanClaims(plan, spec, current, findings, claims, int((~keep).sum()))


def _target(plan, dataset, lines: pd.DataFrame, spec: BillingSpec) -> Target:
    """Claim lines as the billing rules see them: rows and cells of the encounters sheet."""
    return Target(
        plan,
        "claims",
        None,  # no plan layout: a billing rule's field is the encounters column of its name
        lines,
        lines,
        file_rows=lines["_row"].tolist(),
        letters=dataset.letters.get("encounters", {}),
        sheet=dataset.sheets.get("encounters", "encounters"),
        file=str(dataset.source),
        dataset=dataset,
        member_ids=lines["member_id"].tolist(),
        extra={"billing": spec},
    )


def _outreach_place(finding: Finding, dataset) -> Finding:
    """A line billed from the outreach table (negative row): point at its outreach row."""
    from dataclasses import replace

    assert finding.row is not None  # called for a negative row only
    row = -finding.row
    column = finding.column if finding.column in dataset.outreach.columns else ""
    return replace(
        finding,
        sheet=dataset.sheets.get("outreach", "outreach"),
        row=row,
        column=column,
        cell=dataset.cell("outreach", column, row) if column else "",
    )


def _subscriber_field(spec: BillingSpec) -> str:
    return {"cin": "cin", "mrn": "mrn", "member_id": "member_id"}[spec.subscriber_id]


def _file_name(result, dataset, period, production_date, writer: ClaimWriter) -> str:
    provider = dataset.provider
    prefix = provider.plan(result.plan.id).get("file_prefix")
    if "{file_prefix" in result.spec.naming and not prefix:
        raise InputError(
            f"{result.plan.name}'s file name template uses your file prefix, and none is set: add "
            f"plans.{result.plan.id}.file_prefix to the provider profile"
        )
    name = name_from_template(
        result.spec.naming,
        provider,
        result.plan.id,
        writer.label,
        period,
        production_date,
    )
    return name + writer.suffix
