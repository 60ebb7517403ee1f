"""The CSPRTF as a user makes and checks it: `convert --kind csprtf`, `validate`, and
what `--kind all` and a plan without the file do (issue 17, item 3)."""

from __future__ import annotations

import yaml
from python_calamine import CalamineWorkbook

PERIOD = ("--period", "2025-11", "--production-date", "2025-12-03")
NAME = "SUNRISE_HN_CS_CSPRTF_20251203.xlsx"


def _convert(cli, data, out, *options):
    return cli("convert", data, "--plan", "healthnet", "--out", out, *PERIOD, *options)


def test_csprtf_made_validates_and_keeps_authorization_numbers_as_text(cli, kit, samples, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    run = _convert(cli, data, tmp_path / "out", "--kind", "csprtf")
    assert run.code == 0, run.err
    path = tmp_path / "out" / NAME
    checked = cli("validate", path, "--plan", "healthnet", "--kind", "csprtf", *PERIOD[:2],
                  "--dataset", data)  # fmt: skip
    assert checked.code == 0, checked.err
    book = CalamineWorkbook.from_path(str(path))
    header, *rows = book.get_sheet_by_name("CSPRTF").to_python()
    numbers = [r[header.index("CS Authorization Number")] for r in rows]
    assert any(n.startswith("00") for n in numbers if n), numbers
    assert len({r[header.index("Member Client Index Number (CIN)")] for r in rows}) < len(rows)


def test_an_authorized_pair_without_a_number_is_an_error_at_its_cell(cli, kit, samples, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    pairs = kit.read_csv(data / "community_supports.csv")
    members = {m["member_id"]: m["plan"] for m in kit.read_csv(data / "members.csv")}
    pair = next(
        p for p in pairs if p["status"] == "authorized" and members[p["member_id"]] == "healthnet"
    )
    pair["authorization_number"] = ""
    kit.write_csv(data / "community_supports.csv", pairs)
    run = _convert(cli, data, tmp_path / "out", "--kind", "csprtf")
    assert run.code == 1
    s101 = [line for line in run.error_lines() if "error S101" in line]
    assert len(s101) == 1 and "CSPRTF!L" in s101[0], run.err
    assert pair["member_id"] not in run.text  # no member data in the message
    forced = _convert(cli, data, tmp_path / "forced", "--kind", "csprtf", "--force")
    checked = cli("validate", tmp_path / "forced" / NAME, "--plan", "healthnet", "--kind",
                  "csprtf", *PERIOD[:2])  # fmt: skip
    assert forced.code == 1 and checked.code == 1
    assert any("error S101" in line and "CSPRTF!L" in line for line in checked.error_lines())


def test_kind_all_needs_community_supports_and_an_explicit_kind_does_not(
    cli, kit, samples, tmp_path
):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    provider = kit.load_yaml(data / "provider.yaml")
    del provider["plans"]["healthnet"]["community_supports"]
    (data / "provider.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")
    run = _convert(cli, data, tmp_path / "all")
    assert run.code == 0, run.err
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == [
        "SUNRISE_HN_ECM_OTF_20251203.xlsx", "SUNRISE_HN_ECM_RTF_20251203.xlsx",
    ]  # fmt: skip
    asked = _convert(cli, data, tmp_path / "asked", "--kind", "csprtf")
    assert asked.code == 0 and (tmp_path / "asked" / NAME).is_file()


def test_a_plan_without_a_csprtf_is_one_line_exit_2(cli, kit, samples, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    for plan in ("chwp", "partnership"):
        run = cli("convert", data, "--plan", plan, "--kind", "csprtf", "--out", tmp_path / plan,
                  *PERIOD)  # fmt: skip
        assert run.code == 2
        assert len(run.error_lines()) == 1 and "has no csprtf file" in run.err
        assert "Traceback" not in run.text
