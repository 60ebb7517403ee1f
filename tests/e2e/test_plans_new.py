"""``ecmx plans new ID --extends PLAN``: a scaffold that ``plans check`` accepts and that
converts; and ``--plans-dir`` reading only plan files (issue 13, points 2 and 6)."""

from __future__ import annotations

import pytest
import yaml

RTF = "Sunrise Community Health_ECM - RTF_12032025.xlsx"
BUILT_IN = ("calviva", "chpiv", "chwp", "healthnet", "partnership")


def test_every_built_in_plan_is_tried(registry):
    assert sorted(p.id for p in registry.concrete_plans()) == sorted(BUILT_IN)


@pytest.mark.parametrize("base", BUILT_IN)
def test_a_new_plan_passes_plans_check_as_written(cli, base, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = cli("plans", "new", "kinplan", "--extends", base, "--name", "Kin Health Plan")
    assert run.code == 0, run.err
    assert "wrote kinplan.yaml" in run.err
    data = yaml.safe_load((tmp_path / "kinplan.yaml").read_text(encoding="utf-8"))
    assert (data["id"], data["name"], data["extends"]) == ("kinplan", "Kin Health Plan", base)
    # the plan's own identity, each a placeholder to set: never the base plan's
    assert data["mcp"]["identifier"]["value"] == "KINPLAN"
    assert data["mcp"]["name"]["value"] == "Kin Health Plan"
    assert data["billing"]["payer_name"]["value"] == "Kin Health Plan"
    for fact in [*data["mcp"].values(), data["billing"]["payer_name"]]:
        assert fact["assumed"] is True and "set the" in fact["note"]
    assert all(file["naming"]["assumed"] for file in data["files"].values())
    check = cli("plans", "check", "kinplan.yaml")
    assert check.code == 0, check.err
    # no problem, and nothing left unset: every identity item is in the scaffold
    assert check.error_lines() == ["ok: 6 plan(s) and 2 family base(s) are valid"]
    assumed = cli("--plans-dir", tmp_path, "plans", "show", "kinplan", "--assumptions")
    assert assumed.code == 0, assumed.err
    assert "mcp.identifier" in assumed.out and "payer_name" in assumed.out


def test_the_scaffold_is_commented(cli, tmp_path):
    out = tmp_path / "kin.yaml"
    assert cli("plans", "new", "kin", "--extends", "healthnet", "--out", out).code == 0
    text = out.read_text(encoding="utf-8")
    assert "# the MCP Name written on the RTF and OTF" in text
    assert "plans.kin.file_prefix in provider.yaml" in text
    assert "plans.kin.payer_id in provider.yaml" in text
    assert "ecmx plans check kin.yaml" in text


def test_the_scaffold_s_sources_example_works_once_uncommented(cli, tmp_path):
    out = tmp_path / "kin.yaml"
    assert cli("plans", "new", "kin", "--extends", "healthnet", "--out", out).code == 0
    text = out.read_text(encoding="utf-8").replace("# sources:", "sources:")
    text = text.replace("#   kin-template:", "  kin-template:")
    text = text.replace('value: "KIN", assumed: true', 'value: "KIN01", source: "kin-template: B2"')
    out.write_text(text, encoding="utf-8")
    check = cli("plans", "check", out)
    assert check.code == 0, check.err
    assumed = cli("--plans-dir", tmp_path, "plans", "show", "kin", "--assumptions")
    assert "mcp.identifier" not in assumed.out and "mcp.name" in assumed.out


# the base plan's file names: the scaffold's naming is the base's until the integrator sets it
CONVERTED = {
    "healthnet": ["SUNRISE_KIN_ECM_OTF_20251203.xlsx", "SUNRISE_KIN_ECM_RTF_20251203.xlsx"],
    "partnership": ["Sunrise Community Health_ECM - IOT_12032025.xlsx", RTF],
}


@pytest.mark.parametrize("base", sorted(CONVERTED))
def test_the_scaffold_converts_the_sample(cli, kit, samples, tmp_path, base):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    # beside provider.yaml, as a user keeps it: --plans-dir reads only the plan
    run = cli("plans", "new", "kinplan", "--extends", base, "--out", data / "kin.yaml")
    assert run.code == 0, run.err
    members = kit.read_csv(data / "members.csv")
    moved = [m for m in members if m["plan"] == base][:4]
    for member in moved:
        member["plan"] = "kinplan"
    kit.write_csv(data / "members.csv", members)
    provider = kit.load_yaml(data / "provider.yaml")
    provider["plans"]["kinplan"] = {"file_prefix": "SUNRISE_KIN"}  # as the scaffold says
    (data / "provider.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")
    out = tmp_path / "out"
    run = cli(
        "--plans-dir", data, "convert", data, "--plan", "kinplan", "--period", "2025-11",
        "--out", out, "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert f"{data / 'provider.yaml'}: not a plan (no top-level id:), skipped" in run.err
    names = sorted(p.name for p in out.iterdir())
    assert names == CONVERTED[base]
    _, rows = kit.calamine_sheet(out / next(n for n in names if "RTF" in n))
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert sorted(r["Member Client Index Number (CIN)"] for r in body) == sorted(
        m["cin"] for m in moved
    )
    assert {r["MCP Name"] for r in body} == {"kinplan"}  # its own (the id: no --name given)


def test_new_never_overwrites_without_force(cli, tmp_path):
    out = tmp_path / "kin.yaml"
    out.write_text("mine\n", encoding="utf-8")
    run = cli("plans", "new", "kin", "--extends", "healthnet", "--out", out)
    assert run.code == 2
    run.one_error_line(str(out), "exists already", "--force")
    assert out.read_text(encoding="utf-8") == "mine\n"
    assert cli("plans", "new", "kin", "--extends", "healthnet", "--out", out, "--force").code == 0
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["id"] == "kin"


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("kin", "--extends", "helthnet"), ("unknown plan 'helthnet'", "did you mean 'healthnet'")),
        (("Kin-Plan", "--extends", "healthnet"), ("'Kin-Plan' cannot be a plan id",)),
        (("healthnet", "--extends", "partnership"), ("plan 'healthnet' exists already",)),
    ],
)
def test_a_bad_id_or_base_is_one_line(cli, tmp_path, monkeypatch, args, needles):
    monkeypatch.chdir(tmp_path)
    run = cli("plans", "new", *args)
    assert run.code == 2
    run.one_error_line(*needles)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_plans_dir_skips_yaml_that_is_not_a_plan(cli, kit, samples, tmp_path, monkeypatch):
    """provider.yaml beside the plans was read as a plan: "unknown key 'facility_name'"."""
    (tmp_path / "provider.yaml").write_bytes((samples["csv"] / "provider.yaml").read_bytes())
    (tmp_path / "notes.yml").write_text("- a list, not a plan\n", encoding="utf-8")
    assert cli("plans", "new", "kin", "--extends", "healthnet", "--out", tmp_path / "kin.yaml")
    monkeypatch.chdir(tmp_path)
    run = cli("--plans-dir", ".", "plans", "check")
    assert run.code == 0, run.err
    assert "provider.yaml: not a plan (no top-level id:), skipped" in run.err
    assert "notes.yml: not a plan (no top-level id:), skipped" in run.err
    assert "ok: 6 plan(s)" in run.err
    monkeypatch.setenv("ECMX_PLANS_DIR", ".")
    listed = cli("plans", "list")
    assert listed.code == 0, listed.err
    assert "│ kin " in listed.out
    assert "provider.yaml: not a plan" in listed.err


def test_a_plan_file_that_cannot_be_read_is_still_reported(cli, tmp_path):
    (tmp_path / "broken.yaml").write_text("id: kin\nname: [unclosed\n", encoding="utf-8")
    run = cli("--plans-dir", tmp_path, "plans", "check")
    assert run.code != 0
    assert "broken.yaml" in run.err and "Traceback" not in run.text
