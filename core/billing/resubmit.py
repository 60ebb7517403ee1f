"""Corrected (frequency 7) and void (frequency 8) claims for chosen claims of a period.

A payer that has a claim (accepted by its 277CA, maybe paid by an 835) takes a change
to it only as a replacement claim (CLM05-3 ``7``) or a void (``8``) that names the
payer's own claim control number in 2300 REF*F8 (005010X222A1: required when CLM05-3 is
7 or 8). The claim is rebuilt from the dataset as ``ecmx claims`` builds it, so a
replacement carries the corrected data; CLM01 and the line item control numbers (REF*6R)
stay the claim's own, so the 277CA and 835 that answer it match the same lines.
The payer's claim number comes from the user (``--claim CLM01=NUMBER``), read off the
277CA (2200D REF*1K) or the 835 (CLP07), or, for a bare ``--claim CLM01``, from the
workspace's ledger, where ``ecmx claims load`` recorded it (jobs/claims_resubmit.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ecmx.core.billing.claims import FREQUENCIES, Claim
from ecmx.core.errors import InputError, printable

MAX_PAYER_NUMBER = 50  # REF02 of REF*F8: AN 1-50


@dataclass(frozen=True)
class Resubmission:
    """What ``ecmx claims resubmit`` bills: these claims, by CLM01, at this frequency."""

    frequency: str  # "7" replacement or "8" void: FREQUENCIES
    # (CLM01, the payer's claim control number); "" until the ledger gives it (bare CLM01)
    payer_numbers: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        return FREQUENCIES[self.frequency]


def resubmission(pairs: list[str] | tuple[str, ...], void: bool) -> Resubmission:
    """``CLM01=PAYERNUMBER`` or bare ``CLM01`` arguments read into a ``Resubmission`` (a
    bare CLM01's number is "": the ledger gives it); an ``InputError`` names the first
    argument that is not one (by its position: a CLM01 holds a member id)."""
    if not pairs:
        raise InputError("--claim: name at least one claim to resubmit, as CLM01=PAYERNUMBER")
    found: dict[str, str] = {}
    for position, pair in enumerate(pairs, start=1):
        where = f"--claim #{position}"
        clm01, sep, number = (part.strip() for part in str(pair).partition("="))
        if not clm01 or (sep and not number):
            raise InputError(
                f"{where}: expected CLM01=PAYERNUMBER (the claim's patient control number, "
                "then the payer's claim number from its 277CA or 835), or CLM01 alone in a "
                "workspace where that 277CA or 835 was loaded"
            )
        if sep:
            check_payer_number(where, number)
        if clm01.upper() in found:
            raise InputError(f"{where}: this claim is named twice: name each claim once")
        found[clm01.upper()] = number
    return Resubmission("8" if void else "7", tuple(found.items()))


def check_payer_number(where: str, number: str) -> None:
    """An ``InputError`` when ``number`` cannot go into REF*F8 as it is (AN 1-50, plain)."""
    if len(number) > MAX_PAYER_NUMBER or not (number.isascii() and number.isprintable()):
        raise InputError(f"{where}: {_not_plain(number)}")


def _not_plain(number: str) -> str:
    return (
        f"the payer's claim number {printable(number)!r} is not 1 to {MAX_PAYER_NUMBER} "
        "plain characters (letters, digits, dashes; not the file's separators, * : ^ ~ by "
        "default); copy it from the 277CA (REF*1K) or the 835 (CLP07)"
    )


def choose(claims: list[Claim], wanted: Resubmission, where: str, separators: str) -> list[Claim]:
    """The chosen claims, in the order given, as replacements or voids. An ``InputError``
    when one is not among ``claims`` (``where`` names the plan and period), or when its
    payer number holds one of the plan's ``separators``: it must reach the payer as
    typed, not with that character turned into a space."""
    by_number = {c.control_number.upper(): c for c in claims}
    chosen = []
    for position, (clm01, number) in enumerate(wanted.payer_numbers, start=1):
        if not number:  # a bare CLM01 the ledger did not fill: never an empty REF*F8
            raise InputError(f"--claim #{position}: expected CLM01=PAYERNUMBER")
        claim = by_number.get(clm01)
        if claim is None:
            raise InputError(
                f"--claim #{position}: no claim with that CLM01 in {where}'s billing: copy "
                "CLM01 from the 837P, the 277CA (TRN02) or the 835 (CLP01); a member whose "
                "lines are all refused now has no claim (see the findings of `ecmx claims`)"
            )
        if set(number) & set(separators):
            raise InputError(f"--claim #{position}: {_not_plain(number)}")
        chosen.append(replace(claim, frequency=wanted.frequency, payer_claim_number=number))
    return chosen
