"""``ecmx plans compare TEMPLATE --plan PLAN --kind KIND [--write-yaml FILE]`` (issue 13,
point 3): a plan's template workbook held against its layout, and the YAML that makes the
layout match. Templates are made here with openpyxl from healthnet's RTF layout."""

from __future__ import annotations

import csv
import json
import subprocess
import zipfile

import openpyxl
import pytest
import yaml
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .templates import needs_libreoffice

X14 = (
    '<extLst><ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showErrorMessage="1"><x14:formula1>'
    "<xm:f>{formula}</xm:f></x14:formula1><xm:sqref>{sqref}</xm:sqref></x14:dataValidation>"
    "</x14:dataValidations></ext></extLst>"
)


@pytest.fixture(scope="module")
def rtf_headers(registry):
    return [c.header for c in registry.plan("healthnet").files["rtf"].versions[-1].columns]


def compare_draft(cli, folder, template):
    """``plans compare`` of the template against the draft plan written into ``folder``."""
    return cli(
        "--plans-dir", folder, "plans", "compare", template,
        "--plan", "healthnet_template", "--kind", "rtf",
    )  # fmt: skip


def edited(headers, *, rename=(), remove=(), insert=()):
    """healthnet's headers, changed: rename (old, new), remove old, insert (index, new)."""
    out = list(headers)
    for old, new in rename:
        out[out.index(old)] = new
    for old in remove:
        out.remove(old)
    for index, new in insert:
        out.insert(index, new)
    return out


def make_template(path, headers, *, title_rows=0, lists=None, formats=None, x14=None):
    """A template: a title block of ``title_rows`` rows, then the header row; ``lists``:
    header -> (how, values) with how inline, range or name (a list on sheet Lists);
    ``formats``: header -> number format of the first cell below; ``x14``: header ->
    values, written as Excel writes a list on another sheet (in the sheet's extLst)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "RTF"
    for row in range(1, title_rows + 1):
        sheet.cell(row, 1, f"Health Net ECM Return Transmission File, title line {row}")
    header_row = title_rows + 1
    for column, header in enumerate(headers, start=1):
        sheet.cell(header_row, column, header)
    for header, number_format in (formats or {}).items():
        sheet.cell(header_row + 1, headers.index(header) + 1).number_format = number_format
    lists_sheet = book.create_sheet("Lists")
    extensions = []
    for column_index, (header, (how, values)) in enumerate({**(lists or {}), **{
        h: ("x14", v) for h, v in (x14 or {}).items()
    }}.items(), start=1):  # fmt: skip
        letter = openpyxl.utils.get_column_letter(headers.index(header) + 1)
        sqref = f"{letter}{header_row + 1}:{letter}{header_row + 500}"
        list_letter = openpyxl.utils.get_column_letter(column_index)
        for row, value in enumerate(values, start=2):
            lists_sheet.cell(row, column_index, value)
        area = f"Lists!${list_letter}$2:${list_letter}${len(values) + 1}"
        if how == "x14":
            extensions.append((area, sqref))
            continue
        if how == "name":
            name = f"List{column_index}"
            book.defined_names[name] = DefinedName(name, attr_text=area)
            area = name
        formula = f'"{",".join(values)}"' if how == "inline" else area
        validation = DataValidation(type="list", formula1=formula)
        validation.add(sqref)
        sheet.add_data_validation(validation)
    book.save(path)
    if extensions:
        _add_x14(path, extensions)
    return path


def _add_x14(path, extensions):
    """Each (range, cells) as an x14 list validation in sheet RTF's extLst."""
    with zipfile.ZipFile(path) as book:
        parts = {info.filename: book.read(info) for info in book.infolist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode("utf-8")
    ext = "".join(X14.format(formula=f, sqref=s) for f, s in extensions)
    parts[name] = xml.replace("</worksheet>", ext + "</worksheet>").encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for part, data in parts.items():
            book.writestr(part, data)


def four_changes(rtf_headers):
    return edited(
        rtf_headers,
        rename=[
            ("Member Client Index Number (CIN)", "Member CIN"),
            ("Member Acuity Level", "Acuity"),
        ],
        remove=["Medicare Dual Eligible"],
        insert=[(5, "Member DOB")],
    )


def differing(run):
    """(layout header, template header, result) of each row that is not the same."""
    rows = []
    for line in run.out.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) == 7 and cells[0].isdigit() and cells[5] != "same":
            rows.append((cells[1], cells[3], cells[5]))
    return rows


def test_two_renamed_one_extra_one_missing_and_the_draft_makes_it_clean(cli, rtf_headers, tmp_path):
    template = make_template(tmp_path / "Health Net RTF Template.xlsx", four_changes(rtf_headers))
    plans = tmp_path / "plans"
    plans.mkdir()
    draft = plans / "healthnet_template.yaml"
    run = cli(
        "plans", "compare", template, "--plan", "healthnet", "--kind", "rtf", "--write-yaml", draft
    )
    assert run.code == 1, run.err
    assert "Traceback" not in run.text
    assert sorted(differing(run)) == sorted(
        [
            ("Member Client Index Number (CIN)", "Member CIN", "renamed"),
            ("Member Acuity Level", "Acuity", "renamed"),
            ("Medicare Dual Eligible", "", "missing"),
            ("", "Member DOB", "extra"),
        ]
    )
    assert "differs: 2 renamed, 1 extra, 1 missing (exit 1)" in run.err
    data = yaml.safe_load(draft.read_text(encoding="utf-8"))
    assert (data["id"], data["extends"]) == ("healthnet_template", "healthnet")
    patch = data["files"]["rtf"]["columns_patch"]
    assert patch["change"]["cin"] == {
        "header": "Member CIN",
        "source": "health-net-rtf-template: sheet RTF, cell C1",
    }
    assert patch["remove"] == ["medicare_dual"]
    (dob,) = patch["insert"]
    assert (dob["after"], dob["header"], dob["field"]) == ("first_name", "Member DOB", "dob")
    assert dob["source"] == "health-net-rtf-template: sheet RTF, cell F1"
    # the template is the draft's own source: it speaks for the draft's plan
    (source,) = data["sources"].values()
    assert list(data["sources"]) == ["health-net-rtf-template"]
    assert source["title"] == "Health Net RTF Template.xlsx: the rtf template"
    assert source["where"] == str(template.resolve())
    check = cli("--plans-dir", plans, "plans", "check")
    assert check.code == 0, check.err
    again = compare_draft(cli, plans, template)
    assert again.code == 0, again.text
    assert differing(again) == []
    assert "clean: the 59 columns of the layout match the template" in again.err
    assert "│" not in again.out  # nothing differs: no table, a count
    assert "59 column(s) the same as the template (-v lists them)" in again.err
    every = cli("-v", "--plans-dir", plans, "plans", "compare", template,
                "--plan", "healthnet_template", "--kind", "rtf")  # fmt: skip
    assert every.out.count("│ same ") == 59
    # the draft's plan converts with the template's headers (its identity is Health Net's)
    shown = cli("--plans-dir", plans, "plans", "show", "healthnet_template", "--kind", "rtf")
    assert "Member CIN" in shown.out and "Medicare Dual Eligible" not in shown.out


def test_the_header_below_a_title_block_and_an_order_difference(cli, rtf_headers, tmp_path):
    headers = edited(rtf_headers, remove=["City"], insert=[(9, "City")])  # after State
    template = make_template(tmp_path / "rtf.xlsx", headers, title_rows=3)
    draft = tmp_path / "draft.yaml"
    run = cli(
        "plans", "compare", template, "--plan", "healthnet", "--kind", "rtf", "--write-yaml", draft
    )
    assert run.code == 1, run.err
    assert "header row 4: 59 of its cells are headers of the layout" in run.err
    # the fewest moves: one of the two is out of place (the other keeps its place)
    assert differing(run) == [("State", "State", "order")]
    assert "the template has it after 'Member Residential Address'" in run.out
    patch = yaml.safe_load(draft.read_text(encoding="utf-8"))["files"]["rtf"]["columns_patch"]
    assert patch == {"order": ["state", "city"]}
    again = compare_draft(cli, tmp_path, template)
    assert again.code == 0, again.text


@pytest.mark.parametrize("how", ["inline", "range", "name", "x14"])
def test_a_validation_list_with_one_code_different(cli, registry, rtf_headers, tmp_path, how):
    codes = ["1", "2", "3", "4", "D"]  # healthnet's ecm_status: 1 to 5
    lists = {
        "Member ECM Status": (how, codes),
        "Member Acuity Level": ("range", ["Low", "Medium", "High"]),
    }
    if how == "x14":
        template = make_template(
            tmp_path / "rtf.xlsx",
            rtf_headers,
            lists={"Member Acuity Level": lists["Member Acuity Level"]},
            x14={"Member ECM Status": codes},
        )
        with pytest.warns(UserWarning):  # openpyxl drops it: ecmx reads the sheet's XML itself
            assert len(openpyxl.load_workbook(template)["RTF"].data_validations.dataValidation) == 1
    else:
        template = make_template(tmp_path / "rtf.xlsx", rtf_headers, lists=lists)
    draft = tmp_path / "draft.yaml"
    run = cli(
        "plans", "compare", template, "--plan", "healthnet", "--kind", "rtf", "--write-yaml", draft
    )
    assert run.code == 1, run.err
    assert differing(run) == [("Member ECM Status", "Member ECM Status", "codes")]
    assert "the template's list lacks 5; the template's list adds D" in run.out
    values = yaml.safe_load(draft.read_text(encoding="utf-8"))["codes"]["ecm_status"]["values"]
    # every key coded 5 (Discontinued) becomes D, citing the list
    status = registry.plan("healthnet").codes["ecm_status"].values
    assert sorted(values) == sorted(k for k, v in status.items() if v["code"] == "5")
    assert values["disenrolled"] == {"code": "D", "source": "rtf: sheet RTF, the list of cell P1"}
    assert cli("--plans-dir", tmp_path, "plans", "check").code == 0
    again = compare_draft(cli, tmp_path, template)
    assert again.code == 0, again.text


def test_a_date_column_formatted_as_text_is_reported_and_left_to_the_integrator(
    cli, rtf_headers, tmp_path
):
    formats = {
        "ECM Enrollment Start Date": "@",
        "ECM Enrollment End Date": "mm/dd/yyyy",
        "Member Client Index Number (CIN)": "@",
    }
    template = make_template(tmp_path / "rtf.xlsx", rtf_headers, formats=formats)
    run = cli(
        "plans",
        "compare",
        template,
        "--plan",
        "healthnet",
        "--kind",
        "rtf",
        "--write-yaml",
        tmp_path / "d.yaml",
    )
    assert run.code == 1
    assert differing(run) == [("ECM Enrollment Start Date", "ECM Enrollment Start Date", "format")]
    assert "a date column, formatted as text (@) in the template" in run.out
    assert "left for the integrator: RTF!R1 'ECM Enrollment Start Date'" in run.err


def test_an_extra_column_no_field_fits_is_a_todo_that_plans_check_accepts(
    cli, rtf_headers, tmp_path
):
    template = make_template(
        tmp_path / "rtf.xlsx", edited(rtf_headers, insert=[(0, "Line of Business")])
    )
    draft = tmp_path / "draft.yaml"
    run = cli(
        "plans",
        "compare",
        template,
        "--plan",
        "healthnet",
        "--kind",
        "rtf",
        "--write-yaml",
        draft,
        "--id",
        "hn_tpl",
    )
    assert run.code == 1
    text = draft.read_text(encoding="utf-8")
    assert "# TODO for the integrator: which field? (ecmx plans fields rtf)" in text
    (column,) = yaml.safe_load(text)["files"]["rtf"]["columns_patch"]["insert"]
    assert column == {
        "before": "mcp_identifier",
        "key": "line_of_business",
        "header": "Line of Business",
        "value": "",
        "source": "rtf: sheet RTF, cell A1",
    }
    assert cli("--plans-dir", tmp_path, "plans", "check").code == 0
    again = cli(
        "--plans-dir", tmp_path, "plans", "compare", template, "--plan", "hn_tpl", "--kind", "rtf"
    )
    assert again.code == 0, again.text


def test_the_draft_is_never_written_over_without_force(cli, rtf_headers, tmp_path):
    template = make_template(tmp_path / "rtf.xlsx", four_changes(rtf_headers))
    draft = tmp_path / "draft.yaml"
    draft.write_text("keep me\n", encoding="utf-8")
    run = cli(
        "plans", "compare", template, "--plan", "healthnet", "--kind", "rtf", "--write-yaml", draft
    )
    assert run.code == 2
    run.one_error_line("exists already", "--force")
    assert draft.read_text(encoding="utf-8") == "keep me\n"
    forced = cli(
        "plans",
        "compare",
        template,
        "--plan",
        "healthnet",
        "--kind",
        "rtf",
        "--write-yaml",
        draft,
        "--force",
    )
    assert forced.code == 1 and "id: healthnet_template" in draft.read_text(encoding="utf-8")
    # again, over the first draft in its --plans-dir: the same source id (the one replaced);
    # a second draft beside it takes another
    for name, source_id in (("draft.yaml", "rtf"), ("second.yaml", "rtf-2")):
        again = cli(
            "--plans-dir", tmp_path, "plans", "compare", template, "--plan", "healthnet",
            "--kind", "rtf", "--write-yaml", tmp_path / name, "--force", "--id", name[:-5],
        )  # fmt: skip
        assert again.code == 1, again.err
        data = yaml.safe_load((tmp_path / name).read_text(encoding="utf-8"))
        assert list(data["sources"]) == [source_id]
    assert cli("--plans-dir", tmp_path, "plans", "check").code == 0


def test_the_report_as_json_and_csv(cli, rtf_headers, tmp_path):
    template = make_template(tmp_path / "rtf.xlsx", four_changes(rtf_headers))
    for name in ("report.json", "report.csv"):
        run = cli(
            "plans",
            "compare",
            template,
            "--plan",
            "healthnet",
            "--kind",
            "rtf",
            "--report",
            tmp_path / name,
        )
        assert run.code == 1, run.err
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert (report["plan"], report["version"], report["clean"]) == ("healthnet", "2025.7", False)
    assert report["differences"] == {"renamed": 2, "extra": 1, "missing": 1}
    with open(tmp_path / "report.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["status"] for r in rows].count("same") == 56
    assert {r["key"]: r["cell"] for r in rows if r["status"] == "renamed"} == {
        "cin": "RTF!C1",
        "acuity": "RTF!R1",
    }


def test_a_csv_template_header(cli, rtf_headers, tmp_path):
    template = tmp_path / "rtf.csv"
    template.write_text(
        ",".join(f'"{h}"' for h in four_changes(rtf_headers)) + "\n", encoding="utf-8"
    )
    run = cli("plans", "compare", template, "--plan", "healthnet", "--kind", "rtf")
    assert run.code == 1, run.err
    assert len(differing(run)) == 4


@pytest.mark.parametrize(
    "case, needles",
    [
        ("not a workbook", ("not a readable xlsx/xlsm workbook",)),
        ("no header", ("no header row found in the first 30 rows of sheet 'RTF'",)),
        ("unknown plan", ("unknown plan 'healthnett'", "did you mean 'healthnet'")),
        ("unknown kind", ("unknown file kind 'rtff'",)),
        ("kind the plan lacks", ("Health Net has no tel file",)),
        ("unknown version", ("no rtf layout version '2030.1'; known: 2022.1, 2025.7",)),
        ("missing sheet", ("no sheet 'Sheet9'",)),
        ("missing file", ("no such template workbook",)),
        ("draft folder missing", ("cannot write", "does not exist")),
        ("draft named sources.yaml", ("sources.yaml is a folder's sources list, not a plan",)),
    ],
)
def test_user_errors_are_one_line(cli, rtf_headers, tmp_path, case, needles):
    template = make_template(tmp_path / "rtf.xlsx", rtf_headers)
    args = ["--plan", "healthnet", "--kind", "rtf"]
    if case == "not a workbook":
        template = tmp_path / "broken.xlsx"
        template.write_text("this is no zip", encoding="utf-8")
    elif case == "no header":
        book = openpyxl.Workbook()
        book.active.title = "RTF"
        for row in range(1, 40):
            book.active.cell(row, 1, row)
        book.save(template)
    elif case == "unknown plan":
        args[1] = "healthnett"
    elif case == "unknown kind":
        args[3] = "rtff"
    elif case == "kind the plan lacks":
        args[3] = "tel"
    elif case == "unknown version":
        args += ["--version", "2030.1"]
    elif case == "missing sheet":
        args += ["--sheet", "Sheet9"]
    elif case == "missing file":
        template = tmp_path / "nothing.xlsx"
    elif case == "draft folder missing":
        args += ["--write-yaml", tmp_path / "no" / "draft.yaml"]
    elif case == "draft named sources.yaml":
        args += ["--write-yaml", tmp_path / "sources.yaml"]
    run = cli("plans", "compare", template, *args)
    assert run.code == 2, run.text
    run.one_error_line(*needles)


@needs_libreoffice
def test_a_template_saved_by_libreoffice(cli, rtf_headers, tmp_path):
    lists = {
        "Member ECM Status": ("range", ["1", "2", "3", "4", "D"]),
        "Zip": ("inline", ["95814"]),
    }
    source = make_template(
        tmp_path / "made.xlsx",
        four_changes(rtf_headers),
        title_rows=2,
        lists=lists,
        formats={"Zip": "@"},
    )
    out = tmp_path / "lo"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    run = cli("plans", "compare", out / "made.xlsx", "--plan", "healthnet", "--kind", "rtf")
    assert run.code == 1, run.err
    assert "header row 3" in run.err
    results = sorted(r[2] for r in differing(run))
    assert results == ["codes", "extra", "missing", "renamed", "renamed"]
    assert "the template's list adds D" in run.out
    assert "Zip" not in [r[0] for r in differing(run)]  # a text column formatted as text
