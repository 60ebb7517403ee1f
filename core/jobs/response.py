"""``response``: a plan's response file that came another way (secure email), read as the
plan's ``delivery.responses`` says and recorded against the files sent, as ``fetch`` does
for one it downloads. A response read twice is recorded once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ecmx.core.checks.findings import Finding
from ecmx.core.errors import EXIT_FINDINGS, EXIT_OK, InputError
from ecmx.core.jobs.common import Progress, no_progress, plugins_for
from ecmx.core.storage.limits import regular_file


@dataclass(frozen=True)
class ResponseRequest:
    """``ecmx response FILE --plan PLAN``."""

    file: Path
    plan: str
    plans_dirs: tuple[Path, ...] = ()
    workspace: Path | None = None


@dataclass
class ResponseResult:
    answers: list[dict] = field(default_factory=list)  # one per row read
    findings: list[Finding] = field(default_factory=list)
    exit_code: int = EXIT_OK


def run_response(
    request: ResponseRequest, *, plugins=None, progress: Progress = no_progress
) -> ResponseResult:
    from ecmx.core.delivery.patterns import RESPONSE
    from ecmx.core.delivery.responses import read_response
    from ecmx.core.jobs.fetch_files import record_answer_rows
    from ecmx.core.ledger.inbox import received_with_hash
    from ecmx.core.ledger.records import record_received, sha256_of

    if request.workspace is None:
        raise InputError(
            "ecmx response records the plan's answers in a workspace's ledger, and there is "
            "none here: run `ecmx init DIR` (or pass --workspace DIR)"
        )
    _, registry = plugins_for(request, plugins)
    plan = registry.plan(request.plan)
    if plan.delivery.responses is None:
        raise InputError(f"{plan.id}: its plan config has no delivery.responses to read it with")
    path = regular_file(request.file, f"response file from {plan.name}")
    progress(f"reading {path.name}", 0, 0)
    result = ResponseResult()
    answers, result.findings = read_response(path, plan.delivery.responses, plan.id)
    seen = received_with_hash(request.workspace, plan.id, sha256_of(path))
    if seen is not None and seen["kind"] == RESPONSE:
        response_id = int(seen["id"])  # this response was read before: the same row
    else:
        response_id = record_received(request.workspace, plan.id, RESPONSE, path)
    record_answer_rows(request.workspace, plan.id, response_id, path, answers, result)
    if any(f.severity == "error" for f in result.findings):
        result.exit_code = EXIT_FINDINGS
    return result
