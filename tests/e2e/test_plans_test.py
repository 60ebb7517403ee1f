"""``ecmx plans test PLAN``: synthetic data made for the plan from its config, and the
conformance checks, each one line pass / fail / skip (issue 13, point 4)."""

from __future__ import annotations

import openpyxl
import pytest
import yaml

from ecmx.core.jobs import conformance

BUILT_IN = ("calviva", "chpiv", "chwp", "healthnet", "partnership")
PERIOD = "2025-11"


def checks(run) -> dict[str, tuple[str, str]]:
    """check name -> (status, why), from the lines ``plans test`` prints on stdout."""
    found = {}
    for line in run.out.splitlines():
        status, _, rest = line.partition("  ")
        name, _, why = rest.partition(": ")
        found[name] = (status.strip(), why)
    return found


def test_every_built_in_plan_is_tried(registry):
    assert sorted(p.id for p in registry.concrete_plans()) == sorted(BUILT_IN)


@pytest.mark.parametrize("plan", BUILT_IN)
def test_every_built_in_plan_passes(cli, plan):
    run = cli("plans", "test", plan, "--period", PERIOD)
    assert run.code == 0, run.text
    found = checks(run)
    assert {s for s, _ in found.values()} == {"pass"}, run.out
    assert {"plans check", "codes", "convert rtf", "columns rtf", "columns otf",
            "round trip rtf", "round trip otf", "round trip mif", "claims"} <= set(found)  # fmt: skip
    inbound = "round trip tel" if plan == "partnership" else "round trip mini_mif"
    assert found[inbound][1].startswith("ingest matches all 3 rows"), found[inbound]
    assert "pyx12 accepts it" in found["claims"][1]
    assert run.error_lines() == [f"{plan}: {len(found)} of {len(found)} checks passed or skipped"]


def test_the_default_period_is_last_month(cli):
    run = cli("plans", "test", "chpiv")
    assert run.code == 0, run.text


def write_plan(folder, name: str, data: dict):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_a_yaml_only_plan_made_by_plans_new_passes(cli, tmp_path, monkeypatch):
    plans = tmp_path / "plans"
    plans.mkdir()
    monkeypatch.chdir(plans)
    assert cli("plans", "new", "myplan", "--extends", "healthnet").code == 0
    data = yaml.safe_load((plans / "myplan.yaml").read_text(encoding="utf-8"))
    patch = {"change": {"cin": {"header": "Member CIN", "assumed": True}}}  # one renamed header
    data["files"]["rtf"]["columns_patch"] = patch
    write_plan(plans, "myplan", data)
    keep = tmp_path / "kept"
    run = cli("--plans-dir", plans, "plans", "test", "myplan", "--period", PERIOD, "--keep", keep)
    assert run.code == 0, run.text
    assert {s for s, _ in checks(run).values()} == {"pass"}, run.out
    assert run.error_lines()[-1].endswith(f"passed or skipped; sample and files in {keep}")
    rtf = keep / "files" / "rtf" / "SUNRISE_MYPLAN_ECM_RTF_20251203.xlsx"
    assert rtf.is_file() and (keep / "dataset.xlsx").is_file()
    header = next(openpyxl.load_workbook(rtf).worksheets[0].iter_rows(values_only=True))
    assert "Member CIN" in header and "Member Client Index Number (CIN)" not in header


BROKEN = {
    "id": "broken",
    "name": "Broken plan",
    "extends": "healthnet",
    "mcp": {"identifier": {"value": "BRK", "assumed": True},
            "name": {"value": "Broken plan", "assumed": True}},
    "billing": {"payer_name": {"value": "Broken plan", "assumed": True}},
    "codes": {"short_methods": {"description": "no video", "values": {
        key: {"code": "Telephonic", "assumed": True}
        for key in ("in_person", "phone", "text", "email", "mail")}}},
    "files": {
        "otf": {"columns_patch": {"change": {"method": {"codes": "short_methods",
                                                        "assumed": True}}}},
        "rtf": {"columns_patch": {"insert": [
            {"after": "cin", "key": "tar", "header": "TAR Number",
             "field": "authorization_number", "required": True, "assumed": True}]}},
    },
}  # fmt: skip


def test_a_broken_plan_fails_naming_the_column_and_the_code(cli, tmp_path):
    write_plan(tmp_path / "plans", "broken", BROKEN)
    run = cli("--plans-dir", tmp_path / "plans", "plans", "test", "broken", "--period", PERIOD)
    assert run.code == 1, run.text
    assert "Traceback" not in run.text
    found = checks(run)
    assert found["codes"] == (
        "fail",
        "codes.short_methods has no code for 'video', which the data gives otf column "
        "'Outreach Attempt Method'",
    )
    status, why = found["columns rtf"]
    assert status == "fail"
    assert why.startswith("column 'TAR Number' (field authorization_number) is empty in every row")
    assert found["convert rtf"][0] == "fail" and "TAR Number" in found["convert rtf"][1]
    assert found["columns otf"][0] == found["claims"][0] == "pass"
    assert run.error_lines()[-1].startswith("ecmx: broken: ")
    assert run.error_lines()[-1].endswith(" failed")


def test_an_optional_column_with_no_data_and_a_blank_constant_pass_by_rule(cli):
    run = cli("plans", "test", "healthnet", "--period", PERIOD)
    status, why = checks(run)["columns rtf"]
    assert status == "pass"
    assert "'Authorization Number' (optional, no data)" in why  # Health Net asks for no TAR
    assert "'Referral Status' (a constant)" in why


def test_a_plan_config_that_does_not_load_fails_plans_check(cli, tmp_path):
    bad = {**BROKEN, "id": "bad", "codes": {"acuity": {"values": {"low": None}}}}
    write_plan(tmp_path / "plans", "bad", bad)
    run = cli("--plans-dir", tmp_path / "plans", "plans", "test", "healthnet")
    assert run.code == 1
    [(name, (status, why))] = checks(run).items()
    assert (name, status) == ("plans check", "fail")
    assert "bad.yaml: codes.acuity.values.low" in why


def test_an_unknown_plan_is_one_line_exit_2(cli):
    run = cli("plans", "test", "healtnet")
    assert run.code == 2
    run.one_error_line("unknown plan 'healtnet'", "did you mean 'healthnet'?")


def test_claims_are_skipped_with_a_reason_without_pyx12(cli, monkeypatch):
    monkeypatch.setattr(conformance, "pyx12_installed", lambda: False)
    run = cli("plans", "test", "calviva", "--period", PERIOD)
    assert run.code == 0, run.text
    assert checks(run)["claims"] == ("skip", "837P written; pyx12 is not installed to check it")


def test_a_plan_billed_by_invoice_writes_invoices(cli, tmp_path):
    plan = {**BROKEN, "id": "invoiced", "codes": {}, "files": {},
            "billing": {**BROKEN["billing"],
                        "channels": {"value": ["invoice"], "assumed": True}}}  # fmt: skip
    write_plan(tmp_path / "plans", "invoiced", plan)
    run = cli("--plans-dir", tmp_path / "plans", "plans", "test", "invoiced", "--period", PERIOD)
    assert run.code == 0, run.text
    status, why = checks(run)["claims"]
    assert status == "pass" and "Invoice" in why and "no error" in why


def test_sample_data_for_chosen_plans_from_their_configs(cli, tmp_path):
    plan = {**BROKEN, "id": "tarplan", "codes": {}, "files": {},
            "billing": {**BROKEN["billing"],
                        "outreach_tar_required": {"value": True, "assumed": True}}}  # fmt: skip
    write_plan(tmp_path / "plans", "tarplan", plan)
    out = tmp_path / "sample"
    run = cli("--plans-dir", tmp_path / "plans", "sample-data", "--out", out,
              "--plan", "tarplan", "--plan", "healthnet", "--members", "20")  # fmt: skip
    assert run.code == 0, run.text
    provider = yaml.safe_load((out / "provider.yaml").read_text(encoding="utf-8"))
    assert list(provider["plans"]) == ["healthnet", "tarplan"]  # built-in first, then by id
    members = (out / "members.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert {line.split(",")[2] for line in members} == {"healthnet", "tarplan"}
    unknown = cli("sample-data", "--out", tmp_path / "x", "--plan", "nowhere")
    assert unknown.code == 2
    unknown.one_error_line("unknown plan 'nowhere'")
    assert not (tmp_path / "x").exists()
