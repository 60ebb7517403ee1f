"""One conversion: dataset -> canonical frame -> plan frame -> findings -> file name.

Data moves one way; each step takes and returns plain values. Writing is left
to the caller, which decides (by findings and --force) whether to write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ecmx.core.calendar.deadlines import lateness_findings
from ecmx.core.calendar.periods import Period
from ecmx.core.checks.codes import D205, N001, T001
from ecmx.core.checks.findings import ERROR, INFO, Finding, column_letter
from ecmx.core.checks.rules import Target, apply_overrides
from ecmx.core.checks.step import check
from ecmx.core.dataset.read import Dataset
from ecmx.core.files.context import BuildContext
from ecmx.core.files.mapping import map_to_layout
from ecmx.core.files.template import inspect_template
from ecmx.core.hooks.manager import chain
from ecmx.core.hooks.registry import Registry
from ecmx.core.plans.spec import FileSpec, Layout, PlanSpec

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass
class Conversion:
    plan: PlanSpec
    kind: str
    file: FileSpec
    layout: Layout
    frame: pd.DataFrame
    findings: list[Finding]
    file_name: str | None

    @property
    def blocked(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)


def convert(
    pm,
    registry: Registry,
    dataset: Dataset,
    plan: PlanSpec,
    kind_name: str,
    period: Period,
    production_date: date,
) -> Conversion:
    """One file's frame and findings: built, mapped, named, then checked by the check step."""
    kind = registry.kind(kind_name)
    file = plan.files[kind.name]
    layout = file.layout_for(period)
    context = BuildContext(dataset, plan, kind.name, period, production_date, file, layout)
    canonical, built = kind.build(context)
    canonical = chain(
        pm, "ecmx_prepare_canonical", canonical, plan=plan, kind=kind.name, context=context
    )
    context.canonical = canonical
    frame, mapped = map_to_layout(canonical, context, kind, registry.transforms)
    frame = chain(pm, "ecmx_adjust_plan_frame", frame, plan=plan, kind=kind.name, context=context)
    name, problem = file_name(file, plan, dataset, period, production_date)
    header_row, template_problems = _template(file, layout, plan)
    target = Target(
        plan,
        kind.name,
        layout,
        frame,
        canonical,
        file_rows=range(header_row + 1, header_row + 1 + len(frame)),
        letters={c.header: column_letter(i) for i, c in enumerate(layout.columns)},
        sheet=file.sheet,
        file=name or "",
        production_date=production_date,
        dataset=dataset,
        member_ids=canonical["_member_id"].tolist() if "_member_id" in canonical else None,
    )
    found = [*dataset_findings_for(dataset, plan, kind.name, registry), *built, *mapped]
    found += template_problems
    findings = check(target, registry, pm, context, found=found + ([problem] if problem else []))
    if kind.direction == "to_plan":
        late = lateness_findings(plan, kind.name, period, production_date)
        findings += apply_overrides(late, plan)
    return Conversion(plan, kind.name, file, layout, frame, findings, name)


def _template(file: FileSpec, layout: Layout, plan: PlanSpec) -> tuple[int, list[Finding]]:
    """The header row the file's rows go under (the template's, if the plan names one),
    and T001 for a template that does not fit the layout."""
    if file.template is None:
        return file.header_row, []
    found = inspect_template(file, layout)
    fact = file.template_fact
    problems = [
        T001.finding(
            problem,
            plan=plan.id,
            kind=file.kind,
            file=str(file.template),
            source=fact.source_text if fact and fact.source_text else None,
        )
        for problem in found.problems
    ]
    return found.header_row or file.header_row, problems


# Tables that feed only some file kinds: a problem there does not hold back the others.
# community_supports feeds the CS files (CSASF, CSPRTF), not the ECM ones; CS encounters
# are counted on the CSPRTF.
TABLE_KINDS = {
    "outreach": {"otf"},
    "encounters": {"rtf", "csprtf"},
    "community_supports": {"csasf", "csprtf"},
}


def dataset_findings_for(
    dataset: Dataset, plan: PlanSpec, kind: str, registry: Registry
) -> list[Finding]:
    """The dataset's own findings that affect this plan's files.

    A finding about a member goes to that member's plan; an error about no
    member in particular (an orphan row, a broken table) or about a member whose
    plan cell is blank or names no configured plan goes to every plan, since the
    output cannot be trusted. A finding in the outreach table only concerns the
    OTF, one in encounters only the RTF and CSPRTF, one in community_supports only the
    CSPRTF. Notes (info) are shown once, elsewhere.
    """
    owners = member_plans(dataset, registry)
    table_of = {sheet: table for table, sheet in dataset.sheets.items()}
    out = []
    for finding in dataset.findings:
        if finding.severity == INFO:
            continue
        if kind not in TABLE_KINDS.get(table_of.get(finding.sheet, ""), {kind}):
            continue
        owner = owners.get(finding.member_id) if finding.member_id else None
        if owner == plan.id or (owner is None and finding.severity == ERROR):
            out.append(finding)
    return out


def findings_for_run(dataset: Dataset, registry: Registry, plan_ids: set[str]) -> list[Finding]:
    """The dataset's findings a run for these plans reports (``convert`` and ``claims`` alike).

    Those about the plans' members, and those about no plan's member: an orphan
    row, a broken table, a member whose plan cell is blank or unknown. A member
    in none of the run's files must still be named somewhere; a run with no
    member at all to convert or bill reports them too.
    """
    owners = member_plans(dataset, registry)
    return [
        f
        for f in dataset.findings
        if f.severity != INFO
        and (owners.get(f.member_id) if f.member_id else None) in (plan_ids | {None})
    ]


def member_plans(dataset: Dataset, registry: Registry) -> dict[str, str | None]:
    """member_id -> the configured plan it belongs to; None for a blank or unknown plan cell."""
    known = {p.id for p in registry.concrete_plans()}
    members = dataset.members
    # a handful of distinct plan cells: each is read once (a text never equals a number)
    slots, distinct = pd.factorize(members["plan"], use_na_sentinel=True)
    owner = [p.lower() if isinstance(p, str) and p.lower() in known else None for p in distinct]
    table = np.array([*owner, None], dtype=object)
    return dict(zip(members["member_id"], table[slots].tolist(), strict=True))


def unknown_plan_findings(dataset: Dataset, registry: Registry) -> list[Finding]:
    """Members whose plan is not configured: they would silently vanish from every file."""
    known = {p.id for p in registry.concrete_plans()}
    members = dataset.members
    unknown = members["plan"].notna() & ~members["plan"].str.lower().isin(known)
    return [
        D205.in_dataset(
            dataset,
            "members",
            "plan",
            row,
            "members.plan is not a configured plan",
            hint=f"use one of {', '.join(sorted(known))}, or add the plan with --plans-dir",
            value=str(value),
        )
        for row, value in members.loc[unknown, ["_row", "plan"]].itertuples(index=False)
    ]


def file_name(
    file: FileSpec, plan: PlanSpec, dataset: Dataset, period: Period, production_date: date
) -> tuple[str | None, Finding | None]:
    """The plan's file name from its naming template, or a finding saying what is missing."""
    provider = dataset.provider
    prefix = provider.plan(plan.id).get("file_prefix")
    if "{file_prefix" in file.naming and not prefix:
        return None, N001.finding(
            f"{plan.name}'s file name template uses your file prefix, and none is set",
            hint=f"add plans.{plan.id}.file_prefix to the provider profile (the prefix your "
            f"files for {plan.name} start with; the naming is assumed: confirm it with the plan)",
            plan=plan.id,
            kind=file.kind,
            file=provider.source,
        )
    name = name_from_template(file.naming, provider, plan.id, file.kind, period, production_date)
    return f"{name}.{file.format}", None


def name_from_template(template: str, provider, plan_id, kind, period, production_date) -> str:
    """A naming template filled in (placeholders: plancheck.NAMING_FIELDS), safe as a file name."""
    name = template.format(
        facility_name=provider.facility_name,
        file_prefix=provider.plan(plan_id).get("file_prefix") or "",
        plan=plan_id,
        kind=kind,
        period=period.start,
        period_end=period.end,
        production_date=production_date,
    )
    return _UNSAFE_NAME.sub("_", name).strip().strip(".")
