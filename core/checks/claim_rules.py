"""Billing rules, registered in one order: enrollment and authorization rules
(claim_enrollment.py), then coding and value rules (claim_coding.py), then the Community
Supports rules (claim_cs.py). What they share is
in claim_base.py; the claims step runs them on the coded claim lines.
"""

from __future__ import annotations

from ecmx.core.checks.claim_coding import CODING_RULES
from ecmx.core.checks.claim_cs import CS_RULES
from ecmx.core.checks.claim_enrollment import ENROLLMENT_RULES
from ecmx.core.hookspecs import hookimpl

# The order findings are reported in: K001-K006, then K007-K012, K016-K018, K014, K015, then
# K019-K022.
RULES = ENROLLMENT_RULES + CODING_RULES + CS_RULES


@hookimpl
def ecmx_register_rules(registry):
    for rule in RULES:
        registry.add_rule(rule)
