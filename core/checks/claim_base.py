"""What every billing rule shares: the claim lines it reads and how it is declared.

A billing rule reads the columns ``billing.lines.code_lines`` adds (the derived code and
modifiers, enrollment on the service date, earlier lines of the member), one mask per
rule; a claim line that breaks one is not billed (unless --force). A finding points at
the encounter's row in the dataset.
"""

from __future__ import annotations

from ecmx.core.checks.rules import Rule, Target

SEED_003 = "seed 003 ECM Procedure Codes and Modifiers (DHCS coding guidelines)"


def positions(mask) -> list[int]:
    """The row positions where ``mask`` is true: the lines a Hit points at."""
    return [int(i) for i in mask.to_numpy().nonzero()[0]]


def billing(target: Target):
    """The plan's billing spec the claims step hands every rule (``target.extra``)."""
    return target.extra["billing"]


def claim_rule(code, title, hint, source, check, severity="error") -> Rule:
    """A rule of the billing layer, for the claims step only."""
    return Rule(code, severity, "billing", title, hint, source, check, kinds=("claims",))
