"""Claim writers: the formats ``ecmx claims --format`` writes, registered like plan-file formats.

The built-in 837P and invoice writers are registered by ``ecmx.core.files.formats``
through the hook ``ecmx_register_formats``; a plugin adds its own with
``registry.add_claim_writer(ClaimWriter(...))`` (docs/plugins.md). The job names each
plan's file, checks every target, reserves X12 control numbers when the writer needs
them, and moves the files into place together; a writer only writes one file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ecmx.core.billing.claims import Claim
from ecmx.core.billing.coding import BillingSpec
from ecmx.core.billing.invoice import write_invoice
from ecmx.core.billing.x12 import Control, Parties, write_837p
from ecmx.core.calendar.periods import Period

if TYPE_CHECKING:
    from ecmx.core.dataset.provider import Provider
    from ecmx.core.plans.spec import PlanSpec


@dataclass(frozen=True)
class ClaimFile:
    """One plan's claims for a period, as a claim writer receives them."""

    plan: PlanSpec  # the plan billed
    spec: BillingSpec  # the plan's billing section
    claims: list[Claim]  # one per member, never empty
    provider: Provider  # the provider profile (dataset.provider)
    period: Period
    created: datetime  # the production date at the time of the run
    parties: Parties | None = None  # set when the writer's ``x12`` is true
    control: Control | None = None  # a reserved interchange number, when ``x12`` is true


@dataclass(frozen=True)
class ClaimWriter:
    """A claim output format.

    ``write(claim_file, path)`` writes the whole file at ``path``, a temporary name ecmx
    moves into place once every plan's file is written. ``label`` fills the ``{kind}``
    of a plan's file name template and the summary's title; ``suffix`` ends the name.
    ``x12``: the file needs the X12 parties (checked in the provider profile before
    anything is written) and a reserved interchange control number. ``channel``: the
    ``billing.channels`` value (837p, invoice) a plan must list for this file to be
    written for it; None for a file any plan may have (it is not sent to a payer as is).
    """

    format: str  # the --format value, lower case
    label: str
    suffix: str  # with its dot: ".837"
    write: Callable[[ClaimFile, Path], None]
    help: str  # what --format FORMAT writes, for ``ecmx claims --help``
    x12: bool = False
    channel: str | None = None


BUILTIN_CLAIM_WRITERS = (
    ClaimWriter(
        "837p", "837P", ".837", write_837p, "an X12 837P (005010X222A1) file per plan",
        x12=True, channel="837p",
    ),
    ClaimWriter(
        "invoice", "Invoice", ".xlsx", write_invoice, "an invoice workbook", channel="invoice"
    ),
)  # fmt: skip
