"""docs/plans/<plan>.md: each built-in plan's page, generated from its config and never
stale; the page names every column, code, event and assumption, sources by title."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecmx.core.dataset.sample import generate
from ecmx.core.jobs.plans import PlansDocRequest, plan_doc_page
from ecmx.core.plans.doc import REGENERATE, builtin_docs, cell, code, main, plan_doc, write_docs

ROOT = Path(__file__).parents[2]
PAGES = ROOT / "docs" / "plans"
# A table row's cells: split on the pipes no backslash escapes.
_SEPARATOR = re.compile(r"(?<!\\)\|")


def row_cells(line: str) -> list[str]:
    return [c.strip() for c in _SEPARATOR.split(line.strip())[1:-1]]


@pytest.fixture(scope="module")
def expected():
    return builtin_docs()


def test_every_page_in_docs_plans_is_what_the_configs_generate(expected):
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in PAGES.glob("*.md")}
    missing = sorted(expected.keys() - on_disk.keys())
    left_over = sorted(on_disk.keys() - expected.keys())
    stale = sorted(n for n in expected.keys() & on_disk.keys() if on_disk[n] != expected[n])
    assert not missing, f"docs/plans/ has no page for {missing}: run `{REGENERATE}`"
    assert not left_over, f"docs/plans/{left_over} names no built-in plan: run `{REGENERATE}`"
    assert not stale, f"docs/plans/{stale} is stale: run `{REGENERATE}`"


def test_there_is_one_page_per_built_in_plan_and_the_index_links_each(plugins, expected):
    ids = sorted(p.id for p in plugins[1].concrete_plans())
    assert sorted(expected) == [f"{i}.md" for i in ids]
    index = (ROOT / "docs" / "plans.md").read_text(encoding="utf-8")
    for name in expected:
        assert f"](plans/{name})" in index, f"docs/plans.md does not link plans/{name}"


def test_a_page_names_every_column_code_event_billing_rule_and_assumption(plugins):
    registry = plugins[1]
    plan = registry.plan("partnership")
    page = plan_doc(plan, registry.file_kinds)
    for kind, file in plan.files.items():
        for layout in file.versions:
            assert f"#### {kind} layout {layout.version}: in force from {layout.effective}" in page
            rows = _layout_rows(page, kind, layout.version)
            assert [r[1] for r in rows] == [cell(c.header) for c in layout.columns]
    for name, code_list in plan.codes.items():
        assert f"### {code(name)}" in page
        for key in code_list.values:
            assert f"| {code(key)} |" in page
    for event in plan.calendar.events:
        assert f"| {code(event.name)} | {cell(event.title)} |" in page
        assert event.describe() in page
    for key, _ in plan.billing_facts:
        assert f"| {code(key)} |" in page
    for path, _ in plan.assumptions():
        assert f"| {code(path)} |" in page
    assert f"{len(plan.assumptions())} value(s) are assumed" in page


def _layout_rows(page: str, kind: str, version: str) -> list[list[str]]:
    """The column rows of one layout's table."""
    after = page.split(f"#### {kind} layout {version}:")[1]
    table = after.split("\n\n")[2]
    return [row_cells(line) for line in table.splitlines()[2:]]


def test_sources_are_shown_by_title_never_by_id(plugins):
    registry = plugins[1]
    plan = registry.plan("healthnet")
    page = plan_doc(plan, registry.file_kinds)
    for source in plan.sources.values():
        assert f"{source.id}:" not in page, source.id
    assert "| Enhanced Care Management End-to-End Process | Health Net |" in page
    # a latest layout runs on; an earlier one ends the day before the next takes effect
    assert "#### rtf layout 2022.1: in force from 2022-01-01 to 2025-06-30" in page
    assert "#### rtf layout 2025.7: in force from 2025-07-01 (the latest)" in page


def test_the_pages_are_the_same_bytes_every_time(plugins, expected):
    assert builtin_docs(plugins[1]) == expected
    assert all(text.endswith("\n") and not text.endswith("\n\n") for text in expected.values())


PIPED = """\
id: myplan
name: My Plan
extends: healthnet
mcp:
  name: {value: My Plan, source: "my-contract: exhibit B"}
  identifier: {value: MYPLAN, assumed: true}
files:
  otf:
    versions:
      - version: "2026.1"
        effective: "2026-01-01"
        source: "my-contract: exhibit C"
        columns:
          - {header: "Member CIN | ID", field: cin, required: true, source: "my-contract: row 1"}
          - {header: Outreach Date, field: attempt_date, assumed: true, note: "a | b `c`"}
"""


def test_a_pipe_in_a_value_is_escaped_and_keeps_the_table_whole(plugins_with):
    _, registry = plugins_with({"myplan.yaml": PIPED})
    page = plan_doc(registry.plan("myplan"), registry.file_kinds)
    rows = _layout_rows(page, "otf", "2026.1")
    assert [len(r) for r in rows] == [8, 8]
    assert rows[0][1] == "Member CIN \\| ID"
    assert rows[0][7] == "My Plan ECM contract (row 1)"  # its own sources.yaml, by title
    assert rows[1][7] == "assumed"
    [note] = [line for line in page.splitlines() if "files.otf.versions[0].columns[1]" in line]
    assert row_cells(note) == [
        code("files.otf.versions[0].columns[1]"),
        "Outreach Date - a \\| b `c`",
    ]


def test_cell_and_code_keep_markdown_intact():
    assert cell("a | b\nc") == "a \\| b c"
    assert cell("") == "-"
    assert code("x_y") == "`x_y`"
    assert code("a `b` c") == "`` a `b` c ``"


def test_the_generator_writes_missing_pages_and_removes_left_over_ones(tmp_path):
    (tmp_path / "gone.md").write_text("old", encoding="utf-8")
    (tmp_path / "a.md").write_text("same\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("kept", encoding="utf-8")
    changed = write_docs(tmp_path, {"a.md": "same\n", "b.md": "new\n"})
    assert changed == [f"removed {tmp_path / 'gone.md'}", f"wrote {tmp_path / 'b.md'}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.md", "notes.txt"]
    assert write_docs(tmp_path, {"a.md": "same\n", "b.md": "new\n"}) == []


def test_the_generator_command_refuses_other_arguments(capsys):
    assert main(["docs/plans"]) == 2
    assert REGENERATE in capsys.readouterr().err


def test_a_page_is_config_only_no_member_or_provider_data(expected):
    """A page is made from the plan alone: nothing of a dataset or provider.yaml gets in."""
    sample = generate(members=12, seed=3, period="2025-11")
    secrets = [m["cin"] for m in sample.tables["members"]]
    secrets += [m["last_name"] for m in sample.tables["members"]]
    secrets += [sample.provider["facility_name"], sample.provider["npi"]]
    for name, text in expected.items():
        assert not [s for s in secrets if str(s) in text], name


def test_the_job_returns_the_page_without_a_command_line(plugins, expected, tmp_path):
    result = plan_doc_page(PlansDocRequest("chwp"), plugins=plugins)
    assert (result.text, result.written) == (expected["chwp.md"], None)
    target = tmp_path / "chwp.md"
    written = plan_doc_page(PlansDocRequest("chwp", out=target), plugins=plugins)
    assert written.written == target
    assert target.read_bytes() == expected["chwp.md"].encode("utf-8")
