"""Checks of the community_supports table: one row per member and CS service, sane dates.

The table is keyed by (member_id, service): the CSASF, the CSPRTF and CS billing each
look a pair up, so a pair on two rows would be read two ways (D206). An authorization
that ends before it starts covers no day (D207); an authorized pair without its
number cannot be reported or billed as authorized (D208, a warning: the plan's next
CSASF may bring it).
"""

from __future__ import annotations

import pandas as pd

from ecmx.core.checks.codes import D206, D207, D208
from ecmx.core.checks.findings import Finding
from ecmx.core.dataset.canonical import ROW

TABLE = "community_supports"


def check_community_supports(dataset) -> list[Finding]:
    supports = dataset.tables.get(TABLE)
    if supports is None or supports.empty:
        return []
    return [*_pairs_twice(dataset, supports), *_backwards(dataset, supports),
            *_no_number(dataset, supports)]  # fmt: skip


def _pairs_twice(dataset, supports: pd.DataFrame) -> list[Finding]:
    keyed = supports[supports["member_id"].notna() & supports["service"].notna()]
    first_row: dict[tuple, int] = {}
    findings = []
    for row, member_id, service in keyed[[ROW, "member_id", "service"]].itertuples(index=False):
        earlier = first_row.setdefault((member_id, service), int(row))
        if earlier != int(row):
            findings.append(D206.in_dataset(
                dataset, TABLE, "service", row,
                f"this member and CS service are on row {earlier} too: one row per pair",
                member_id=member_id,
            ))  # fmt: skip
    return findings


def _backwards(dataset, supports: pd.DataFrame) -> list[Finding]:
    backwards = supports["authorization_end"] < supports["authorization_start"]
    return [
        D207.in_dataset(
            dataset,
            TABLE,
            "authorization_end",
            row,
            "authorization_end is before authorization_start",
            member_id=member_id,
        )
        for row, member_id in supports.loc[backwards, [ROW, "member_id"]].itertuples(index=False)
    ]


def _no_number(dataset, supports: pd.DataFrame) -> list[Finding]:
    authorized = supports["status"].str.lower().eq("authorized").fillna(False)
    missing = authorized & supports["authorization_number"].isna()
    return [
        D208.in_dataset(
            dataset,
            TABLE,
            "authorization_number",
            row,
            "the service is authorized and has no authorization number",
            member_id=member_id,
        )
        for row, member_id in supports.loc[missing, [ROW, "member_id"]].itertuples(index=False)
    ]
