"""A sixth plan from YAML alone: ``--plans-dir`` / ``$ECMX_PLANS_DIR``, no code."""

from __future__ import annotations

import os

import pytest
import yaml

MYPLAN = """\
id: myplan
name: My Plan
extends: healthnet
mcp:
  name: {value: My Plan, assumed: true}
"""
MOVED = 3  # healthnet members that move to myplan


@pytest.fixture(scope="module")
def plans_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plans")
    (folder / "myplan.yaml").write_text(MYPLAN, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def myplan_data(kit, samples, tmp_path_factory):
    """The CSV sample with some healthnet members moved to myplan, and myplan's file prefix."""
    data = kit.copy_csv_sample(samples, tmp_path_factory.mktemp("myplan") / "data")
    members = kit.read_csv(data / "members.csv")
    moved = [m for m in members if m["plan"] == "healthnet"][:MOVED]
    for member in moved:
        member["plan"] = "myplan"
    kit.write_csv(data / "members.csv", members)
    provider = kit.load_yaml(data / "provider.yaml")
    provider["plans"]["myplan"] = {"file_prefix": "SUNRISE_MY"}
    (data / "provider.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")
    return data, moved


def plan_ids(run) -> list[str]:
    cells = [line.split("│")[1].strip() for line in run.out.splitlines() if line.startswith("│")]
    return [cell for cell in cells if cell]  # not a wrapped row's rest


def convert_myplan(cli, data, out, *options):
    return cli(
        *options, "convert", data, "--plan", "myplan", "--period", "2025-11", "--out", out,
        "--production-date", "2025-12-03",
    )  # fmt: skip


def test_plans_dir_adds_a_plan_to_the_list(cli, plans_dir):
    run = cli("--plans-dir", plans_dir, "plans", "list")
    assert run.code == 0, run.err
    assert sorted(plan_ids(run)) == sorted(
        ["calviva", "chpiv", "chwp", "healthnet", "myplan", "partnership"]
    )
    [row] = [line for line in run.out.splitlines() if line.startswith("│ myplan ")]
    assert "My Plan" in row


def test_plans_dir_plan_passes_plans_check(cli, plans_dir):
    run = cli("--plans-dir", plans_dir, "plans", "check")
    assert run.code == 0, run.err
    assert "ok: 6 plan(s)" in run.err


def test_convert_a_plan_from_yaml_alone(cli, kit, plans_dir, myplan_data, registry, tmp_path):
    data, moved = myplan_data
    out = tmp_path / "out"
    run = convert_myplan(cli, data, out, "--plans-dir", plans_dir)
    assert run.code == 0, run.err
    names = sorted(p.name for p in out.iterdir())
    assert names == ["SUNRISE_MY_ECM_OTF_20251203.xlsx", "SUNRISE_MY_ECM_RTF_20251203.xlsx"]
    sheet, rows = kit.calamine_sheet(out / "SUNRISE_MY_ECM_RTF_20251203.xlsx")
    healthnet = registry.plan("healthnet").files["rtf"].layout_for(kit.PERIOD)
    assert sheet == "RTF"
    assert rows[0] == healthnet.headers  # inherited from healthnet
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert sorted(r["Member Client Index Number (CIN)"] for r in body) == sorted(
        m["cin"] for m in moved
    )
    assert {r["MCP Name"] for r in body} == {"My Plan"}  # overridden
    # its own identity, never Health Net's (issue 11): the id, assumed until the YAML sets it
    assert {r["Primary Payer (MCP) Identifier"] for r in body} == {"MYPLAN"}


def test_plans_dir_from_the_environment(cli, plans_dir, myplan_data, monkeypatch, tmp_path):
    data, _ = myplan_data
    monkeypatch.setenv("ECMX_PLANS_DIR", str(plans_dir))
    assert "myplan" in plan_ids(cli("plans", "list"))
    run = convert_myplan(cli, data, tmp_path / "out")
    assert run.code == 0, run.err
    assert len(list((tmp_path / "out").iterdir())) == 2


def test_without_the_plans_dir_the_plan_is_unknown(cli, myplan_data, tmp_path):
    data, _ = myplan_data
    run = convert_myplan(cli, data, tmp_path / "out")
    assert run.code == 2
    assert "unknown plan 'myplan'" in run.err
    assert "Traceback" not in run.text


def test_members_of_an_unconfigured_plan_block_the_conversion(cli, myplan_data, tmp_path):
    """They would vanish from every file: the user is told to add the plan."""
    data, _ = myplan_data
    run = cli(
        "convert", data, "--plan", "healthnet", "--period", "2025-11", "--out", tmp_path / "out",
        "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 1
    d205 = [line for line in run.error_lines() if "D205" in line]
    assert len(d205) == MOVED
    assert all("add the plan with --plans-dir" in line for line in d205)
    assert not (tmp_path / "out").exists()  # nothing written, not even the folder


def test_a_missing_plans_dir_is_one_line(cli, tmp_path):
    run = cli("--plans-dir", tmp_path / "nope", "plans", "list")
    assert run.code == 2
    [line] = run.error_lines()
    assert str(tmp_path / "nope") in line and "does not exist" in line


@pytest.fixture
def broken_dir(tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "broken.yaml").write_text(
        MYPLAN.replace("extends: healthnet", "extends: healthnett"), encoding="utf-8"
    )
    return folder


def test_a_broken_plan_in_the_plans_dir_names_its_file(cli, broken_dir):
    run = cli("--plans-dir", broken_dir, "plans", "list")
    assert run.code != 0
    assert "Traceback" not in run.text
    [line] = run.error_lines()
    assert str(broken_dir / "broken.yaml") in line
    assert "(did you mean 'healthnet'?)" in line


def test_plans_check_exits_1_for_a_broken_plan_in_the_plans_dir(cli, broken_dir):
    run = cli("--plans-dir", broken_dir, "plans", "check")
    assert run.code == 1
    assert "1 problem(s) in plan configuration" in run.err


def test_a_broken_plan_config_exits_1_from_plans_list_too(cli, broken_dir):
    assert cli("--plans-dir", broken_dir, "plans", "list").code == 1


def test_several_plans_dirs_in_the_environment(cli, plans_dir, tmp_path, monkeypatch):
    other = tmp_path / "more"
    other.mkdir()
    (other / "otherplan.yml").write_text(
        MYPLAN.replace("myplan", "otherplan").replace("My Plan", "Other Plan"), encoding="utf-8"
    )
    monkeypatch.setenv("ECMX_PLANS_DIR", f"{plans_dir}{os.pathsep}{other}")
    ids = plan_ids(cli("plans", "list"))
    assert "myplan" in ids and "otherplan" in ids
