"""The merge of a plan's MIF, mini-MIF or TEL into the dataset, as a terminal table (``ecmx
ingest``): the counts, then the changes, values masked unless --show-values."""

from __future__ import annotations

from ecmx.core.cli import console as out
from ecmx.core.inbound.merge import CHANGED, CONFLICT, DROPPED, NEW, Merge
from ecmx.core.reports.merge_report import summary

SHOWN = 25  # rows on the terminal before "... N more" (all with --verbose)


def show_merge(merge: Merge, meta: dict, *, show_values: bool) -> None:
    totals = summary(merge, meta)
    out.table(
        f"ecmx ingest {meta['file']} ({meta['plan']} {meta['kind']})",
        ("new", "dropped", "changed", "conflicts"),
        [(totals[NEW], totals[DROPPED], totals[CHANGED], totals[CONFLICT])],
    )
    if not merge.changes:
        return
    limit = len(merge.changes) if out.verbose() else SHOWN
    shown = (lambda v: v) if show_values else _mask
    rows = [
        (
            c.change,
            c.member_id,
            shown(c.cin),
            # a CSASF's changes are per CS service (health information: masked as values)
            *((shown(c.service),) if merge.by_service else ()),
            c.field,
            shown(c.dataset_value),
            shown(c.plan_value),
        )
        for c in merge.changes[:limit]
    ]
    service = ("CS service",) if merge.by_service else ()
    out.table(
        "changes (values masked; --show-values shows them)" if not show_values else "changes",
        ("change", "member_id", "CIN", *service, "field", "dataset", "plan file"),
        rows,
    )
    if len(merge.changes) > limit:
        out.info(
            f"... {len(merge.changes) - limit} more (--verbose lists all, --report writes them)"
        )


def _mask(value: str) -> str:
    return "***" if value else ""
