"""The finding catalogue: every code declared once, every finding built from it, the docs
generated from it and never stale."""

from __future__ import annotations

import ast
import datetime as dt
import math
import re
from pathlib import Path

import pytest

from ecmx.core.billing.claim_fields import member_findings
from ecmx.core.checks.catalogue import LAYERS, REGENERATE, catalogue, findings_doc, title
from ecmx.core.checks.code_details import DETAILS
from ecmx.core.checks.codes import D101, D201, K013
from ecmx.core.checks.findings import SEVERITIES
from ecmx.core.checks.rules import MERGED_CODES
from ecmx.core.errors import ConfigError
from ecmx.core.hooks.registry import Registry

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "findings.md"
CODE = re.compile(r"^[A-Z][0-9]{3}$")


def documented_codes() -> dict[str, list[str]]:
    """The table rows of docs/findings.md by code: [severity, layer, title, hint, source]."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if CODE.match(cells[0]):
            rows[cells[0]] = cells[1:]
    return rows


def test_docs_findings_md_is_what_the_catalogue_generates(plugins):
    expected = findings_doc(plugins[1])
    assert DOC.read_text(encoding="utf-8") == expected, (
        f"docs/findings.md is stale: run `{REGENERATE}`"
    )


def test_the_doc_lists_every_catalogue_code_and_no_other(plugins):
    entries = catalogue(plugins[1])
    rows = documented_codes()
    assert set(rows) == set(entries)
    for code, entry in entries.items():
        assert rows[code][:3] == [entry.severity, entry.layer, entry.title], code


def test_every_code_the_code_base_names_is_in_the_catalogue(plugins):
    """A code written anywhere in core/ or plugins/ (a string like "D101") is declared, or
    is a retired code a plan's rules: is told to rename (MERGED_CODES)."""
    known = set(catalogue(plugins[1])) | set(MERGED_CODES)
    named = {}
    for folder in ("core", "plugins"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                text = node.value if isinstance(node, ast.Constant) else None
                if isinstance(text, str) and CODE.match(text):
                    named.setdefault(text, f"{path.relative_to(ROOT)}:{node.lineno}")
    unknown = {code: where for code, where in named.items() if code not in known}
    assert not unknown, f"codes raised but not in the catalogue (core/checks/codes.py): {unknown}"
    assert {"D101", "F004", "X001", "K013", "L001"} <= set(named)  # the scan does find codes


def test_every_code_is_explained_in_full_and_has_a_known_layer_and_severity(plugins):
    entries = catalogue(plugins[1])
    assert set(DETAILS) == set(entries)
    for code, entry in entries.items():
        assert entry.layer in LAYERS, code
        assert entry.severity in SEVERITIES, code
        assert entry.title, code
        assert entry.hint or entry.severity == "info", code


def test_a_rule_reusing_a_stage_code_is_a_config_error(plugins):
    registry = Registry()
    registry.rules = {**plugins[1].rules, "D101": plugins[1].rules["L001"]}
    with pytest.raises(ConfigError, match="rule 'D101' reuses a code of ecmx's own stages"):
        catalogue(registry)


def test_a_plan_may_name_a_stage_code_only_when_its_findings_pass_the_overrides(plugins):
    known = plugins[1].known_codes()
    assert {"D101", "F010", "X001", "C001", "N001", "L001", "B004"} <= known
    assert not {"D001", "D002", "K013"} & known


def test_a_summary_labels_stage_codes_and_rules_by_their_title():
    assert title("D201") == "member listed twice"
    assert title("L001") == "required column blank"
    assert title("Z999") == ""


# ------------------------------------------------------------------ building a finding


def test_a_finding_takes_severity_hint_and_source_from_its_code_unless_its_site_knows_better():
    plain = D201.finding("member_id appears more than once in members")
    assert (plain.severity, plain.code, plain.hint, plain.source) == (
        "error",
        "D201",
        D201.hint,
        "",
    )
    graded = K013.finding("cut", severity="warning", hint="", source="")
    assert (graded.severity, graded.hint, graded.source) == ("warning", "", "")


def test_a_finding_at_a_cell_names_file_sheet_row_column_and_cell():
    found = D101.at_cell(
        "required status is blank",
        file=Path("book.xlsx"),
        sheet="Enrollments",
        row=7.0,
        column="status",
        letter="B",
        member_id=math.nan,  # a blank member_id cell as pandas holds it
    )
    assert (found.file, found.sheet, found.row, found.column, found.cell) == (
        "book.xlsx",
        "Enrollments",
        7,
        "status",
        "Enrollments!B7",
    )
    assert found.member_id == ""
    assert found.line() == (
        "error D101 book.xlsx, Enrollments!B7, column 'status': required status is blank "
        "(fill the cell)"
    )


def member(member_id="M1", cin="91234567A", **values) -> dict:
    names = {"first_name": "Ana", "last_name": "Sampleton", "dob": dt.date(1980, 1, 2)}
    return {"member_id": member_id, "cin": cin, "plan": "healthnet", **names, **values}


def test_a_finding_in_the_dataset_is_located_in_the_sheet_the_user_opens(make_dataset):
    dataset = make_dataset(
        members=[member()], enrollments=[{"member_id": "M1", "status": "enrolled"}]
    )
    found = D201.in_dataset(dataset, "members", "cin", 2, "twice", member_id="M1")
    assert (found.file, found.sheet, found.cell, found.member_id) == (
        str(dataset.source),
        "members",
        "members!B2",
        "M1",
    )


def test_k013_names_the_member_cell_an_837p_cannot_carry(make_dataset):
    dataset = make_dataset(
        members=[
            member(address="1 Main St", city="Fresno", state="Calif", zip="93721"),
            member("M2", "91234568A", state="Calif"),  # not billed this period: not checked
        ],
        enrollments=[{"member_id": "M1", "status": "enrolled"}],
    )
    [found] = member_findings(dataset, "healthnet", ["M1"], "cin", "*:^~")
    assert (found.code, found.severity, found.cell, found.member_id, found.kind) == (
        "K013",
        "error",
        "members!I2",
        "M1",
        "claims",
    )
    assert found.message == (
        "N402 state is not a two-letter US state code (CA); this member's claim is held back"
    )
    assert found.value == "Calif"
    assert found.source == K013.source
