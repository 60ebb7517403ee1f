"""``ecmx claims`` end to end: the 837P files and invoices a plan receives, read back.

Every 837P is checked by pyx12, an independent HIPAA X12 validator, and parsed here
segment by segment (separators from the ISA), so a value is checked as a payer's
system would see it, not as ecmx's writer meant it. Invoices are opened with openpyxl
and python-calamine. Golden files: ``tests/golden/<plan>_837p.837``, the sample
dataset's 837P with ``SOURCE_DATE_EPOCH=0`` and production date 2025-12-03; after an
intended change, regenerate with ``ECMX_UPDATE_GOLDEN=1 pytest tests/e2e/test_claims.py``
and review the diff.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from tests.pyx12_check import pyx12_accepts

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("ECMX_UPDATE_GOLDEN") == "1"
DOCS = Path(__file__).resolve().parents[2] / "docs"
PLANS = ("calviva", "chpiv", "chwp", "healthnet", "partnership")
PLAN_PARAMS = [pytest.param(p, marks=pytest.mark.plan(p), id=p) for p in PLANS]
STATE_SUFFIX = ".ecmx-x12-control.json"


def state_file(out: Path) -> Path:
    """Beside the output folder, not in it (docs/claims.md)."""
    return out.parent / f".{out.name}{STATE_SUFFIX}"


# ----------------------------------------------------------------------------- helpers


def claims_argv(dataset, out, *extra, plan="all", day="2025-12-03"):
    return (
        "claims", dataset, "--plan", plan, "--period", "2025-11", "--out", out,
        "--production-date", day, *extra,
    )  # fmt: skip


def claim_file_name(provider: dict, plan: str, kind: str = "837P", day=(2025, 12, 3)) -> str:
    """The name docs/claims.md gives: Health Net family by file prefix, Partnership by facility."""
    year, month, dom = day
    ext = ".837" if kind == "837P" else ".xlsx"
    if plan == "partnership":
        return f"{provider['facility_name']}_ECM - {kind}_{month:02d}{dom:02d}{year}{ext}"
    prefix = provider["plans"][plan]["file_prefix"]
    return f"{prefix}_ECM_{kind}_202511_{year}{month:02d}{dom:02d}{ext}"


def segments(path: Path) -> list[list[str]]:
    """The interchange as segments of elements, split by the separators its ISA declares."""
    text = Path(path).read_text(encoding="ascii")
    assert text.startswith("ISA"), f"{path.name} does not start with ISA"
    element, terminator = text[3], text[105]
    return [s.split(element) for s in text.split(terminator) if s.strip()]


def component(path: Path) -> str:
    return Path(path).read_text(encoding="ascii")[104]


def subscriber_loops(segs: list[list[str]]) -> list[dict]:
    """Each 2000B loop (HL*..*22): its subscriber NM1, payer NM1, CLM and service lines."""
    loops: list[dict] = []
    for seg in segs:
        if seg[0] == "HL":
            if seg[3] == "22":
                loops.append({"IL": None, "PR": None, "CLM": [], "SV1": [], "DTP": []})
            continue
        if not loops:
            continue
        loop = loops[-1]
        if seg[0] == "NM1" and seg[1] in ("IL", "PR"):
            loop[seg[1]] = seg
        elif seg[0] in ("CLM", "SV1"):
            loop[seg[0]].append(seg)
        elif seg[0] == "DTP" and seg[1] == "472":
            loop["DTP"].append(seg[3])
    return loops


def control_numbers(path: Path) -> tuple[str, str]:
    """(ISA13, GS06) of an interchange."""
    segs = segments(path)
    isa = next(s for s in segs if s[0] == "ISA")
    gs = next(s for s in segs if s[0] == "GS")
    return isa[13], gs[6]


def dataset_rows(folder: Path, kit) -> tuple[dict[str, dict], list[dict]]:
    """members by member_id, and the lines to bill for November 2025: the encounters, and
    the first outreach attempt of a member no encounter bills outreach for (its charge is
    the provider's outreach rate)."""
    members = {m["member_id"]: m for m in kit.read_csv(folder / "members.csv")}
    encounters = kit.read_csv(folder / "encounters.csv")
    # a CS outreach (cs_service set) is not the member's ECM outreach
    outreach_billed = {
        e["member_id"] for e in encounters if e["kind"] == "outreach" and not e.get("cs_service")
    }
    rates = kit.load_yaml(folder / "provider.yaml")["rates"]
    first: dict[str, dict] = {}
    for attempt in kit.read_csv(folder / "outreach.csv"):
        mid = attempt["member_id"]
        if mid not in outreach_billed and (
            mid not in first or attempt["date"] < first[mid]["date"]
        ):
            first[mid] = attempt
    attempts = [
        {**a, "charge": str(rates[f"{'G9008' if a['staff_type'] == 'clinical' else 'G9012'}-U8"])}
        for a in first.values()
    ]
    lines = [e for e in [*encounters, *attempts] if e["date"][:7] == "2025-11"]
    return members, lines


def money(text: str) -> Decimal:
    return Decimal(text)


def billed_files(folder: Path) -> list[str]:
    return sorted(p.name for p in Path(folder).iterdir() if not p.name.startswith("."))


# ----------------------------------------------------------------------------- the clean sample


@pytest.fixture(scope="module")
def billed(samples, kit, tmp_path_factory):
    """The session's CSV sample billed for every plan, reproducibly (SOURCE_DATE_EPOCH=0)."""
    out = tmp_path_factory.mktemp("claims") / "claims"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "0")
        run = kit.invoke(*claims_argv(samples["csv"], out))
    provider = kit.load_yaml(samples["csv"] / "provider.yaml")
    return out, run, provider


def test_837p_for_every_plan_exits_0_and_writes_one_file_per_plan(billed):
    out, run, provider = billed
    assert run.code == 0, run.err
    assert "Traceback" not in run.text
    expected = sorted(claim_file_name(provider, plan) for plan in PLANS)
    assert billed_files(out) == expected
    for name in expected:
        assert name in run.out  # the summary table names each file
    assert state_file(out).is_file()
    assert not (out.parent / f".{out.name}.ecmx-x12-control.lock").exists()
    assert sorted(p.name for p in out.iterdir()) == billed_files(out)  # only claim files


@pytest.mark.parametrize("plan", PLAN_PARAMS)
def test_each_837p_passes_pyx12(billed, plan):
    out, _, provider = billed
    path = out / claim_file_name(provider, plan)
    assert pyx12_accepts(path), f"pyx12 rejects {path.name}"


def test_pyx12_rejects_a_broken_837p(billed, tmp_path):
    """The validator is not a rubber stamp: a wrong segment count fails it."""
    out, _, provider = billed
    source = out / claim_file_name(provider, "calviva")
    text = source.read_text(encoding="ascii")
    broken = re.sub(r"~SE\*(\d+)\*", lambda m: f"~SE*{int(m[1]) + 1}*", text)
    assert broken != text
    (tmp_path / "broken.837").write_text(broken, encoding="ascii")
    assert not pyx12_accepts(tmp_path / "broken.837")


@pytest.mark.parametrize("plan", PLAN_PARAMS)
def test_each_837p_has_one_claim_per_member_adding_up_its_lines(billed, samples, kit, plan):
    out, _, provider = billed
    members, encounters = dataset_rows(samples["csv"], kit)
    # ECM lines and the sample's Community Supports lines (each authorized for its date)
    mine = [e for e in encounters if members[e["member_id"]]["plan"] == plan]
    assert mine, f"the sample has no {plan} encounters in 2025-11"
    loops = subscriber_loops(segments(out / claim_file_name(provider, plan)))

    assert all(len(loop["CLM"]) == 1 for loop in loops)
    clm01 = [loop["CLM"][0][1] for loop in loops]
    assert len(set(clm01)) == len(clm01)
    # one claim per member with a service in the period, one line per encounter
    assert len(loops) == len({e["member_id"] for e in mine})
    assert sum(len(loop["SV1"]) for loop in loops) == len(mine)
    assert sorted(d for loop in loops for d in loop["DTP"]) == sorted(
        e["date"].replace("-", "") for e in mine
    )
    for loop in loops:
        clm = loop["CLM"][0]
        assert money(clm[2]) == sum(money(sv1[2]) for sv1 in loop["SV1"]), clm[1]
        assert len(loop["SV1"]) == len(loop["DTP"])
    total = sum(money(e["charge"]) for e in mine)
    assert sum(money(loop["CLM"][0][2]) for loop in loops) == total


@pytest.mark.parametrize("plan", PLAN_PARAMS)
def test_each_claims_subscriber_is_the_members_cin_and_payer_is_the_plans_id(
    billed, samples, kit, plan
):
    out, _, provider = billed
    members, _ = dataset_rows(samples["csv"], kit)
    loops = subscriber_loops(segments(out / claim_file_name(provider, plan)))
    assert loops
    for loop in loops:
        clm01 = loop["CLM"][0][1]
        member = members[clm01.rsplit("-", 2)[0]]  # CLM01 is <member_id>-<YYMM>-<n>
        assert member["plan"] == plan
        nm1 = loop["IL"]
        assert nm1 is not None, clm01
        assert nm1[8:10] == ["MI", member["cin"]], clm01
        assert nm1[3] == member["last_name"].upper(), clm01
        payer = loop["PR"]
        assert payer is not None, clm01
        assert payer[8:10] == ["PI", provider["plans"][plan]["payer_id"]], clm01


def test_837p_terminal_output_carries_no_member_data(billed, samples, kit):
    _, run, _ = billed
    members, _ = dataset_rows(samples["csv"], kit)
    text = run.out + run.err
    assert run.out.strip()  # there is a summary, and it holds no PHI
    for member in members.values():
        assert member["cin"] not in text
        assert not re.search(rf"\b{re.escape(member['last_name'])}\b", text, re.IGNORECASE), (
            "a member's last name is on the terminal"
        )


# ----------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("plan", PLAN_PARAMS)
def test_837p_matches_the_golden_file(billed, plan):
    out, run, provider = billed
    assert run.code == 0, run.err
    actual = (out / claim_file_name(provider, plan)).read_bytes()
    path = GOLDEN / f"{plan}_837p.837"
    if UPDATE:
        path.write_bytes(actual)
        pytest.skip(f"ECMX_UPDATE_GOLDEN=1: wrote {path.name}")
    assert path.is_file(), f"no golden file {path}: run with ECMX_UPDATE_GOLDEN=1 and review it"
    expected = path.read_bytes()
    if actual != expected:
        diff = difflib.unified_diff(
            expected.decode("ascii").split("~"),
            actual.decode("ascii").split("~"),
            f"golden/{path.name}",
            "now",
            lineterm="",
        )
        pytest.fail(
            "837P differs from the golden file (ECMX_UPDATE_GOLDEN=1 rewrites it):\n"
            + "\n".join(list(diff)[:80])
        )


def test_a_rerun_with_source_date_epoch_is_byte_identical(billed, kit, samples, tmp_path):
    """The golden files are only worth keeping if the output is reproducible."""
    out, _, provider = billed
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "0")
        again = kit.invoke(*claims_argv(samples["csv"], tmp_path / "again"))
    assert again.code == 0, again.err
    for plan in PLANS:
        name = claim_file_name(provider, plan)
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes(), name


# ----------------------------------------------------------------------------- control numbers


def test_control_numbers_are_never_reused_in_a_folder(cli, samples, kit, monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    out = tmp_path / "claims"
    provider = kit.load_yaml(samples["csv"] / "provider.yaml")
    seen: list[tuple[str, str]] = []

    def numbers_of(day):
        return [control_numbers(out / claim_file_name(provider, p, day=day)) for p in PLANS]

    first = cli(*claims_argv(samples["csv"], out))
    assert first.code == 0, first.err
    seen += numbers_of((2025, 12, 3))
    second = cli(*claims_argv(samples["csv"], out, day="2025-12-04"))
    assert second.code == 0, second.err
    seen += numbers_of((2025, 12, 4))
    third = cli(*claims_argv(samples["csv"], out, "--force", day="2025-12-04"))
    assert third.code == 0, third.err
    seen += numbers_of((2025, 12, 4))

    isa13 = [isa for isa, _ in seen]
    gs06 = [gs for _, gs in seen]
    assert len(set(isa13)) == len(isa13) == 15, isa13
    assert len(set(gs06)) == len(gs06) == 15, gs06
    state = json.loads(state_file(out).read_text(encoding="utf-8"))
    assert state["last_interchange"] == max(int(n) for n in isa13)
    assert STATE_SUFFIX in (DOCS / "claims.md").read_text(encoding="utf-8")

    # The state file lost: the numbers in the folder's 837P files still count.
    state_file(out).unlink()
    fourth = cli(*claims_argv(samples["csv"], out, day="2025-12-05"))
    assert fourth.code == 0, fourth.err
    later = [int(isa) for isa, _ in numbers_of((2025, 12, 5))]
    assert min(later) > max(int(n) for n in isa13), later


def test_an_existing_837p_is_not_replaced_without_force(cli, samples, kit, tmp_path):
    out = tmp_path / "claims"
    first = cli(*claims_argv(samples["csv"], out, plan="healthnet"))
    assert first.code == 0, first.err
    provider = kit.load_yaml(samples["csv"] / "provider.yaml")
    target = out / claim_file_name(provider, "healthnet")
    target.write_bytes(b"the file the user already had")
    before = kit.digests(out)

    refused = cli(*claims_argv(samples["csv"], out))  # every plan: Health Net's file exists
    assert refused.code == 2
    refused.one_error_line(str(target), "exists already", "--force")
    assert kit.digests(out) == before  # nothing replaced or added, no control number used
    assert kit.hidden(out) == []

    forced = cli(*claims_argv(samples["csv"], out, "--force"))
    assert forced.code == 0, forced.err
    assert billed_files(out) == sorted(claim_file_name(provider, p) for p in PLANS)
    assert target.read_bytes().startswith(b"ISA")
    assert pyx12_accepts(target)


# ----------------------------------------------------------------------------- a crafted dataset


CRAFTED_CIN = "91234567A"
CRAFTED_LAST_NAME = "Quillfeather"
ENROLLED = "2025-11-10"
# (date, staff_type, mode, member_present, charge, kind) -> the SV101 the plan must get
CRAFTED = [
    ("2025-11-12", "clinical", "in_person", "true", "125.00", "service", "HC:G9008:U1"),
    ("2025-11-14", "non_clinical", "phone", "true", "85.00", "service", "HC:G9012:U2:GQ"),
    ("2025-11-03", "non_clinical", "in_person", "false", "150.00", "outreach", "HC:G9012:U8:GQ"),
    ("2025-11-05", "clinical", "in_person", "true", "125.00", "service", "HC:G9008:U1"),
]
BEFORE_ENROLLMENT = "20251105"  # the last row: a U1 service five days before enrollment
BEFORE_ENROLLMENT_CELL = "encounters!B5"  # header on row 1, the fourth encounter on row 5


@pytest.fixture
def crafted(tmp_path, samples, kit):
    """One Health Net member enrolled on 2025-11-10 and four November encounters."""
    folder = tmp_path / "crafted"
    folder.mkdir()
    (folder / "provider.yaml").write_bytes((samples["csv"] / "provider.yaml").read_bytes())
    kit.write_csv(
        folder / "members.csv",
        [
            {
                "member_id": "M1", "cin": CRAFTED_CIN, "plan": "healthnet", "first_name": "Rosa",
                "last_name": CRAFTED_LAST_NAME, "dob": "1970-05-06", "sex": "F",
                "address": "12 Elm St", "city": "Fresno", "state": "CA", "zip": "93721",
            }
        ],
    )  # fmt: skip
    kit.write_csv(
        folder / "enrollments.csv",
        [
            {
                "member_id": "M1", "status": "enrolled", "referral_date": "2025-10-20",
                "assigned_date": "2025-10-25", "enrollment_start": ENROLLED,
            }
        ],
    )  # fmt: skip
    kit.write_csv(
        folder / "encounters.csv",
        [
            {
                "member_id": "M1", "date": day, "staff_type": staff, "mode": mode,
                "member_present": present, "successful": "true", "diagnosis_codes": "Z59.00",
                "charge": charge, "kind": kind,
            }
            for day, staff, mode, present, charge, kind, _ in CRAFTED
        ],
    )  # fmt: skip
    return folder


def crafted_lines(path: Path) -> dict[str, str]:
    """Service date -> SV101 (the procedure composite) of the file's one claim."""
    [loop] = subscriber_loops(segments(path))
    comp = component(path)
    return {
        day: sv1[1].replace(comp, ":") for day, sv1 in zip(loop["DTP"], loop["SV1"], strict=True)
    }


def test_a_service_before_enrollment_is_k001_and_left_off_the_837p(
    cli, crafted, kit, monkeypatch, tmp_path
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    out = tmp_path / "claims"
    run = cli(*claims_argv(crafted, out, "--report", tmp_path / "r.json", plan="healthnet"))
    assert run.code == 1
    assert "Traceback" not in run.text
    k001 = [line for line in run.err.splitlines() if "K001" in line]
    assert len(k001) == 1, run.err
    assert BEFORE_ENROLLMENT_CELL in k001[0] and "encounters" in k001[0]
    assert "before the member's ECM enrollment" in k001[0]
    assert CRAFTED_CIN not in run.text and CRAFTED_LAST_NAME not in run.text

    provider = kit.load_yaml(crafted / "provider.yaml")
    path = out / claim_file_name(provider, "healthnet")
    assert pyx12_accepts(path)
    expected = {day.replace("-", ""): sv101 for day, *_, sv101 in CRAFTED}
    del expected[BEFORE_ENROLLMENT]
    assert crafted_lines(path) == expected
    [loop] = subscriber_loops(segments(path))
    assert loop["CLM"][0][2] == "360"  # 125 + 85 + 150, without the refused 125

    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    [finding] = report["findings"]
    assert (finding["code"], finding["severity"]) == ("K001", "error")
    assert finding["cell"] == BEFORE_ENROLLMENT_CELL
    assert finding["sheet"] == "encounters" and finding["row"] == 5
    assert CRAFTED_CIN not in json.dumps(report)


def test_force_bills_the_line_before_enrollment(cli, crafted, kit, monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    out = tmp_path / "claims"
    report = tmp_path / "r.xlsx"
    run = cli(*claims_argv(crafted, out, "--force", "--report", report, plan="healthnet"))
    assert run.code == 1  # as convert: the error is still reported
    assert BEFORE_ENROLLMENT_CELL in run.err

    path = out / claim_file_name(kit.load_yaml(crafted / "provider.yaml"), "healthnet")
    assert pyx12_accepts(path)
    assert crafted_lines(path) == {day.replace("-", ""): sv101 for day, *_, sv101 in CRAFTED}
    [loop] = subscriber_loops(segments(path))
    assert loop["CLM"][0][2] == "485"

    book = openpyxl.load_workbook(report)
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert "K001" in cells and BEFORE_ENROLLMENT_CELL in cells
    assert CRAFTED_CIN not in cells and CRAFTED_LAST_NAME not in cells


# ----------------------------------------------------------------------------- invoices


@pytest.fixture(scope="module")
def invoiced(samples, kit, tmp_path_factory):
    out = tmp_path_factory.mktemp("invoices") / "invoices"
    run = kit.invoke(*claims_argv(samples["csv"], out, "--format", "invoice"))
    return out, run


def invoice_lines(rows: list[list]) -> tuple[list[str], list[list], object]:
    """(the header, the service-line rows, the total) of an Invoice sheet."""
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "Claim")
    total_at = next(i for i, r in enumerate(rows) if "Total" in r)
    total_row = rows[total_at]
    return rows[header_at], rows[header_at + 1 : total_at], total_row[total_row.index("Total") + 1]


def test_invoice_for_every_plan_writes_one_workbook_per_plan(invoiced, samples, kit):
    out, run = invoiced
    assert run.code == 0, run.err
    provider = kit.load_yaml(samples["csv"] / "provider.yaml")
    assert billed_files(out) == sorted(claim_file_name(provider, p, "Invoice") for p in PLANS)
    assert not state_file(out).exists()  # an invoice uses no X12 control number


@pytest.mark.parametrize("plan", PLAN_PARAMS)
def test_invoice_lines_and_total_match_the_837p(invoiced, billed, samples, kit, plan):
    out, run = invoiced
    assert run.code == 0, run.err
    claims_out, _, provider = billed
    book = out / claim_file_name(provider, plan, "Invoice")
    loops = subscriber_loops(segments(claims_out / claim_file_name(provider, plan)))
    clm_total = sum(money(loop["CLM"][0][2]) for loop in loops)
    sv1_count = sum(len(loop["SV1"]) for loop in loops)
    cins = {loop["IL"][9] for loop in loops}

    sheet, rows = kit.calamine_sheet(book)
    assert sheet == "Invoice"
    header, lines, total = invoice_lines(rows)
    assert len(lines) == sv1_count
    assert Decimal(str(total)) == clm_total
    assert {line[header.index("Member CIN")] for line in lines} == cins

    ws = kit.openpyxl_sheet(book)
    assert ws.title == "Invoice"
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    header2, lines2, total2 = invoice_lines(values)
    assert len(lines2) == sv1_count
    assert isinstance(total2, int | float)  # a number, not a formula
    assert Decimal(str(total2)) == clm_total
    charge_at = header2.index("Charge")
    assert sum(Decimal(str(r[charge_at])) for r in lines2) == clm_total


# ----------------------------------------------------------------------------- user errors


def edit_provider(folder: Path, change) -> None:
    path = folder / "provider.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_a_missing_payer_id_stops_the_837p_but_not_the_invoice(cli, samples, kit, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    edit_provider(data, lambda d: d["plans"]["chwp"].pop("payer_id"))
    out = tmp_path / "claims"

    run = cli(*claims_argv(data, out))
    assert run.code == 2
    run.one_error_line("plans.chwp.payer_id", "provider.yaml")
    assert not out.exists() or billed_files(out) == []  # no plan billed without the others

    invoice = cli(*claims_argv(data, out, "--format", "invoice", plan="chwp"))
    assert invoice.code == 0, invoice.err
    name = claim_file_name(kit.load_yaml(data / "provider.yaml"), "chwp", "Invoice")
    assert billed_files(out) == [name]
    sheet, _ = kit.calamine_sheet(out / name)
    assert sheet == "Invoice"


def test_a_provider_zip_without_plus_four_is_refused(cli, samples, kit, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    edit_provider(data, lambda d: d.update(zip="93721"))
    out = tmp_path / "claims"
    run = cli(*claims_argv(data, out, plan="healthnet"))
    assert run.code == 2
    run.one_error_line("provider.yaml", "ZIP+4")
    assert not out.exists() or billed_files(out) == []


def test_an_unknown_plan_suggests_the_nearest(cli, samples, tmp_path):
    run = cli(*claims_argv(samples["csv"], tmp_path / "claims", plan="healthnt"))
    assert run.code == 2
    run.one_error_line("healthnt", "did you mean 'healthnet'")
    assert not (tmp_path / "claims").exists()


def test_a_missing_dataset_is_one_line(cli, tmp_path):
    missing = tmp_path / "nowhere.xlsx"
    run = cli(*claims_argv(missing, tmp_path / "claims"))
    assert run.code == 2
    run.one_error_line(str(missing))
    assert not (tmp_path / "claims").exists()


# ----------------------------------------------------------------------------- --test-file


def test_test_file_sets_isa15_to_t(cli, billed, samples, kit, monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    out = tmp_path / "claims"
    run = cli(*claims_argv(samples["csv"], out, "--test-file", plan="healthnet"))
    assert run.code == 0, run.err
    provider = kit.load_yaml(samples["csv"] / "provider.yaml")
    path = out / claim_file_name(provider, "healthnet")
    assert segments(path)[0][15] == "T"
    assert pyx12_accepts(path)
    production = billed[0] / claim_file_name(provider, "healthnet")
    assert segments(production)[0][15] == "P"  # without the flag: production


def test_two_plans_with_one_file_name_write_nothing(cli, samples, kit, tmp_path):
    """Found in review: with --force, one plan's 837P silently replaced another's."""
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    edit_provider(data, lambda d: d["plans"]["calviva"].update(file_prefix="SUNRISE_HN"))
    out = tmp_path / "claims"
    run = cli(*claims_argv(data, out, "--force"))
    assert run.code == 2
    run.one_error_line("calviva", "healthnet", "file_prefix")
    assert not out.exists() or billed_files(out) == []


def test_a_member_listed_twice_is_a_finding_not_a_crash(cli, samples, kit, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    members = (data / "members.csv").read_text(encoding="utf-8").splitlines()
    (data / "members.csv").write_text("\n".join([*members, members[1]]) + "\n", encoding="utf-8")
    run = cli(*claims_argv(data, tmp_path / "claims"))
    assert run.code == 1, run.err
    assert "D201" in run.text and "Traceback" not in run.text
    for path in (tmp_path / "claims").glob("*.837"):
        assert pyx12_accepts(path), path.name


# ----------------------------------------------------------------------------- issue 11: trust

PROVIDER_RATES = {"G9008": 125.0, "G9012": 85.0, "98960": 30.0, "T1032": 100.0, "59409": 500.0}


def write_dataset(folder: Path, tables: dict[str, list[dict]], provider: dict) -> Path:
    """A CSV dataset folder written as a user would: one CSV per table, provider.yaml beside.
    Rows may name different columns; a missing one is a blank cell."""
    import csv

    folder.mkdir(parents=True)
    (folder / "provider.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")
    for table, rows in tables.items():
        header = list(dict.fromkeys(k for row in rows for k in row))
        with open(folder / f"{table}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, header)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def a_member(mid: str, n: int, plan: str = "healthnet", **values) -> dict:
    return {
        "member_id": mid, "cin": f"9{1234560 + n:07d}A", "plan": plan, "first_name": "Ana",
        "last_name": "Sampleton", "dob": "1980-01-02", "sex": "F", "address": "12 Elm St",
        "city": "Fresno", "state": "CA", "zip": "93721", **values,
    }  # fmt: skip


def an_encounter(mid: str, day: str, **values) -> dict:
    return {
        "member_id": mid, "date": day, "staff_type": "non_clinical", "mode": "in_person",
        "member_present": "true", "successful": "true", "diagnosis_codes": "Z59.00", **values,
    }  # fmt: skip


def the_provider(samples, kit) -> dict:
    profile = kit.load_yaml(samples["csv"] / "provider.yaml")
    profile["rates"] = dict(PROVIDER_RATES)
    return profile


def lines_by_member(path: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Subscriber id (NM109) -> [(service date, SV101, SV102)] as the payer reads the file."""
    comp = component(path)
    found: dict[str, list] = {}
    for loop in subscriber_loops(segments(path)):
        found.setdefault(loop["IL"][9], []).extend(
            (day, sv1[1].replace(comp, ":"), sv1[2])
            for day, sv1 in zip(loop["DTP"], loop["SV1"], strict=True)
        )
    return found


def test_ecm_lines_are_billed_beside_chw_doula_and_explicit_codes(cli, samples, kit, tmp_path):
    """Issue 11: on pandas 3, one encounter naming a procedure_code made every ECM line of
    the plan a K007 (11 lines due, 1 billed). One plan, one month, all kinds mixed."""
    m1, m2, m3 = (a_member(f"M{n}", n) for n in (1, 2, 3))
    ecm = [
        an_encounter("M1", "2025-11-03", staff_type="clinical"),
        an_encounter("M1", "2025-11-04", mode="phone"),
        an_encounter("M1", "2025-11-05", kind="care_team_meeting", member_present="false"),
        an_encounter("M1", "2025-11-06", staff_type="clinical", mode="video"),
        an_encounter("M1", "2025-11-07"),
        an_encounter("M1", "2025-11-10", procedure_code="G9012"),  # explicit, as derived
        an_encounter(
            "M1", "2025-11-11", staff_type="clinical", procedure_code="G9008", modifiers="U1"
        ),
    ]
    others = [
        an_encounter("M2", "2025-11-12", procedure_code="98960", modifiers="U2", units="2"),
        an_encounter("M3", "2025-11-13", procedure_code="T1032", modifiers="XP"),
    ]
    data = write_dataset(
        tmp_path / "data",
        {
            "members": [m1, m2, m3],
            "enrollments": [
                {"member_id": "M1", "status": "enrolled", "enrollment_start": "2025-11-01"}
            ],
            "encounters": [*ecm, *others],
        },
        the_provider(samples, kit),
    )
    out = tmp_path / "claims"
    run = cli(*claims_argv(data, out, "--report", tmp_path / "r.json", plan="healthnet"))
    assert run.code == 0, run.err
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["findings"] == []

    path = out / claim_file_name(kit.load_yaml(data / "provider.yaml"), "healthnet")
    assert pyx12_accepts(path)
    billed = lines_by_member(path)
    assert billed[m1["cin"]] == [
        ("20251103", "HC:G9008:U1", "125"),
        ("20251104", "HC:G9012:U2:GQ", "85"),
        ("20251105", "HC:G9012:U2:GQ", "85"),
        ("20251106", "HC:G9008:U1:GQ", "125"),
        ("20251107", "HC:G9012:U2", "85"),
        ("20251110", "HC:G9012:U2", "85"),
        ("20251111", "HC:G9008:U1", "125"),
    ]
    assert billed[m2["cin"]] == [("20251112", "HC:98960:U2", "60")]
    assert billed[m3["cin"]] == [("20251113", "HC:T1032:XP", "100")]


def test_a_service_after_a_decline_with_blank_enrollment_end_is_k001(cli, samples, kit, tmp_path):
    """Issue 11: a member enrolled, then declined: enrollment_end blank, discontinuation_date
    set. The RTF ends the enrollment there; claims must too (a U2 after it is K001)."""
    data = write_dataset(
        tmp_path / "data",
        {
            "members": [a_member("M1", 1)],
            "enrollments": [
                {
                    "member_id": "M1",
                    "status": "declined",
                    "enrollment_start": "2025-10-01",
                    "discontinuation_date": "2025-11-10",
                    "discontinuation_reason": "member_declined",
                }
            ],
            "encounters": [an_encounter("M1", "2025-11-05"), an_encounter("M1", "2025-11-20")],
        },
        the_provider(samples, kit),
    )
    out = tmp_path / "claims"
    run = cli(*claims_argv(data, out, "--report", tmp_path / "r.json", plan="healthnet"))
    assert run.code == 1, run.err
    [finding] = json.loads((tmp_path / "r.json").read_text("utf-8"))["findings"]
    assert (finding["code"], finding["cell"]) == ("K001", "encounters!B3")
    assert "after the member's ECM enrollment ended" in finding["message"]
    path = out / claim_file_name(kit.load_yaml(data / "provider.yaml"), "healthnet")
    assert pyx12_accepts(path)
    assert lines_by_member(path) == {"91234561A": [("20251105", "HC:G9012:U2", "85")]}


# ----------------------------------------------------------------------------- properties
#
# Random datasets billed by ``ecmx claims`` as a user runs it; every 837P is read back.
# The accounting: for each member, the lines due this period (the November encounters,
# and the first outreach attempt when no encounter bills the outreach) are either on a
# claim under the member's CIN or named, row by row, by an error finding; a member held
# back whole (an error on its own members, enrollments or encounter rows) has no line
# billed and is named by at least one finding. No line disappears.

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

DAYS = [f"2025-{m:02d}-{d:02d}" for m, d in ((10, 20), (11, 1), (11, 3), (11, 12), (11, 30))]
# (procedure_code, modifiers, staff_type): derived ECM, explicit ECM, CHW, doula, unknown
CODINGS = [
    ("", "", "clinical"), ("", "", "non_clinical"), ("G9008", "", "clinical"),
    ("G9012", "U2", "non_clinical"), ("G9008", "", "non_clinical"), ("98960", "U2", ""),
    ("98961", "U3", "non_clinical"), ("98962", "", ""), ("T1032", "XP", ""),
    ("59409", "XP;SA", ""), ("Z1038", "XP", ""), ("ZZ999", "", ""),
]  # fmt: skip
HOSTILE_TEXT = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8
)


def _hostile(normal: list[str]):
    return st.one_of(st.sampled_from(normal), HOSTILE_TEXT)


@st.composite
def claim_datasets(draw, hostile: bool):
    """{table: rows} of a small dataset: 1-4 members of random plans, each with episodes,
    encounters of every kind and coding, outreach attempts."""
    pick = _hostile if hostile else (lambda normal: st.sampled_from(normal))
    members, enrollments, encounters, outreach = [], [], [], []
    for n in range(draw(st.integers(1, 4))):
        mid = f"M{n}"
        members.append(
            {
                "member_id": mid, "cin": f"9{1234560 + n:07d}A",
                "plan": draw(st.sampled_from(PLANS)),
                "first_name": draw(pick(["Ana", "José", "Mary Ann"])),
                "last_name": draw(pick(["Sampleton", "O'Brien", "Nguyễn"])),
                "dob": "1980-01-02", "sex": draw(st.sampled_from(["F", "M", "U", ""])),
                "address": draw(pick(["12 Elm St", "", "PO Box 7"])),
                "city": draw(pick(["Fresno", "", "Eureka"])),
                "state": draw(pick(["CA", "", "Calif", "ca"])),
                "zip": draw(pick(["93721", "93721-2345", "", "9372"])),
            }
        )  # fmt: skip
        if draw(st.booleans()):
            enrollments.append(
                {
                    "member_id": mid, "status": "enrolled",
                    "enrollment_start": draw(st.sampled_from(DAYS[:3])),
                    "authorization_number": draw(pick(["", "0000000006", "TAR12345678"])),
                }
            )  # fmt: skip
        for _ in range(draw(st.integers(0, 5))):
            code, mods, staff = draw(st.sampled_from(CODINGS))
            encounters.append(
                {
                    "member_id": mid, "date": draw(st.sampled_from(DAYS)),
                    "staff_type": staff or draw(st.sampled_from(["clinical", "non_clinical"])),
                    "mode": draw(st.sampled_from(["in_person", "phone", "video"])),
                    "member_present": draw(st.sampled_from(["true", "false", ""])),
                    "successful": draw(st.sampled_from(["true", "false", ""])),
                    "kind": draw(st.sampled_from(
                        ["", "service", "outreach", "care_team_meeting", "engagement_fee"])),
                    "procedure_code": code, "modifiers": mods,
                    "diagnosis_codes": draw(st.sampled_from(["Z59.00", "F32.9;Z71.89", "", "X"])),
                    "charge": draw(pick(["", "85", "125.50"]) if not hostile else st.sampled_from(
                        ["", "85", "0", "-5", "1e308", "inf", "99999999999", "12.345"])),
                    "units": draw(st.sampled_from(["", "1", "2", "0", "10000"])),
                    "place_of_service": draw(pick(["", "11", "02", "10", "X1", "00"])),
                    "authorization_number": draw(pick(["", "TAR0001", "0000000006"])),
                }
            )  # fmt: skip
        for _ in range(draw(st.integers(0, 2))):
            outreach.append(
                {
                    "member_id": mid, "date": draw(st.sampled_from(DAYS)),
                    "method": draw(st.sampled_from(["phone", "in_person", "mail"])),
                    "successful": draw(st.sampled_from(["true", "false"])),
                    "staff_type": draw(st.sampled_from(["clinical", "non_clinical"])),
                    "diagnosis_codes": "Z59.00",
                    "authorization_number": draw(pick(["", "TAR7"])),
                }
            )  # fmt: skip
    tables = {"members": members, "enrollments": enrollments or [
        {"member_id": "M0", "status": "pending_outreach"}]}  # fmt: skip
    if encounters:
        tables["encounters"] = encounters
    if outreach:
        tables["outreach"] = outreach
    return tables


def due_lines(tables: dict[str, list[dict]]) -> dict[str, list[tuple[str, int]]]:
    """member_id -> [(sheet, row)] of the lines due in November 2025 (header on row 1)."""
    encounters = tables.get("encounters", [])
    outreach_billed = {
        e["member_id"] for e in encounters if e["kind"] == "outreach" and not e.get("cs_service")
    }
    due: dict[str, list] = {m["member_id"]: [] for m in tables["members"]}
    for row, e in enumerate(encounters, start=2):
        if e["date"].startswith("2025-11"):
            due[e["member_id"]].append(("encounters", row))
    first: dict[str, tuple[str, int]] = {}
    for row, a in enumerate(tables.get("outreach", []), start=2):
        mid = a["member_id"]
        if mid not in outreach_billed and (mid not in first or a["date"] < first[mid][0]):
            first[mid] = (a["date"], row)
    for mid, (day, row) in first.items():
        if day.startswith("2025-11"):
            due[mid].append(("outreach", row))
    return due


def rows_of(tables: dict[str, list[dict]], mid: str) -> set[tuple[str, int]]:
    return {
        (table, row)
        for table, rows in tables.items()
        for row, record in enumerate(rows, start=2)
        if record.get("member_id") == mid
    }


def check_accounting(kit, tables, provider) -> list[dict]:
    """Bill ``tables`` with ``ecmx claims --plan all``, check no line is lost, and return
    the error findings."""
    with tempfile.TemporaryDirectory() as tmp:
        data = write_dataset(Path(tmp) / "data", tables, provider)
        out, report = Path(tmp) / "claims", Path(tmp) / "r.json"
        run = kit.invoke(*claims_argv(data, out, "--report", report))
        assert run.code in (0, 1), run.text
        assert "Traceback" not in run.text and "internal error" not in run.text
        errors = [
            f for f in json.loads(report.read_text("utf-8"))["findings"]
            if f["severity"] == "error"
        ]  # fmt: skip
        named = {(f["sheet"], f["row"]) for f in errors}
        billed: dict[str, int] = {}
        for path in sorted(out.glob("*.837")) if out.exists() else []:
            assert pyx12_accepts(path), path.read_text("ascii")
            for loop in subscriber_loops(segments(path)):
                billed[loop["IL"][9]] = billed.get(loop["IL"][9], 0) + len(loop["SV1"])
        for member in tables["members"]:
            due = due_lines(tables)[member["member_id"]]
            count = billed.get(member["cin"], 0)
            refused = [line for line in due if line in named]
            if count == 0 and len(refused) < len(due):  # held back whole: named somewhere
                assert rows_of(tables, member["member_id"]) & named, (member, due, errors)
            else:
                assert count == len(due) - len(refused), (member, due, count, errors)
        return errors


SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],  # an example costs ~1 s: report, don't shrink
)


@SETTINGS
@given(tables=claim_datasets(hostile=False))
def test_every_line_of_a_random_dataset_is_billed_or_named(kit, samples, tables):
    """Issue 11: ECM services, outreach (encounters and attempts), care team meetings,
    CHW, doula, explicit and derived codes in one dataset: no line disappears."""
    check_accounting(kit, tables, the_provider(samples, kit))


@SETTINGS
@given(tables=claim_datasets(hostile=True))
def test_hostile_values_hold_back_one_member_and_every_837p_passes_pyx12(kit, samples, tables):
    """Issue 11: INF charges, names of Chinese characters, control characters, 'Calif',
    junk places of service reached the 837P and the payer rejected the whole file."""
    check_accounting(kit, tables, the_provider(samples, kit))


def test_values_an_837p_cannot_carry_hold_back_one_member_or_line(cli, samples, kit, tmp_path):
    """Issue 11: each of these once reached the 837P and the payer rejected the whole file.
    Now each is a finding at its cell, and the clean member's claim is still sent."""
    members = [
        a_member("OK", 1),
        a_member("CJK", 2, last_name="王小明"),  # NM103 empty
        a_member("CITY", 3, city="北京"),  # N401 empty
        a_member("STX", 4, address="12 Elm\x02St"),  # control character in N3
        a_member("STATE", 5, state="Calif"),  # N402
        a_member("BLANK", 6, city=""),  # N4 without its city
    ]
    encounters = [an_encounter(m["member_id"], "2025-11-12", charge="85") for m in members]
    encounters += [
        an_encounter("OK", "2025-11-13", charge="1e308"),  # INF in CLM02 and SV102
        an_encounter("OK", "2025-11-14", charge="85", place_of_service="X1"),  # junk SV105
        an_encounter("OK", "2025-11-15", charge="85"),
    ]
    data = write_dataset(
        tmp_path / "data",
        {
            "members": members,
            "enrollments": [
                {
                    "member_id": m["member_id"],
                    "status": "enrolled",
                    "enrollment_start": "2025-11-01",
                }
                for m in members
            ],
            "encounters": encounters,
        },
        the_provider(samples, kit),
    )
    out = tmp_path / "claims"
    run = cli(*claims_argv(data, out, "--report", tmp_path / "r.json", plan="healthnet"))
    assert run.code == 1, run.err
    assert "王" not in run.text and "Calif" not in run.text  # values stay out of messages
    found = {
        (f["code"], f["cell"])
        for f in json.loads((tmp_path / "r.json").read_text("utf-8"))["findings"]
    }
    letter = {c: "ABCDEFGHIJKL"[i] for i, c in enumerate(members[0])}  # the CSV headers
    enc_header = list(dict.fromkeys(k for e in encounters for k in e))
    enc_letter = {c: "ABCDEFGHIJKL"[i] for i, c in enumerate(enc_header)}
    assert found == {
        ("K013", f"members!{letter['last_name']}3"),
        ("K013", f"members!{letter['city']}4"),
        ("K013", f"members!{letter['address']}5"),
        ("K013", f"members!{letter['state']}6"),
        ("K013", f"members!{letter['city']}7"),
        ("K011", f"encounters!{enc_letter['charge']}8"),
        ("K014", f"encounters!{enc_letter['place_of_service']}9"),
    }
    path = out / claim_file_name(kit.load_yaml(data / "provider.yaml"), "healthnet")
    assert pyx12_accepts(path)
    assert lines_by_member(path) == {
        "91234561A": [("20251112", "HC:G9012:U2", "85"), ("20251115", "HC:G9012:U2", "85")]
    }


def as_workbook(folder: Path, tables: dict[str, list[dict]], *, number_cells=()) -> Path:
    """The same tables as an xlsx dataset (provider.yaml beside it), every cell text
    except the (sheet, row, column) in ``number_cells``, stored as a number."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(name)
        header = list(dict.fromkeys(k for row in rows for k in row))
        sheet.append(header)
        for row_number, row in enumerate(rows, start=2):
            cells = []
            for column in header:
                value = row.get(column) or None
                if (name, row_number, column) in number_cells:
                    value = int(value)
                cells.append(value)
            sheet.append(cells)
    path = folder / "dataset.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_authorization_numbers_keep_their_leading_zeros(cli, samples, kit, tmp_path, form):
    """Issue 11: TARs like 0000000006 came out as 6. They are ids: text end to end, from
    the episode or the encounter's own authorization_number, to REF*G1, invoice and RTF."""
    tables = {
        "members": [a_member("M1", 1, plan="partnership")],
        "enrollments": [
            {
                "member_id": "M1",
                "status": "enrolled",
                "enrollment_start": "2025-11-01",
                "authorization_number": "0000000006",
            }
        ],
        "encounters": [
            an_encounter("M1", "2025-11-03", charge="85"),
            an_encounter("M1", "2025-11-04", charge="85", authorization_number="0012300"),
        ],
    }
    data = write_dataset(tmp_path / "data", tables, the_provider(samples, kit))
    if form == "xlsx":
        data = as_workbook(data, tables)
    provider = kit.load_yaml(tmp_path / "data" / "provider.yaml")
    run = cli(*claims_argv(data, tmp_path / "claims", plan="partnership"))
    assert run.code == 0, run.err
    path = tmp_path / "claims" / claim_file_name(provider, "partnership")
    assert pyx12_accepts(path)
    refs = [s[2] for s in segments(path) if s[:2] == ["REF", "G1"]]
    assert refs == ["0000000006", "0012300"]

    run = cli(*claims_argv(data, tmp_path / "inv", "--format", "invoice", plan="partnership"))
    assert run.code == 0, run.err
    _, rows = kit.calamine_sheet(
        tmp_path / "inv" / claim_file_name(provider, "partnership", "Invoice")
    )
    header = next(r for r in rows if "Authorization (TAR)" in r)
    column = header.index("Authorization (TAR)")
    lines = [r[column] for r in rows[rows.index(header) + 1 :] if r[column] != "Total"]
    assert [v for v in lines if v] == ["0000000006", "0012300"]

    run = cli("convert", data, "--plan", "partnership", "--kind", "rtf", "--period", "2025-11",
              "--out", tmp_path / "rtf", "--production-date", "2025-12-03")  # fmt: skip
    [rtf] = (tmp_path / "rtf").iterdir()
    sheet = kit.openpyxl_sheet(rtf)
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(r for r in rows if "Authorization Number" in r)
    cell = rows[rows.index(header) + 1][header.index("Authorization Number")]
    assert cell == "0000000006"


def test_an_authorization_number_stored_as_a_number_is_a_finding(cli, samples, kit, tmp_path):
    """A workbook cell holding the number 6 (shown 0000000006 by a number format) has
    lost the zeros: the claim is held back and the cell named, not billed with TAR 6."""
    tables = {
        "members": [a_member("M1", 1, plan="partnership")],
        "enrollments": [
            {
                "member_id": "M1",
                "status": "enrolled",
                "enrollment_start": "2025-11-01",
                "authorization_number": "6",
            }
        ],
        "encounters": [an_encounter("M1", "2025-11-03", charge="85")],
    }
    folder = write_dataset(tmp_path / "data", tables, the_provider(samples, kit))
    data = as_workbook(folder, tables, number_cells={("enrollments", 2, "authorization_number")})
    run = cli(*claims_argv(data, tmp_path / "claims", "--report", tmp_path / "r.json",
                           plan="partnership"))  # fmt: skip
    assert run.code == 1, run.err
    found = json.loads((tmp_path / "r.json").read_text("utf-8"))["findings"]
    assert [(f["code"], f["cell"]) for f in found] == [("D106", "enrollments!D2")]
    assert "leading zeros" in found[0]["message"]
    assert not (tmp_path / "claims").exists() or billed_files(tmp_path / "claims") == []


def test_a_separator_in_a_name_is_billed_as_a_space_with_a_warning(cli, samples, kit, tmp_path):
    """A value is never changed without a finding: an X12 separator (here the segment
    terminator ~) or a line break in a name or address goes out as a space, and K013
    (a warning) names the cell; the member is still billed."""
    members = [a_member("SEP", 1, last_name="Smith~Jones", address="12 Elm St\nApt 3")]
    data = write_dataset(
        tmp_path / "data",
        {
            "members": members,
            "enrollments": [
                {"member_id": "SEP", "status": "enrolled", "enrollment_start": "2025-11-01"}
            ],
            "encounters": [an_encounter("SEP", "2025-11-12", charge="85")],
        },
        the_provider(samples, kit),
    )
    out = tmp_path / "claims"
    run = cli(*claims_argv(data, out, "--report", tmp_path / "r.json", plan="healthnet"))
    assert run.code == 0, run.err
    assert "Smith" not in run.text  # values stay out of messages
    findings = json.loads((tmp_path / "r.json").read_text("utf-8"))["findings"]
    letter = {c: "ABCDEFGHIJKL"[i] for i, c in enumerate(members[0])}
    assert {(f["code"], f["severity"], f["cell"]) for f in findings} == {
        ("K013", "warning", f"members!{letter['last_name']}2"),
        ("K013", "warning", f"members!{letter['address']}2"),
    }
    path = out / claim_file_name(kit.load_yaml(data / "provider.yaml"), "healthnet")
    assert pyx12_accepts(path)
    text = path.read_text()
    assert "*SMITH JONES*" in text and "N3*12 ELM ST APT 3~" in text
    assert lines_by_member(path) == {"91234561A": [("20251112", "HC:G9012:U2", "85")]}
