"""``ecmx plans doc PLAN [--out FILE] [--force]``: a plan's page, built-in or YAML-only."""

from __future__ import annotations

from pathlib import Path

import pytest

PAGES = Path(__file__).parents[2] / "docs" / "plans"

MYPLAN = """\
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
          - {header: Member CIN, field: cin, required: true, source: "my-contract: exhibit C, row 1"}
          - {header: Outreach Date, field: attempt_date, assumed: true, note: "confirm the header"}
"""
SOURCES = """\
sources:
  my-contract:
    title: My Plan ECM contract
    publisher: My Plan
    date: "2025-01-01"
    where: the provider's contract with My Plan
    plans: [myplan]
"""


@pytest.fixture
def plans_dir(tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "myplan.yaml").write_text(MYPLAN, encoding="utf-8")
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    return folder


@pytest.mark.parametrize("plan", ["healthnet", "partnership"])
def test_plans_doc_prints_the_page_docs_plans_holds(cli, plan):
    run = cli("plans", "doc", plan)
    assert run.code == 0, run.err
    assert run.out == (PAGES / f"{plan}.md").read_text(encoding="utf-8")
    assert run.err == ""


def test_plans_doc_documents_a_yaml_only_plan_of_a_plans_dir(cli, plans_dir):
    run = cli("--plans-dir", plans_dir, "plans", "doc", "myplan")
    assert run.code == 0, run.err
    page = run.out
    assert page.startswith("<!-- generated from the plan config by `ecmx plans doc myplan`")
    assert "# My Plan (`myplan`)" in page
    assert "#### otf layout 2026.1: in force from 2026-01-01 (the latest)" in page
    assert "Layout source: My Plan ECM contract (exhibit C). 2 columns:" in page
    assert (
        "| 1 | Member CIN | `cin` | yes | text | - | - | My Plan ECM contract (exhibit C, row 1) |"
        in page
    )
    assert "| 2 | Outreach Date | `attempt_date` | no | date | - | - | assumed |" in page
    # inherited from healthnet: its rtf layouts, and its facts taken as assumed for My Plan
    assert "#### rtf layout 2025.7: in force from 2025-07-01 (the latest)" in page
    assert "| `files.otf.versions[0].columns[1]` | Outreach Date - confirm the header |" in page
    assert "| My Plan ECM contract | My Plan | 2025-01-01 |" in page


def test_plans_doc_out_writes_the_page_and_never_overwrites_without_force(cli, tmp_path):
    target = tmp_path / "healthnet.md"
    expected = (PAGES / "healthnet.md").read_text(encoding="utf-8")

    run = cli("plans", "doc", "healthnet", "--out", target)
    assert run.code == 0, run.err
    assert run.out == ""
    assert f"wrote {target}" in run.err
    assert target.read_text(encoding="utf-8") == expected

    target.write_text("mine", encoding="utf-8")
    again = cli("plans", "doc", "healthnet", "--out", target)
    assert again.code == 2
    again.one_error_line(str(target), "exists already", "--force")
    assert target.read_text(encoding="utf-8") == "mine"

    forced = cli("plans", "doc", "healthnet", "--out", target, "--force")
    assert forced.code == 0, forced.err
    assert target.read_text(encoding="utf-8") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["healthnet.md"]  # no temporary left


def test_plans_doc_user_errors_are_one_line(cli, tmp_path):
    unknown = cli("plans", "doc", "healthnot")
    assert unknown.code == 2
    unknown.one_error_line("unknown plan 'healthnot'", "did you mean", "healthnet")

    missing = tmp_path / "no-such-folder" / "page.md"
    run = cli("plans", "doc", "healthnet", "--out", missing)
    assert run.code == 2
    run.one_error_line("cannot write", "does not exist")
    assert not missing.parent.exists()
