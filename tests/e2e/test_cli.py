"""The ``ecmx`` command line as a user meets it: help, plans, errors, sample data."""

from __future__ import annotations

import os
import re
from importlib import metadata

import pytest

from ecmx.core.dataset import canonical

ABSTRACT_BASES = ("dhcs_base", "healthnet_family")


def table_first_column(text: str) -> list[str]:
    """The first cell of every body row of a rich table (``│ id │ ...``); a row that wraps
    onto more lines (a long list of files) has its first cell on its first line only."""
    cells = []
    for line in text.splitlines():
        if line.startswith("│") and line.split("│")[1].strip():  # not a wrapped row's rest
            cells.append(line.split("│")[1].strip())
    return cells


# ----------------------------------------------------------------------------- basics


def test_help_lists_every_command(cli):
    run = cli("--help")
    assert run.code == 0
    assert "Usage: ecmx" in run.out
    for command in (
        "calendar",
        "convert",
        "demo",
        "due",
        "ingest",
        "plans",
        "sample-data",
        "validate",
    ):
        assert re.search(rf"^\s+{command}\s", run.out, re.MULTILINE), command


def test_short_help_flag_works_on_subcommands(cli):
    run = cli("convert", "-h")
    assert run.code == 0
    for option in ("--plan", "--kind", "--period", "--out", "--production-date", "--force"):
        assert option in run.out


def test_version_is_the_installed_distribution_version(cli):
    run = cli("--version")
    assert run.code == 0
    assert run.out.strip() == f"ecmx, version {metadata.version('ecmx')}"


# ----------------------------------------------------------------------------- plans


def test_plans_list_shows_the_five_plans_and_no_family_base(cli):
    run = cli("plans", "list")
    assert run.code == 0
    ids = table_first_column(run.out)
    assert sorted(ids) == ["calviva", "chpiv", "chwp", "healthnet", "partnership"]
    for base in ABSTRACT_BASES:
        assert base not in ids
    assert "dhcs_base" not in run.out  # not even as a family: no plan is directly on it
    assert "Health Net family (base)" not in run.out
    assert "Partnership HealthPlan of California" in run.out


def test_plans_show_accepts_the_iot_alias(cli, registry):
    run = cli("plans", "show", "partnership", "--kind", "iot")
    assert run.code == 0, run.err
    otf = registry.plan("partnership").files["otf"]
    assert otf.title in run.out  # "ECM Provider Initial Outreach Tracker File (IOT)"
    assert "sheet 'IOT'" in run.out
    latest = max(otf.versions, key=lambda v: v.effective)
    for header in latest.headers:
        assert header in run.out
    # only the IOT: no RTF section
    assert "Member Client Index Number (CIN)" not in run.out
    assert not re.search(r"^rtf:", run.out, re.MULTILINE)


def test_plans_show_lists_assumed_values(cli, registry):
    run = cli("plans", "show", "healthnet", "--assumptions")
    assert run.code == 0, run.err
    assumed = registry.plan("healthnet").assumptions()
    assert len(assumed) > 10
    assert f"{len(assumed)} assumed value(s) to confirm with the plan" in run.out
    for path, _ in assumed:
        assert path in run.out
    assert "the Primary Payer (MCP) Identifier value is on no plan page" in run.out
    # a code that comes from a seed document is not listed as assumed
    assert "codes.ecm_status.values.pending_outreach" not in run.out


def test_plans_show_assumptions_for_one_kind_leaves_out_the_other(cli):
    run = cli("plans", "show", "healthnet", "--assumptions", "--kind", "otf")
    assert run.code == 0, run.err
    assert "files.otf." in run.out
    assert "files.rtf." not in run.out


def test_plans_check_passes_for_the_shipped_configs(cli):
    run = cli("plans", "check")
    assert run.code == 0, run.err
    assert "ok: 5 plan(s) and 2 family base(s) are valid" in run.err


BAD_PLAN = """\
id: badplan
name: Bad Plan
extends: healthnet
files:
  rtf:
    versions:
      - version: "2025.8"
        effective: "2025-08-01"
        assumed: true
        columns:
          - {header: Member CIN, field: cin, type: dat, assumed: true}
          - {header: Member ECM Status, field: ecm_status, output: lable, assumed: true}
"""


def test_plans_check_reports_every_problem_with_its_path_and_a_hint(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_PLAN, encoding="utf-8")
    run = cli("plans", "check", bad)
    assert run.code == 1
    assert "Traceback" not in run.text
    lines = run.error_lines()
    type_line = next(line for line in lines if ".columns[0].type" in line)
    assert str(bad) in type_line
    assert "files.rtf.versions[0].columns[0].type: 'dat'" in type_line
    assert "(did you mean 'date'?)" in type_line
    output_line = next(line for line in lines if ".columns[1].output" in line)
    assert "(did you mean 'label'?)" in output_line
    assert lines[-1] == "ecmx: 2 problem(s) in plan configuration"


def test_plans_check_of_a_file_that_does_not_exist_is_a_usage_error(cli, tmp_path):
    run = cli("plans", "check", tmp_path / "nope.yaml")
    assert run.code == 2
    assert "does not exist" in run.err
    assert "Traceback" not in run.text


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(("plans", "show", "healtnet"), id="plans-show"),
        pytest.param(
            ("convert", "{dataset}", "--plan", "healtnet", "--period", "2025-11", "--out", "{out}"),
            id="convert",
        ),
    ],
)
def test_unknown_plan_is_one_line_with_a_suggestion(cli, samples, tmp_path, argv):
    argv = [a.format(dataset=samples["xlsx"], out=tmp_path / "out") for a in argv]
    run = cli(*argv)
    assert run.code == 2
    line = run.one_error_line("unknown plan 'healtnet'", "(did you mean 'healthnet'?)")
    assert "ecmx plans list" in line
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_unknown_file_kind_is_one_line_with_a_suggestion(cli, samples, tmp_path):
    run = cli(
        "convert", samples["xlsx"], "--plan", "healthnet", "--kind", "rtff",
        "--period", "2025-11", "--out", tmp_path / "out",
    )  # fmt: skip
    assert run.code == 2
    run.one_error_line("unknown file kind 'rtff'", "(did you mean 'rtf'?)")


@pytest.mark.parametrize("period", ["2025-13", "2025-00", "2025-1", "11/2025"])
def test_bad_period_is_a_usage_error(cli, samples, tmp_path, period):
    run = cli(
        "convert", samples["xlsx"], "--plan", "all", "--period", period, "--out", tmp_path / "o"
    )
    assert run.code == 2
    assert "Traceback" not in run.text
    assert f"'{period}' is not a month" in run.err
    assert "YYYY-MM" in run.err
    assert not (tmp_path / "o").exists()


def test_bad_production_date_is_a_usage_error(cli, samples, tmp_path):
    run = cli(
        "convert", samples["xlsx"], "--plan", "all", "--period", "2025-11",
        "--out", tmp_path / "o", "--production-date", "2025-12-32",
    )  # fmt: skip
    assert run.code == 2
    assert "'2025-12-32' is not a date" in run.err
    assert "Traceback" not in run.text


def test_missing_dataset_is_one_line(cli, tmp_path):
    missing = tmp_path / "nowhere" / "dataset.xlsx"
    run = cli("convert", missing, "--plan", "all", "--period", "2025-11", "--out", tmp_path / "o")
    assert run.code == 2
    run.one_error_line(str(missing), "no such file or folder")


def test_a_csv_file_instead_of_its_folder_says_to_give_the_folder(cli, samples, tmp_path):
    run = cli(
        "convert", samples["csv"] / "members.csv", "--plan", "all", "--period", "2025-11",
        "--out", tmp_path / "o",
    )  # fmt: skip
    assert run.code == 2
    run.one_error_line("give the folder")


# ----------------------------------------------------------------------------- sample-data


def test_sample_data_workbook_with_provider_beside_it(cli, kit, tmp_path):
    target = tmp_path / "d.xlsx"
    run = cli("sample-data", "--out", target, "--members", "12", "--seed", "3")
    assert run.code == 0, run.err
    assert f"wrote {target}" in run.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.xlsx", "provider.yaml"]
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(target))
    # no plan_rosters sheet: ecmx's own table, written by `ecmx ingest`, not while empty
    assert book.sheet_names == [
        "members", "enrollments", "outreach", "encounters", "community_supports", "provider",
    ]  # fmt: skip
    members = book.get_sheet_by_name("members").to_python()
    assert members[0][:3] == ["member_id", "cin", "plan"]
    assert len(members) == 1 + 12
    provider = kit.load_yaml(tmp_path / "provider.yaml")
    assert provider["facility_name"]
    assert set(provider["plans"]) == set(kit.PLAN_IDS)


def test_sample_data_folder_holds_one_csv_per_table_and_provider_yaml(cli, kit, tmp_path):
    target = tmp_path / "data"
    run = cli("sample-data", "--out", target, "--members", "15", "--seed", "3")
    assert run.code == 0, run.err
    assert sorted(p.name for p in target.iterdir()) == [
        "community_supports.csv",
        "encounters.csv",
        "enrollments.csv",
        "members.csv",
        "outreach.csv",
        "provider.yaml",
    ]
    # plan_rosters is ecmx's own table, written by `ecmx ingest`: not while empty
    assert [t.name for t in canonical.TABLES if t.ecmx_managed] == ["plan_rosters"]
    for table in canonical.TABLES:
        if table.omitted_while_empty:
            continue
        rows = kit.read_csv(target / f"{table.name}.csv")
        assert list(rows[0]) == list(table.names)
    members = kit.read_csv(target / "members.csv")
    assert len(members) == 15
    assert {m["plan"] for m in members} == set(kit.PLAN_IDS)  # every plan is covered
    assert all(re.fullmatch(r"9\d{7}[A-Z]", m["cin"]) for m in members)
    assert kit.hidden(tmp_path) == []


def test_sample_data_is_deterministic_per_seed(cli, script, tmp_path):
    common = ("--members", "20", "--period", "2025-11")
    assert cli("sample-data", "--out", tmp_path / "a", "--seed", "5", *common).code == 0
    # the same seed in another process, with another hash seed: same bytes
    again = script(
        "sample-data", "--out", tmp_path / "b", "--seed", "5", *common,
        cwd=tmp_path, env={"PYTHONHASHSEED": "123"},
    )  # fmt: skip
    assert again.code == 0, again.err
    assert cli("sample-data", "--out", tmp_path / "c", "--seed", "6", *common).code == 0
    a, b, c = (
        {name: (tmp_path / d / name).read_bytes() for name in sorted(os.listdir(tmp_path / d))}
        for d in "abc"
    )
    assert a == b
    assert a["members.csv"] != c["members.csv"]
    assert a["enrollments.csv"] != c["enrollments.csv"]


@pytest.mark.parametrize("target", ["d.xlsx", "folder"])
def test_sample_data_refuses_to_overwrite_without_force(cli, kit, tmp_path, target):
    out = tmp_path / target
    assert cli("sample-data", "--out", out, "--members", "10", "--seed", "1").code == 0
    before = kit.digests(tmp_path)
    run = cli("sample-data", "--out", out, "--members", "10", "--seed", "2")
    assert run.code == 2
    line = run.one_error_line(str(out), "exists already")
    assert "--force" in line
    assert kit.digests(tmp_path) == before  # nothing was touched


@pytest.mark.parametrize("target", ["d.xlsx", "folder"])
def test_sample_data_force_replaces(cli, kit, tmp_path, target):
    out = tmp_path / "run" / target
    fresh = tmp_path / "fresh" / target
    out.parent.mkdir()
    fresh.parent.mkdir()
    assert cli("sample-data", "--out", out, "--members", "10", "--seed", "1").code == 0
    before = kit.digests(out.parent)
    run = cli("sample-data", "--out", out, "--members", "10", "--seed", "2", "--force")
    assert run.code == 0, run.err
    assert cli("sample-data", "--out", fresh, "--members", "10", "--seed", "2").code == 0
    after = kit.digests(out.parent)
    assert after != before
    if target == "folder":  # a CSV folder is byte-for-byte what a fresh seed-2 run writes
        assert kit.digests(out) == kit.digests(fresh)
    assert kit.hidden(out.parent) == []


def test_sample_data_refuses_when_only_provider_yaml_exists(cli, tmp_path):
    """Both outputs are checked before writing: no half a sample is left behind."""
    (tmp_path / "provider.yaml").write_text("facility_name: mine\n", encoding="utf-8")
    run = cli("sample-data", "--out", tmp_path / "d.xlsx")
    assert run.code == 2
    run.one_error_line("provider.yaml", "--force")
    assert not (tmp_path / "d.xlsx").exists()
    assert (tmp_path / "provider.yaml").read_text(encoding="utf-8") == "facility_name: mine\n"


def test_sample_data_force_keeps_files_it_did_not_write(cli, tmp_path):
    out = tmp_path / "data"
    assert cli("sample-data", "--out", out, "--members", "10").code == 0
    notes = out / "my-notes.txt"
    notes.write_text("not ecmx's to delete\n", encoding="utf-8")
    assert cli("sample-data", "--out", out, "--members", "10", "--force").code == 0
    assert notes.is_file()


# ----------------------------------------------------------------------------- -q / -v


@pytest.mark.parametrize("where", ["before-command", "after-command"])
def test_quiet_keeps_progress_messages_away(cli, tmp_path, where):
    out = tmp_path / "data"
    argv = ["sample-data", "--out", out, "--members", "5"]
    argv = ["-q", *argv] if where == "before-command" else [*argv, "-q"]
    run = cli(*argv)
    assert run.code == 0, run.err
    assert run.err == ""
    assert (out / "members.csv").is_file()


@pytest.mark.parametrize(
    "where",
    [
        "before-command",
        "after-command",
    ],
)
def test_verbose_is_accepted_before_and_after_the_command(cli, where):
    argv = ["-v", "plans", "list"] if where == "before-command" else ["plans", "list", "-v"]
    run = cli(*argv)
    assert run.code == 0, run.err
    assert "healthnet" in run.out
