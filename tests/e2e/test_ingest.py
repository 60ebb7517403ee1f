"""``ecmx ingest`` end to end: a plan's MIF merged into a copy of the dataset.

The MIF is the one ``ecmx convert --kind mif`` makes from the session's sample
(Health Net, 12 members), then edited the way a plan's next file differs: one
member left out (dropped), one address changed. The dataset is the sample's CSV
folder without two of the MIF's members (new). What the report must say follows
from those edits alone.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from ecmx.core.dataset.read import read_dataset

PLAN = "healthnet"
RECEIVED = "2025-12-05"
CIN_HEADER = "Member Client Index Number (CIN)"
ADDRESS_HEADER = "Member Residential Address"
NEW_ADDRESS = "4242 Moved Ave"


@pytest.fixture(scope="module")
def made_mif(kit, samples, tmp_path_factory) -> Path:
    """Health Net's MIF for 2025-11 as ``convert --kind mif`` writes it."""
    out = tmp_path_factory.mktemp("made-mif")
    run = kit.invoke(
        "convert", samples["xlsx"], "--plan", PLAN, "--kind", "mif", "--period", "2025-11",
        "--out", out, "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 0, run.err
    [path] = list(out.iterdir())
    assert path.name == "SUNRISE_HN_ECM_MIF_20251203.xlsx"
    return path


def mif_records(path: Path, kit) -> list[dict]:
    _, rows = kit.calamine_sheet(path)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def edit_workbook(source: Path, target: Path, edit) -> Path:
    """Copy a plan workbook, changing it with openpyxl as a person would in Excel."""
    book = openpyxl.load_workbook(source)
    edit(book.worksheets[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def statuses(data: Path, kit) -> dict[str, str]:
    return {e["member_id"]: e["status"] for e in kit.read_csv(data / "enrollments.csv")}


@dataclass
class Pair:
    """The known pair: a plan file, a dataset, and what must be reported."""

    mif: Path
    data: Path
    new: list[str]  # CINs on the MIF and not in the dataset
    dropped: str  # CIN in the dataset, left off the MIF (an enrolled member)
    moved: str  # CIN whose address the MIF changes
    mif_cins: list[str]


@pytest.fixture(scope="module")
def pair(kit, samples, made_mif, tmp_path_factory) -> Pair:
    base = tmp_path_factory.mktemp("pair")
    records = mif_records(made_mif, kit)
    cins = [r[CIN_HEADER] for r in records]
    data = kit.copy_csv_sample(samples, base / "data")
    members = kit.read_csv(data / "members.csv")
    member_of = {m["cin"]: m["member_id"] for m in members}
    status = statuses(data, kit)
    dropped = next(c for c in cins if status[member_of[c]] == "enrolled")
    moved = next(c for c in cins if c != dropped and records[cins.index(c)][ADDRESS_HEADER])
    new = [c for c in cins if c not in (dropped, moved)][-2:]
    gone = {member_of[c] for c in new}
    kit.write_csv(data / "members.csv", [m for m in members if m["member_id"] not in gone])
    for table in ("enrollments", "outreach", "encounters"):
        rows = kit.read_csv(data / f"{table}.csv")
        kit.write_csv(data / f"{table}.csv", [r for r in rows if r["member_id"] not in gone])

    def edit(ws):
        header = [c.value for c in ws[1]]
        cin_at, address_at = header.index(CIN_HEADER) + 1, header.index(ADDRESS_HEADER) + 1
        for row in range(ws.max_row, 1, -1):
            if ws.cell(row, cin_at).value == moved:
                ws.cell(row, address_at).value = NEW_ADDRESS
            if ws.cell(row, cin_at).value == dropped:
                ws.delete_rows(row)

    mif = edit_workbook(made_mif, base / "plan" / made_mif.name, edit)
    return Pair(mif, data, new, dropped, moved, [c for c in cins if c != dropped])


@dataclass
class Ingest:
    run: object
    out: Path
    report: Path
    before: dict
    after: dict


def ingest(kit, pair: Pair, out: Path, report: Path | None, *extra) -> Ingest:
    inputs = (pair.mif, pair.data)
    before = {str(p): kit.digests(p) for p in inputs}
    run = kit.invoke(
        "ingest", pair.mif, "--plan", PLAN, "--dataset", pair.data, "--out", out,
        *(("--report", report) if report else ()), "--received", RECEIVED, *extra,
    )  # fmt: skip
    after = {str(p): kit.digests(p) for p in inputs}
    return Ingest(run, out, report, before, after)


@pytest.fixture(scope="module")
def ingested(kit, pair, tmp_path_factory) -> Ingest:
    base = tmp_path_factory.mktemp("ingested")
    return ingest(kit, pair, base / "merged", base / "report.json")


# ----------------------------------------------------------------------------- the merge


def test_ingest_writes_the_merged_dataset_and_the_report(ingested, kit):
    assert ingested.run.code == 0, ingested.run.err
    assert "Traceback" not in ingested.run.text
    assert ingested.out.is_dir() and ingested.report.is_file()
    assert f"wrote {ingested.out} and {ingested.report}" in ingested.run.err
    assert kit.hidden(ingested.out.parent) == []


def test_the_input_file_and_dataset_are_unchanged(ingested):
    assert ingested.after == ingested.before


def test_the_report_counts_the_changes_and_masks_member_values(ingested, pair):
    document = json.loads(ingested.report.read_text(encoding="utf-8"))
    assert set(document) == {"notice", "summary", "changes"}
    assert "masked" in document["notice"]
    assert document["summary"] == {
        "plan": PLAN,
        "kind": "mif",
        "file": pair.mif.name,
        "received": RECEIVED,
        "new": 2,
        "dropped": 1,
        "changed": 1,
        "conflict": 0,
        "values": "masked",
    }
    by_change: dict[str, list[dict]] = {}
    for change in document["changes"]:
        assert set(change) == {
            "change", "cin", "member_id", "field", "dataset_value", "plan_value", "file_row",
        }  # fmt: skip
        by_change.setdefault(change["change"], []).append(change)
    # PHI stays out of a report unless --show-values (the CSV report below shows them)
    assert [c["cin"] for c in by_change["new"]] == ["***", "***"]
    assert [c["cin"] for c in by_change["dropped"]] == ["***"]
    [moved] = by_change["changed"]
    assert (moved["cin"], moved["field"], moved["plan_value"]) == ("***", "address", "***")
    assert moved["dataset_value"] == "***" and moved["member_id"]
    assert isinstance(moved["file_row"], int) and moved["file_row"] >= 2
    assert NEW_ADDRESS not in ingested.report.read_text(encoding="utf-8")


def test_the_merged_dataset_is_a_csv_folder_like_the_input(ingested, pair, kit):
    out = ingested.out
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [p.name for p in pair.data.iterdir()] + ["plan_rosters.csv"]
    )
    assert kit.load_yaml(out / "provider.yaml") == kit.load_yaml(pair.data / "provider.yaml")
    roster = kit.read_csv(out / "plan_rosters.csv")
    assert [r["cin"] for r in roster] == pair.mif_cins
    assert {(r["plan"], r["kind"], r["received"], r["source_file"]) for r in roster} == {
        (PLAN, "mif", RECEIVED, pair.mif.name)
    }
    members = {m["cin"]: m for m in kit.read_csv(out / "members.csv")}
    assert members[pair.moved]["address"] == NEW_ADDRESS
    for cin in pair.new:
        assert members[cin]["plan"] == PLAN
        assert members[cin]["member_id"].startswith("healthnet-20251205-")
    original = {m["cin"]: m for m in kit.read_csv(pair.data / "members.csv")}
    assert set(members) == set(original) | set(pair.new)
    for cin, member in original.items():  # every other cell as it was
        if cin != pair.moved:
            assert members[cin] == member, cin
    dataset = read_dataset(out)
    assert [f for f in dataset.findings if f.severity != "info"] == []


def test_the_terminal_shows_counts_and_masks_cins(ingested, pair):
    run = ingested.run
    [counts] = [line for line in run.out.splitlines() if line.count("│") == 5 and "new" not in line]
    assert [cell.strip() for cell in counts.split("│")[1:-1]] == ["2", "1", "1", "0"]
    assert "values masked; --show-values shows them" in run.out
    for cin in [*pair.mif_cins, pair.dropped]:
        assert cin not in run.text, "a CIN is shown without --show-values"
    assert NEW_ADDRESS not in run.text


@pytest.fixture(scope="module")
def from_workbook(kit, pair, samples, tmp_path_factory) -> Ingest:
    """The same MIF into the sample workbook, values shown, the report as xlsx."""
    base = tmp_path_factory.mktemp("from-workbook")
    workbook_pair = Pair(pair.mif, samples["xlsx"], [], pair.dropped, pair.moved, pair.mif_cins)
    return ingest(kit, workbook_pair, base / "merged.xlsx", base / "report.xlsx", "--show-values")


def test_a_workbook_dataset_gives_a_workbook_with_its_provider(from_workbook, samples, kit):
    assert from_workbook.run.code == 0, from_workbook.run.err
    assert from_workbook.after == from_workbook.before
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(from_workbook.out))
    assert book.sheet_names == [
        "members", "enrollments", "outreach", "encounters", "community_supports", "plan_rosters",
        "provider",
    ]  # fmt: skip
    assert sorted(p.name for p in from_workbook.out.parent.iterdir()) == [
        "merged.xlsx",
        "report.xlsx",
    ]  # no provider.yaml beside it: the provider sheet is read
    merged = read_dataset(from_workbook.out)
    original = read_dataset(samples["xlsx"])
    assert merged.provider.details == original.provider.details
    assert len(merged.members) == len(original.members)  # every MIF member was known


def test_show_values_shows_the_cins(from_workbook, pair):
    run = from_workbook.run
    assert pair.dropped in run.out and pair.moved in run.out
    assert NEW_ADDRESS in run.out
    assert "values masked" not in run.out


def test_an_xlsx_report_has_changes_and_summary_sheets(from_workbook, pair):
    book = openpyxl.load_workbook(from_workbook.report)
    assert book.sheetnames == ["changes", "summary"]
    notice, *rows = list(book["changes"].iter_rows(values_only=True))
    assert "holds member data (PHI)" in notice[0]  # --show-values: said first
    assert rows[0] == (
        "change", "cin", "member_id", "field", "dataset_value", "plan_value", "file_row",
    )  # fmt: skip
    assert sorted((r[0], r[1]) for r in rows[1:]) == [
        ("changed", pair.moved),
        ("dropped", pair.dropped),
    ]
    summary = dict(book["summary"].iter_rows(values_only=True))
    assert summary["new"] == 0 and summary["dropped"] == 1 and summary["changed"] == 1
    assert summary["plan"] == PLAN and summary["file"] == pair.mif.name


def test_an_existing_out_is_refused_unless_force_and_a_csv_report(ingested, pair, kit):
    before = kit.digests(ingested.out)
    refused = ingest(kit, pair, ingested.out, None)
    assert refused.run.code == 2
    [line] = refused.run.error_lines()
    assert str(ingested.out) in line and "exists already" in line and "--force" in line
    assert kit.digests(ingested.out) == before

    report = ingested.out.parent / "report.csv"
    forced = ingest(kit, pair, ingested.out, report, "--force", "--show-values")
    assert forced.run.code == 0, forced.run.err
    assert forced.after == forced.before
    assert kit.digests(ingested.out) == before  # the same merge, the same bytes
    notice, *lines = report.read_text(encoding="utf-8").splitlines(keepends=True)
    assert "holds member data (PHI)" in notice
    rows = list(csv.DictReader(lines))
    assert list(rows[0]) == [
        "change", "cin", "member_id", "field", "dataset_value", "plan_value", "file_row",
    ]  # fmt: skip
    assert sorted((r["change"], r["cin"]) for r in rows) == sorted(
        [("new", cin) for cin in pair.new] + [("dropped", pair.dropped), ("changed", pair.moved)]
    )


# ----------------------------------------------------------------------------- refusals


def test_out_may_not_be_the_input_dataset(cli, pair, kit):
    before = kit.digests(pair.data)
    run = cli(
        "ingest", pair.mif, "--plan", PLAN, "--dataset", pair.data, "--out", pair.data,
        "--force", "--received", RECEIVED,
    )  # fmt: skip
    assert run.code == 2
    [line] = run.error_lines()
    assert "is an input of this run" in line and "never writes over its input" in line
    assert kit.digests(pair.data) == before


def test_a_bad_report_suffix_is_refused_before_anything_is_written(cli, pair, tmp_path):
    run = cli(
        "ingest", pair.mif, "--plan", PLAN, "--dataset", pair.data, "--out", tmp_path / "merged",
        "--report", tmp_path / "report.txt", "--received", RECEIVED,
    )  # fmt: skip
    assert run.code == 2
    [line] = run.error_lines()
    assert "report.txt: a report ends in .json, .csv or .xlsx" in line
    assert list(tmp_path.iterdir()) == []


def test_a_kind_the_plan_does_not_send_names_its_inbound_kinds(cli, pair, tmp_path):
    run = cli(
        "ingest", pair.mif, "--plan", "partnership", "--kind", "mini_mif", "--dataset",
        pair.data, "--out", tmp_path / "merged", "--received", RECEIVED,
    )  # fmt: skip
    assert run.code == 2
    [line] = run.error_lines()
    assert "sends no mini_mif file; its inbound files: mif, tel" in line
    assert list(tmp_path.iterdir()) == []


def test_a_missing_required_column_is_one_error_naming_it(cli, pair, tmp_path):
    def drop_status(ws):
        header = [c.value for c in ws[1]]
        ws.delete_cols(header.index("Member ECM Status") + 1)

    mif = edit_workbook(pair.mif, tmp_path / "plan" / pair.mif.name, drop_status)
    run = cli(
        "ingest", mif, "--plan", PLAN, "--dataset", pair.data, "--out", tmp_path / "merged",
        "--received", RECEIVED,
    )  # fmt: skip
    assert run.code == 2
    assert "Traceback" not in run.text
    [line] = run.error_lines()
    assert "column 'Member ECM Status' is missing from the header row (row 1)" in line
    assert not (tmp_path / "merged").exists()


def test_an_unreadable_date_writes_nothing_unless_force(kit, pair, tmp_path):
    def spoil(ws):
        header = [c.value for c in ws[1]]
        ws.cell(3, header.index("Member Date of Birth") + 1).value = "last spring"

    mif = edit_workbook(pair.mif, tmp_path / "plan" / pair.mif.name, spoil)
    spoilt = Pair(mif, pair.data, pair.new, pair.dropped, pair.moved, pair.mif_cins)
    refused = ingest(kit, spoilt, tmp_path / "merged", tmp_path / "report.json")
    assert refused.run.code == 1
    assert refused.after == refused.before
    errors = [line for line in refused.run.error_lines() if "error L003" in line]
    assert len(errors) == 1 and "MIF!F3" in errors[0] and "Member Date of Birth" in errors[0]
    assert "last spring" not in refused.run.text
    assert "nothing written" in refused.run.err and "--force" in refused.run.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]

    forced = ingest(kit, spoilt, tmp_path / "merged", tmp_path / "report.json", "--force")
    assert forced.run.code == 1  # written, and the error still reported
    assert (tmp_path / "merged").is_dir() and (tmp_path / "report.json").is_file()
    assert forced.after == forced.before


# ----------------------------------------------------------------------------- then convert


@pytest.fixture(scope="module")
def rtf_from_merged(kit, ingested, tmp_path_factory):
    out = tmp_path_factory.mktemp("rtf-merged")
    run = kit.invoke(
        "convert", ingested.out, "--plan", PLAN, "--kind", "rtf", "--period", "2025-11",
        "--out", out, "--production-date", "2025-12-06",
    )  # fmt: skip
    return run, out


def test_the_merged_dataset_converts_to_an_rtf_holding_every_mif_member(rtf_from_merged, pair, kit):
    run, out = rtf_from_merged
    assert run.code == 0, run.err
    [path] = list(out.iterdir())
    _, rows = kit.calamine_sheet(path)
    cins = {row[rows[0].index(CIN_HEADER)] for row in rows[1:]}
    assert set(pair.mif_cins) <= cins
    assert set(pair.new) <= cins
    assert pair.dropped in cins  # the provider's records are untouched: still reported


def test_an_enrolled_member_missing_from_the_mif_is_a_warning(rtf_from_merged, ingested, pair, kit):
    """X002, seed 002 FAQ: keep them on the RTF; the plan adds them to the next MIF."""
    run, _ = rtf_from_merged
    assert run.code == 0, run.err  # a warning: the RTF is written
    [warning] = [line for line in run.err.splitlines() if "warning X002" in line]
    members = [m["cin"] for m in kit.read_csv(ingested.out / "members.csv")]
    assert f"members!B{2 + members.index(pair.dropped)}" in warning
    assert "a member enrolled with you is not on the latest MIF" in warning
    assert "received 2025-12-05" in warning
    assert pair.dropped not in run.text
    assert "X001" not in run.text


def test_a_mif_member_missing_from_the_rtf_is_an_error(cli, kit, ingested, pair, tmp_path):
    """X001, seed 002: the RTF must include every member of the most recent MIF."""
    data = tmp_path / "data"
    shutil.copytree(ingested.out, data)
    members = {m["cin"]: m["member_id"] for m in kit.read_csv(data / "members.csv")}
    lost = pair.new[0]
    episodes = kit.read_csv(data / "enrollments.csv")
    kit.write_csv(
        data / "enrollments.csv", [e for e in episodes if e["member_id"] != members[lost]]
    )
    roster_row = 2 + [r["cin"] for r in kit.read_csv(data / "plan_rosters.csv")].index(lost)
    out = tmp_path / "out"
    run = cli(
        "convert", data, "--plan", PLAN, "--kind", "rtf", "--period", "2025-11", "--out", out,
        "--production-date", "2025-12-06",
    )  # fmt: skip
    assert run.code == 1
    [error] = [line for line in run.error_lines() if "error X001" in line]
    assert f"plan_rosters!C{roster_row}" in error
    assert "a member on the latest MIF (received 2025-12-05) is missing from the RTF" in error
    assert lost not in run.text
    assert not out.exists() or list(out.iterdir()) == []


# ----------------------------------------------------------------------------- then validate


def test_validate_with_the_dataset_runs_the_cross_file_checks(
    cli, kit, rtf_from_merged, ingested, pair
):
    """validate --dataset checks an RTF as convert does: X002 for the enrolled member the
    latest MIF lacks; without --dataset there is no roster to compare with."""
    _, out = rtf_from_merged
    [rtf] = list(out.iterdir())
    argv = ("validate", rtf, "--plan", PLAN, "--kind", "rtf", "--period", "2025-11")
    run = cli(*argv, "--dataset", ingested.out)
    assert run.code == 0, run.err
    [warning] = [line for line in run.err.splitlines() if "warning X002" in line]
    members = [m["cin"] for m in kit.read_csv(ingested.out / "members.csv")]
    assert f"members!B{2 + members.index(pair.dropped)}" in warning
    assert "received 2025-12-05" in warning
    assert pair.dropped not in run.text
    assert "X001" not in run.text
    alone = cli(*argv)
    assert alone.code == 0, alone.err
    assert "X002" not in alone.text and "X001" not in alone.text


def test_validate_with_the_dataset_names_each_mif_member_missing_from_the_rtf(
    cli, kit, ingested, pair, tmp_path
):
    """X001 in validate: the RTF made before the MIF came lacks the MIF's new members."""
    out = tmp_path / "before"
    made = cli(
        "convert", pair.data, "--plan", PLAN, "--kind", "rtf", "--period", "2025-11",
        "--out", out, "--production-date", "2025-12-06",
    )  # fmt: skip
    assert made.code == 0, made.err
    [rtf] = list(out.iterdir())
    run = cli(
        "validate", rtf, "--plan", PLAN, "--kind", "rtf", "--period", "2025-11",
        "--dataset", ingested.out, "-v",
    )  # fmt: skip
    assert run.code == 1
    errors = [line for line in run.error_lines() if "error X001" in line]
    rosters = [r["cin"] for r in kit.read_csv(ingested.out / "plan_rosters.csv")]
    expected = {f"plan_rosters!C{2 + rosters.index(cin)}" for cin in pair.new}
    assert {re.search(r"plan_rosters!C\d+", line)[0] for line in errors} == expected
    assert len(errors) == len(pair.new)
    assert all(cin not in run.text for cin in pair.new)
