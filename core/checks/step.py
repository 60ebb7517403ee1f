"""The one check step every command runs: rules, then plugin validators, then the plan's overrides.

``convert`` (a file being made), ``validate`` (a file read back) and ``claims``
(claim lines) all check through :func:`check`, so a rule or an ``ecmx_validate``
plugin applies wherever its file kind is checked: ``validate --dataset`` runs the
cross-file rules (X001/X002) like ``convert`` does.
"""

from __future__ import annotations

from collections.abc import Iterable

from ecmx.core.checks.findings import Finding
from ecmx.core.checks.rules import Target, apply_overrides, run_rules


def check(
    target: Target,
    registry,
    pm,
    context,
    *,
    found: Iterable[Finding] = (),
    fixed: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Every finding about ``target``, after its plan's ``rules:`` overrides.

    :param target: what is checked (``target.plan`` is the plan whose overrides apply).
    :param registry: the ``Registry`` whose rules for ``target.kind`` run.
    :param pm: the plugin manager whose ``ecmx_validate`` implementations run, each
        given ``target.frame`` and ``context``.
    :param context: the ``BuildContext`` plugins see (dataset, period, canonical frame).
    :param found: the stage's own findings (reading, building, mapping), listed first
        and overridden like the rest.
    :param fixed: codes a plan cannot switch off or regrade (claims: a line no claim
        can carry); listed after the others.
    :return: ``found``, then rule findings, then plugin findings, in that order.
    """
    findings = [*found, *run_rules(registry.rules.values(), target)]
    hook = pm.hook.ecmx_validate(
        plan=target.plan, kind=target.kind, frame=target.frame, context=context
    )
    for extra in hook:
        findings.extend(extra or ())
    kept = apply_overrides([f for f in findings if f.code not in fixed], target.plan)
    return kept + [f for f in findings if f.code in fixed]
