"""``ecmx claims``: code a period's encounters, check them, write 837P files or invoices.

Every plan is coded and checked before the first file is written. A line that
breaks a billing rule is left off (``--force`` bills it anyway, except a line
without a charge or a diagnosis, which no claim can carry). The exit code is 1
when any line broke a rule (billed with --force or not), as ``convert`` does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from ecmx.core.billing.claim_fields import member_cuts, member_problems
from ecmx.core.billing.claims import Claim, build_claims
from ecmx.core.billing.coding import BillingSpec, billing_spec
from ecmx.core.billing.lines import code_lines, text_or_blank
from ecmx.core.checks.findings import ERROR, WARNING, Finding
from ecmx.core.checks.rules import Target, apply_overrides, run_rules
from ecmx.core.cli import console as out
from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, InputError, OutputError
from ecmx.core.files.convert import findings_for_run, name_from_template
from ecmx.core.jobs.commands import _report, check_report_target, plans_with_members, read_for_plans
from ecmx.core.plans.spec import ColumnSpec, Layout
from ecmx.core.storage.gcpause import gc_paused
from ecmx.core.storage.targets import check_batch, dataset_inputs

FORMATS = {"837p": ".837", "invoice": ".xlsx"}
KIND_LABEL = {"837p": "837P", "invoice": "Invoice"}
# A line without these cannot be put on a claim at all, --force or not, and a plan's
# ``rules:`` cannot switch them off (the payer would reject the whole file).
UNBILLABLE = frozenset({"K009", "K010", "K011", "K012", "K014", "K015"})


@dataclass
class PlanClaims:
    plan: object
    spec: BillingSpec
    lines: pd.DataFrame  # the period's coded lines
    findings: list[Finding]
    claims: list[Claim] = field(default_factory=list)
    refused: int = 0
    file_name: str | None = None


def run_claims(
    state,
    dataset_path: Path,
    plan_id: str,
    period,
    output_format: str,
    out_dir: Path,
    provider_path,
    production_date: date,
    force: bool,
    report_path=None,
    show_values: bool = False,
    usage: str = "P",
) -> int:
    pm, registry = state.plugins()
    plans = registry.concrete_plans() if plan_id == "all" else [registry.plan(plan_id)]
    plans = sorted(plans, key=lambda p: p.id)
    inputs = dataset_inputs(dataset_path, provider_path)
    check_report_target(report_path, force, inputs)
    dataset = read_for_plans(registry, dataset_path, provider_path)
    requested = plans
    if plan_id == "all":
        present = plans_with_members(dataset, {p.id for p in plans}, "no claims")
        plans = [p for p in plans if p.id in present]

    created = _created(production_date)
    results = []
    with out.progress(len(plans), "coding claims") as advance:
        for plan in plans:
            hook = pm.hook.ecmx_prepare_claim_lines
            results.append(_code_plan(registry, dataset, plan, period, force, hook))
            advance(plan.id)
    for result in results:
        if output_format not in result.spec.channels:
            raise OutputError(
                f"{result.plan.name} does not take {KIND_LABEL[output_format]} "
                f"(it takes: {', '.join(result.spec.channels)}); choose another --format"
            )
        if result.claims:
            result.file_name = _file_name(result, dataset, period, production_date, output_format)
    to_write = [r for r in results if r.claims]
    parties = (
        {id(r): _parties(dataset.provider, r) for r in to_write} if output_format == "837p" else {}
    )
    check_batch(
        out_dir,
        [(r.plan.id, out_dir / r.file_name) for r in to_write],
        others=[("--report", report_path)],
        inputs=inputs,
        force=force,
    )
    if output_format == "837p":
        _write_837p(to_write, parties, out_dir, created, usage, force)
    else:
        from ecmx.core.billing.invoice import write_invoice

        for result in to_write:
            write_invoice(
                result.claims,
                provider=dataset.provider,
                payer_name=result.spec.payer_name,
                period=period,
                created=created,
                path=out_dir / result.file_name,
                force=force,
            )

    findings = findings_for_run(dataset, registry, {p.id for p in requested})
    findings += [f for r in results for f in r.findings]

    _report(
        findings,
        {"command": "claims", "dataset": str(dataset_path), "period": str(period), "plan": plan_id},
        report_path,
        show_values,
        force,
    )
    rows = [
        (
            r.plan.id,
            str(len(r.claims)),
            str(sum(len(c.lines) for c in r.claims)),
            f"{sum(c.total for c in r.claims):,.2f}",
            str(r.refused),
            r.file_name or "none: no billable lines",
        )
        for r in results
    ]
    if rows:  # no plan had members: the findings said why; an empty table says nothing
        out.table(
            f"ecmx claims {period} ({KIND_LABEL[output_format]}) -> {out_dir}",
            ("plan", "claims", "lines", "billed", "refused lines", "file"),
            rows,
        )
    return EXIT_FINDINGS if any(f.severity == ERROR for f in findings) else EXIT_OK


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
def _code_plan(registry, dataset, plan, period, force, prepare_hook=None) -> PlanClaims:
    spec = billing_spec(plan)
    lines = code_lines(dataset, plan, period, spec, prepare_hook)
    current = lines[lines["in_period"]].reset_index(drop=True)
    if current.empty:
        return PlanClaims(plan, spec, current, [])
    target = _target(plan, dataset, current, spec)
    # rows as the target numbers them (negative: a line from the outreach table)
    found = run_rules(registry.rules.values(), target)
    findings = apply_overrides([f for f in found if f.code not in UNBILLABLE], plan)
    findings += [f for f in found if f.code in UNBILLABLE]
    errors = [f for f in findings if f.severity == ERROR]
    refused_rows = {f.row for f in errors}
    unbillable_rows = {f.row for f in errors if f.code in UNBILLABLE}
    findings = [_outreach_place(f, dataset) if (f.row or 0) < 0 else f for f in findings]
    # A member whose own dataset rows have errors (a broken CIN, an unreadable date) is
    # not billed: the claim could not be trusted. Nor one whose name or address an 837P
    # cannot carry (K013): the payer would reject every claim of the file.
    member_findings = _member_findings(dataset, plan, current, spec)
    findings += member_findings
    bad_members = {f.member_id for f in dataset.findings if f.severity == ERROR and f.member_id}
    bad_members |= {f.member_id for f in member_findings if f.severity == ERROR}
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
    columns = [c for c in dataset.encounters.columns if not c.startswith("_")]
    return Target(
        plan,
        "claims",
        Layout("dataset", date.min, tuple(ColumnSpec(header=c, field=c) for c in columns)),
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


def _member_findings(dataset, plan, lines: pd.DataFrame, spec: BillingSpec) -> list[Finding]:
    """K013 at the members cell: a value this period's claim needs that an 837P cannot
    carry. The member's claim is held back (--force or not); the other members are billed."""
    field = _subscriber_field(spec)
    members = dataset.members.drop_duplicates("member_id")
    members = members[members["member_id"].isin(set(lines["member_id"]))]
    findings = []
    for member in members.to_dict("records"):
        for severity, column, problem in [
            *((ERROR, c, f"{p}; this member's claim is held back") for c, p in
              member_problems(member, field)),
            *((WARNING, c, p) for c, p in member_cuts(member, spec.separators.all())),
        ]:  # fmt: skip
            row = int(member["_row"])
            findings.append(
                Finding(
                    severity,
                    "K013",
                    problem,
                    hint="correct the member's cell (X12 allows A-Z, 0-9 and common "
                    "punctuation; a US state code; a 5- or 9-digit ZIP)",
                    plan=plan.id,
                    kind="claims",
                    file=str(dataset.source),
                    sheet=dataset.sheets.get("members", "members"),
                    row=row,
                    column=column,
                    cell=dataset.cell("members", column, row),
                    value=text_or_blank(member.get(column)),
                    source="X12 837P 005010X222A1: 2010BA subscriber name (NM1), address "
                    "(N3/N4), demographics (DMG); X12 character sets",
                    member_id=str(member["member_id"]),
                )
            )
    return findings


def _outreach_place(finding: Finding, dataset) -> Finding:
    """A line billed from the outreach table (negative row): point at its outreach row."""
    from dataclasses import replace

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


def _file_name(result, dataset, period, production_date, output_format) -> str:
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
        KIND_LABEL[output_format],
        period,
        production_date,
    )
    return name + FORMATS[output_format]


def _parties(provider, result):
    from ecmx.core.billing.x12 import Parties

    plan = result.plan
    mine = provider.plan(plan.id)
    where = provider.source or "the provider profile"
    payer_id = mine.get("payer_id") or result.spec.payer_id
    if not payer_id:
        raise InputError(
            f"{where}: plans.{plan.id}.payer_id is missing: the 837P names {plan.name} by its "
            "payer ID (from your clearinghouse's payer list or the plan's companion guide)"
        )
    zip_digits = "".join(ch for ch in str(provider.get("zip") or "") if ch.isdigit())
    missing = [k for k in ("address", "city", "state", "phone") if not provider.get(k)]
    if missing:
        raise InputError(
            f"{where}: the 837P needs the billing provider's {', '.join(missing)}: add them"
        )
    if len(zip_digits) != 9:
        raise InputError(
            f"{where}: zip: an 837P needs the billing provider's ZIP+4 (9 digits), "
            'e.g. zip: "93721-2345"'
        )
    return Parties(
        submitter_name=provider.facility_name,
        submitter_id=mine.get("submitter_id") or provider.npi,
        contact_phone=str(provider.get("phone") or ""),
        receiver_name=result.spec.payer_name,
        receiver_id=mine.get("receiver_id") or payer_id,
        billing_name=provider.facility_name,
        billing_npi=provider.npi,
        billing_tin="".join(ch for ch in provider.tin if ch.isdigit()),
        billing_address=str(provider.get("address")),
        billing_city=str(provider.get("city")),
        billing_state=str(provider.get("state")),
        billing_zip=zip_digits,
        taxonomy=str(provider.get("taxonomy") or ""),
        payer_name=result.spec.payer_name,
        payer_id=payer_id,
    )


def _write_837p(results, parties, out_dir: Path, created, usage, force) -> None:
    from ecmx.core.billing.control_numbers import reserved_numbers
    from ecmx.core.billing.x12 import Control, render_837p
    from ecmx.core.storage.atomic import atomic_batch

    paths = [out_dir / result.file_name for result in results]
    # One batch: a failure half-way leaves no claim file of the run under its final name.
    with (
        reserved_numbers(out_dir, len(results)) as numbers,
        atomic_batch(paths, force=force) as tmp,
    ):
        for result, number, path in zip(results, numbers, paths, strict=True):
            text = render_837p(
                result.claims,
                parties[id(result)],
                result.spec,
                Control(interchange=number, group=number, usage=usage),
                created,
            )
            tmp[path].write_bytes(text.encode("ascii", errors="replace"))
