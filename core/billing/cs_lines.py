"""Community Supports (CS) claim lines: encounters that name a ``cs_service``.

A CS line is billed with the code and modifiers its encounter gives (the provider's CS
contract decides them, not the ECM coding), and only under an authorization: the Health
Net family's CalAIM FAQ (seed 002) says "approved authorizations are required before
rendering services" and "at this time, outreach is not billable". This module adds the
columns the CS rules (checks/claim_cs.py) read, column-wise like ``billing.lines``:

- ``is_cs``: the line bills a CS service;
- ``cs_cover``: for a CS line, whether the member's ``community_supports`` row for that
  service authorizes the date: ``covered``, ``no_row``, ``not_authorized`` (a potential,
  requested, denied or closed row; ``cs_status`` says which), ``no_start`` (authorized,
  but no first day to count from) or ``outside`` (before its start or after its end);
- ``cs_over_units``: a covered line whose units, added to the earlier covered lines of
  the same authorization in date order (earlier periods included), pass
  ``units_authorized``.

No REF*G1 is taken from the ECM enrollment episode for a CS line: that TAR authorizes
ECM, not the CS service, and the FAQ says the CS authorization number is not needed on
the claim. An authorization number typed on the encounter itself is still carried.
"""

from __future__ import annotations

import re

import pandas as pd

HCPCS = re.compile(r"^[A-Z0-9]{5}$")  # a HCPCS Level II or CPT code: five letters or digits
MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
MAX_MODIFIERS = 4  # SV101-3 to SV101-6


def is_cs(frame: pd.DataFrame) -> pd.Series:
    """True where the row names a CS service (a blank cell is not one)."""
    if "cs_service" not in frame.columns:
        return pd.Series(False, index=frame.index, dtype=bool)
    service = frame["cs_service"].astype("string").str.strip()
    return (service.notna() & (service != "")).fillna(False).astype(bool)


def mark_community_supports(lines: pd.DataFrame, supports: pd.DataFrame) -> None:
    """Add ``is_cs``, ``cs_status``, ``cs_cover`` and ``cs_over_units`` to coded lines."""
    cs = is_cs(lines)
    lines["is_cs"] = cs
    lines["cs_status"] = pd.Series(None, index=lines.index, dtype=object)
    lines["cs_cover"] = pd.Series(None, index=lines.index, dtype=object)
    lines["cs_over_units"] = False
    if not cs.any():
        return
    wanted = ["member_id", "service", "status", "authorization_start", "authorization_end",
              "units_authorized"]  # fmt: skip
    # one row per member and service (the table's key; a duplicate is a dataset error
    # that holds the member back): the first is enough to judge the line
    rows = supports[wanted].drop_duplicates(["member_id", "service"])
    pairs = (
        lines.loc[cs, ["member_id", "cs_service", "date", "_row", "billed_units"]]
        .reset_index()
        .merge(
            rows, left_on=["member_id", "cs_service"], right_on=["member_id", "service"], how="left"
        )
        .set_index("index")
    )
    day = pd.to_datetime(pairs["date"])
    start = pd.to_datetime(pairs["authorization_start"])
    end = pd.to_datetime(pairs["authorization_end"])
    status = pairs["status"].astype("string").str.strip().str.lower()
    cover = pd.Series("covered", index=pairs.index, dtype=object)
    cover[(day < start) | (end.notna() & (day > end))] = "outside"
    cover[start.isna()] = "no_start"
    cover[(status != "authorized").fillna(True).astype(bool)] = "not_authorized"
    cover[pairs["service"].isna()] = "no_row"
    lines.loc[pairs.index, "cs_cover"] = cover
    lines.loc[pairs.index, "cs_status"] = [None if pd.isna(s) else str(s) for s in pairs["status"]]
    _units(lines, pairs[cover == "covered"].assign(_day=day))


def _units(lines: pd.DataFrame, covered: pd.DataFrame) -> None:
    """Covered lines past their authorization's units, counted in date order."""
    limited = covered[covered["units_authorized"].notna()]
    if limited.empty:
        return
    ordered = limited.sort_values(["_day", "_row"])
    running = ordered.groupby(["member_id", "cs_service"])["billed_units"].cumsum()
    over = running > ordered["units_authorized"]
    lines.loc[over[over].index, "cs_over_units"] = True


def code_problem(code: str | None) -> str | None:
    """Why a CS line's procedure code cannot be billed, or None."""
    if code is None:
        return "no procedure_code"
    if not HCPCS.fullmatch(code):
        return "a procedure_code that is not five letters or digits"
    return None


def modifier_problem(modifiers: tuple[str, ...]) -> str | None:
    """Why a CS line's modifiers cannot be billed as given, or None."""
    if len(modifiers) > MAX_MODIFIERS:
        return "more than four modifiers"
    if any(not MODIFIER.fullmatch(m) for m in modifiers):
        return "a modifier that is not two letters or digits"
    return None
