"""Which files of a plan's server ``fetch`` keeps (core/delivery/patterns.py), the plan
config's ``delivery:`` block, and the response reader (core/delivery/responses.py)."""

from __future__ import annotations

from datetime import date

from ecmx.core.dataset.provider import Provider
from ecmx.core.delivery.patterns import RESPONSE, fetch_patterns, kind_of
from ecmx.core.delivery.responses import read_response

PROVIDER = Provider(
    "Sunrise Community Health", "1234567893", "12-3456789",
    details={"plans": {"healthnet": {"file_prefix": "SUNRISE_HN"}, "myplan": {}}},
)  # fmt: skip


def patterns_of(registry, plan_id):
    plan = registry.plan(plan_id)
    inbound = [k for k in plan.files if registry.file_kinds[k].direction == "from_plan"]
    return fetch_patterns(plan, PROVIDER, inbound)


def test_the_naming_template_makes_the_patterns_and_gives_the_date_back(plugins):
    found = {p.kind: p for p in patterns_of(plugins[1], "healthnet")}
    assert found["mif"].globs == ("SUNRISE_HN_ECM_MIF_*.xlsx",)
    assert found["mini_mif"].globs == ("SUNRISE_HN_ECM_miniMIF_*.xlsx",)
    kinds = list(found.values())
    mif = kind_of("sunrise_hn_ecm_mif_20251203.XLSX", kinds)  # case is ignored
    assert mif is not None and mif.kind == "mif"
    assert mif.production_date("SUNRISE_HN_ECM_MIF_20251203.xlsx") == date(2025, 12, 3)
    assert mif.production_date("SUNRISE_HN_ECM_MIF_2025-12.xlsx") is None
    assert kind_of("SUNRISE_HN_ECM_miniMIF_20251210.xlsx", kinds).kind == "mini_mif"
    assert kind_of("SUNRISE_HN_ECM_RTF_20251203_Response.csv", kinds).kind == RESPONSE
    assert kind_of("SUNRISE_HN_ECM_RTF_20251203.xlsx", kinds) is None  # our own file
    assert kind_of("OTHER_ECM_MIF_20251203.xlsx", kinds) is None


def test_partnership_names_with_spaces_and_its_own_date_order(plugins):
    found = {p.kind: p for p in patterns_of(plugins[1], "partnership")}
    name = "Sunrise Community Health_ECM - TEL_12102025.xlsx"
    assert found["tel"].globs == ("Sunrise Community Health_ECM - TEL_*.xlsx",)
    assert kind_of(name, list(found.values())).kind == "tel"
    assert found["tel"].production_date(name) == date(2025, 12, 10)


def test_a_plan_config_overrides_the_patterns_and_the_response_layout(plugins_with, tmp_path):
    _, registry = plugins_with({"myplan.yaml": """\
id: myplan
name: My Plan
extends: healthnet_family
delivery:
  fetch:
    mif: {patterns: ["MIF-*.txt"], source: my-plan-guide}
  responses:
    source: my-plan-guide
    patterns: ["*.ack"]
    format: csv
    columns: {file: Name, status: Result}
    statuses: {accepted: [OK], declined: [NOK]}
"""})  # fmt: skip
    kinds = patterns_of(registry, "myplan")
    assert kind_of("mif-0001.TXT", kinds).kind == "mif"
    assert kind_of("SUNRISE_HN_ECM_MIF_20251203.xlsx", kinds) is None
    assert kind_of("x.ack", kinds).kind == RESPONSE
    assert kind_of("x_response.csv", kinds) is None
    spec = registry.plan("myplan").delivery.responses
    # dicts merge deeply: reason and date are inherited; a file without them still reads
    assert (spec.columns["file"], spec.columns["status"], spec.accepted, spec.declined) == (
        "Name",
        "Result",
        ("OK",),
        ("NOK",),
    )
    ack = tmp_path / "x.ack"
    ack.write_text("Name,Result\nA.xlsx,nok\n")
    answers, findings = read_response(ack, spec, "myplan")
    assert [(a.file, a.status, a.reason) for a in answers] == [("A.xlsx", "declined", "")]
    assert findings == []


def test_a_delivery_block_without_provenance_is_refused(config_problems):
    problems = config_problems({"myplan.yaml": """\
        id: myplan
        name: My Plan
        extends: healthnet_family
        delivery:
          fetch:
            mif: {patterns: ["MIF-*.txt"]}
        """})  # fmt: skip
    assert problems and any("delivery" in line for line in problems)


def test_the_response_reader_reads_each_row_and_finds_what_it_cannot(plugins, tmp_path):
    spec = plugins[1].plan("healthnet").delivery.responses
    path = tmp_path / "r.csv"
    path.write_text(
        "\ufeffFile Name,Status,Reason,Date\r\n"
        "C:\\\\out\\\\A.xlsx,accepted,,2025-12-05\r\n"
        "B.xlsx,Rejected,late,12/11/2025\r\n"
        "C.xlsx,Maybe,,\r\n",
        encoding="utf-8",
    )
    answers, findings = read_response(path, spec, "healthnet")
    assert [(a.row, a.file, a.status, a.reason, a.when) for a in answers] == [
        (2, "A.xlsx", "accepted", "", date(2025, 12, 5)),
        (3, "B.xlsx", "declined", "late", date(2025, 12, 11)),
    ]
    assert [(f.code, f.row) for f in findings] == [("P002", 4)]
    path.write_bytes(b"\x00\x01binary")
    answers, findings = read_response(path, spec, "healthnet")
    assert answers == [] and [f.code for f in findings] == ["P001"]
