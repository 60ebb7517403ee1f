"""``ecmx claims resubmit``: the claims job, for chosen claims, as replacements or voids.

The job is ``run_claims`` with ``ClaimsRequest.resubmit`` set: the plan is coded and
checked as for a first bill, so a replacement carries the corrected data under the same
CLM01, and the file goes through the same control numbers (never reused: the output
folder's state file, or the workspace's ledger), the same checks of the output and the
same ledger record. This module holds what differs: which claims, and the file's name.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ecmx.core.billing.resubmit import Resubmission, choose
from ecmx.core.errors import EcmxError, InputError

if TYPE_CHECKING:
    from ecmx.core.billing.claim_writers import ClaimWriter
    from ecmx.core.calendar.periods import Period
    from ecmx.core.jobs.claims import ClaimsRequest, PlanClaims


def check_resubmission(request: ClaimsRequest, writer: ClaimWriter) -> None:
    """Before anything is read: one plan, and the 837P (only it carries CLM05-3 and REF*F8)."""
    if request.resubmit is None:
        return
    if request.plan == "all":
        raise InputError(
            "--plan: name the one plan the claims were billed to; a replacement or a void "
            "goes to the payer that holds the claim"
        )
    if writer.format != "837p":
        raise EcmxError(
            f"--format {writer.format}: a replacement or a void is an 837P claim "
            "(frequency code in CLM05-3, the payer's claim number in REF*F8); use 837p"
        )


def chosen_claims(result: PlanClaims, wanted: Resubmission, period: Period) -> PlanClaims:
    """The plan's result cut to the chosen claims: an ``InputError`` when one is not there.
    Findings and refused lines are those of the chosen claims' members only: the rest of
    the period was billed before and is not this run's business."""
    where = f"{result.plan.name} {period}"
    claims = choose(result.claims, wanted, where, result.spec.separators.all())
    members = {str(c.member.get("member_id")) for c in claims}
    findings = [f for f in result.findings if not f.member_id or f.member_id in members]
    # chosen claims exist, so the plan has coded lines: theirs, less those on their claims
    theirs = int(result.lines["member_id"].astype(str).isin(members).sum())
    billed = sum(len(c.lines) for c in result.claims if str(c.member.get("member_id")) in members)
    return replace(result, claims=claims, findings=findings, refused=max(theirs - billed, 0))


def resubmit_name(name: str, wanted: Resubmission, out_dir: Path) -> str:
    """The plan's file name with ``_replacement`` or ``_void`` before the extension, and a
    number after it when that name is taken (a second correction the same day): a
    resubmission never replaces a file that may have been sent."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    tail = f".{extension}" if extension else ""
    candidate = f"{stem}_{wanted.label}{tail}"
    number = 1
    while (Path(out_dir) / candidate).exists():
        number += 1
        candidate = f"{stem}_{wanted.label}_{number}{tail}"
    return candidate
