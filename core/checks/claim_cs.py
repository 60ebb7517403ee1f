"""Billing rules on Community Supports (CS) lines: encounters with a ``cs_service``
(K019-K022). They read the columns billing/cs_lines.py adds; the plan's
``billing.community_supports`` says whether an authorization is required and whether CS
outreach is billable."""

from __future__ import annotations

from ecmx.core.billing.cs_lines import code_problem, modifier_problem
from ecmx.core.checks.claim_base import billing, claim_rule, positions
from ecmx.core.checks.rules import Hit, Target
from ecmx.core.dataset.canonical import CS_STATUSES

CS_FAQ = "seed 002 Community Supports FAQ"


def _cs_code(target: Target):
    lines = target.fields
    cs = lines["is_cs"].tolist()
    code_hits: dict[str, list[int]] = {}
    modifier_hits: dict[str, list[int]] = {}
    for pos, (on, code, mods) in enumerate(
        zip(cs, lines["code"], lines["given_modifiers"], strict=True)
    ):
        if not on:
            continue
        problem = code_problem(code)
        if problem:
            code_hits.setdefault(problem, []).append(pos)
        problem = modifier_problem(tuple(mods))
        if problem:
            modifier_hits.setdefault(problem, []).append(pos)
    for problem, rows in code_hits.items():
        yield Hit(
            rows,
            f"a Community Supports line with {problem}: ecmx does not derive CS codes",
            field="procedure_code",
            hint="write the HCPCS code your CS contract bills for this service in "
            "encounters.procedure_code (and its modifiers in modifiers)",
        )
    for problem, rows in modifier_hits.items():
        yield Hit(
            rows,
            f"a Community Supports line with {problem}: a claim line carries up to four "
            "two-character modifiers",
            field="modifiers",
            hint="write the modifiers your CS contract bills, separated by ';'",
        )


COVER_MESSAGES = {
    "no_row": (
        "no community_supports row for this member and CS service, so no authorization",
        "add the member's community_supports row with status authorized and the "
        "authorization's dates, once the plan approved it; bill after the approval",
    ),
    "no_start": (
        "the CS authorization has no authorization_start, so ecmx cannot tell it covers the "
        "service date",
        "fill authorization_start (and authorization_end) from the plan's approval",
    ),
    "outside": (
        "the service date is outside the CS authorization's dates "
        "(authorization_start to authorization_end)",
        "correct the date, or the authorization dates from the plan's approval; a service "
        "outside them needs a new authorization",
    ),
}


def _no_authorization(target: Target):
    if not billing(target).community_supports.authorization_required:
        return
    lines = target.fields
    cover = lines["cs_cover"]
    for reason, (message, hint) in COVER_MESSAGES.items():
        mask = lines["is_cs"] & (cover == reason)
        if mask.any():
            yield Hit(positions(mask), message, field="cs_service", hint=hint)
    unapproved = lines["is_cs"] & (cover == "not_authorized")
    # the status is named only when it is one of the table's codes: a cell is never echoed
    status = lines["cs_status"].where(lines["cs_status"].isin(CS_STATUSES), "not authorized")
    for name in sorted(set(status[unapproved])):
        mask = unapproved & (status == name)
        yield Hit(
            positions(mask),
            f"the member's community_supports row for this CS service is {name}, not "
            "authorized: a CS service is billed only after the plan approved it",
            field="cs_service",
            hint="wait for the plan's approval, then set the row's status to authorized "
            "with the authorization's number and dates",
        )


def _cs_outreach(target: Target):
    if billing(target).community_supports.outreach_billable:
        return
    lines = target.fields
    mask = lines["is_cs"] & (lines["kind"] == "outreach")
    if mask.any():
        yield Hit(
            positions(mask),
            "a Community Supports outreach: the plan does not pay for CS outreach",
            field="kind",
            hint="keep the outreach in your records, not on a claim; for an ECM outreach, "
            "leave cs_service blank",
        )


def _over_units(target: Target):
    lines = target.fields
    mask = lines["is_cs"] & lines["cs_over_units"]
    if mask.any():
        yield Hit(
            positions(mask),
            "more units of this CS service than its authorization approved "
            "(community_supports.units_authorized, counted over every line it covers)",
            field="units",
            hint="ask the plan for more units before billing them; or correct units, or "
            "units_authorized from the plan's approval",
        )


CS_RULES = (
    claim_rule(
        "K019",
        "CS line without a code it can be billed with",
        "write the CS contract's HCPCS code in procedure_code",
        "X12 837P 005010X222A1: SV101 procedure code and up to four modifiers; CS codes "
        "come from the provider's CS contract, not from the ECM coding",
        _cs_code,
    ),
    claim_rule(
        "K020",
        "CS service without an authorization covering its date",
        "bill a CS service only under an authorized community_supports row whose dates cover it",
        f"{CS_FAQ}: 'approved authorizations are required before rendering services'; 'For "
        "CS, authorization approval is required before you can provide services and bill' "
        "(billing.community_supports.authorization_required)",
        _no_authorization,
    ),
    claim_rule(
        "K021",
        "CS outreach billed",
        "leave CS outreach off the claim",
        f"{CS_FAQ}: 'at this time, outreach is not billable' "
        "(billing.community_supports.outreach_billable)",
        _cs_outreach,
    ),
    claim_rule(
        "K022",
        "CS units beyond the authorization",
        "ask the plan for more units before billing them, or correct units or units_authorized",
        f"{CS_FAQ}: authorization approval is required before you provide services and bill; "
        "units beyond those approved are not authorized",
        _over_units,
    ),
)
