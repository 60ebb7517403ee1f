"""``ecmx claims load`` and ``ecmx claims status``: the plans' 999, 277CA and 835 read,
matched to the 837P files the ledger recorded, and each billed line's fate reported.

``load`` records each response file once (files_received) and what it said about each
claim and line (claim_outcomes); anything matching nothing is a finding, never dropped.
``status`` reads the ledger only: billed vs accepted, paid, adjusted, denied, outstanding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from ecmx.core.billing.responses.billed import billed_files
from ecmx.core.billing.responses.masking import masked_rows, masked_text
from ecmx.core.billing.responses.match import Matched, match_response
from ecmx.core.billing.responses.model import Remit835, Response
from ecmx.core.billing.responses.status import status_rows
from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, EcmxError, InputError
from ecmx.core.jobs.common import Progress, no_progress

NO_WORKSPACE = (
    "ecmx claims {command} uses the workspace's ledger (the 837P files billed, the responses "
    "read), and there is none here: run `ecmx init DIR` (or pass --workspace DIR)"
)


@dataclass(frozen=True)
class ClaimsLoadRequest:
    """``ecmx claims load FILE... [--plan PLAN]``."""

    files: tuple[Path, ...]
    workspace: Path | None
    plan: str | None = None  # recorded for a response that matches no billed claim
    show_values: bool = False  # name claims in findings whole (CLM01 holds the member id)


@dataclass
class LoadedFile:
    path: Path
    kind: str  # 999, 277ca, 835
    plan: str
    outcomes: int  # recorded now (0: read before, nothing added)
    already: bool
    findings: list[str]
    notes: list[str] = field(default_factory=list)  # what is not about a claim (PLB)


@dataclass
class ClaimsLoadResult:
    files: list[LoadedFile] = field(default_factory=list)
    exit_code: int = EXIT_OK  # 1 when something in a response matched nothing


def run_claims_load(request: ClaimsLoadRequest, *, progress: Progress = no_progress,
                    reader=None) -> ClaimsLoadResult:  # fmt: skip
    """Read, match and record each file. ``reader``: path -> the responses in it (default:
    ``read_responses`` of core/billing/responses/read.py; one record is taken as one)."""
    if request.workspace is None:
        raise InputError(NO_WORKSPACE.format(command="load"))
    if reader is None:
        reader = _readers()
    responses = []
    for index, path in enumerate(request.files):
        progress(f"reading {Path(path).name}", index, len(request.files))
        found = reader(Path(path))  # every file read before any is recorded
        responses.append((Path(path), found if isinstance(found, tuple) else (found,)))
    result = ClaimsLoadResult()
    for path, records in responses:
        loaded = load_response(request.workspace, path, records, request.plan)
        loaded.findings = [masked_text(f, request.show_values) for f in loaded.findings]
        result.files.append(loaded)
    if any(f.findings for f in result.files):
        result.exit_code = EXIT_FINDINGS
    return result


def _readers():
    """``read_responses`` of core/billing/responses/read.py (the 999, 277CA, 835 readers)."""
    import importlib

    try:
        return importlib.import_module("ecmx.core.billing.responses.read").read_responses
    except ImportError:
        raise EcmxError(
            "this ecmx has no 999/277CA/835 readers (core/billing/responses/read.py): "
            "install a complete ecmx"
        ) from None


def load_response(workspace: Path, path: Path, records: tuple[Response, ...],
                  plan: str | None = None) -> LoadedFile:  # fmt: skip
    """Match the responses read from ``path`` (a file may bundle several transaction sets,
    even a 999 and a 277CA) and record them (once)."""
    from ecmx.core.ledger.outcomes import record_outcomes

    billed = billed_files(workspace)
    day = _interchange_day(path)
    matched: list[Matched] = [match_response(r, billed, day) for r in records]
    plans = sorted({p for m in matched for p in m.plans}) or [plan or "unknown"]
    plan_id = ",".join(plans)
    recorded = record_outcomes(workspace, plan_id, path, matched, billed)
    already = recorded is None
    kind = "+".join(dict.fromkeys(m.kind for m in matched))
    outcomes = 0 if already else sum(len(m.outcomes) for m in matched)
    findings = [f for m in matched for f in m.findings]
    notes = [n for r in records if isinstance(r, Remit835) for n in provider_notes(r)]
    return LoadedFile(path, kind, plan_id, outcomes, already, findings, notes)


def provider_notes(remit: Remit835) -> list[str]:
    """The 835's provider-level adjustments (PLB), each in words, and why the check's
    total is not the claims' paid. The payer's reference is left out: it may name a claim."""
    if not remit.provider_adjustments:
        return []
    paid = sum((c.paid for c in remit.claims), Decimal(0))
    taken = sum((a.amount for a in remit.provider_adjustments), Decimal(0))
    lines = [
        f"835 {remit.envelope.path.name} (check or EFT {remit.trace}): the payer adjusted the "
        f"payment for the provider as a whole, not for a claim: {a.reason} {a.meaning}, "
        f"{-a.amount:+.2f}"
        for a in remit.provider_adjustments
    ]
    balance = paid - taken
    lines.append(f"835 {remit.envelope.path.name}: the claims' paid {paid:.2f} "
                 f"{-taken:+.2f} in provider-level adjustments = {balance:.2f}"
                 + ("" if balance == remit.total_paid else f"; the payment says "
                    f"{remit.total_paid:.2f}: ask the payer about the difference"))  # fmt: skip
    return lines


def _interchange_day(path: Path) -> str | None:
    """ISA09 (YYMMDD) as an ISO date: no file made after the response answers it."""
    head = Path(path).read_bytes()[:106].decode("latin-1")
    isa = head.split(head[3]) if head.startswith("ISA") and len(head) > 3 else []
    try:
        return datetime.strptime(isa[9], "%y%m%d").date().isoformat() if len(isa) > 9 else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ClaimsStatusRequest:
    """``ecmx claims status [--period P] [--plan PLAN|all] [--report FILE]``."""

    workspace: Path | None
    period: str | None = None
    plan: str = "all"
    report: Path | None = None  # .json, .csv or .xlsx
    show_values: bool = False
    force: bool = False  # replace an existing report


@dataclass
class ClaimsStatusResult:
    rows: list[dict]
    totals: dict[str, dict[str, Decimal]]
    notes: list[str]
    exit_code: int = EXIT_OK


def run_claims_status(request: ClaimsStatusRequest, *,
                      progress: Progress = no_progress) -> ClaimsStatusResult:  # fmt: skip
    from ecmx.core.ledger.outcomes import outcomes_for
    from ecmx.core.reports.claims_status_report import (
        check_status_report_path,
        write_status_report,
    )

    if request.workspace is None:
        raise InputError(NO_WORKSPACE.format(command="status"))
    if request.report is not None:
        check_status_report_path(request.report)
    notes: list[str] = []
    plan = None if request.plan == "all" else request.plan
    files = billed_files(request.workspace, request.period, plan, notes)
    if not files:
        notes.append("no 837P billed in this workspace" + (f" for {request.period}"
                     if request.period else "") + (f" to {plan}" if plan else ""))  # fmt: skip
    outcomes = outcomes_for(request.workspace, [f.file_id for f in files])
    report = status_rows(files, outcomes, request.show_values)
    report.rows = masked_rows(report.rows, request.show_values)
    notes = [masked_text(note, request.show_values) for note in notes]
    if request.report is not None:
        meta = {"command": "claims status", "period": request.period or "all",
                "plan": request.plan}  # fmt: skip
        write_status_report(report, meta, request.report, force=request.force,
                            show_values=request.show_values)  # fmt: skip
        notes.append(f"wrote {request.report}")
    return ClaimsStatusResult(report.rows, report.totals, notes)
