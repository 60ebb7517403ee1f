"""The README's "From the plan's own template", run as a new user runs it: its own
commands, in order, on a template with two renamed columns, one extra and one missing;
the draft makes compare clean; the filled RTF opens in LibreOffice with the template's
validation list intact; ``plans test`` passes for the drafted plan (issue 13, Done when)."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .templates import needs_libreoffice

README = Path(__file__).resolve().parents[2] / "README.md"
RENAMED = {"Member Client Index Number (CIN)": "Member CIN", "Member Acuity Level": "Acuity"}
MISSING = "Member New Address Indicator"
EXTRA = "County"


def walkthrough() -> tuple[list[list[str]], str]:
    """The section's ecmx commands (comments cut), and its sentence naming the template line."""
    section = README.read_text(encoding="utf-8").split("### From the plan's own template")[1]
    section = section.split("\n## ")[0]
    commands = [
        shlex.split(line.split("  #")[0])
        for block in re.findall(r"```sh\n(.*?)```", section, re.S)
        for line in block.splitlines()
        if line.startswith("ecmx ")
    ]
    (template_line,) = re.findall(r"`(template: \{.*?\})`", section)
    return commands, template_line


def make_template(path: Path, headers: list[str]) -> None:
    """The plan's workbook: a title block, the header on row 4, a status list."""
    headers = [RENAMED.get(h, h) for h in headers if h != MISSING]
    headers.insert(headers.index("Zip") + 1, EXTRA)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "RTF"
    sheet["A1"] = "Health Net ECM Return Transmission File"
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=4, column=column, value=header)
    letter = get_column_letter(headers.index("Member ECM Status") + 1)
    status = DataValidation(type="list", formula1='"1,2,3,4,5"')
    status.add(f"{letter}5:{letter}1000")
    sheet.add_data_validation(status)
    book.save(path)


def run_readme(cli, argv: list[str]):
    assert argv[0] == "ecmx"
    return cli(*argv[1:])


@needs_libreoffice
def test_the_readme_template_walkthrough(cli, registry, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plans").mkdir()
    layout = registry.plan("healthnet").files["rtf"].versions[-1]
    make_template(tmp_path / "RTF Template.xlsx", [c.header for c in layout.columns])
    commands, template_line = walkthrough()
    compare, check, clean, plans_test, convert = commands

    first = run_readme(cli, compare)
    assert first.code == 1, first.err
    rows = [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in first.out.splitlines()
        if line.startswith("│")
    ]
    assert sorted((r[1], r[3], r[5]) for r in rows) == sorted(
        [
            ("Member Client Index Number (CIN)", "Member CIN", "renamed"),
            ("Member Acuity Level", "Acuity", "renamed"),
            (MISSING, "", "missing"),
            ("", EXTRA, "extra"),
        ]
    )
    assert run_readme(cli, check).code == 0
    again = run_readme(cli, clean)
    assert again.code == 0, again.text

    draft = tmp_path / "plans" / "hn_tpl.yaml"
    text = draft.read_text(encoding="utf-8")
    assert "files:\n  rtf:\n" in text
    text = text.replace("files:\n  rtf:\n", f"files:\n  rtf:\n    {template_line}\n", 1)
    draft.write_text(text, encoding="utf-8")
    tested = run_readme(cli, plans_test)
    assert tested.code == 0, tested.text
    assert "fail" not in tested.out

    made = cli("--plans-dir", "plans", "sample-data", "--plan", "hn_tpl", "--out", "data.xlsx",
               "--period", "2025-11")  # fmt: skip
    assert made.code == 0, made.err
    converted = run_readme(cli, convert)
    assert converted.code == 0, converted.err
    (rtf,) = (tmp_path / "outbox").glob("*.xlsx")
    opened = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(rtf)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    for path in (rtf, tmp_path / "lo" / rtf.name):
        sheet = openpyxl.load_workbook(path)["RTF"]
        assert sheet["A1"].value == "Health Net ECM Return Transmission File"
        assert sheet["C4"].value == "Member CIN" and sheet["C5"].value  # a member's CIN
        lists = [(v.formula1, str(v.sqref)) for v in sheet.data_validations.dataValidation]
        assert lists == [('"1,2,3,4,5"', "P5:P1000")]
