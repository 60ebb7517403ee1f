"""One check step for every command: a third-party ``ecmx_validate`` plugin's findings
show up in ``convert``, ``validate`` and ``claims`` alike (core/checks/step.py)."""

from __future__ import annotations

import json
import sys
import types

import pytest

from ecmx.core.checks.findings import WARNING, Finding
from ecmx.core.hooks import manager as plugins_module
from ecmx.core.hookspecs import hookimpl

PLAN = "healthnet"
COMMON = ("--plan", PLAN, "--period", "2025-11")
SEEN: list[tuple[str, str, int, bool]] = []  # (plan, kind, rows, has a dataset) per call


@pytest.fixture
def with_validator(monkeypatch):
    """A plugin module implementing only ``ecmx_validate``, loaded with the built-ins."""
    module = types.ModuleType("ecmx_test_validator_plugin")

    @hookimpl
    def ecmx_validate(plan, kind, frame, context):
        SEEN.append((plan.id, kind, len(frame), context.dataset is not None))
        if plan.id != PLAN:
            return None
        return [
            Finding(
                WARNING,
                "P201",
                f"a test validator checked {len(frame)} {kind} rows",
                plan=plan.id,
                kind=kind,
                source="a test validator",
            )
        ]

    module.ecmx_validate = ecmx_validate
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(
        plugins_module, "BUILTIN_PLUGINS", (*plugins_module.BUILTIN_PLUGINS, module.__name__)
    )
    SEEN.clear()
    yield SEEN


def p201(report) -> list[dict]:
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    return [f for f in findings if f["code"] == "P201"]


def test_a_plugin_validator_reports_in_convert_validate_and_claims(
    cli, samples, tmp_path, with_validator
):
    dataset = samples["csv"]
    files, claims = tmp_path / "files", tmp_path / "claims"
    made = ("--production-date", "2025-12-03")
    run = cli(
        "convert", dataset, *COMMON, "--kind", "rtf", "--out", files, *made,
        "--report", tmp_path / "convert.json",
    )  # fmt: skip
    assert run.code == 0, run.err  # a warning does not block
    [converted] = p201(tmp_path / "convert.json")
    assert converted["kind"] == "rtf" and converted["source"] == "a test validator"
    [rtf] = list(files.iterdir())

    run = cli(
        "validate", rtf, *COMMON, "--kind", "rtf", "--dataset", dataset,
        "--report", tmp_path / "validate.json",
    )  # fmt: skip
    assert run.code == 0, run.err
    [validated] = p201(tmp_path / "validate.json")
    assert validated["message"] == converted["message"]  # the same rows, read back

    run = cli(
        "claims", dataset, *COMMON, "--out", claims, *made, "--report", tmp_path / "claims.json"
    )
    assert run.code == 0, run.err
    [billed] = p201(tmp_path / "claims.json")
    assert billed["kind"] == "claims"
    assert "P201" in run.err  # on the terminal too
    kinds = {kind for plan, kind, _, with_dataset in with_validator if plan == PLAN}
    assert kinds == {"rtf", "claims"}
    assert all(with_dataset for *_, with_dataset in with_validator)
