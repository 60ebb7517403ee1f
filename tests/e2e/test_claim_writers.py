"""Claim writers a plugin registers: ``ecmx claims --format NAME`` writes what the plugin
writes, names the file as the plan names its claim files, and a format nobody registered
is one clear line naming the registered ones (docs/plugins.md, docs/claims.md)."""

from __future__ import annotations

import csv
import re
import sys
import types
from pathlib import Path

import pytest

from ecmx.core.billing.claim_writers import BUILTIN_CLAIM_WRITERS, ClaimFile, ClaimWriter
from ecmx.core.errors import ConfigError
from ecmx.core.hooks import manager
from ecmx.core.hooks.registry import Registry
from ecmx.core.hookspecs import hookimpl

ROOT = Path(__file__).parents[2]
ARGS = ("--period", "2025-11", "--production-date", "2025-12-03")
HEADER = ["member_id", "service_date", "code", "modifiers", "charge"]


def write_lines(claim_file: ClaimFile, path: Path) -> None:
    """A toy claim writer: one CSV row per claim line."""
    assert claim_file.parties is None and claim_file.control is None  # not an X12 writer
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for claim in claim_file.claims:
            for line in claim.lines:
                out.writerow([claim.member["member_id"], line.service_date.isoformat(),
                              line.code, " ".join(line.modifiers), f"{line.charge:.2f}"])  # fmt: skip


LINES = ClaimWriter("lines", "Lines", ".csv", write_lines, "a CSV of claim lines")


@pytest.fixture
def with_module(monkeypatch):
    """``with_module(module)``: a plugin module, loaded with the built-ins as an installed
    package's would be (every command sees it)."""

    def install(module: types.ModuleType) -> None:
        monkeypatch.setitem(sys.modules, module.__name__, module)
        monkeypatch.setattr(manager, "BUILTIN_PLUGINS", (*manager.BUILTIN_PLUGINS, module.__name__))

    return install


@pytest.fixture
def with_writer(with_module):
    """``with_writer(writer)``: a plugin registering that claim writer."""

    def install(writer: ClaimWriter) -> None:
        module = types.ModuleType(f"ecmx_test_claim_writer_{len(sys.modules)}")

        def ecmx_register_formats(registry):
            registry.add_claim_writer(writer)

        module.ecmx_register_formats = hookimpl(ecmx_register_formats)
        with_module(module)

    return install


def rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_a_plugin_claim_writer_writes_one_file_per_plan(cli, samples, kit, tmp_path, with_writer):
    with_writer(LINES)
    assert "lines: a CSV of claim lines" in cli("claims", "--help").out
    out, invoices = tmp_path / "lines", tmp_path / "invoices"
    run = cli("claims", samples["csv"], "--plan", "all", "--out", out, "--format", "lines", *ARGS)
    assert run.code == 0, run.err
    assert "(Lines)" in run.out  # the summary's title names the writer's label
    assert cli("claims", samples["csv"], "--plan", "all", "--out", invoices,
               "--format", "invoice", *ARGS).code == 0  # fmt: skip
    # the plan's naming template, with the writer's label and suffix
    expected = sorted(p.name.replace("Invoice", "Lines").replace(".xlsx", ".csv")
                      for p in invoices.iterdir() if not p.name.startswith("."))  # fmt: skip
    written = sorted(p.name for p in out.iterdir())
    assert written == expected and len(written) == 5
    # the same lines as the invoice of the plan, charge for charge
    for name in written:
        header, *lines = rows(out / name)
        assert header == HEADER and lines
        _, sheet = kit.calamine_sheet(
            invoices / name.replace("Lines", "Invoice").replace(".csv", ".xlsx")
        )
        top = next(i for i, r in enumerate(sheet) if r and r[0] == "Claim")
        bottom = next(i for i, r in enumerate(sheet) if "Total" in r)
        charges = [f"{float(r[-1]):.2f}" for r in sheet[top + 1 : bottom]]
        assert [line[4] for line in lines] == charges
        assert [line[2] for line in lines] == [r[6] for r in sheet[top + 1 : bottom]]
    # no X12 control number was reserved for a writer that does not need one
    assert not list(tmp_path.glob(".lines*"))


def test_an_unknown_format_is_one_line_naming_the_registered_ones(cli, samples, tmp_path,
                                                                    with_writer):  # fmt: skip
    out = tmp_path / "out"
    run = cli("claims", samples["csv"], "--plan", "all", "--out", out, "--format", "837", *ARGS)
    assert run.code == 2
    line = run.one_error_line("'837'", "did you mean '837p'?")
    assert line.endswith("known formats: 837p, invoice")
    with_writer(LINES)
    run = cli("claims", samples["csv"], "--plan", "all", "--out", out, "--format", "tsv", *ARGS)
    assert run.code == 2
    assert run.one_error_line().endswith("known formats: 837p, invoice, lines")
    assert not out.exists()


def test_a_writer_for_a_channel_the_plan_does_not_take_writes_nothing(cli, samples, tmp_path,
                                                                       with_writer):  # fmt: skip
    with_writer(ClaimWriter("portal", "Portal", ".csv", write_lines, "a portal upload",
                            channel="portal"))  # fmt: skip
    out = tmp_path / "out"
    run = cli("claims", samples["csv"], "--plan", "healthnet", "--out", out,
              "--format", "portal", *ARGS)  # fmt: skip
    assert run.code == 2
    run.one_error_line("does not take Portal", "(it takes: 837p, invoice)", "choose another")
    assert not out.exists() or not list(out.iterdir())


def test_a_claim_writer_registered_twice_is_a_config_error():
    registry = Registry()
    for writer in BUILTIN_CLAIM_WRITERS:
        registry.add_claim_writer(writer)
    with pytest.raises(ConfigError, match="claim writer for format '837p' is registered twice"):
        registry.add_claim_writer(BUILTIN_CLAIM_WRITERS[0])


def test_the_plugin_guide_example_runs(cli, samples, tmp_path, with_module):
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    [example] = [b for b in re.findall(r"```python\n(.*?)```", guide, re.S)
                 if "add_claim_writer" in b]  # fmt: skip
    module = types.ModuleType("ecmx_test_guide_claim_writer")
    exec(compile(example, "docs/plugins.md", "exec"), module.__dict__)
    with_module(module)
    out = tmp_path / "claims"
    run = cli("claims", samples["csv"], "--plan", "healthnet", "--out", out,
              "--format", "lines", *ARGS)  # fmt: skip
    assert run.code == 0, run.err
    [written] = out.iterdir()
    assert "_ECM_Lines_" in written.name and written.suffix == ".csv"  # as the guide says
    header, *lines = rows(written)
    assert header == ["member_id", "service_date", "code", "charge"] and lines
