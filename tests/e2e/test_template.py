"""``files.rtf.template``: a YAML-only plan extending healthnet names the plan's own template
workbook, and ``convert`` fills a copy of it (validations, styles, other sheets, macros
kept), checked against the plain file, by two readers and by LibreOffice."""

from __future__ import annotations

import re
import subprocess
import zipfile

import pytest
import yaml

from .templates import (
    HEADER_ROW,
    INLINE,
    VBA,
    XLSM_MAIN,
    make_template,
    make_xlsm,
    needs_libreoffice,
    sheet_xml,
)

PLAN = """\
id: myplan
name: My Plan
extends: healthnet
mcp:
  name: {{value: My Plan, assumed: true}}
files:
  rtf:
{extra}    template: {{value: {template}, assumed: true, note: the RTF template Health Net sends}}
"""
XLSM = """\
    format: xlsm
    accepted_formats: {value: [xlsm], assumed: true}
    naming: {template: "{file_prefix}_ECM_RTF_{production_date:%Y%m%d}", assumed: true}
"""
RTF = "SUNRISE_MY_ECM_RTF_20251203"


def plans_dir(folder, headers, *, template="templates/rtf.xlsx", extra=""):
    """A plans folder holding myplan.yaml and its template (relative to the plan file)."""
    (folder / "templates").mkdir(parents=True)
    validations = make_template(folder / "templates" / "rtf.xlsx", headers)
    if template.endswith(".xlsm"):
        make_xlsm(folder / "templates" / "rtf.xlsx", folder / template)
    (folder / "myplan.yaml").write_text(
        PLAN.format(template=template, extra=extra), encoding="utf-8"
    )
    return folder, validations


@pytest.fixture(scope="module")
def headers(registry, kit):
    return registry.plan("healthnet").files["rtf"].layout_for(kit.PERIOD).headers


@pytest.fixture(scope="module")
def data(kit, samples, tmp_path_factory):
    """The CSV sample with every healthnet member in myplan, and myplan's file prefix."""
    folder = kit.copy_csv_sample(samples, tmp_path_factory.mktemp("template") / "data")
    members = kit.read_csv(folder / "members.csv")
    for member in members:
        member["plan"] = "myplan" if member["plan"] == "healthnet" else member["plan"]
    kit.write_csv(folder / "members.csv", members)
    provider = kit.load_yaml(folder / "provider.yaml")
    provider["plans"]["myplan"] = {"file_prefix": "SUNRISE_MY"}
    (folder / "provider.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")
    return folder


def convert(cli, data, out, plans):
    return cli(
        "--plans-dir", plans, "convert", data, "--plan", "myplan", "--kind", "rtf",
        "--period", "2025-11", "--out", out, "--production-date", "2025-12-03",
    )  # fmt: skip


@pytest.fixture(scope="module")
def filled(data, headers, tmp_path_factory, kit):
    """myplan's RTF filled into the template, and the same RTF written plain."""
    base = tmp_path_factory.mktemp("filled")
    plans, validations = plans_dir(base / "plans", headers)
    plain_plans = base / "plain"
    plain_plans.mkdir()
    (plain_plans / "myplan.yaml").write_text(
        PLAN.format(template="x", extra="").split("files:")[0], encoding="utf-8"
    )
    runs = {}
    for name, folder in (("filled", plans), ("plain", plain_plans)):
        runs[name] = kit.invoke(
            "--plans-dir", folder, "convert", data, "--plan", "myplan", "--kind", "rtf",
            "--period", "2025-11", "--out", base / name, "--production-date", "2025-12-03",
        )  # fmt: skip
    return base, plans, validations, runs


# openpyxl says it drops the x14 validation it reads (which is why ecmx does not use it)
@pytest.mark.filterwarnings("ignore:Data Validation extension is not supported")
def test_convert_fills_the_template_with_the_plain_files_values(filled, kit, headers):
    base, _, _, runs = filled
    assert runs["filled"].code == 0, runs["filled"].err
    assert runs["plain"].code == 0, runs["plain"].err
    out, plain = base / "filled" / f"{RTF}.xlsx", base / "plain" / f"{RTF}.xlsx"
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["RTF", "Lists", "Instructions"]
    rows = book.get_sheet_by_name("RTF").to_python(skip_empty_area=False)
    _, plain_rows = kit.calamine_sheet(plain)
    assert rows[0][0] == "Health Net ECM Return Transmission File"  # the title block stays
    assert rows[HEADER_ROW - 1] == headers
    assert rows[HEADER_ROW:] == plain_rows[1:] and len(plain_rows) > 10
    import openpyxl

    filled_sheet = openpyxl.load_workbook(out)["RTF"]
    plain_sheet = kit.openpyxl_sheet(plain)
    filled_values = list(filled_sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert filled_values == list(plain_sheet.iter_rows(min_row=2, values_only=True))
    # the template's look: header style and widths kept, a bordered data cell
    assert filled_sheet["A3"].font.bold and filled_sheet["A3"].fill.fgColor.rgb == "001F4E78"
    assert filled_sheet.column_dimensions["C"].width == 22
    assert filled_sheet["C5"].border.left.style == "thin"
    start = headers.index("ECM Enrollment Start Date")
    assert filled_sheet.cell(HEADER_ROW + 1, start + 1).number_format == "yyyy-mm-dd"


def test_validate_reads_the_filled_file_back_clean(filled, kit):
    base, plans, _, _ = filled
    run = kit.invoke(
        "--plans-dir", plans, "validate", base / "filled" / f"{RTF}.xlsx", "--plan", "myplan",
        "--kind", "rtf", "--period", "2025-11",
    )  # fmt: skip
    assert run.code == 0, run.out + run.err


def test_the_validations_and_other_sheets_are_kept(filled, headers):
    base, plans, validations, _ = filled
    out, template = base / "filled" / f"{RTF}.xlsx", plans / "templates" / "rtf.xlsx"
    last = HEADER_ROW + _data_rows(out)
    xml = sheet_xml(out)
    found = dict(
        re.findall(r'<dataValidation sqref="([^"]+)"[^>]*><formula1>([^<]+)</formula1>', xml)
    )
    assert set(found) == {"F4:F200", f"P4:P{last}"}  # the short range extended to the last row
    assert found["F4:F200"] in (INLINE, INLINE.replace('"', "&quot;"))
    assert found[f"P4:P{last}"] == "=Lists!$A$2:$A$6"
    assert set(validations) == {"F4:F200", "P4:P10"}
    assert f"<xm:sqref>Q4:Q{last}</xm:sqref>" in xml  # the x14 list on the Lists sheet
    assert "<xm:f>Lists!$B$2:$B$4</xm:f>" in xml
    with zipfile.ZipFile(out) as a, zipfile.ZipFile(template) as b:
        for part in ("xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/workbook.xml"):
            assert a.read(part) == b.read(part), part  # byte for byte: defined names too
    assert "StatusList" in zipfile.ZipFile(out).read("xl/workbook.xml").decode()


def _data_rows(path) -> int:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("RTF").to_python()
    return len(rows) - HEADER_ROW


@needs_libreoffice
def test_libreoffice_opens_the_filled_file_with_its_lists(filled, tmp_path):
    base, *_ = filled
    out = base / "filled" / f"{RTF}.xlsx"
    for target in ("csv", "xlsx"):
        done = subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
             "--convert-to", target, "--outdir", tmp_path / target, out],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    text = (tmp_path / "csv" / f"{RTF}.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("Health Net ECM Return Transmission File")
    assert lines[HEADER_ROW - 1].startswith("Primary Payer (MCP) Identifier,MCP Name,")
    assert len([line for line in lines[HEADER_ROW:] if line.strip(",")]) == _data_rows(out)
    saved = sheet_xml(tmp_path / "xlsx" / f"{RTF}.xlsx")
    lists = re.findall(r"<formula1>([^<]+)</formula1>", saved)
    assert {"&quot;Y,N&quot;", "Lists!$A$2:$A$6", "Lists!$B$2:$B$4"} <= set(lists)


def test_an_xlsm_template_keeps_its_macros(data, headers, tmp_path, cli):
    plans, _ = plans_dir(tmp_path / "plans", headers, template="templates/rtf.xlsm", extra=XLSM)
    run = convert(cli, data, tmp_path / "out", plans)
    assert run.code == 0, run.err
    out = tmp_path / "out" / f"{RTF}.xlsm"
    with zipfile.ZipFile(out) as book:
        assert book.read("xl/vbaProject.bin") == VBA
        assert XLSM_MAIN in book.read("[Content_Types].xml").decode()
        assert "vbaProject.bin" in book.read("xl/_rels/workbook.xml.rels").decode()
    assert _data_rows(out) > 10


def test_an_xlsm_template_for_an_xlsx_file_is_refused(headers, tmp_path, cli):
    plans, _ = plans_dir(tmp_path / "plans", headers, template="templates/rtf.xlsm")
    run = cli("--plans-dir", plans, "plans", "check")
    assert run.code == 1
    assert "files.rtf.template: an .xlsm template keeps its macros" in run.err


def test_plans_check_names_a_renamed_header_and_convert_holds_the_file_back(
    data, headers, tmp_path, cli
):
    renamed = ["Plan Name" if h == "MCP Name" else h for h in headers]
    plans, _ = plans_dir(tmp_path / "plans", renamed)
    run = cli("--plans-dir", plans, "plans", "check")
    assert run.code == 1
    assert "column B is 'Plan Name', the layout has 'MCP Name'" in run.err
    assert "Traceback" not in run.err
    run = convert(cli, data, tmp_path / "out", plans)
    assert run.code == 1
    assert "T001" in run.out + run.err and "NOT WRITTEN" in run.out
    assert not (tmp_path / "out" / f"{RTF}.xlsx").exists()


def test_plans_check_names_a_missing_template(headers, tmp_path, cli):
    plans, _ = plans_dir(tmp_path / "plans", headers, template="templates/gone.xlsx")
    run = cli("--plans-dir", plans, "plans", "check")
    assert run.code == 1
    [line] = [line for line in run.err.splitlines() if "gone.xlsx" in line]
    assert line.endswith("gone.xlsx: no such file")


def test_the_template_path_is_the_plan_files_and_is_inherited(headers, tmp_path):
    from ecmx.core.hooks.manager import make_plugin_manager

    plans, _ = plans_dir(tmp_path / "a", headers)
    other = tmp_path / "b"
    other.mkdir()
    (other / "child.yaml").write_text(
        "id: child\nname: Child\nextends: myplan\nmcp:\n  name: {value: Child, assumed: true}\n",
        encoding="utf-8",
    )
    _, registry = make_plugin_manager([plans, other])
    expected = (plans / "templates" / "rtf.xlsx").absolute()
    assert registry.plan("myplan").files["rtf"].template == expected
    assert registry.plan("child").files["rtf"].template == expected  # not b/templates/...
    assert registry.plan("healthnet").files["rtf"].template is None
