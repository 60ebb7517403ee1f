"""``ecmx claims resubmit``: the claims job, for chosen claims, as replacements or voids.

The job is ``run_claims`` with ``ClaimsRequest.resubmit`` set: the plan is coded and
checked as for a first bill, so a replacement carries the corrected data under the same
CLM01, and the file goes through the same control numbers (never reused: the output
folder's state file, or the workspace's ledger), the same checks of the output and the
same ledger record. This module holds what differs: which claims, the payer's claim
numbers the ledger knows (a bare ``--claim CLM01``), and the file's name.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ecmx.core.billing.resubmit import Resubmission, check_payer_number, choose
from ecmx.core.errors import EcmxError, InputError
from ecmx.core.jobs.common import log

if TYPE_CHECKING:
    from ecmx.core.billing.claim_writers import ClaimWriter
    from ecmx.core.billing.responses.billed import BilledFile
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


# Which answer names the payer's claim number, most trusted first: the 835's CLP07 is the
# number the claim was adjudicated under (a later 835 may carry a new one after a
# reversal); the 277CA's REF*1K is the one it was accepted under.
NUMBER_KINDS = ("835", "277ca")
LOAD_FIRST = "load its 277CA or 835 first (`ecmx claims load FILE`) or give CLM01=NUMBER"


def payer_numbers(request: ClaimsRequest, wanted: Resubmission,
                  plan: str) -> tuple[Resubmission, list[str]]:  # fmt: skip
    """``wanted`` with each bare CLM01's payer number taken from the ledger, and a note per
    number taken (which response gave it). The number is that of the claim in the period's
    latest 837P billing it (the one ``ecmx claims status`` counts: a replacement's own
    answer, not the first bill's); an ``InputError`` (one line, the claim by its position)
    when no 277CA or 835 loaded for that file names one."""
    if all(number for _, number in wanted.payer_numbers):
        return wanted, []
    from ecmx.core.billing.responses.billed import billed_files
    from ecmx.core.ledger.outcomes import outcomes_for

    where = f"{plan} {request.period}"
    if request.workspace is None:
        raise InputError(
            f"--claim #{_first_bare(wanted)}: no payer's claim number given, and no workspace "
            f"ledger to take it from: run in the workspace where its 277CA or 835 was loaded, "
            "or give CLM01=NUMBER (the 277CA's REF*1K or the 835's CLP07)"
        )
    files = billed_files(request.workspace, str(request.period), plan)
    latest = {c.patient_control.upper(): (f, n) for f in files
              for n, c in enumerate(f.claims, start=1)}  # fmt: skip
    outcomes = outcomes_for(request.workspace, sorted({f.file_id for f, _ in latest.values()}))
    filled, notes = [], []
    for position, (clm01, number) in enumerate(wanted.payer_numbers, start=1):
        if not number:
            number, note = _from_ledger(position, latest.get(clm01), outcomes, where)
            log.info(note)  # shown as made (cli/console.py), so the user can check it
            notes.append(note)
        filled.append((clm01, number))
    return replace(wanted, payer_numbers=tuple(filled)), notes


def _first_bare(wanted: Resubmission) -> int:
    return next(n for n, (_, number) in enumerate(wanted.payer_numbers, start=1) if not number)


def _from_ledger(position: int, billed: tuple[BilledFile, int] | None, outcomes: list[dict],
                 where: str) -> tuple[str, str]:  # fmt: skip
    """The payer's number for one claim (``billed``: its latest file and place), and a note."""
    at = f"--claim #{position}"
    if billed is None:
        raise InputError(
            f"{at}: no 837P recorded in this workspace for {where} holds that claim, so its "
            f"payer's claim number is not known: {LOAD_FIRST}"
        )
    file, place = billed
    named = [o for o in outcomes if o["billed_id"] == file.file_id
             and o["claim_number"] == place and o["payer_claim"]]  # fmt: skip
    for kind in NUMBER_KINDS:
        found = [o for o in named if o["kind"] == kind]
        if found:
            number, response = found[-1]["payer_claim"], Path(found[-1]["response_path"]).name
            check_payer_number(at, number)
            label = "835 (CLP07)" if kind == "835" else "277CA (REF*1K)"
            return (
                number,
                f"{at}: REF*F8 {number}, the payer's claim number from the {label} {response}",
            )
    raise InputError(
        f"{at}: no 277CA or 835 loaded names the payer's claim number for it as billed in "
        f"{file.path.name} (the latest 837P billing it): {LOAD_FIRST}"
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
