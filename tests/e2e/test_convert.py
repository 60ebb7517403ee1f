"""``ecmx demo`` and ``ecmx convert`` end to end: the files a plan receives, read back twice.

Every workbook is opened with python-calamine and with openpyxl, so a value is
checked as two independent readers see it, not as ecmx's own reader would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import pytest
import yaml

PLAN_KINDS = [
    pytest.param(plan, kind, marks=pytest.mark.plan(plan), id=f"{plan}-{kind}")
    for plan in ("calviva", "chpiv", "chwp", "healthnet", "partnership")
    for kind in ("rtf", "otf")
]
HN_FAMILY = ("calviva", "chpiv", "chwp", "healthnet")
TEXT_ID_FIELDS = ("cin", "provider_npi", "provider_tin", "zip", "phone", "provider_phone")
FORMULA = '=HYPERLINK("http://example.invalid/x","click me")'
BAD_CIN = "12345"


def blank(value) -> bool:
    return value is None or value == ""


def columns_with(layout, predicate):
    return [(i, c) for i, c in enumerate(layout.columns) if predicate(c)]


# ----------------------------------------------------------------------------- demo


@pytest.fixture(scope="module")
def demo(kit, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "run"
    run = kit.invoke("demo", "--out", out, "--period", "2025-11")
    # made on time: the 3rd of the month after the period, before every plan's due date
    return out, run, {date(2025, 12, 3)}


def test_demo_files_are_made_on_time(demo):
    _, run, _ = demo
    assert run.code == 0, run.err
    assert "C001" not in run.text and "C002" not in run.text


@pytest.mark.slow
def test_demo_writes_a_dataset_and_every_plans_files(demo, kit):
    out, run, _ = demo
    assert run.code == 0, run.err
    assert (out / "dataset.xlsx").is_file()
    assert (out / "provider.yaml").is_file()
    files = sorted(p.name for p in (out / "files").iterdir())
    assert len(files) == 13, files  # RTF and OTF/IOT for 5 plans, and 3 CSPRTFs
    assert all(name.endswith(".xlsx") for name in files)
    for name in files:
        _, rows = kit.calamine_sheet(out / "files" / name)
        assert len(rows) >= 2, f"{name} has no data rows"
    # no temporary file left; the one dot-file is the claims' control-number state
    assert kit.hidden(out) == [".claims.ecmx-x12-control.json"]
    claims = sorted(p.name for p in (out / "claims").glob("*.837"))
    assert len(claims) == 5, claims


@pytest.mark.slow
def test_demo_names_files_by_each_plans_convention(demo, kit):
    out, _, days = demo
    provider = kit.load_yaml(out / "provider.yaml")
    files = {p.name for p in (out / "files").iterdir()}
    stamps = "|".join(d.strftime("%Y%m%d") for d in days)
    for plan in HN_FAMILY:
        prefix = provider["plans"][plan]["file_prefix"]
        for kind in ("RTF", "OTF"):
            pattern = re.compile(rf"{re.escape(prefix)}_ECM_{kind}_({stamps})\.xlsx")
            matches = [f for f in files if pattern.fullmatch(f)]
            assert len(matches) == 1, (plan, kind, sorted(files))
    facility = provider["facility_name"]
    for kind in ("RTF", "IOT"):
        expected = {f"{facility}_ECM - {kind}_{d:%m%d%Y}.xlsx" for d in days}
        assert len(expected & files) == 1, (kind, sorted(files))


# ----------------------------------------------------------------------------- writing safely


def test_convert_never_replaces_an_existing_file_without_force(cli, kit, samples, tmp_path):
    out = tmp_path / "out"
    argv = (
        "convert", samples["xlsx"], "--plan", "healthnet", "--kind", "rtf", "--period", "2025-11",
        "--out", out, "--production-date", "2025-12-03",
    )  # fmt: skip
    first = cli(*argv)
    assert first.code == 0, first.err
    [target] = list(out.iterdir())
    assert target.name in first.out  # the summary table names the file
    target.write_bytes(b"the file the user already had")

    refused = cli(*argv)
    assert refused.code == 2
    assert "Traceback" not in refused.text
    [line] = refused.error_lines()
    assert str(target) in line and "exists already" in line and "--force" in line
    assert target.read_bytes() == b"the file the user already had"
    assert kit.hidden(out) == []

    forced = cli(*argv, "--force")
    assert forced.code == 0, forced.err
    sheet, rows = kit.calamine_sheet(target)
    assert sheet == "RTF" and rows[0][0] == "Primary Payer (MCP) Identifier"
    assert [p.name for p in out.iterdir()] == [target.name]


@pytest.mark.parametrize("which", ["converted_xlsx", "converted_csv"])
def test_convert_leaves_the_dataset_untouched(request, kit, which):
    conversion = request.getfixturevalue(which)
    assert conversion.run.code == 0, conversion.run.err
    after = kit.digests(conversion.dataset)
    provider = conversion.dataset if conversion.dataset.is_dir() else conversion.dataset.parent
    after.update(kit.digests(provider / "provider.yaml"))
    assert after == conversion.digests_before


@pytest.mark.parametrize("which", ["converted_xlsx", "converted_csv"])
def test_convert_leaves_no_temporary_files(request, kit, which):
    conversion = request.getfixturevalue(which)
    assert kit.hidden(conversion.out) == []
    assert kit.hidden(conversion.dataset.parent) == []


def test_convert_all_writes_one_file_per_plan_and_kind(converted_xlsx, expected_names, kit):
    assert converted_xlsx.run.code == 0, converted_xlsx.run.err
    expected = expected_names(converted_xlsx.provider, kit.PRODUCTION_DATE)
    assert sorted(converted_xlsx.workbooks()) == sorted(expected.values())
    assert expected["partnership", "rtf"] == "Sunrise Community Health_ECM - RTF_12032025.xlsx"
    assert expected["partnership", "otf"] == "Sunrise Community Health_ECM - IOT_12032025.xlsx"
    for plan in HN_FAMILY:
        prefix = converted_xlsx.provider["plans"][plan]["file_prefix"]
        assert expected[plan, "rtf"] == f"{prefix}_ECM_RTF_20251203.xlsx"
        assert expected[plan, "otf"] == f"{prefix}_ECM_OTF_20251203.xlsx"


# ----------------------------------------------------------------------------- read back twice


@pytest.fixture
def written(converted_xlsx, expected_names, registry, kit):
    """``written(plan, kind) -> (FileSpec, Layout, calamine sheet name, rows, openpyxl sheet)``."""

    def get(plan_id, kind):
        name = expected_names(converted_xlsx.provider, kit.PRODUCTION_DATE)[plan_id, kind]
        path = converted_xlsx.out / name
        file = registry.plan(plan_id).files[kind]
        layout = file.layout_for(kit.PERIOD)
        sheet, rows = kit.calamine_sheet(path)
        return file, layout, sheet, rows, kit.openpyxl_sheet(path)

    return get


@pytest.mark.parametrize(("plan_id", "kind"), PLAN_KINDS)
def test_header_row_is_the_layout_in_force(written, plan_id, kind):
    file, layout, sheet, rows, ws = written(plan_id, kind)
    assert sheet == file.sheet
    assert ws.title == file.sheet
    assert rows[0] == layout.headers
    assert [c.value for c in ws[1]] == layout.headers
    assert len(rows) > 1, "no data rows: the sample covers every plan"
    assert all(len(row) == len(layout.headers) for row in rows)


@pytest.mark.parametrize(("plan_id", "kind"), PLAN_KINDS)
def test_date_columns_hold_real_dates(written, plan_id, kind):
    file, layout, _, rows, ws = written(plan_id, kind)
    dates = columns_with(layout, lambda c: c.type == "date")
    assert dates, "every layout has a date column"
    seen = 0
    for index, column in dates:
        for row_number, row in enumerate(rows[1:], start=2):
            value = row[index]
            if blank(value):
                continue
            seen += 1
            assert isinstance(value, date), (column.header, row_number, value)
            cell = ws.cell(row=row_number, column=index + 1)
            assert cell.is_date and isinstance(cell.value, datetime), (column.header, cell.value)
            assert cell.number_format == file.date_format
    assert seen, "no date was written at all"


@pytest.mark.parametrize(("plan_id", "kind"), PLAN_KINDS)
def test_identifiers_are_text_cells(written, plan_id, kind):
    _, layout, _, rows, ws = written(plan_id, kind)
    ids = columns_with(layout, lambda c: c.field in TEXT_ID_FIELDS)
    assert any(c.field == "cin" for _, c in ids)
    for index, column in ids:
        for row_number, row in enumerate(rows[1:], start=2):
            value = row[index]
            if blank(value):
                continue
            assert isinstance(value, str), (column.header, row_number, value)
            assert value.isdigit() or column.field == "cin", (column.header, value)
            cell = ws.cell(row=row_number, column=index + 1)
            assert cell.data_type == "s" and cell.value == value


def test_a_zip_with_a_leading_zero_keeps_it(written, samples, kit):
    members = kit.read_csv(samples["csv"] / "members.csv")
    [member] = [m for m in members if m["zip"].startswith("0")]  # the sample plants one
    _, layout, _, rows, ws = written(member["plan"], "rtf")
    cin_at = layout.headers.index("Member Client Index Number (CIN)")
    zip_at = layout.headers.index("Zip")
    [(row_number, row)] = [(n, r) for n, r in enumerate(rows[1:], 2) if r[cin_at] == member["cin"]]
    assert row[zip_at] == member["zip"] == "01234"
    assert ws.cell(row=row_number, column=zip_at + 1).value == "01234"


@pytest.fixture(scope="module")
def formula_case(kit, samples, tmp_path_factory):
    """A member whose address reads like a spreadsheet formula, converted for their plan."""
    base = tmp_path_factory.mktemp("formula")
    data = kit.copy_csv_sample(samples, base / "data")
    members = kit.read_csv(data / "members.csv")
    member = next(m for m in members if m["plan"] == "calviva")
    member["address"] = FORMULA
    kit.write_csv(data / "members.csv", members)
    before = kit.digests(data)
    run = kit.invoke(
        "convert", data, "--plan", "calviva", "--kind", "rtf", "--period", "2025-11",
        "--out", base / "out", "--production-date", "2025-12-03",
    )  # fmt: skip
    return member, run, base / "out", data, before


def test_formula_looking_text_is_written_unchanged_as_text(formula_case, kit):
    member, run, out, data, before = formula_case
    assert run.code == 0, run.err
    [path] = list(out.iterdir())
    _, rows = kit.calamine_sheet(path)
    cin_at = rows[0].index("Member Client Index Number (CIN)")
    address_at = rows[0].index("Member Residential Address")
    [(row_number, row)] = [(n, r) for n, r in enumerate(rows[1:], 2) if r[cin_at] == member["cin"]]
    assert row[address_at] == FORMULA  # the value as the member has it: no apostrophe
    ws = kit.openpyxl_sheet(path)
    cell = ws.cell(row=row_number, column=address_at + 1)
    assert cell.data_type == "s" and cell.value == FORMULA
    formulas = [c.coordinate for line in ws.iter_rows() for c in line if c.data_type == "f"]
    assert formulas == []
    assert kit.digests(data) == before  # the dataset keeps what the user wrote


def test_csv_folder_and_workbook_convert_to_the_same_cells(converted_xlsx, converted_csv, kit):
    assert converted_csv.run.code == converted_xlsx.run.code == 0
    from_xlsx, from_csv = converted_xlsx.workbooks(), converted_csv.workbooks()
    assert sorted(from_xlsx) == sorted(from_csv)
    for name, path in from_xlsx.items():
        assert kit.calamine_sheet(path) == kit.calamine_sheet(from_csv[name]), name


# ----------------------------------------------------------------------------- datasets with errors


@dataclass(frozen=True)
class Plant:
    """A problem planted in a copy of the sample: whose files it holds back, and how."""

    plan: str
    code: str
    value: str  # the offending value: never printed
    # the plan's kinds not written without --force (its CSPRTF too: the sample provider is
    # the Health Net family's CS provider, and a member's error holds back its plan's files)
    held_back: tuple[str, ...] = ("rtf", "otf", "csprtf")
    cin: str = ""


def _plant_bad_cin(kit, data):
    members = kit.read_csv(data / "members.csv")
    member = next(m for m in members if m["plan"] == "healthnet")
    member.update(cin=BAD_CIN, first_name="Zelphira", last_name="Quonsetworth")
    kit.write_csv(data / "members.csv", members)
    return Plant("healthnet", "D202", BAD_CIN)


def _plant_bogus_status(kit, data):
    members = kit.read_csv(data / "members.csv")
    plan_of = {m["member_id"]: m["plan"] for m in members}
    episodes = kit.read_csv(data / "enrollments.csv")
    episode = next(e for e in episodes if plan_of[e["member_id"]] == "chpiv")
    episode["status"] = "bogus"
    kit.write_csv(data / "enrollments.csv", episodes)
    return Plant("chpiv", "D105", "bogus")


def _plant_attempt_while_enrolled(kit, data):
    """An outreach attempt dated inside an enrollment (seed 004: outreach is for members
    not yet enrolled; a contact after enrolling is an encounter): the outreach row."""
    members = {m["member_id"]: m for m in kit.read_csv(data / "members.csv")}
    episodes = kit.read_csv(data / "enrollments.csv")
    member_id = next(
        e["member_id"]
        for e in episodes
        if members[e["member_id"]]["plan"] == "chwp"
        and e["status"] == "enrolled"
        and e["enrollment_start"] < "2025-11-01"
        and not e["enrollment_end"]
    )
    outreach = kit.read_csv(data / "outreach.csv")
    outreach.append(
        {
            **dict.fromkeys(outreach[0], ""),
            "member_id": member_id,
            "date": ATTEMPT_DAY,
            "method": "phone",
            "successful": "true",
            "minutes": "7",
        }
    )
    kit.write_csv(data / "outreach.csv", outreach)
    return len(outreach) + 1, members[member_id]["cin"]  # its spreadsheet row, the CIN


ATTEMPT_DAY = "2025-11-17"
PLANTS = {
    "bad_cin": _plant_bad_cin,
    "bogus_status": _plant_bogus_status,
}


@pytest.fixture(scope="module", params=sorted(PLANTS))
def broken(request, kit, samples, tmp_path_factory):
    base = tmp_path_factory.mktemp(request.param)
    data = kit.copy_csv_sample(samples, base / "data")
    plant = PLANTS[request.param](kit, data)
    members = kit.read_csv(data / "members.csv")
    conversion = kit.convert_all(data, base / "out")
    return plant, members, conversion


def test_an_error_keeps_only_the_affected_plans_files_back(broken, expected_names, kit):
    plant, _, conversion = broken
    run = conversion.run
    assert run.code == 1
    assert "Traceback" not in run.text
    expected = expected_names(conversion.provider, kit.PRODUCTION_DATE)
    held_back = {expected[plant.plan, kind] for kind in plant.held_back}
    assert set(conversion.workbooks()) == set(expected.values()) - held_back
    assert run.out.count("NOT WRITTEN: fix the errors, or --force") == len(held_back)
    assert any(f"error {plant.code} " in line for line in run.error_lines()), run.err
    assert kit.hidden(conversion.out) == []


def test_error_messages_carry_no_member_data(broken):
    plant, members, conversion = broken
    text = conversion.run.text
    value = plant.value
    assert not re.search(rf"(?<![\w]){re.escape(value)}(?![\w])", text), "the bad value is shown"
    for member in members:
        for name in (
            f"{member['first_name']} {member['last_name']}",
            f"{member['last_name']}, {member['first_name']}",
        ):
            assert name not in text
        assert not re.search(rf"(?<![\w]){member['cin']}(?![\w])", text)
    assert "Zelphira" not in text and "Quonsetworth" not in text


def test_force_writes_the_files_with_errors(broken, expected_names, kit, tmp_path):
    plant, _, conversion = broken
    forced = kit.convert_all(conversion.dataset, tmp_path / "out", "--force")
    assert forced.run.code == 1  # still reports the errors
    expected = expected_names(conversion.provider, kit.PRODUCTION_DATE)
    assert set(forced.workbooks()) == set(expected.values())
    assert "NOT WRITTEN" not in forced.run.out
    sheet, rows = kit.calamine_sheet(forced.out / expected[plant.plan, "rtf"])
    assert sheet == "RTF" and len(rows) > 1


def test_an_attempt_while_enrolled_is_left_off_the_otf_and_the_file_is_written(
    kit, samples, expected_names, tmp_path
):
    """One outreach row dated while its member is enrolled no longer holds back the
    plan's whole OTF: the row is left off with a warning (O001) that names the outreach
    row and says it belongs in encounters, on the RTF, and every file is written."""
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    row, cin = _plant_attempt_while_enrolled(kit, data)
    conversion = kit.convert_all(data, tmp_path / "out")
    run = conversion.run
    assert run.code == 0, run.err
    expected = expected_names(conversion.provider, kit.PRODUCTION_DATE)
    assert set(conversion.workbooks()) == set(expected.values())
    assert "NOT WRITTEN" not in run.out
    (line,) = [line for line in run.text.splitlines() if "warning O001" in line]
    assert f"outreach!B{row}" in line, line
    assert "outreach.csv" in line and "encounters" in line and "RTF" in line
    _, otf = kit.calamine_sheet(conversion.out / expected["chwp", "otf"])
    cin_at = otf[0].index("Member CIN")
    assert len(otf) > 1  # the plan's other attempts are there
    assert [r for r in otf[1:] if r[cin_at] == cin] == []
    assert cin not in run.text


def test_a_kind_the_plan_does_not_have_names_the_plans_kinds(cli, samples, tmp_path):
    run = cli(
        "convert", samples["xlsx"], "--plan", "healthnet", "--kind", "tel", "--period",
        "2025-11", "--out", tmp_path / "out", "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 2
    assert "Traceback" not in run.text
    [line] = run.error_lines()
    assert "Health Net has no tel file" in line
    assert all(kind in line for kind in ("rtf", "otf", "mif", "mini_mif"))
    assert not (tmp_path / "out").exists()


def test_kind_iot_is_accepted_for_the_otf(cli, samples, tmp_path):
    run = cli(
        "convert", samples["xlsx"], "--plan", "partnership", "--kind", "iot", "--period",
        "2025-11", "--out", tmp_path, "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert [p.name for p in tmp_path.iterdir()] == [
        "Sunrise Community Health_ECM - IOT_12032025.xlsx"
    ]


def test_one_existing_target_stops_the_run_before_any_file_is_written(
    cli, kit, samples, expected_names, tmp_path
):
    out = tmp_path / "out"
    out.mkdir()
    provider = kit.load_yaml(samples["csv"] / "provider.yaml")
    existing = out / expected_names(provider, kit.PRODUCTION_DATE)["partnership", "rtf"]
    existing.write_bytes(b"last month's upload")
    run = cli(
        "convert", samples["csv"], "--plan", "all", "--period", "2025-11", "--out", out,
        "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 2
    assert "--force" in run.err and existing.name in run.err
    assert [p.name for p in out.iterdir()] == [existing.name]  # no half-done run
    assert existing.read_bytes() == b"last month's upload"


def _drop_encounters_of(kit, data, plan):
    plan_of = {m["member_id"]: m["plan"] for m in kit.read_csv(data / "members.csv")}
    rows = kit.read_csv(data / "encounters.csv")
    kit.write_csv(data / "encounters.csv", [r for r in rows if plan_of[r["member_id"]] != plan])


@pytest.mark.parametrize("variant", ["no-encounters-for-the-plan", "no-encounters-table"])
def test_a_plan_without_encounters_converts(cli, kit, samples, tmp_path, variant):
    """Members only in outreach so far (a new provider, a new plan contract)."""
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    if variant == "no-encounters-table":
        (data / "encounters.csv").unlink()
    else:
        _drop_encounters_of(kit, data, "chwp")
    out = tmp_path / "out"
    run = cli(
        "convert", data, "--plan", "chwp", "--kind", "rtf", "--period", "2025-11", "--out", out,
        "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 0, run.err
    [path] = list(out.iterdir())
    _, rows = kit.calamine_sheet(path)
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(records) == sum(m["plan"] == "chwp" for m in kit.read_csv(data / "members.csv"))
    assert {r["Date of Most Recent Encounter with Member"] for r in records} == {""}
    assert {r["In Person"] for r in records} == {r["Telephonic/Video"] for r in records} == {0}


# ----------------------------------------------------------------------------- reporting


@pytest.fixture(scope="module")
def seven_bad_cins(kit, samples, tmp_path_factory):
    data = kit.copy_csv_sample(samples, tmp_path_factory.mktemp("seven") / "data")
    members = kit.read_csv(data / "members.csv")
    for number, member in enumerate([m for m in members if m["plan"] == "healthnet"][:7]):
        member["cin"] = f"BAD{number}"
    kit.write_csv(data / "members.csv", members)
    return data


@pytest.mark.parametrize("verbose", [False, True])
def test_findings_are_capped_per_rule_unless_verbose(cli, seven_bad_cins, tmp_path, verbose):
    run = cli(
        *(["-v"] if verbose else []), "convert", seven_bad_cins, "--plan", "healthnet", "--kind",
        "rtf", "--period", "2025-11", "--out", tmp_path, "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 1
    d202 = [line for line in run.error_lines() if "error D202" in line]
    if verbose:
        assert len(d202) == 7
        assert "more like this" not in run.err
    else:
        assert len(d202) == 5
        assert "D202: 2 more like this (--verbose lists all)" in run.err
    assert len({line.split(",")[1] for line in d202}) == len(d202)  # each names its own cell
    assert "BAD" not in run.text  # the values stay masked


def _without_prefix(kit, samples, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    provider = kit.load_yaml(data / "provider.yaml")
    del provider["plans"]["healthnet"]["file_prefix"]
    (data / "provider.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")
    return data


def test_a_missing_file_prefix_says_where_to_add_it(cli, kit, samples, tmp_path):
    data = _without_prefix(kit, samples, tmp_path)
    run = cli(
        "convert", data, "--plan", "healthnet", "--period", "2025-11", "--out", tmp_path / "out",
        "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 1
    n001 = [line for line in run.error_lines() if "error N001" in line]
    assert len(n001) == 3  # RTF, OTF and CSPRTF
    assert all("plans.healthnet.file_prefix" in line for line in n001)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_force_does_not_advise_force_when_it_cannot_help(cli, kit, samples, tmp_path):
    data = _without_prefix(kit, samples, tmp_path)
    run = cli(
        "convert", data, "--plan", "healthnet", "--period", "2025-11", "--out", tmp_path / "out",
        "--production-date", "2025-12-03", "--force",
    )  # fmt: skip
    assert run.code == 1
    assert "or --force" not in run.out


def test_provider_option_overrides_the_profile_beside_the_dataset(cli, kit, samples, tmp_path):
    provider = kit.load_yaml(samples["csv"] / "provider.yaml")
    provider["facility_name"] = "Moonrise Clinic"
    other = tmp_path / "elsewhere.yaml"
    other.write_text(yaml.safe_dump(provider), encoding="utf-8")
    out = tmp_path / "out"
    run = cli(
        "convert", samples["csv"], "--plan", "partnership", "--kind", "rtf", "--period", "2025-11",
        "--out", out, "--production-date", "2025-12-03", "--provider", other,
    )  # fmt: skip
    assert run.code == 0, run.err
    [path] = list(out.iterdir())
    assert path.name == "Moonrise Clinic_ECM - RTF_12032025.xlsx"
    _, rows = kit.calamine_sheet(path)
    at = rows[0].index("ECM Provider Name")
    assert {row[at] for row in rows[1:]} == {"Moonrise Clinic"}


@pytest.mark.slow
def test_demo_refuses_to_overwrite_its_previous_run(demo, kit):
    out, _, _ = demo
    before = kit.digests(out)
    run = kit.invoke("demo", "--out", out, "--period", "2025-11")
    assert run.code == 2
    assert "--force" in run.err and "Traceback" not in run.text
    assert kit.digests(out) == before


def test_the_workbooks_provider_sheet_is_used_without_provider_yaml(
    cli, kit, samples, converted_xlsx, tmp_path
):
    workbook = tmp_path / "dataset.xlsx"
    workbook.write_bytes(samples["xlsx"].read_bytes())  # the sample has a provider sheet too
    out = tmp_path / "out"
    run = cli(
        "convert", workbook, "--plan", "partnership", "--period", "2025-11", "--out", out,
        "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 0, run.err
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(n for n in converted_xlsx.workbooks() if n.startswith("Sunrise"))
    for name in written:
        assert kit.calamine_sheet(out / name) == kit.calamine_sheet(converted_xlsx.out / name)


# ----------------------------------------------------------------------------- RTF encounter counts

ENC = ("member_id", "date", "staff_type", "mode", "successful", "member_present", "kind",
       "procedure_code", "modifiers")  # fmt: skip
COUNTED = [
    # a never-enrolled member with only CHW and doula lines: other benefits, not ECM
    ("N1", "2025-11-03", "non_clinical", "in_person", "true", "true", "service", "98960", "U2"),
    ("N1", "2025-11-04", "non_clinical", "in_person", "true", "true", "service", "98961", "U2"),
    ("N1", "2025-11-05", "non_clinical", "in_person", "true", "true", "service", "T1032", "XP"),
    ("N1", "2025-11-06", "non_clinical", "in_person", "true", "true", "", "59409", "XP"),
    # an enrolled member: ECM services, successful or not, and contacts that are not encounters
    ("E1", "2025-11-03", "clinical", "in_person", "true", "true", "service", "", ""),
    ("E1", "2025-11-07", "clinical", "in_person", "false", "true", "service", "", ""),
    ("E1", "2025-11-10", "non_clinical", "phone", "true", "true", "", "G9012", "U2"),
    ("E1", "2025-11-12", "non_clinical", "video", "false", "false", "service", "", ""),
    ("E1", "2025-11-20", "clinical", "in_person", "true", "false", "care_team_meeting", "", ""),
    ("E1", "2025-11-21", "non_clinical", "phone", "true", "true", "outreach", "", ""),
    ("E1", "2025-11-22", "non_clinical", "in_person", "true", "true", "service", "98960", "U2"),
]  # fmt: skip


def _counts_dataset(kit, samples, folder, plan):
    folder.mkdir()
    (folder / "provider.yaml").write_bytes((samples["csv"] / "provider.yaml").read_bytes())
    kit.write_csv(
        folder / "members.csv",
        [
            {"member_id": mid, "cin": cin, "plan": plan, "first_name": "Ana", "last_name": "Ruiz",
             "dob": "1980-01-02"}
            for mid, cin in (("N1", "91234567A"), ("E1", "91234568C"))
        ],
    )  # fmt: skip
    kit.write_csv(
        folder / "enrollments.csv",
        [
            {"member_id": "N1", "status": "pending_outreach", "assigned_date": "2025-10-01",
             "enrollment_start": ""},
            {"member_id": "E1", "status": "enrolled", "assigned_date": "2025-09-01",
             "enrollment_start": "2025-09-15"},
        ],
    )  # fmt: skip
    kit.write_csv(folder / "encounters.csv", [dict(zip(ENC, row, strict=True)) for row in COUNTED])
    return folder


@pytest.mark.parametrize(
    ("plan", "enrolled_counts"),
    [
        # seed 002: successful and unsuccessful encounters are counted
        pytest.param("healthnet", (2, 2), marks=pytest.mark.plan("healthnet")),
        # assumed for CHWP (seed 002 does not name it): as the Health Net family
        pytest.param("chwp", (2, 2), marks=pytest.mark.plan("chwp")),
        # seed 004: an encounter is a successful interaction with the member
        pytest.param("partnership", (1, 1), marks=pytest.mark.plan("partnership")),
    ],
)
def test_rtf_counts_only_ecm_encounters_as_the_plan_defines_them(
    cli, kit, samples, tmp_path, plan, enrolled_counts
):
    """CHW and doula lines are other benefits: a never-enrolled member with only those has
    no encounter on the RTF. Outreach and care team meetings are not encounters either; the
    most recent encounter is the latest successful ECM service (seed 002)."""
    data = _counts_dataset(kit, samples, tmp_path / "data", plan)
    run = cli(
        "convert", data, "--plan", plan, "--kind", "rtf", "--period", "2025-11",
        "--out", tmp_path / "out", "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 0, run.text
    (rtf,) = (tmp_path / "out").iterdir()
    _, rows = kit.calamine_sheet(rtf)
    header, body = rows[0], rows[1:]
    by_cin = {r[header.index("Member Client Index Number (CIN)")]: r for r in body}
    never, enrolled = by_cin["91234567A"], by_cin["91234568C"]

    def cells(row):
        return (
            row[header.index("In Person")],
            row[header.index("Telephonic/Video")],
            row[header.index("Date of Most Recent Encounter with Member")],
        )

    assert cells(never) == (0, 0, "")
    in_person, remote, last = cells(enrolled)
    assert (in_person, remote) == enrolled_counts
    assert str(last)[:10] in ("2025-11-10", "11/10/2025")


# ----------------------------------------------------------------------------- no members


def _with_plans(kit, samples, folder, plan_of_row):
    """A copy of the sample whose members' plan cells are ``plan_of_row(index, plan)``."""
    data = kit.copy_csv_sample(samples, folder)
    members = kit.read_csv(data / "members.csv")
    for index, member in enumerate(members):
        member["plan"] = plan_of_row(index, member["plan"])
    kit.write_csv(data / "members.csv", members)
    return data, members


def test_a_plan_without_members_gets_no_files_and_is_named(cli, kit, samples, tmp_path):
    data, _ = _with_plans(kit, samples, tmp_path / "data", lambda i, plan: "calviva")
    out = tmp_path / "out"
    run = cli(
        "convert", data, "--plan", "healthnet", "--period", "2025-11", "--out", out,
        "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 0, run.text
    assert not out.exists()  # not even header-only files
    assert "no members for healthnet: no files written" in run.text


def test_a_note_is_shown_before_the_error_that_stops_the_run(cli, kit, samples, tmp_path):
    """A job's notes are told as it makes them: a run refused at the end still said them."""
    data, _ = _with_plans(kit, samples, tmp_path / "data", lambda i, plan: "calviva")
    common = ("convert", data, "--plan", "all", "--period", "2025-11", "--out", tmp_path / "out",
              "--production-date", "2025-12-03")  # fmt: skip
    assert cli(*common).code == 0
    again = cli(*common)  # the files exist now, and there is no --force
    assert again.code == 2, again.text
    note = again.text.index("no members for chpiv, chwp, healthnet, partnership")
    assert note < again.text.index("exists"), again.text


def _convert_and_bill(cli, data, tmp_path):
    common = ("--plan", "all", "--period", "2025-11", "--production-date", "2025-12-03")
    converted = cli("convert", data, *common, "--out", tmp_path / "files")
    billed = cli("claims", data, *common, "--out", tmp_path / "claims")
    return converted, billed


def _finding_lines(run):
    return sorted(
        line for line in run.err.splitlines() if re.search(r"(error|warning) [A-Z]\d{3}", line)
    )


def test_no_member_in_any_plan_convert_and_claims_report_the_same(cli, kit, samples, tmp_path):
    """Every plan cell blank: nothing to convert or bill, and both commands name each
    member's blank cell with the same finding and exit 1 (convert used to exit 0 silently)."""
    data, _ = _with_plans(kit, samples, tmp_path / "data", lambda i, plan: "")
    converted, billed = _convert_and_bill(cli, data, tmp_path)
    assert converted.code == billed.code == 1
    lines = _finding_lines(converted)
    assert lines == _finding_lines(billed)
    assert any("error D101" in line and "members!C2" in line for line in lines), lines
    assert not (tmp_path / "files").exists()


def test_a_header_only_members_sheet_gives_the_same_answer_from_both(cli, kit, samples, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    header = (data / "members.csv").read_text(encoding="utf-8").splitlines()[0]
    (data / "members.csv").write_text(header + "\n", encoding="utf-8")
    converted, billed = _convert_and_bill(cli, data, tmp_path)
    assert converted.code == billed.code == 1  # every other row names an unknown member
    assert _finding_lines(converted) == _finding_lines(billed)
    assert any("error D204" in line for line in _finding_lines(converted))
    assert not (tmp_path / "files").exists()


def test_a_member_with_a_blank_or_unknown_plan_is_named_not_dropped(
    kit, samples, expected_names, tmp_path
):
    """Other plans' files hold their members; the member with no plan is in none of them,
    so the finding at its plan cell holds the files back until it is fixed (or --force)."""
    data, members = _with_plans(
        kit, samples, tmp_path / "data",
        lambda i, plan: {0: "", 1: "helthnet"}.get(i, plan),
    )  # fmt: skip
    conversion = kit.convert_all(data, tmp_path / "out")
    run = conversion.run
    assert run.code == 1
    errors = run.error_lines()
    assert any("error D101" in line and "members!C2" in line for line in errors), run.err
    assert any("error D205" in line and "members!C3" in line for line in errors), run.err
    assert any("members.csv" in line and "D205" in line for line in errors), run.err
    forced = kit.convert_all(data, tmp_path / "forced", "--force")
    assert forced.run.code == 1
    cins = set()
    for path in forced.workbooks().values():
        _, rows = kit.calamine_sheet(path)
        cins |= {cell for row in rows for cell in row if isinstance(cell, str)}
    assert members[0]["cin"] not in cins and members[1]["cin"] not in cins
    assert members[2]["cin"] in cins
