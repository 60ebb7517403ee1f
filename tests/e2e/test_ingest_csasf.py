"""``ecmx ingest --kind csasf`` end to end: a plan's CSASF merged into community_supports.

The CSASF is the one ``ecmx convert --kind csasf`` makes for Health Net from the session's
sample with a few Community Supports pairs added here (the sample's own CS rows are
another helper's; these are ours, on known members). It is ingested into the same dataset
without any community_supports rows and without one of the members: every listed pair
arrives with the file's values, the missing member comes back as a new member. A second
CSASF, edited as a plan's next file differs, gives one dropped, one changed and one
conflicting pair.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

PLAN = "healthnet"
CS_COLUMNS = (
    "member_id", "service", "status", "authorization_number", "authorization_start",
    "authorization_end", "units_authorized", "referral_date", "status_date", "service_start",
    "service_end", "end_reason",
)  # fmt: skip
FROM_FILE = (
    "status", "authorization_number", "authorization_start", "authorization_end",
    "units_authorized", "referral_date",
)  # fmt: skip
CIN, SERVICE, NUMBER = "Member CIN", "CS Service", "Authorization Number"


def cs_row(member_id, service, status, number="", start="", end="", units="", referred=""):
    row = dict.fromkeys(CS_COLUMNS, "")
    row.update(member_id=member_id, service=service, status=status, authorization_number=number,
               authorization_start=start, authorization_end=end, units_authorized=units,
               referral_date=referred)  # fmt: skip
    return row


@dataclass
class Fixture:
    source: Path  # the dataset the CSASF is made from
    csasf: Path
    target: Path  # the same dataset without community_supports rows and without `arriving`
    pairs: list[dict]  # the pairs the CSASF lists (not the closed one)
    arriving: str  # member_id left out of the target: a new member on ingest
    cins: dict[str, str]  # member_id -> CIN


@pytest.fixture(scope="module")
def fixture(kit, samples, tmp_path_factory) -> Fixture:
    base = tmp_path_factory.mktemp("csasf")
    source = kit.copy_csv_sample(samples, base / "source")
    members = kit.read_csv(source / "members.csv")
    mine = [m for m in members if m["plan"] == PLAN][:4]
    other = next(m for m in members if m["plan"] == "calviva")
    a, b, c, d = (m["member_id"] for m in mine)
    pairs = [
        cs_row(a, "housing_transition_navigation", "authorized", "000123", "2025-10-01",
               "2026-03-31", "12", "2025-09-20"),
        cs_row(a, "housing_deposits", "requested", referred="2025-11-02"),
        cs_row(b, "medically_tailored_meals", "potential", referred="2025-11-10"),
        cs_row(c, "recuperative_care", "authorized", "0042", "2025-11-01", "2025-12-31", "30",
               "2025-10-20"),
    ]  # fmt: skip
    closed = cs_row(d, "respite_services", "closed", "77", "2025-06-01", "2025-08-31", "5")
    calviva = cs_row(other["member_id"], "sobering_centers", "authorized", "0099")
    kit.write_csv(source / "community_supports.csv", [*pairs, closed, calviva])
    out = base / "made"
    run = kit.invoke(
        "convert", source, "--plan", PLAN, "--kind", "csasf", "--period", "2025-11",
        "--out", out, "--production-date", "2025-11-15",
    )  # fmt: skip
    assert run.code == 0, run.err
    [csasf] = list(out.iterdir())

    target = kit.copy_csv_sample(samples, base / "target")
    (target / "community_supports.csv").unlink(missing_ok=True)  # the sample's own CS rows
    kit.write_csv(target / "members.csv", [m for m in members if m["member_id"] != b])
    for table in ("enrollments", "outreach", "encounters"):
        rows = kit.read_csv(target / f"{table}.csv")
        kit.write_csv(target / f"{table}.csv", [r for r in rows if r["member_id"] != b])
    cins = {m["member_id"]: m["cin"] for m in members}
    return Fixture(source, csasf, target, pairs, b, cins)


def ingest(kit, csasf: Path, dataset: Path, out: Path, *extra):
    return kit.invoke(
        "ingest", csasf, "--kind", "csasf", "--plan", PLAN, "--dataset", dataset, "--out", out,
        *extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def first(kit, fixture, tmp_path_factory):
    base = tmp_path_factory.mktemp("first")
    run = ingest(kit, fixture.csasf, fixture.target, base / "merged", "--report",
                 base / "report.json", "--received", "2025-11-15")  # fmt: skip
    return run, base / "merged", json.loads((base / "report.json").read_text(encoding="utf-8"))


def by_pair(rows: list[dict], cins: dict[str, str]) -> dict[tuple, dict]:
    return {(cins.get(r["member_id"], r["member_id"]), r["service"]): r for r in rows}


# ----------------------------------------------------------------------------- the file


def test_convert_writes_one_row_per_open_pair_that_validate_accepts(kit, fixture, cli):
    assert fixture.csasf.name == "SUNRISE_HN_CS_CSASF_20251115.xlsx"
    ws = openpyxl.load_workbook(fixture.csasf).worksheets[0]
    assert ws.title == "CSASF"
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    listed = {(r[CIN], r[SERVICE]) for r in rows}
    assert len(rows) == len(listed) == 4  # the closed pair and the CalViva member are not on it
    expected = {(fixture.cins[p["member_id"]], p["service"]) for p in fixture.pairs}
    labels = {"Housing Transition Navigation Services": "housing_transition_navigation",
              "Housing Deposits": "housing_deposits", "Recuperative Care (Medical Respite)":
              "recuperative_care", "Medically Tailored Meals/Medically Supportive Food":
              "medically_tailored_meals"}  # fmt: skip
    assert {(cin, labels[service]) for cin, service in listed} == expected
    number_cells = [r[header.index(NUMBER)] for r in ws.iter_rows(min_row=2) if r[0].value]
    assert {c.value for c in number_cells if c.value} == {"000123", "0042"}
    assert all(c.data_type == "s" for c in number_cells if c.value)  # text: zeros kept
    run = cli("validate", fixture.csasf, "--plan", PLAN, "--kind", "csasf", "--period", "2025-11")
    assert run.code == 0, run.err
    assert "0 error(s), 0 warning(s)" in run.text


def test_ingest_brings_every_pair_with_the_files_values(kit, fixture, first):
    run, merged, _ = first
    assert run.code == 0, run.err
    assert "Traceback" not in run.text
    members = kit.read_csv(merged / "members.csv")
    cins = {m["member_id"]: m["cin"] for m in members}
    got = by_pair(kit.read_csv(merged / "community_supports.csv"), cins)
    expected = by_pair(fixture.pairs, fixture.cins)
    assert set(got) == set(expected)
    for pair, row in expected.items():
        assert {k: got[pair][k] for k in FROM_FILE} == {k: row[k] for k in FROM_FILE}, pair
        assert got[pair]["status_date"] == "2025-11-15"
    assert (
        got[(fixture.cins[fixture.pairs[0]["member_id"]], "housing_transition_navigation")][
            "authorization_number"
        ]
        == "000123"
    )


def test_a_member_the_dataset_lacks_arrives_without_an_ecm_episode(kit, fixture, first):
    _, merged, _ = first
    cin = fixture.cins[fixture.arriving]
    source = {m["cin"]: m for m in kit.read_csv(fixture.source / "members.csv")}[cin]
    [new] = [m for m in kit.read_csv(merged / "members.csv") if m["cin"] == cin]
    assert new["member_id"] == "healthnet-20251115-0001" and new["plan"] == PLAN
    for column in ("last_name", "first_name", "dob", "phone", "address", "city", "zip"):
        assert new[column] == source[column], column
    episodes = kit.read_csv(merged / "enrollments.csv")
    assert not [e for e in episodes if e["member_id"] == new["member_id"]]


def test_the_report_counts_pairs_and_masks_the_service(fixture, first):
    run, _, report = first
    expected = {"kind": "csasf", "new": 4, "dropped": 0, "changed": 0, "conflict": 0}
    assert {key: report["summary"][key] for key in expected} == expected
    assert [c["change"] for c in report["changes"]] == ["new"] * 4
    assert list(report["changes"][0]) == [
        "change", "cin", "member_id", "service", "field", "dataset_value", "plan_value",
        "file_row",
    ]  # fmt: skip
    assert {c["service"] for c in report["changes"]} == {"***"}
    assert [c["field"] for c in report["changes"]].count("members") == 1  # the new member
    for cin in fixture.cins.values():
        assert cin not in run.text
    assert "Medically" not in run.text and "medically" not in run.text


# ----------------------------------------------------------------------------- the next file


@pytest.fixture(scope="module")
def second(kit, fixture, first, tmp_path_factory):
    """The next CSASF: housing_deposits gone (resolved), recuperative_care's number changed;
    meanwhile the provider closed housing_transition_navigation (the plan still lists it
    as authorized) and recorded when the recuperative care started."""
    _, merged, _ = first
    base = tmp_path_factory.mktemp("second")
    book = openpyxl.load_workbook(fixture.csasf)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    for row in range(ws.max_row, 1, -1):
        service = ws.cell(row, header.index(SERVICE) + 1).value
        if service == "Housing Deposits":
            ws.delete_rows(row)
        elif service.startswith("Recuperative"):
            ws.cell(row, header.index(NUMBER) + 1).value = "0043"
    csasf = base / "plan" / "SUNRISE_HN_CS_CSASF_20251129.xlsx"
    csasf.parent.mkdir()
    book.save(csasf)
    data = base / "data"
    shutil.copytree(merged, data)
    rows = kit.read_csv(data / "community_supports.csv")
    for row in rows:
        if row["service"] == "housing_transition_navigation":
            row.update(status="closed", service_end="2025-11-20", end_reason="completed")
        if row["service"] == "recuperative_care":
            row["service_start"] = "2025-11-03"
    kit.write_csv(data / "community_supports.csv", rows)
    run = ingest(kit, csasf, data, base / "merged", "--report", base / "report.csv",
                 "--received", "2025-11-29", "--show-values")  # fmt: skip
    return run, base / "merged", base / "report.csv"


def test_the_next_csasf_reports_dropped_changed_and_conflicting_pairs(kit, second):
    run, _, report_path = second
    assert run.code == 0, run.err
    lines = report_path.read_text(encoding="utf-8").splitlines()
    assert "PHI" in lines[0]  # --show-values: the report says it holds member data
    changes = list(csv.DictReader(lines[1:]))
    seen = {(c["change"], c["service"], c["field"]): c for c in changes}
    assert set(seen) == {
        ("dropped", "housing_deposits", ""),
        ("changed", "recuperative_care", "authorization_number"),
        ("conflict", "housing_transition_navigation", "status"),
    }
    number = seen[("changed", "recuperative_care", "authorization_number")]
    assert (number["dataset_value"], number["plan_value"]) == ("0042", "0043")
    status = seen[("conflict", "housing_transition_navigation", "status")]
    assert (status["dataset_value"], status["plan_value"]) == ("closed", "authorized")
    table = run.out
    assert "dropped" in table and "conflict" in table


def test_the_next_csasf_keeps_what_the_provider_holds(kit, second):
    _, merged, _ = second
    rows = {r["service"]: r for r in kit.read_csv(merged / "community_supports.csv")}
    assert rows["housing_deposits"]["status"] == "requested"  # dropped: listed, not deleted
    navigation = rows["housing_transition_navigation"]
    assert (navigation["status"], navigation["service_end"], navigation["end_reason"]) == (
        "closed", "2025-11-20", "completed",
    )  # fmt: skip
    care = rows["recuperative_care"]
    assert (care["authorization_number"], care["service_start"]) == ("0043", "2025-11-03")
    roster = [r for r in kit.read_csv(merged / "plan_rosters.csv") if r["kind"] == "csasf"]
    assert len(roster) == 3 and {r["received"] for r in roster} == {"2025-11-29"}


# ----------------------------------------------------------------------------- bad files


def test_a_csasf_without_its_service_column_is_one_line_exit_2(cli, fixture, tmp_path):
    book = openpyxl.load_workbook(fixture.csasf)
    ws = book.worksheets[0]
    ws.delete_cols([c.value for c in ws[1]].index(SERVICE) + 1)
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    run = cli("ingest", bad, "--kind", "csasf", "--plan", PLAN, "--dataset", fixture.target,
              "--out", tmp_path / "merged")  # fmt: skip
    assert run.code == 2
    run.one_error_line("column 'CS Service' is missing from the header row (row 1)", "bad.xlsx")
    assert not (tmp_path / "merged").exists()


def test_a_csasf_on_another_sheet_is_one_line_exit_2(cli, fixture, tmp_path):
    book = openpyxl.load_workbook(fixture.csasf)
    book.worksheets[0].title = "Members"
    notes = book.create_sheet("Read me", 0)
    notes["A1"] = "Community Supports list, see the next sheet"
    bad = tmp_path / "other-sheet.xlsx"
    book.save(bad)
    run = cli("ingest", bad, "--kind", "csasf", "--plan", PLAN, "--dataset", fixture.target,
              "--out", tmp_path / "merged")  # fmt: skip
    assert run.code == 2
    run.one_error_line("no header row found", "'Read me'", "--kind")
    assert not (tmp_path / "merged").exists()


def test_a_plan_without_a_csasf_names_its_inbound_files(cli, fixture, tmp_path):
    run = cli("ingest", fixture.csasf, "--kind", "csasf", "--plan", "chwp", "--dataset",
              fixture.target, "--out", tmp_path / "merged")  # fmt: skip
    assert run.code == 2
    run.one_error_line("sends no csasf file; its inbound files: mif, mini_mif")


def test_the_rtf_from_the_merged_dataset_leaves_the_cs_only_member_off_quietly(kit, fixture, first):
    """The member the CSASF brought has no ECM episode: not on the RTF, and no R001 about it
    (a Community Supports member only); the ECM members are all still there."""
    _, merged, _ = first
    out = merged.parent / "rtf"
    run = kit.invoke("convert", merged, "--plan", PLAN, "--kind", "rtf", "--period", "2025-11",
                     "--out", out, "--production-date", "2025-12-03", "-v")  # fmt: skip
    assert run.code == 0, run.err
    assert "R001" not in run.text
    [rtf] = list(out.iterdir())
    _, rows = kit.calamine_sheet(rtf)
    cins = {row[rows[0].index("Member Client Index Number (CIN)")] for row in rows[1:]}
    assert fixture.cins[fixture.arriving] not in cins
    assert len(cins) == len(rows) - 1 > 0
