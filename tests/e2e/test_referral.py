"""Partnership's Potential ECM Member Referral File, as a provider makes and checks it.

`convert --kind referral` writes the members the provider found and referred in the
period (latest episode pending outreach or outreach, referral date in the period, no
assigned date); a member the plan assigned is not on it, one on a plan file ingested is named (R002); the file is
not part of `--kind all`, only Partnership has it, and a period without a referral
writes no file. `validate --kind referral` reads it back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

COMMON = ("--period", "2025-11", "--production-date", "2025-12-03")
NAME = "Sunrise Community Health_ECM - Referral_12032025.xlsx"  # {facility_name}_ECM - Referral_{production_date:%m%d%Y}
# member_id, CIN, status, referral date, assigned date: the first two are community
# referrals of 2025-11; the others are not (assigned; on the plan's TEL; referred in
# October; already enrolled; another plan's member).
PLANTED = (
    ("C1", "90000001A", "partnership", "pending_outreach", "2025-11-04", ""),
    ("C2", "90000002C", "partnership", "outreach", "2025-11-28", ""),
    ("C3", "90000003D", "partnership", "pending_outreach", "2025-11-10", "2025-11-12"),
    ("C4", "90000004E", "partnership", "pending_outreach", "2025-11-02", ""),
    ("C5", "90000005F", "partnership", "pending_outreach", "2025-10-30", ""),
    ("C6", "90000006G", "partnership", "enrolled", "2025-11-03", ""),
    ("C7", "90000007H", "healthnet", "pending_outreach", "2025-11-06", ""),
)
REFERRED = ["90000001A", "90000002C"]


def _without_the_samples_referral(kit, data: Path) -> Path:
    """The sample's own community referral (one Partnership member, sample.py) assigned by
    the plan, so that the tests decide every referral the file holds."""
    episodes = kit.read_csv(data / "enrollments.csv")
    for episode in episodes:
        if episode["referral_date"].startswith("2025-11") and not episode["assigned_date"]:
            episode["assigned_date"] = episode["referral_date"]
    kit.write_csv(data / "enrollments.csv", episodes)
    return data


def _plant(kit, data: Path) -> None:
    """The planted members (ZIP 09501: a leading zero to keep), C4 on Partnership's TEL."""
    members = kit.read_csv(data / "members.csv")
    episodes = kit.read_csv(data / "enrollments.csv")
    template = next(m for m in members if m["plan"] == "partnership")
    for member_id, cin, plan, status, referred, assigned in PLANTED:
        members.append({**template, "member_id": member_id, "cin": cin, "plan": plan,
                        "first_name": f"Found{member_id}", "last_name": "Community",
                        "zip": "09501", "populations_of_focus": "homelessness",
                        "homeless": "true"})  # fmt: skip
        episodes.append({**dict.fromkeys(episodes[0], ""), "member_id": member_id,
                         "status": status, "referral_date": referred, "assigned_date": assigned,
                         "enrollment_start": "2025-11-20" if status == "enrolled" else "",
                         "lead_care_manager_name": "Ana Ruiz"})  # fmt: skip
    kit.write_csv(data / "members.csv", members)
    kit.write_csv(data / "enrollments.csv", episodes)
    kit.write_csv(data / "plan_rosters.csv", [
        {"plan": "partnership", "kind": "tel", "cin": "90000004E", "received": "2025-11-06",
         "source_file": "Sunrise Community Health_ECM - TEL_11062025.xlsx"}])  # fmt: skip


@pytest.fixture
def planted(kit, samples, tmp_path) -> Path:
    data = _without_the_samples_referral(kit, kit.copy_csv_sample(samples, tmp_path / "data"))
    _plant(kit, data)
    return data


def test_the_file_holds_exactly_the_periods_community_referrals(cli, kit, planted, tmp_path):
    out = tmp_path / "out"
    run = cli("convert", planted, "--plan", "partnership", "--kind", "referral", *COMMON,
              "--out", out)  # fmt: skip
    assert run.code == 0, run.text
    assert [p.name for p in out.iterdir()] == [NAME]
    sheet, rows = kit.calamine_sheet(out / NAME)
    assert sheet == "Referral"
    header, body = rows[0], rows[1:]
    cins = [row[header.index("Member CIN")] for row in body]
    assert cins == REFERRED  # by referral date
    record = dict(zip(header, body[0], strict=True))
    assert record["Zip"] == "09501"  # calamine: text, the leading zero kept
    assert record["Member POF"] == "Experiencing Homelessness"
    assert record["Member Homelessness Indicator"] == "Y"
    assert record["Referral Date"].isoformat() == "2025-11-04"
    assert record["ECM Lead Care Manager Name"] == "Ana Ruiz"
    ws = kit.openpyxl_sheet(out / NAME)
    zip_cell = ws.cell(row=2, column=header.index("Zip") + 1)
    assert (zip_cell.value, zip_cell.data_type) == ("09501", "s")
    referral_cell = ws.cell(row=2, column=header.index("Referral Date") + 1)
    assert referral_cell.is_date and referral_cell.number_format == "mm/dd/yyyy"


def test_members_the_plan_sent_are_left_off_and_only_the_roster_ones_named(cli, planted,
                                                                           tmp_path):  # fmt: skip
    """An assigned member is no community referral (every TEL member, every month): left
    off silently. A 'community referral' the plan's ingested file lists: named (R002)."""
    run = cli("convert", planted, "--plan", "partnership", "--kind", "referral", *COMMON,
              "--out", tmp_path / "out", "--verbose")  # fmt: skip
    assert run.code == 0, run.text
    r002 = [line for line in run.err.splitlines() if "R002" in line]
    assert len(r002) == 1, run.err
    assert "members.csv" in r002[0] and "a file Partnership" in r002[0]
    # PHI stays out: the lines name rows and cells, not CINs or names
    assert not any(cin in run.text for _, cin, *_ in PLANTED)
    assert "FoundC" not in run.text


def test_validate_reads_the_file_back_and_checks_cin_names_dob_and_date(cli, kit, planted,
                                                                        tmp_path):  # fmt: skip
    out = tmp_path / "out"
    made = cli("convert", planted, "--plan", "partnership", "--kind", "referral", *COMMON,
               "--out", out)  # fmt: skip
    assert made.code == 0, made.text
    check = ("validate", out / NAME, "--plan", "partnership", "--kind", "referral",
             "--period", "2025-11")  # fmt: skip
    clean = cli(*check, "--dataset", planted)
    assert clean.code == 0, clean.text
    import openpyxl

    book = openpyxl.load_workbook(out / NAME)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("Member CIN") + 1).value = "12345"
    for blanked in ("Member Last Name", "Member First Name", "Member Date of Birth",
                    "Referral Date"):  # fmt: skip
        ws.cell(row=3, column=header.index(blanked) + 1).value = None
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    run = cli("validate", edited, *check[2:], "--verbose")
    assert run.code == 1, run.text
    codes = {(line.split(" error ")[1][:4], line.split("column '")[1].split("'")[0])
             for line in run.err.splitlines() if " error " in line}  # fmt: skip
    assert ("L006", "Member CIN") in codes
    for blanked in ("Member Last Name", "Member First Name", "Member Date of Birth",
                    "Referral Date"):  # fmt: skip
        assert ("L001", blanked) in codes, run.err


def test_not_part_of_the_months_files(cli, planted, tmp_path):
    out = tmp_path / "out"
    run = cli("convert", planted, "--plan", "partnership", *COMMON, "--out", out)
    assert run.code == 0, run.text
    names = sorted(p.name for p in out.iterdir())
    assert names == ["Sunrise Community Health_ECM - IOT_12032025.xlsx",
                     "Sunrise Community Health_ECM - RTF_12032025.xlsx"]  # fmt: skip


def test_only_partnership_has_it(cli, planted, tmp_path):
    run = cli("convert", planted, "--plan", "healthnet", "--kind", "referral", *COMMON,
              "--out", tmp_path / "out")  # fmt: skip
    assert run.code == 2
    run.one_error_line("Health Net has no referral file")
    assert not (tmp_path / "out").exists()


def test_a_period_without_referrals_writes_no_file_and_says_so(cli, kit, samples, tmp_path):
    """The sample without its one community referral refers no one in 2025-11."""
    data = _without_the_samples_referral(kit, kit.copy_csv_sample(samples, tmp_path / "data"))
    out = tmp_path / "out"
    run = cli("convert", data, "--plan", "partnership", "--kind", "referral",
              *COMMON, "--out", out)  # fmt: skip
    assert run.code == 0, run.text
    assert not out.exists() or not any(out.iterdir())
    said = [line for line in run.err.splitlines() if "no file written" in line]
    assert said == [
        "partnership referral: no community referrals (referral_date in the period, no "
        "assigned_date) in 2025-11: no file written"
    ], run.err


def test_a_period_with_only_new_referrals_names_no_one_left_off(cli, kit, samples, tmp_path):
    """Every candidate referred, none assigned: the file holds them and no R002 is said."""
    data = _without_the_samples_referral(kit, kit.copy_csv_sample(samples, tmp_path / "data"))
    members = kit.read_csv(data / "members.csv")
    episodes = kit.read_csv(data / "enrollments.csv")
    template = next(m for m in members if m["plan"] == "partnership")
    members.append({**template, "member_id": "C1", "cin": "90000001A"})
    episodes.append({**dict.fromkeys(episodes[0], ""), "member_id": "C1",
                     "status": "pending_outreach", "referral_date": "2025-11-04"})  # fmt: skip
    kit.write_csv(data / "members.csv", members)
    kit.write_csv(data / "enrollments.csv", episodes)
    out = tmp_path / "out"
    run = cli("convert", data, "--plan", "partnership", "--kind", "referral", *COMMON,
              "--out", out)  # fmt: skip
    assert run.code == 0, run.text
    assert "R002" not in run.text
    _, rows = kit.calamine_sheet(out / NAME)
    assert [row[0] for row in rows[1:]] == ["90000001A"]


def test_the_board_shows_the_referral_file_once_made(cli, planted, tmp_path):
    """The month board owes the RTF and IOT; the referral file appears once made."""
    import json

    ws = tmp_path / "ws"
    assert cli("init", ws).code == 0
    board = ("--workspace", ws, "status", "--plan", "partnership", "--period", "2025-11",
             "--today", "2025-12-09", "--format", "json")  # fmt: skip

    def kinds() -> list[str]:
        run = cli(*board)
        assert run.code == 0, run.text
        return [row["kind"] for row in json.loads(run.out)]

    assert kinds() == ["rtf", "otf"]
    made = cli("--workspace", ws, "convert", planted, "--plan", "partnership", "--kind",
               "referral", *COMMON, "--out", tmp_path / "out")  # fmt: skip
    assert made.code == 0, made.text
    assert kinds() == ["rtf", "otf", "referral"]
