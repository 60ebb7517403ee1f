"""Checks across the dataset's tables: one row per member, CINs of the right shape, no orphans.

A member's plan is checked by the caller (``convert``, ``claims``), who knows the plans.
"""

from __future__ import annotations

import pandas as pd

from ecmx.core.checks.codes import D201, D202, D203, D204
from ecmx.core.checks.findings import Finding
from ecmx.core.dataset.canonical import ROW
from ecmx.core.dataset.identifiers import CIN_EXCLUDED_LETTERS, CIN_SHAPE
from ecmx.core.dataset.supports import check_community_supports

# The tables whose rows name a member of the members table.
MEMBER_TABLES = ("enrollments", "outreach", "encounters", "community_supports")


def check_relations(dataset) -> list[Finding]:
    """Duplicate members, CIN shape, orphan rows and community_supports pairs of a ``Dataset``."""
    return [
        *_duplicate_members(dataset),
        *_cin_shapes(dataset),
        *_orphan_rows(dataset),
        *check_community_supports(dataset),
    ]


def _duplicate_members(dataset) -> list[Finding]:
    members = dataset.members
    twice = members["member_id"].notna() & members["member_id"].duplicated()
    return [
        D201.in_dataset(
            dataset, "members", "member_id", row, "member_id appears more than once in members"
        )
        for row in members.loc[twice, ROW]
    ]


def _cin_shapes(dataset) -> list[Finding]:
    findings = []
    for row, member_id, cin in dataset.members[[ROW, "member_id", "cin"]].itertuples(index=False):
        if pd.isna(cin):  # a blank cell: None from the reader, NaN after any pandas step
            continue
        if not CIN_SHAPE.match(cin):
            message = "CIN is not 9 characters: a 9, seven digits and a letter"
            code = D202
        elif cin[-1] in CIN_EXCLUDED_LETTERS:
            message = f"CIN ends in the letter {cin[-1]}, which CINs do not use"
            code = D203
        else:
            continue
        findings.append(
            code.in_dataset(dataset, "members", "cin", row, message, value=cin, member_id=member_id)
        )
    return findings


def _orphan_rows(dataset) -> list[Finding]:
    """Rows naming a member_id members lacks: about no member in particular, so every plan's."""
    known = set(dataset.members["member_id"].dropna())
    findings = []
    for name in MEMBER_TABLES:
        frame = dataset.tables[name]
        orphan = frame["member_id"].notna() & ~frame["member_id"].isin(known)
        message = f"{name} row names a member_id that is not in members"
        findings += [
            D204.in_dataset(dataset, name, "member_id", row, message)
            for row in frame.loc[orphan, ROW]
        ]
    return findings
