"""Several plan files (the MIFs, mini-MIFs and TELs ``fetch`` brought) merged into one copy
of the dataset, oldest first: each merge starts from the one before. A file that cannot
be read is left out, with its findings (file, sheet, row, column); the others still are."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from ecmx.core.calendar.periods import Period
from ecmx.core.checks.codes import P004
from ecmx.core.checks.findings import ERROR, Finding
from ecmx.core.dataset.read import Dataset
from ecmx.core.errors import EcmxError
from ecmx.core.files.read import read_plan_file
from ecmx.core.inbound.merge import Merge, merge_plan_file


@dataclass(frozen=True)
class Inbound:
    """One file to merge: whose, which kind, where it is, the day it counts from."""

    plan: Any  # PlanSpec
    kind: Any  # the registry's FileKind
    path: Path
    received: date
    key: Any = None  # the caller's handle on the file (a ledger row id)


@dataclass
class BatchMerge:
    dataset: Dataset  # the dataset with every readable file merged
    merged: list[tuple[Inbound, Merge]]
    findings: list[Finding]  # why a file was left out


def merge_files(dataset: Dataset, files: list[Inbound], readers=()) -> BatchMerge:
    """Merge ``files`` in the order given (the caller sorts them, oldest first)."""
    result = BatchMerge(dataset, [], [])
    for item in files:
        spec = item.plan.files[item.kind.name]
        where = {"plan": item.plan.id, "kind": item.kind.name, "file": str(item.path)}
        try:
            layout = spec.layout_for(Period.containing(item.received))
            plan_file = read_plan_file(
                item.path, item.plan, spec, layout,
                one_row_per_member=item.kind.one_row_per_member, readers=readers,
            )  # fmt: skip
        except EcmxError as exc:
            result.findings.append(P004.finding(f"not merged: {exc}", **where))
            continue
        errors = [f for f in plan_file.findings if f.severity == ERROR]
        if errors:
            result.findings += errors
            result.findings.append(P004.finding(
                f"not merged: {len(errors)} cell(s) could not be read", **where
            ))  # fmt: skip
            continue
        merge = merge_plan_file(result.dataset, item.plan, item.kind, plan_file, item.received)
        result.dataset = replace(result.dataset, tables=merge.tables)
        result.merged.append((item, merge))
    return result
