"""Claim numbers with the member hidden: CLM01 is ``<member id>-<YYMM>-<n>``
(core/billing/claims.py), so a claims report or finding that names a claim would name the
member. Unless member values are asked for, the member id in it is masked ("***-2511-3")
and, in a list of rows, each claim is numbered as it comes ("claim 3 (***-2511-1)"), since a
month's masked claims otherwise read alike. ``ecmx claims status`` and ``claims load`` (and
the web page through them) mask this way."""

from __future__ import annotations

import re

# A claim named in a row or a finding: "claim <CLM01>" and "REF*6R <CLM01>-<line>". CLM01 is
# <member id>-<YYMM>-<n> (core/billing/claims.py), or a hash of the id in place of it.
# (A word without a digit after "claim" is not one: "no claim ecmx billed".)
_NAMED = re.compile(r"(?P<lead>\bclaim |REF\*6R )(?P<clm01>(?=[^\s,;:()]*\d)[^\s,;:()]{4,})")
_TAIL = re.compile(r"-\d{4}-\d+(?:-\d+)?$")


def masked_claim(clm01: str, show_values: bool) -> str:
    """CLM01 with its member id hidden ("***-2511-3"): the period and number stay, so the
    rows of one claim still read together."""
    if show_values or not clm01:
        return clm01
    tail = _TAIL.search(clm01)
    return "***" + (tail.group(0) if tail else "")


def masked_text(line: str, show_values: bool) -> str:
    """A finding's words with each CLM01 it names masked."""
    if show_values:
        return line
    return _NAMED.sub(lambda m: m.group("lead") + masked_claim(m.group("clm01"), False), line)


def masked_rows(rows: list[dict], show_values: bool) -> list[dict]:
    """Masked, the claims of a month read alike ("***-2511-1": a member's first claim), so
    each is numbered as it comes: "claim 3 (***-2511-1)"."""
    if show_values:
        return rows
    numbers: dict[tuple, int] = {}
    masked = []
    for row in rows:
        number = numbers.setdefault((row["plan"], row["period"], row["claim"]), len(numbers) + 1)
        masked.append({**row, "claim": f"claim {number} ({masked_claim(row['claim'], False)})"})
    return masked
