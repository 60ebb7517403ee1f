"""Code a plan's encounters as claim lines: HCPCS, modifiers, place of service, units, charge.

The code follows the plan's ``billing:`` section (docs/claims.md): the staff type
picks G9008 (clinical) or G9012 (non-clinical); an outreach is U8, any other
service U1/U2; telehealth, or a member not present (an unsuccessful contact, a
care team meeting), adds GQ. An encounter that names its own ``procedure_code``
(a CHW or doula code) is billed as given and checked against the plan's code
sets. Everything is computed column-wise; the rules in ``rules/claims.py`` read
the columns this module adds, so no rule re-derives a code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecmx.core.billing.coding import BillingSpec
from ecmx.core.billing.columns import objects, per_distinct
from ecmx.core.billing.cs_lines import is_cs, mark_community_supports
from ecmx.core.calendar.periods import Period
from ecmx.core.dataset.episodes import enrollment_ended
from ecmx.core.hooks.manager import chain

MAX_UNITS = 9_999  # SV104: a whole number of units; more is a typo, not a month of ECM
ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
MEMBER_COLUMNS = ("member_id", "cin", "mrn", "first_name", "last_name", "dob", "sex",
                  "address", "city", "state", "zip")  # fmt: skip


def missing(value) -> bool:
    """None, NaN, pd.NA or NaT: a blank cell, whichever way pandas holds it.

    Never test such a value for truth: NaN is truthy, and ``bool(pd.NA)`` raises.
    """
    return value is None or (not isinstance(value, (str, tuple, list)) and bool(pd.isna(value)))


def text_or_none(value, *, upper: bool = False) -> str | None:
    """A cell as stripped text, or None when it is blank (None, NaN, pd.NA, '')."""
    if missing(value):
        return None
    text = str(value).strip()
    if upper:
        text = text.upper()
    return text if text != "" else None


def text_or_blank(value, *, upper: bool = False) -> str:
    """As ``text_or_none``, with ``''`` for a blank cell."""
    text = text_or_none(value, upper=upper)
    return "" if text is None else text


def _object_series(values, index) -> pd.Series:
    """Values kept as Python objects: on pandas 3 a str column would turn None into NaN."""
    return pd.Series(list(values), index=index, dtype=object)


def split_list(value) -> tuple[str, ...]:
    """``'u2; gq'`` -> ``('U2', 'GQ')``; blank -> ``()``."""
    if missing(value):
        return ()
    parts = (p.strip().upper() for p in re.split(r"[;,|\s]+", str(value)))
    return tuple(dict.fromkeys(p for p in parts if p))


@dataclass(frozen=True)
class ClaimContext:
    """What ``ecmx_prepare_claim_lines`` is given besides the plan and the lines."""

    dataset: object  # the ecmx.core.dataset.read.Dataset being billed
    period: Period
    billing: BillingSpec


def code_lines(
    dataset, plan, period: Period, spec: BillingSpec, pm=None, every: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every encounter of the plan's members, coded; ``in_period`` marks the ones to bill.

    Encounters outside the period stay in the frame: a one-time outreach or an
    engagement fee is judged against the member's earlier ones. With the plugin manager
    ``pm``, plugins adjust the coded lines (``ecmx_prepare_claim_lines``). ``every``:
    ``every_line(dataset)``, when the caller codes several plans (it is the same for each).
    """
    lines = _coded(dataset, plan, period, spec, every_line(dataset) if every is None else every)
    if pm is None or lines.empty:
        return lines
    context = ClaimContext(dataset, period, spec)
    return chain(pm, "ecmx_prepare_claim_lines", lines, plan=plan, context=context)


def every_line(dataset) -> pd.DataFrame:
    """Every plan's encounters and first outreach attempts, before coding."""
    # an empty part is left out: pandas 2.2 and 3 type an all-missing column differently
    parts = [dataset.encounters.assign(source="encounters"), outreach_lines(dataset)]
    return pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True)


def _coded(dataset, plan, period: Period, spec: BillingSpec, every: pd.DataFrame) -> pd.DataFrame:
    members = dataset.members
    # a member listed twice is an error (D201) and is not billed; code it once meanwhile
    mine = members[members["plan"].str.lower() == plan.id].drop_duplicates("member_id")
    columns = [c for c in MEMBER_COLUMNS if c in mine.columns]
    # the plan's own lines first, so the merge hashes only them
    encounters = every[every["member_id"].isin(mine["member_id"])]
    lines = encounters.merge(
        mine[columns], on="member_id", how="inner", validate="many_to_one"
    ).reset_index(drop=True)
    if lines.empty:
        return lines.assign(in_period=pd.Series(dtype=bool))
    dates = pd.to_datetime(lines["date"])
    lines["in_period"] = (dates >= pd.Timestamp(period.start)) & (dates <= pd.Timestamp(period.end))
    _enrollment(lines, dataset.enrollments)
    _codes(lines, spec)
    _place_units_charge(lines, spec, dataset.provider, plan.id)
    mark_community_supports(lines, dataset.community_supports)
    lines["diagnoses"] = per_distinct(
        lambda v: tuple(c.replace(".", "") for c in split_list(v)), lines["diagnosis_codes"]
    )
    lines["bad_diagnoses"] = per_distinct(
        lambda d: tuple(c for c in d if not ICD10.match(c)), lines["diagnoses"]
    )
    _history(lines, spec)
    return lines


def outreach_lines(dataset) -> pd.DataFrame:
    """The one-time outreach of members whose encounters record none: their first attempt.

    The outreach table is the OTF's record of every attempt; one outreach per member
    is billable whatever its outcome (seed 000), so the earliest attempt becomes a U8
    line unless an encounter of kind ``outreach`` already bills it. Its ``_row`` is
    negative: it points at the outreach sheet, not at encounters.
    """
    attempts = dataset.outreach
    encounters = dataset.encounters
    # a CS outreach is not the member's ECM outreach (and is not billable: K021)
    ecm_outreach = (encounters["kind"] == "outreach") & ~is_cs(encounters)
    billed = set(encounters.loc[ecm_outreach, "member_id"])
    first = (
        attempts[~attempts["member_id"].isin(billed)]
        .assign(_day=pd.to_datetime(attempts["date"]))
        .sort_values(["_day", "_row"])
        .drop_duplicates("member_id")
    )
    known = dataset.encounters.dropna(subset=["diagnosis_codes"]).drop_duplicates("member_id")
    member_dx = known.set_index("member_id")["diagnosis_codes"]
    method = first["method"]
    return pd.DataFrame(
        {
            "member_id": first["member_id"],
            "date": first["date"],
            "staff_type": first["staff_type"].fillna("non_clinical"),
            "mode": method.where(method.isin(["in_person", "video"]), "phone"),
            "member_present": first["successful"],
            "successful": first["successful"],
            "minutes": first["minutes"],
            "diagnosis_codes": first["diagnosis_codes"].fillna(first["member_id"].map(member_dx)),
            "kind": "outreach",
            "authorization_number": first["authorization_number"],
            "source": "outreach",
            "_row": -first["_row"],
        }
    ).reindex(columns=[*dataset.encounters.columns, "source"])


def _history(lines: pd.DataFrame, spec: BillingSpec) -> None:
    """What a line's earlier lines decide: a second one-time outreach, an engagement fee
    without the 12-month gap, units of a daily-capped code set beyond the cap."""
    order = lines.assign(_day=pd.to_datetime(lines["date"])).sort_values(["_day", "_row"])
    # CS lines are judged by their own rules (checks/claim_cs.py), never as ECM outreach
    ecm = ~order["is_cs"]
    outreach = (order["kind"] == "outreach") & ecm
    earlier = outreach.astype(int).groupby(order["member_id"]).cumsum() - outreach.astype(int)
    lines["earlier_outreach"] = earlier.reindex(lines.index).where(outreach.reindex(lines.index), 0)

    lines["fee_without_gap"] = False
    months = spec.engagement_fee_months
    fees = order[(order["kind"] == "engagement_fee") & ecm]
    if months is not None and not fees.empty:
        days = order.groupby("member_id")["_day"].apply(list).to_dict()
        fee_days = fees.groupby("member_id")["_day"].apply(list).to_dict()
        for index, member, day in zip(fees.index, fees["member_id"], fees["_day"], strict=True):
            gap_start = day - pd.DateOffset(months=months)
            had_fee = any(d < day for d in fee_days[member])
            busy = any(gap_start < d < day for d in days[member])  # services before the fee
            lines.loc[index, "fee_without_gap"] = had_fee and busy

    _visit_limits(lines, order, spec)

    lines["over_daily_cap"] = False
    for code_set in spec.code_sets.values():
        if code_set.max_units_per_day is None:
            continue
        in_set = order[order["code"].isin(code_set.codes)]
        if in_set.empty:
            continue
        running = in_set["billed_units"].groupby([in_set["member_id"], in_set["_day"]]).cumsum()
        lines.loc[running[running > code_set.max_units_per_day].index, "over_daily_cap"] = True


def _visit_limits(lines: pd.DataFrame, order: pd.DataFrame, spec: BillingSpec) -> None:
    """Per line of a code set with visit limits (doula): a second visit the same day, a
    visit beyond the first set that no recommendation can cover, or one that needs a
    recommendation and has none. Counted per member over every line in the dataset, in
    date order, refused lines included."""
    for name in ("extra_visit_that_day", "beyond_first_set", "needs_recommendation"):
        lines[name] = False
    recommended = pd.Series(
        per_distinct(lambda v: not missing(v) and bool(v), order["doula_recommendation"]),
        index=order.index,
        dtype=bool,
    )
    for code_set in spec.code_sets.values():
        in_set = order[order["code"].isin(code_set.codes)]
        if in_set.empty:
            continue
        if code_set.visits_per_day is not None:
            nth = in_set.groupby([in_set["member_id"], in_set["_day"]]).cumcount() + 1
            lines.loc[nth[nth > code_set.visits_per_day].index, "extra_visit_that_day"] = True
        kind = in_set["code"].map(code_set.visit_kinds)
        for limit in code_set.visit_limits:
            of_kind = in_set[kind.isin(limit.kinds)]
            nth = of_kind.groupby("member_id").cumcount() + 1
            over = nth[nth > limit.max].index
            extra = code_set.recommended
            if extra is None or not limit.kinds & extra.kinds:
                lines.loc[over, "beyond_first_set"] = True
                continue
            # beyond the first set: the recommended kinds, up to extra.max more, each
            # with a recommendation; any other kind, or more, is refused
            may_extend = of_kind.loc[over, "code"].map(code_set.visit_kinds).isin(extra.kinds)
            extended = may_extend[may_extend].index
            rank = of_kind.loc[extended].groupby("member_id").cumcount() + 1
            lines.loc[may_extend[~may_extend].index, "beyond_first_set"] = True
            lines.loc[rank[rank > extra.max].index, "beyond_first_set"] = True
            within = rank[rank <= extra.max].index
            lines.loc[within[~recommended.loc[within].to_numpy()], "needs_recommendation"] = True


def _enrollment(lines: pd.DataFrame, enrollments: pd.DataFrame) -> None:
    """Per line: enrolled that day, before the first enrollment, after the last one ended,
    and the TAR of the episode covering it (or of the member's latest episode)."""
    episodes = enrollments[["member_id", "enrollment_start"]].assign(
        enrollment_end=enrollment_ended(enrollments),
        episode_tar=enrollments["authorization_number"],
    )
    episodes = episodes[episodes["enrollment_start"].notna()]
    pairs = lines[["member_id", "date"]].reset_index().merge(episodes, on="member_id")
    day = pd.to_datetime(pairs["date"])
    start = pd.to_datetime(pairs["enrollment_start"])
    end = pd.to_datetime(pairs["enrollment_end"])
    pairs["covers"] = (start <= day) & (end.isna() | (day <= end))
    pairs["later"] = start > day
    grouped = pairs.groupby("index")
    covers = grouped["covers"].any()
    later = grouped["later"].any()
    lines["enrolled"] = covers.reindex(lines.index, fill_value=False).astype(bool)
    lines["ever_enrolled"] = lines.index.isin(pairs["index"])
    lines["before_enrollment"] = ~lines["enrolled"] & (
        ~lines["ever_enrolled"] | later.reindex(lines.index, fill_value=False).astype(bool)
    )
    covering = pairs[pairs["covers"] & pairs["episode_tar"].notna()].drop_duplicates("index")
    tar = covering.set_index("index")["episode_tar"].reindex(lines.index)
    # no covering episode with a TAR (an outreach before enrollment): the member's latest
    latest = (
        enrollments.dropna(subset=["authorization_number"])
        .sort_values("enrollment_start", na_position="first", kind="stable")
        .groupby("member_id")["authorization_number"]
        .last()
    )
    tar = tar.where(tar.notna(), lines["member_id"].map(latest))
    own = lines["authorization_number"]
    # a CS line carries only its own number: the episode's TAR authorizes ECM (cs_lines.py)
    lines["tar"] = own.where(own.notna() | is_cs(lines), tar)


def _codes(lines: pd.DataFrame, spec: BillingSpec) -> None:
    staff = lines["staff_type"].fillna("non_clinical")
    kind = lines["kind"].fillna("service")
    # Built as object lists: Series.map on a pandas 3 str column turns None into NaN,
    # and a NaN code once made every ECM line a K007 (issue 11).
    given = _object_series(
        per_distinct(lambda v: text_or_none(v, upper=True), lines["procedure_code"]), lines.index
    )
    derived = staff.map(spec.codes)
    lines["derived_code"] = derived
    lines["given_code"] = given
    cs = is_cs(lines)  # a CS line bills the code it gives, or none (K019)
    lines["code_set"] = _object_series(
        per_distinct(
            lambda c, s: None if c is None or c in spec.ecm_codes or s else _set_name(spec, c),
            given,
            cs,
        ),
        lines.index,
    )
    lines["is_ecm"] = (given.isna() | given.isin(spec.ecm_codes)) & ~cs
    own = (given.to_numpy() != None) | cs.to_numpy()  # noqa: E711 (elementwise: None only)
    lines["code"] = _object_series(
        np.where(own, given.to_numpy(), derived.to_numpy(dtype=object)), lines.index
    )

    mods = spec.modifiers
    service = staff.map({"clinical": mods["clinical"], "non_clinical": mods["non_clinical"]})
    first = np.where(kind == "outreach", mods["pre_enrollment"], service)
    present = lines["member_present"].fillna(True).astype(bool)
    successful = lines["successful"].fillna(True).astype(bool)
    remote = (lines["mode"] != "in_person") | ~present | ~successful | (kind == "care_team_meeting")
    lines["telehealth"] = remote
    derived_modifiers = per_distinct(
        lambda m, r: (m, mods["telehealth"]) if r else (m,), objects(first), remote
    )
    lines["derived_modifiers"] = derived_modifiers
    given_modifiers = per_distinct(split_list, lines["modifiers"])
    lines["given_modifiers"] = given_modifiers
    # What is billed: an ECM line carries the derived modifiers (a given set was
    # checked against them); a code-set line carries the ones the encounter gives.
    lines["billed_modifiers"] = np.where(lines["is_ecm"], derived_modifiers, given_modifiers)


def _set_name(spec: BillingSpec, code: str) -> str:
    found = spec.code_set_of(code)
    return found.name if found else ""


def _place_units_charge(lines: pd.DataFrame, spec: BillingSpec, provider, plan_id: str) -> None:
    given_pos = per_distinct(text_or_none, lines["place_of_service"])
    default_pos = np.where(
        lines["mode"] == "in_person",
        spec.place_of_service["in_person"],
        spec.place_of_service["telehealth"],
    )
    lines["pos"] = _object_series(
        per_distinct(lambda p, d: p.zfill(2) if p is not None else str(d), given_pos,
                     objects(default_pos)),
        lines.index,
    )  # fmt: skip
    # units that are not a whole number from 1 to MAX_UNITS bill 0: K012 refuses the line
    # (a cast of 1e308 to int would wrap around silently)
    units = pd.to_numeric(lines["units"], errors="coerce").fillna(spec.units_per_encounter)
    fits = units.between(1, MAX_UNITS) & (units % 1 == 0)
    lines["billed_units"] = units.where(fits, 0).astype(int)
    rates = {**(provider.get("rates") or {}), **(provider.plan(plan_id).get("rates") or {})}
    # a rate for the code with its first modifier (G9012-U8: the outreach rate) wins
    line_rates = per_distinct(
        lambda code, mods: rates.get(f"{code}-{mods[0]}" if mods else code, rates.get(code)),
        lines["code"],
        lines["billed_modifiers"],
    )
    rate = pd.Series(line_rates, index=lines.index, dtype="object")
    charge = lines["charge"]
    per_unit = pd.to_numeric(rate, errors="coerce") * lines["billed_units"]
    amount = pd.to_numeric(charge, errors="coerce").fillna(per_unit)
    # rounding 1e308 overflows (a RuntimeWarning); such a charge stays as given and K011
    # refuses it: only amounts an 837P can carry are rounded to cents
    sane = amount.abs() < 1e15
    lines["billed_charge"] = amount.where(~sane, amount.where(sane, 0).round(2))
