"""Rules S101-S103 on a CSPRTF row (Community Supports: issue 17), convert and validate alike.

Its own module because business.py is full; it shares rule_inputs.py's helpers. CIN,
service and status being filled is the layout's ``required: true`` (L001); these rules
read what the row means. Seed 002 (CS FAQ, for Health Net, CalViva and CHPIV) says
approved authorizations are required before rendering CS services; the date order is
ecmx's own check (a service cannot end before it starts).
"""

from __future__ import annotations

from ecmx.core.checks.rule_inputs import business_rule, dates_of, has_fields, rows_where
from ecmx.core.checks.rules import Hit, Target
from ecmx.core.hookspecs import hookimpl

CS_AUTHORIZATION = (
    "seed 002 CS FAQ 'Are CS providers required to submit authorization for services?': "
    "approved authorizations are required before rendering services"
)


def authorized_without_number(target: Target):
    if not has_fields(target, "status", "authorization_number"):
        return
    number = target.fields["authorization_number"]
    blank = number.isna() | (number.astype(str).str.strip() == "")
    rows = rows_where((target.fields["status"] == "authorized") & blank)
    if rows:
        yield Hit(
            rows,
            "an authorized Community Supports service needs its authorization number",
            field="authorization_number",
        )


def service_before_authorization(target: Target):
    if not has_fields(target, "service_start", "authorization_start"):
        return
    rows = rows_where(dates_of(target, "service_start") < dates_of(target, "authorization_start"))
    if rows:
        yield Hit(
            rows,
            "the Community Supports service starts before its authorization does",
            field="service_start",
        )


def service_ends_before_start(target: Target):
    if not has_fields(target, "service_start", "service_end"):
        return
    rows = rows_where(dates_of(target, "service_end") < dates_of(target, "service_start"))
    if rows:
        yield Hit(rows, "the Community Supports service ends before it starts", field="service_end")


CS_RULES = (
    business_rule(
        "S101",
        "error",
        "authorized CS service without an authorization number",
        "copy the authorization number from the plan's approval (or its CSASF) into "
        "community_supports.authorization_number, as text",
        CS_AUTHORIZATION,
        authorized_without_number,
        ("csprtf",),
    ),
    business_rule(
        "S102",
        "error",
        "CS service started before its authorization",
        "correct community_supports.service_start or authorization_start: a CS service is "
        "rendered only once authorized",
        CS_AUTHORIZATION,
        service_before_authorization,
        ("csprtf",),
    ),
    business_rule(
        "S103",
        "error",
        "CS service ends before it starts",
        "correct community_supports.service_start or service_end",
        "a service cannot end before it starts",
        service_ends_before_start,
        ("csprtf",),
    ),
)


@hookimpl
def ecmx_register_rules(registry) -> None:
    for rule in CS_RULES:
        registry.add_rule(rule)
