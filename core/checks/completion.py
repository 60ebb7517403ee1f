"""Rule B011: an enrolled member's program completion assessment is due (issue 17).

Its own module because business.py is full; both read their target through
checks/rule_inputs.py. The
interval is each plan's fact (files.rtf.rules.program_completion_months): CHWP states
every six months (seed 000), Health Net every 12 months (seed 001); a plan that states
none has no such rule.
"""

from __future__ import annotations

import pandas as pd

from ecmx.core.checks.rule_inputs import (
    business_rule,
    dates_of,
    has_fields,
    judged_on,
    plan_facts,
    rows_where,
)
from ecmx.core.checks.rules import Hit, Target
from ecmx.core.hookspecs import hookimpl


def program_completion(target: Target):
    """An enrolled member's program completion assessment is due every N months after
    enrollment (the plan's files.rtf.rules.program_completion_months: CHWP 6, seed 000;
    Health Net 12, seed 001). Warns when the member has been enrolled longer than that and
    the dataset records no program_completion_date in the last N months. Needs the dataset:
    the RTF has no column for the date, so a file read back alone cannot tell.
    """
    if target.dataset is None or target.member_ids is None:
        return
    if not has_fields(target, "ecm_status", "enrollment_start"):
        return
    facts = plan_facts(target, ("program_completion_months",))
    if facts is None:  # the plan states no interval: no rule
        return
    (months,), source = facts
    since = judged_on(target) - pd.DateOffset(months=months)
    enrollments = target.dataset.enrollments
    ids = pd.Series(list(target.member_ids), index=target.fields.index)
    if "program_completion_date" in enrollments:
        done = pd.to_datetime(enrollments["program_completion_date"], errors="coerce")
        last = done.groupby(enrollments["member_id"]).max()
        recorded = pd.to_datetime(ids.map(last), errors="coerce")
    else:
        recorded = pd.Series(pd.NaT, index=ids.index, dtype="datetime64[ns]")
    due = (
        (target.fields["ecm_status"] == "enrolled")
        & (dates_of(target, "enrollment_start") < since)
        & ~(recorded >= since)
    )
    rows = rows_where(due)
    if rows:
        yield Hit(
            rows,
            f"program completion assessment due: enrolled over {months} months, "
            f"none recorded in the last {months} months",
            field="program_completion_date",
            hint="complete the program completion assessment and record its date in "
            "enrollments.program_completion_date",
            source=source,
        )


PROGRAM_COMPLETION = business_rule(
    "B011",
    "warning",
    "program completion assessment due",
    "complete the program completion assessment and record its date",
    "the plan's files.rtf.rules.program_completion_months (CHWP: seed 000 Step 9, "
    "every six months; Health Net: seed 001 Step 9, every 12 months following enrollment)",
    program_completion,
)


@hookimpl
def ecmx_register_rules(registry) -> None:
    registry.add_rule(PROGRAM_COMPLETION)
