"""Where a plan's facts come from, and whose identity its files carry (issue 11, points 9, 11, 12).

A plan from YAML alone that extends Health Net bills and reports under its own name, never
Health Net's; every fact of a plan whose source does not speak for that plan is listed as
assumed; users read sources by title; due dates on weekends and holidays say so.
"""

from __future__ import annotations

import json
import re
import textwrap

import openpyxl
import pytest
import yaml

from ecmx.core.plans.provenance import builtin_sources, citation_texts, parse, source_paths

KIN = """\
id: kinplan
name: Kin Health Plan
extends: healthnet
"""
HEALTH_NET = re.compile(r"health\s*net", re.IGNORECASE)


@pytest.fixture(scope="module")
def kin_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kinplans")
    (folder / "kinplan.yaml").write_text(KIN, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def kin_data(kit, samples, tmp_path_factory):
    """The CSV sample with Health Net's members moved to kinplan."""
    data = kit.copy_csv_sample(samples, tmp_path_factory.mktemp("kin") / "data")
    members = kit.read_csv(data / "members.csv")
    for member in members:
        if member["plan"] == "healthnet":
            member["plan"] = "kinplan"
    kit.write_csv(data / "members.csv", members)
    provider = kit.load_yaml(data / "provider.yaml")
    provider["plans"]["kinplan"] = {"file_prefix": "SUNRISE_KIN", "payer_id": "99KIN"}
    (data / "provider.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")
    return data


def test_plans_check_says_what_the_child_plan_must_set(cli, kin_dir):
    run = cli("--plans-dir", kin_dir, "plans", "check")
    assert run.code == 0, run.err
    lines = [line for line in run.err.splitlines() if "kinplan.yaml" in line]
    paths = {re.search(r"kinplan\.yaml: (\S+):", line).group(1) for line in lines}
    assert paths == {"mcp.identifier", "mcp.name", "billing.payer_name"}
    assert all("not taken from healthnet" in line for line in lines)
    assert any("(now 'Kin Health Plan', assumed)" in line for line in lines)


def test_the_childs_rtf_and_837p_never_carry_health_nets_identity(cli, kit, kin_dir, kin_data):
    out = kin_data.parent / "out"
    run = cli(
        "--plans-dir", kin_dir, "convert", kin_data, "--plan", "kinplan", "--kind", "rtf",
        "--period", "2025-11", "--out", out, "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 0, run.err
    [rtf] = out.iterdir()
    _, rows = kit.calamine_sheet(rtf)
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert body
    assert {r["MCP Name"] for r in body} == {"Kin Health Plan"}
    assert {r["Primary Payer (MCP) Identifier"] for r in body} == {"KINPLAN"}
    assert not any(HEALTH_NET.search(str(cell)) for row in rows for cell in row)

    claims = kin_data.parent / "claims"
    run = cli(
        "--plans-dir", kin_dir, "claims", kin_data, "--plan", "kinplan", "--period", "2025-11",
        "--out", claims, "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code in (0, 1), run.err
    [x12] = [p for p in claims.iterdir() if p.suffix.lower() not in (".json", ".lock")]
    text = x12.read_text(encoding="ascii")
    assert not HEALTH_NET.search(text)
    segments = [s.split("*") for s in text.split("~")]
    payers = [s for s in segments if s[:2] in (["NM1", "PR"], ["NM1", "40"])]
    assert payers and all(s[3] == "KIN HEALTH PLAN" for s in payers)


# ----------------------------------------------------------------------------- sources


def test_every_source_a_plan_config_cites_is_in_the_sources_list(registry):
    sources = builtin_sources()
    assert {s.id for s in sources.values()} == set(sources)
    for plan in registry.plans.values():
        for path, value in source_paths(plan.data):
            for text in citation_texts(value):
                assert parse(text).source_id in sources, (plan.id, path, text)


def test_a_fact_is_sourced_only_for_the_plans_its_source_speaks_for(registry):
    """Every fact left with a source cites only sources that speak for the plan; the
    others are assumed for it, and --assumptions lists them."""
    sources = builtin_sources()
    for plan in registry.concrete_plans():
        assumed = dict(plan.assumptions())
        for path, value in source_paths(plan.data):
            for text in citation_texts(value):
                assert sources[parse(text).source_id].speaks_for(plan.id), (plan.id, path)
        # what another plan's page states is listed with that page's title
        taken = [(p, n) for p, n in assumed.items() if "taken from" in n]
        for path, note in taken:
            assert "does not speak for " + plan.name in note, (plan.id, path)


def assumptions_of(cli, plan_id) -> str:
    run = cli("plans", "show", plan_id, "--assumptions")
    assert run.code == 0, run.err
    return re.sub(r"\s+", " ", re.sub(r"[│┃]", " ", run.out))


def test_partnership_lists_what_it_takes_from_the_health_net_family_as_assumed(cli):
    text = assumptions_of(cli, "partnership")
    for path in (
        "codes.acuity.default",
        "codes.ecm_status.values.pending_outreach",
        "codes.ecm_status.values.declined",
        "billing.one_time_outreach",
    ):
        assert path in text
    assert "taken from CalAIM Resources for Providers and CalAIM FAQ" in text
    assert "seed 00" not in text and "domain.md" not in text


def test_health_net_lists_the_discontinuation_codes_of_partnerships_faq_as_assumed(cli):
    text = assumptions_of(cli, "healthnet")
    for key in ("no_longer_wishes", "unable_to_contact", "member_declined"):
        assert f"codes.discontinuation_reason.values.{key}" in text
    assert "taken from CalAIM: Enhanced Care Management (ECM) Frequently Asked Questions" in text
    # Health Net's own page states status 1 and the acuity default: not assumed
    assert "codes.ecm_status.values.pending_outreach " not in text
    assert "codes.acuity.default " not in text
    assert "seed 00" not in text and "domain.md" not in text


def test_every_layout_header_that_no_plan_publishes_is_listed_as_assumed(registry, cli):
    """No plan publishes its templates: every header of every plan is assumed and listed."""
    for plan in registry.concrete_plans():
        assumed = dict(plan.assumptions())
        for kind, file in plan.files.items():
            for v_index, layout in enumerate(file.versions):
                for c_index, column in enumerate(layout.columns):
                    path = f"files.{kind}.versions[{v_index}].columns[{c_index}]"
                    assert column.assumed and path in assumed, (plan.id, path, column.header)
    text = assumptions_of(cli, "healthnet")
    assert "files.rtf.versions[0].columns[0] Primary Payer (MCP) Identifier" in text


def test_plans_show_names_sources_by_title(cli):
    run = cli("plans", "show", "healthnet")
    assert run.code == 0, run.err
    assert "CalAIM Resources for Providers and CalAIM FAQ" in run.out
    assert "seed 00" not in run.out and "hn-calaim-resources" not in run.out


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "seed 004 FAQ: disenroll codes",
            "'seed 004 FAQ: disenroll codes' is the old citation form: write 'SOURCE-ID: "
            "section' with an id of the sources list (here: phc-ecm-faq)",
        ),
        ("hn-calaim-resource: FAQ", "unknown source 'hn-calaim-resource' (did you mean "),
        ("domain.md RTF columns", "cites domain.md, which is no public source"),
        ("Contract exhibit C", "'Contract exhibit C' names no source"),
    ],
)
def test_a_source_that_names_no_entry_of_the_list_is_one_precise_line(
    cli, tmp_path, source, expected
):
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "kinplan.yaml").write_text(
        KIN + f"rules:\n  B005: {{severity: error, source: {source!r}}}\n", encoding="utf-8"
    )
    run = cli("--plans-dir", folder, "plans", "check")
    assert run.code == 1
    [line] = [x for x in run.error_lines() if "kinplan.yaml" in x]
    assert "kinplan.yaml: rules.B005.source: " in line
    assert expected in line


def test_a_plans_dir_may_list_its_own_sources(cli, tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "sources.yaml").write_text(
        textwrap.dedent(
            """\
            sources:
              kin-contract:
                title: Kin Health Plan ECM contract
                publisher: Kin Health Plan
                date: "2025-01-01"
                where: the provider's contract, exhibit C
                plans: [kinplan]
            """
        ),
        encoding="utf-8",
    )
    (folder / "kinplan.yaml").write_text(
        KIN + "rules:\n  B005: {severity: error, source: 'kin-contract: exhibit C'}\n",
        encoding="utf-8",
    )
    assert cli("--plans-dir", folder, "plans", "check").code == 0
    run = cli("--plans-dir", folder, "plans", "list")
    assert run.code == 0 and "kinplan" in run.out


# ----------------------------------------------------------------------------- due dates


def test_due_marks_a_date_on_a_holiday_with_its_name(cli, tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "kinplan.yaml").write_text(
        KIN
        + textwrap.dedent(
            """\
            calendar:
              events:
                report_due:
                  title: report due to Kin
                  file: rtf
                  party: provider
                  role: due
                  rule: {kind: day_of_month, days: [25]}
                  adjust: none
                  assumed: true
            """
        ),
        encoding="utf-8",
    )
    run = cli("--plans-dir", folder, "due", "--plan", "kinplan", "--today", "2025-12-20")
    assert run.code == 0, run.err
    [row] = [line for line in run.out.splitlines() if "2025-12-25" in line]
    assert "report due to Kin" in row and "Thu (Christmas Day)" in row
    [last_month] = [line for line in run.out.splitlines() if "2025-11-25" in line]
    assert "Tue " in last_month and "(" not in last_month.split("Tue")[1].split("│")[0]


# ----------------------------------------------------------------------------- hints


def made_file(kit, samples, out, kind: str):
    run = kit.invoke(
        "convert", samples["xlsx"], "--plan", "healthnet", "--kind", kind, "--period", "2025-11",
        "--out", out, "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 0, run.err
    [path] = list(out.iterdir())
    return path


def with_a_bad_cin(path, target):
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    [cin_column] = [c.column for c in sheet[1] if c.value == "Member Client Index Number (CIN)"]
    sheet.cell(row=2, column=cin_column, value="12345")
    book.save(target)
    return target


@pytest.mark.parametrize("kind", ["mif", "rtf"])
def test_a_hint_fits_who_made_the_file(cli, kit, samples, tmp_path, kind):
    """On the plan's MIF: ask the plan. On the provider's own RTF: fix it yourself."""
    made = made_file(kit, samples, tmp_path / "made", kind)
    bad = with_a_bad_cin(made, tmp_path / f"bad_{made.name}")
    report = tmp_path / "report.json"
    run = cli(
        "validate", bad, "--plan", "healthnet", "--kind", kind, "--period", "2025-11",
        "--report", report,
    )  # fmt: skip
    assert run.code == 1, run.err
    [l006] = [f for f in json.loads(report.read_text())["findings"] if f["code"] == "L006"]
    if kind == "mif":
        assert l006["hint"] == "ask Health Net for a corrected file"
    else:
        assert "ask" not in l006["hint"] and "copy the CIN" in l006["hint"]
