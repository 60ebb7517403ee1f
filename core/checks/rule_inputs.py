"""What a business rule reads from its target, shared by the rule modules (business.py,
completion.py, ...) so none imports another's private helpers: whether the file has the
fields, their dates, the rows a mask picks, the day it judges by, and the plan's facts."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ecmx.core.checks.rules import Rule, Target


def has_fields(target: Target, *names: str) -> bool:
    """The file has every one of these canonical fields (a rule missing one is skipped)."""
    return all(name in target.fields for name in names)


def dates_of(target: Target, name: str) -> pd.Series:
    """The field as dates; what is not a date is NaT (rule F-codes report it, not these)."""
    return pd.to_datetime(target.fields[name], errors="coerce")


def rows_where(mask: pd.Series) -> list[int]:
    """The positions a mask picks; a missing value picks nothing."""
    return list(mask.fillna(False).astype(bool).to_numpy().nonzero()[0])


def judged_on(target: Target) -> pd.Timestamp:
    """The day a rule judges by: the file's production date, else today."""
    return pd.Timestamp(target.production_date or date.today())


def plan_facts(target: Target, names) -> tuple[list[int], str] | None:
    """The plan's rule facts (files.rtf.rules) as integers and where they come from (an
    assumed one says so, for the plan by name); None if one is unset: no rule then."""
    rtf = target.plan.files.get("rtf")
    facts = rtf.rule_facts if rtf is not None else {}
    if any(facts.get(name) is None for name in names):
        return None
    sources = []
    for name in names:
        fact = facts[name]
        text = fact.source_text
        if fact.assumed:
            text = f"assumed for {target.plan.name}: {fact.note or text}"
        sources.append(text)
    return [int(facts[n].value) for n in names], "; ".join(dict.fromkeys(sources))


def business_rule(code, severity, title, hint, source, check, kinds=("rtf",)) -> Rule:
    """A rule of the ``business`` family (on the RTF unless ``kinds`` says otherwise)."""
    return Rule(code, severity, "business", title, hint, source, check, kinds)
