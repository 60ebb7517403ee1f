"""``init``: make a folder a workspace (``.ecmx/`` and its ledger); ``ledger``: list it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.errors import InputError
from ecmx.core.ledger.db import SCHEMA_VERSION, check_ledger, ledger_path
from ecmx.core.ledger.records import LISTING_COLUMNS, listing
from ecmx.core.ledger.workspace import init_workspace


@dataclass(frozen=True)
class InitRequest:
    """``ecmx init [DIR]``."""

    folder: Path = Path(".")


@dataclass(frozen=True)
class InitResult:
    workspace: Path
    ledger: Path
    created: bool  # False: it was a workspace already (nothing changed but an upgrade)


def run_init(request: InitRequest) -> InitResult:
    """Make ``folder/.ecmx/`` and its ledger; a second run changes nothing and says so."""
    created = init_workspace(request.folder)
    workspace = Path(request.folder).resolve()
    check_ledger(workspace)  # made, or upgraded to this ecmx's schema
    return InitResult(workspace, ledger_path(workspace), created)


@dataclass(frozen=True)
class LedgerRequest:
    """``ecmx ledger [--period P] [--plan PLAN] [--format table|json|csv]``."""

    workspace: Path | None
    period: Period | None = None
    plan: str | None = None


@dataclass(frozen=True)
class LedgerResult:
    workspace: Path
    columns: tuple[str, ...]
    rows: list[dict]  # one per file made or received, oldest first; full sha256
    schema: int = SCHEMA_VERSION


def run_ledger(request: LedgerRequest) -> LedgerResult:
    if request.workspace is None:
        raise InputError(
            "no ecmx workspace here: run `ecmx init DIR`, then give --workspace DIR, set "
            "$ECMX_WORKSPACE, or run ecmx inside DIR"
        )
    period = str(request.period) if request.period else None
    plan = None if request.plan in (None, "all") else request.plan
    rows = listing(request.workspace, period, plan)
    return LedgerResult(request.workspace, LISTING_COLUMNS, rows)
