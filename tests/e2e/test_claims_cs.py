"""Community Supports (CS) lines billed by ``ecmx claims`` as a user runs it (issue 17).

Seed 002 (Health Net, CalViva, CHPIV): CS services need an approved authorization before
they are rendered and billed, and CS outreach is not billable. A CS line is an encounter
with ``cs_service``: billed with its own code, or refused with a finding at its row.
Every 837P is read back segment by segment and checked by pyx12; invoices with calamine.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.e2e.test_claims import (
    SETTINGS,
    a_member,
    an_encounter,
    check_accounting,
    claim_file_name,
    claims_argv,
    invoice_lines,
    lines_by_member,
    segments,
    the_provider,
    write_dataset,
)
from tests.pyx12_check import pyx12_accepts

MEMBERS = [a_member(f"M{n}", n) for n in range(1, 7)]
# one row per member and CS service, as the CSASF and the provider's records give them
SUPPORTS = [
    {"member_id": "M1", "service": "medically_tailored_meals", "status": "authorized",
     "authorization_number": "CS0001", "authorization_start": "2025-11-01",
     "authorization_end": "2025-11-30", "units_authorized": "20"},
    {"member_id": "M2", "service": "recuperative_care", "status": "authorized",
     "authorization_number": "CS0002", "authorization_start": "2025-10-01",
     "authorization_end": "2025-10-31"},
    {"member_id": "M3", "service": "housing_deposits", "status": "requested"},
    {"member_id": "M4", "service": "sobering_centers", "status": "potential"},
    {"member_id": "M6", "service": "day_habilitation", "status": "authorized",
     "authorization_number": "CS0006", "authorization_start": "2025-10-01",
     "units_authorized": "3"},  # open-ended
]  # fmt: skip
ENCOUNTERS = [  # row 2 onwards, as the encounters sheet numbers them
    an_encounter("M1", "2025-11-05", cs_service="medically_tailored_meals",
                 procedure_code="S5170", modifiers="U5", units="10", charge="250"),  # billed
    an_encounter("M1", "2025-11-06"),  # an ECM service beside it: billed G9012 U2
    an_encounter("M2", "2025-11-10", cs_service="recuperative_care", procedure_code="T2033",
                 charge="300"),  # authorized in October only
    an_encounter("M3", "2025-11-11", cs_service="housing_deposits", procedure_code="H0044",
                 charge="500"),  # requested
    an_encounter("M4", "2025-11-12", cs_service="sobering_centers", procedure_code="H0014",
                 charge="90"),  # potential
    an_encounter("M5", "2025-11-13", cs_service="respite_services", procedure_code="S5150",
                 charge="60"),  # no community_supports row
    an_encounter("M1", "2025-11-14", cs_service="medically_tailored_meals", kind="outreach",
                 procedure_code="S5170", charge="25"),  # CS outreach
    an_encounter("M6", "2025-10-15", cs_service="day_habilitation", procedure_code="H2014",
                 units="1", charge="75"),  # October: billed then, counted now
    an_encounter("M6", "2025-11-03", cs_service="day_habilitation", procedure_code="H2014",
                 units="2", charge="150"),  # units 1 + 2 = 3: billed
    an_encounter("M6", "2025-11-20", cs_service="day_habilitation", procedure_code="H2014",
                 units="2", charge="150"),  # 5 > 3 units authorized
    an_encounter("M1", "2025-11-07", cs_service="medically_tailored_meals",
                 charge="25"),  # no procedure code
]  # fmt: skip
ENROLLMENTS = [
    {"member_id": "M1", "status": "enrolled", "enrollment_start": "2025-10-01",
     "authorization_number": "0000000006"},
]  # fmt: skip
HEADER = list(dict.fromkeys(k for e in ENCOUNTERS for k in e))


def cell(column: str, row: int) -> str:
    return f"encounters!{'ABCDEFGHIJKLMNOP'[HEADER.index(column)]}{row}"


# what each refused line is refused for, at its cell (row 2 is the first encounter)
REFUSED = {
    ("K020", cell("cs_service", 4)),  # outside the authorization's dates
    ("K020", cell("cs_service", 5)),  # requested
    ("K020", cell("cs_service", 6)),  # potential
    ("K020", cell("cs_service", 7)),  # no row
    ("K021", cell("kind", 8)),
    ("K022", cell("units", 11)),
    ("K019", cell("procedure_code", 12)),
}


@pytest.fixture(scope="module")
def cs_data(samples, kit, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cs") / "data"
    tables = {
        "members": MEMBERS,
        "enrollments": ENROLLMENTS,
        "encounters": ENCOUNTERS,
        "community_supports": SUPPORTS,
    }
    return write_dataset(folder, tables, the_provider(samples, kit))


def bill(kit, data: Path, out: Path, *extra, before=()):
    report = out.parent / f"{out.name}.json"
    argv = claims_argv(data, out, "--report", report, *extra, plan="healthnet")
    run = kit.invoke(*before, *argv)
    return run, json.loads(report.read_text("utf-8"))["findings"]


def test_an_authorized_cs_line_is_billed_with_its_code_and_the_others_are_refused_at_their_rows(
    kit, cs_data, tmp_path
):
    out = tmp_path / "claims"
    run, findings = bill(kit, cs_data, out)
    assert run.code == 1, run.text
    assert {(f["code"], f["cell"]) for f in findings} == REFUSED
    assert all(f["severity"] == "error" for f in findings)
    messages = {f["cell"]: f["message"] for f in findings}
    assert "outside the CS authorization's dates" in messages[cell("cs_service", 4)]
    assert "is requested, not authorized" in messages[cell("cs_service", 5)]
    assert "is potential, not authorized" in messages[cell("cs_service", 6)]
    assert "no community_supports row" in messages[cell("cs_service", 7)]
    assert "does not pay for CS outreach" in messages[cell("kind", 8)]
    hints = {f["cell"]: f["hint"] for f in findings}
    assert "HCPCS code your CS contract bills" in hints[cell("procedure_code", 12)]

    path = out / claim_file_name(kit.load_yaml(cs_data / "provider.yaml"), "healthnet")
    assert pyx12_accepts(path)
    assert lines_by_member(path) == {
        MEMBERS[0]["cin"]: [("20251105", "HC:S5170:U5", "250"), ("20251106", "HC:G9012:U2", "85")],
        MEMBERS[5]["cin"]: [("20251103", "HC:H2014", "150")],
    }
    # the totals: 2 claims, 3 lines, 485.00 billed, the 7 refused lines left off
    assert re.search(r"healthnet\s*│\s*2\s*│\s*3\s*│\s*485\.00\s*│\s*7\s*│", run.out), run.out


def test_a_cs_line_carries_no_ecm_tar_as_its_prior_authorization(kit, cs_data, tmp_path):
    """The FAQ: the authorization number is not needed on the claim; the ECM episode's
    TAR (0000000006) is the ECM line's, never the CS line's."""
    out = tmp_path / "claims"
    bill(kit, cs_data, out)
    path = out / claim_file_name(kit.load_yaml(cs_data / "provider.yaml"), "healthnet")
    after_line: dict[str, list[str]] = {}
    code = None
    for seg in segments(path):
        if seg[0] == "SV1":
            code = seg[1].split(":")[1] if ":" in seg[1] else seg[1]
            after_line[code] = []
        elif seg[0] == "REF" and code is not None:
            after_line[code].append(f"{seg[1]}*{seg[2]}")
    assert "G1*0000000006" in after_line["G9012"]
    assert not any(ref.startswith("G1*") for ref in after_line["S5170"] + after_line["H2014"])


def test_force_bills_refused_cs_lines_but_never_one_without_a_code(kit, cs_data, tmp_path):
    out = tmp_path / "claims"
    run, findings = bill(kit, cs_data, out, "--force")
    assert run.code == 1
    assert {(f["code"], f["cell"]) for f in findings} == REFUSED
    path = out / claim_file_name(kit.load_yaml(cs_data / "provider.yaml"), "healthnet")
    assert pyx12_accepts(path)
    codes = [code for lines in lines_by_member(path).values() for _, code, _ in lines]
    assert len(codes) == 9  # the 10 November lines but the one without a code (K019)


def test_the_invoice_refuses_the_same_cs_lines(kit, cs_data, tmp_path):
    out = tmp_path / "invoices"
    run, findings = bill(kit, cs_data, out, "--format", "invoice")
    assert run.code == 1, run.text
    assert {(f["code"], f["cell"]) for f in findings} == REFUSED
    book = out / claim_file_name(kit.load_yaml(cs_data / "provider.yaml"), "healthnet", "Invoice")
    _, rows = kit.calamine_sheet(book)
    header, lines, total = invoice_lines(rows)
    billed = sorted(
        (line[header.index("Procedure Code")], line[header.index("Charge")]) for line in lines
    )
    assert billed == [("G9012", 85), ("H2014", 150), ("S5170", 250)]
    assert Decimal(str(total)) == Decimal("485")


OWN_PLAN = """\
id: hn_cs_paying
name: Health Net, paying CS outreach without authorization
extends: healthnet
mcp:
  identifier: {value: HNCS, assumed: true, note: a test plan}
  name: {value: Health Net CS test, assumed: true, note: a test plan}
billing:
  payer_name: {value: Health Net CS test, assumed: true, note: a test plan}
  community_supports:
    authorization_required: {value: false, assumed: true, note: a plan paying CS unapproved}
    outreach_billable: {value: true, assumed: true, note: a plan paying CS outreach}
"""


def test_a_plan_that_pays_cs_outreach_and_needs_no_authorization_bills_them(kit, samples, tmp_path):
    """The rules are the plan's (billing.community_supports): a plan that says so bills
    CS outreach and CS lines without an authorization."""
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "hn_cs_paying.yaml").write_text(OWN_PLAN, encoding="utf-8")
    provider = the_provider(samples, kit)
    provider["plans"]["hn_cs_paying"] = dict(provider["plans"]["healthnet"])
    member = {**MEMBERS[0], "plan": "hn_cs_paying"}
    data = write_dataset(
        tmp_path / "data",
        {
            "members": [member],
            "enrollments": ENROLLMENTS,
            "encounters": [ENCOUNTERS[0], ENCOUNTERS[6]],
        },
        provider,
    )
    out = tmp_path / "claims"
    report = tmp_path / "r.json"
    argv = claims_argv(data, out, "--report", report, plan="hn_cs_paying")
    run = kit.invoke("--plans-dir", plans, *argv)
    assert run.code == 0, run.text
    assert json.loads(report.read_text("utf-8"))["findings"] == []
    path = out / claim_file_name(provider, "hn_cs_paying")
    assert pyx12_accepts(path)
    assert [c for _, c, _ in lines_by_member(path)[member["cin"]]] == [
        "HC:S5170:U5",
        "HC:S5170",
    ]


# ----------------------------------------------------------------------------- properties
#
# Random datasets mixing ECM and CS encounters, with community_supports rows of every
# status and shape of dates, billed for every plan: no CS line is lost (billed, or named
# by an error at its row), and the lines K020 and K021 name are exactly those an
# independent reading of the rule refuses.

CS_SERVICES = ["medically_tailored_meals", "day_habilitation", "recuperative_care"]
CS_DAYS = ["2025-10-20", "2025-11-01", "2025-11-12", "2025-11-30", "2025-12-02", ""]
PLANS = ["calviva", "chpiv", "chwp", "healthnet", "partnership"]


@st.composite
def cs_datasets(draw):
    members, supports, encounters = [], [], []
    for n in range(draw(st.integers(1, 3))):
        mid = f"M{n}"
        members.append(a_member(mid, n, plan=draw(st.sampled_from(PLANS))))
        for service in draw(st.lists(st.sampled_from(CS_SERVICES), unique=True, max_size=2)):
            supports.append(
                {
                    "member_id": mid, "service": service,
                    "status": draw(st.sampled_from(
                        ["potential", "requested", "authorized", "authorized", "denied", "closed"])),
                    "authorization_start": draw(st.sampled_from(CS_DAYS)),
                    "authorization_end": draw(st.sampled_from(CS_DAYS)),
                    "units_authorized": draw(st.sampled_from(["", "1", "3", "10"])),
                }
            )  # fmt: skip
        for _ in range(draw(st.integers(1, 4))):
            encounters.append(
                an_encounter(
                    mid, draw(st.sampled_from(["2025-10-25", "2025-11-05", "2025-11-30"])),
                    cs_service=draw(st.sampled_from(["", *CS_SERVICES])),
                    kind=draw(st.sampled_from(["", "service", "outreach"])),
                    procedure_code=draw(st.sampled_from(["", "S5170", "H2014", "T2033"])),
                    units=draw(st.sampled_from(["", "1", "2"])),
                    charge="100",
                )
            )  # fmt: skip
    tables = {
        "members": members,
        "enrollments": [
            {
                "member_id": m["member_id"],
                "status": "enrolled",
                "enrollment_start": "2025-10-01",
                "authorization_number": "TAR1",
            }
            for m in members
        ],
        "encounters": encounters,
    }
    if supports:
        tables["community_supports"] = supports
    return tables


def expected_refusals(tables) -> dict[str, set[int]]:
    """The November CS lines K020 and K021 refuse, read from the rule's words."""
    rows = {(s["member_id"], s["service"]): s for s in tables.get("community_supports", [])}
    found: dict[str, set[int]] = {"K020": set(), "K021": set()}
    for row, e in enumerate(tables["encounters"], start=2):
        if not e["cs_service"] or not e["date"].startswith("2025-11"):
            continue
        if e["kind"] == "outreach":
            found["K021"].add(row)
        auth = rows.get((e["member_id"], e["cs_service"]))
        start, end = (auth or {}).get("authorization_start"), (auth or {}).get("authorization_end")
        covered = (
            auth is not None
            and auth["status"] == "authorized"
            and bool(start)
            and start <= e["date"]
            and (not end or e["date"] <= end)
        )
        if not covered:
            found["K020"].add(row)
    return found


@SETTINGS
@given(tables=cs_datasets())
def test_every_cs_line_is_billed_or_refused_for_what_the_rule_says(kit, samples, tables):
    errors = check_accounting(kit, tables, the_provider(samples, kit))
    for code, rows in expected_refusals(tables).items():
        named = {f["row"] for f in errors if f["code"] == code and f["sheet"] == "encounters"}
        assert named == rows, (code, tables)
    blank_code = {
        row
        for row, e in enumerate(tables["encounters"], start=2)
        if e["cs_service"] and not e["procedure_code"] and e["date"].startswith("2025-11")
    }
    assert {f["row"] for f in errors if f["code"] == "K019"} == blank_code
