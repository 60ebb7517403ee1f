"""Issue 17's "Done when", from the sample data as `ecmx sample-data` makes it (with its
Community Supports members): a CSASF ingested, a CSPRTF that validates, a CS claim line
without an authorization refused, Partnership's referral file made, program completion
due dates in `due`, and the capacity table printed. Each through the command line."""

from __future__ import annotations

import json
from pathlib import Path

from python_calamine import CalamineWorkbook

COMMON = ("--period", "2025-11", "--production-date", "2025-12-03")


def only_file(folder: Path) -> Path:
    (path,) = sorted(folder.iterdir())
    return path


def test_a_csasf_from_the_plan_goes_into_a_dataset_without_cs_rows(cli, kit, samples, tmp_path):
    made = tmp_path / "plan"
    run = cli("convert", samples["csv"], "--plan", "healthnet", "--kind", "csasf", *COMMON,
              "--out", made)  # fmt: skip
    assert run.code == 0, run.err
    csasf = only_file(made)
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    pairs = kit.read_csv(data / "community_supports.csv")
    (data / "community_supports.csv").unlink()  # a provider new to Community Supports
    run = cli("ingest", csasf, "--kind", "csasf", "--plan", "healthnet", "--dataset", data,
              "--out", tmp_path / "merged", "--report", tmp_path / "merge.json")  # fmt: skip
    assert run.code == 0, run.err
    report = json.loads((tmp_path / "merge.json").read_text())
    plan_members = {m["member_id"] for m in kit.read_csv(data / "members.csv")
                    if m["plan"] == "healthnet"}  # fmt: skip
    open_pairs = [p for p in pairs if p["member_id"] in plan_members and p["status"] != "closed"]
    assert report["summary"]["new"] == len(open_pairs) > 0, report["summary"]


def test_the_csprtf_made_from_the_sample_validates(cli, samples, tmp_path):
    run = cli("convert", samples["xlsx"], "--plan", "healthnet", "--kind", "csprtf", *COMMON,
              "--out", tmp_path / "out")  # fmt: skip
    assert run.code == 0, run.err
    csprtf = only_file(tmp_path / "out")
    rows = CalamineWorkbook.from_path(str(csprtf)).get_sheet_by_index(0).to_python()
    assert len(rows) > 1
    run = cli("validate", csprtf, "--plan", "healthnet", "--kind", "csprtf", "--period",
              "2025-11", "--dataset", samples["xlsx"])  # fmt: skip
    assert run.code == 0, run.text


def test_a_cs_line_without_an_authorization_is_refused_and_named(cli, kit, samples, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    members = {m["member_id"]: m["plan"] for m in kit.read_csv(data / "members.csv")}
    potential = next(p for p in kit.read_csv(data / "community_supports.csv")
                     if p["status"] == "potential" and members[p["member_id"]] == "healthnet")  # fmt: skip
    encounters = kit.read_csv(data / "encounters.csv")
    cs_line = next(e for e in encounters if e["cs_service"])
    encounters.append({**cs_line, "member_id": potential["member_id"],
                       "cs_service": potential["service"], "procedure_code": "S5170",
                       "date": "2025-11-20", "units": "1", "charge": "75"})  # fmt: skip
    kit.write_csv(data / "encounters.csv", encounters)
    row = len(encounters) + 1  # the header is row 1
    run = cli("claims", data, "--plan", "healthnet", "--period", "2025-11", "--out",
              tmp_path / "claims", "--production-date", "2025-12-03", "--report",
              tmp_path / "claims.json")  # fmt: skip
    assert run.code == 1, run.text
    findings = json.loads((tmp_path / "claims.json").read_text())["findings"]
    refused = [f for f in findings if f["code"] == "K020"]
    assert [(f["sheet"], f["row"]) for f in refused] == [("encounters", row)], refused
    billed = only_file(tmp_path / "claims").read_text()
    assert "S5170" not in billed and "H0043" in billed  # the authorized CS service is billed


def test_partnerships_referral_file_from_the_sample(cli, samples, tmp_path):
    run = cli("convert", samples["xlsx"], "--plan", "partnership", "--kind", "referral",
              *COMMON, "--out", tmp_path / "out")  # fmt: skip
    assert run.code == 0, run.err
    rows = CalamineWorkbook.from_path(str(only_file(tmp_path / "out"))).get_sheet_by_index(0)
    assert len(rows.to_python()) == 2  # the header and the sample's community referral


def test_due_and_capacity_from_the_sample(cli, samples, tmp_path):
    run = cli("due", "--today", "2025-12-01", "--dataset", samples["xlsx"])
    assert run.code == 0, run.err
    assert "program completion" in run.out
    run = cli("capacity", samples["xlsx"], "--period", "2025-11", "--format", "json")
    assert run.code == 0, run.err
    plans = {r["plan"] for r in json.loads(run.out) if r["table"] == "plans"}
    assert plans >= {"healthnet", "partnership"}
