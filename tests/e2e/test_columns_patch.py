"""Change one column or one code of an inherited plan without copying its layout
(``files.<kind>.columns_patch``, ``codes.<list>.values.<key>``), and ``plans show --explain``."""

from __future__ import annotations

import pytest
import yaml

# The README's example: Health Net with one header renamed and one status code changed.
MYPLAN = """\
id: myplan
name: My Plan
extends: healthnet
mcp: {name: {value: My Plan, assumed: true}}
files:
  rtf:
    columns_patch:
      change:
        cin: {header: Member CIN, assumed: true, note: "as the plan's RTF template names it"}
codes:
  ecm_status:
    values:
      enrolled: {code: E, assumed: true, note: "the plan's code for enrolled"}
"""
PRODUCED = "2025-12-03"


def test_the_example_plan_is_short(cli):
    assert len(MYPLAN.splitlines()) < 15


def write_plan(folder, text: str = MYPLAN):
    folder.mkdir(exist_ok=True)
    (folder / "myplan.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def plans_dir(tmp_path_factory):
    return write_plan(tmp_path_factory.mktemp("patch") / "plans")


def test_plans_check_accepts_the_short_plan(cli, plans_dir):
    run = cli("--plans-dir", plans_dir, "plans", "check")
    assert run.code == 0, run.err
    assert "ok: 6 plan(s)" in run.err


def test_convert_writes_the_change_and_nothing_else(cli, kit, samples, plans_dir, tmp_path):
    """Every healthnet member moved to myplan: its RTF is healthnet's, but for the header
    renamed and the enrolled status code."""
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    files = {}
    for plan in ("healthnet", "myplan"):
        if plan == "myplan":
            members = kit.read_csv(data / "members.csv")
            for member in members:
                member["plan"] = "myplan" if member["plan"] == "healthnet" else member["plan"]
            kit.write_csv(data / "members.csv", members)
            provider = kit.load_yaml(data / "provider.yaml")
            provider["plans"]["myplan"] = provider["plans"]["healthnet"]
            (data / "provider.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")
        out = tmp_path / plan
        run = cli(
            "--plans-dir", plans_dir, "convert", data, "--plan", plan, "--period", "2025-11",
            "--out", out, "--production-date", PRODUCED,
        )  # fmt: skip
        assert run.code == 0, run.err
        [rtf] = [p for p in out.iterdir() if "_RTF_" in p.name]
        files[plan] = kit.calamine_sheet(rtf)[1]
    theirs, mine = files["healthnet"], files["myplan"]
    renamed = theirs[0].index("Member Client Index Number (CIN)")
    assert mine[0] == [*theirs[0][:renamed], "Member CIN", *theirs[0][renamed + 1 :]]
    status = theirs[0].index("Member ECM Status")
    assert len(mine) == len(theirs) > 1
    changed = 0
    for old, new in zip(theirs[1:], mine[1:], strict=True):
        expected = ["MYPLAN", "My Plan", *old[2:]]  # its own identity (issue 11)
        if old[status] == "2":  # enrolled
            expected[status] = "E"
            changed += 1
        assert new == expected
    assert changed  # the sample has enrolled members


def test_explain_names_the_file_of_each_column_and_code(cli, plans_dir):
    run = cli("--plans-dir", plans_dir, "plans", "show", "myplan", "--kind", "rtf", "--explain")
    assert run.code == 0, run.err
    cells = [line.split("│") for line in run.out.splitlines() if line.startswith("│")]
    columns = {row[2].strip(): row[-2].strip() for row in cells if row[1].strip().isdigit()}
    assert columns["Member CIN"].endswith("/myplan.yaml")
    assert columns["Member Last Name"] == "dhcs_base.yaml"
    codes = {row[1].strip(): row[-2].strip() for row in cells if len(row) == 7}
    assert codes["enrolled"].endswith("/myplan.yaml")
    assert codes["declined"] == "dhcs_base.yaml"


PATCHED = """\
id: myplan
name: My Plan
extends: healthnet
files:
  rtf:
    columns_patch:
{patch}
"""


def layout(cli, folder, plan: str = "myplan") -> list[str]:
    """The plan's RTF headers, in order, for the latest layout."""
    run = cli("--plans-dir", folder, "plans", "show", plan, "--kind", "rtf")
    assert run.code == 0, run.err
    return [
        line.split("│")[2].strip()
        for line in run.out.splitlines()
        if line.startswith("│") and line.split("│")[1].strip().isdigit()
    ]


def patched(tmp_path, patch: str):
    return write_plan(tmp_path / "plans", PATCHED.format(patch=patch))


def test_insert_before_and_after_a_key(cli, tmp_path):
    headers = layout(
        cli,
        patched(
            tmp_path,
            "      insert:\n"
            "        - {after: cin, header: Member DOB, field: dob, assumed: true}\n"
            "        - {before: mcp_identifier, key: lob, header: LOB, value: MC, assumed: true}",
        ),
    )
    assert headers[0] == "LOB"
    cin = headers.index("Member Client Index Number (CIN)")
    assert headers[cin + 1] == "Member DOB"


def test_remove_and_reorder_by_key(cli, tmp_path):
    headers = layout(
        cli,
        patched(
            tmp_path,
            "      remove: [medicare_dual, referral_status]\n      order: [first_name, last_name]",
        ),
    )
    assert "Medicare Dual Eligible" not in headers and "Referral Status" not in headers
    assert headers[3:5] == ["Member First Name", "Member Last Name"]
    assert len(headers) == len(layout(cli, tmp_path / "plans", "healthnet")) - 2


@pytest.mark.parametrize(
    ("patch", "needles"),
    [
        (
            "      change:\n        cinn: {header: X, assumed: true}",
            ("columns_patch.change.cinn", "no column has the key 'cinn'", "did you mean 'cin'"),
        ),
        ("      remove: [zipp]", ("columns_patch.remove[0]", "did you mean 'zip'")),
        ("      order: [city, stat]", ("columns_patch.order[1]", "did you mean 'state'")),
        (
            "      insert:\n        - {header: X, field: dob, assumed: true}",
            ("columns_patch.insert[0]", "give before: or after:"),
        ),
        (
            "      insert:\n        - {after: cin, header: X, value: Y, assumed: true}",
            ("columns_patch.insert[0]", "needs key:"),
        ),
        (
            "      insert:\n        - {after: cin, header: X, field: city, assumed: true}",
            ("columns_patch.insert[0]", "'city' is in the layout already"),
        ),
        (
            "      insert:\n        - {after: cinn, header: X, field: dob, assumed: true}",
            ("columns_patch.insert[0].after", "did you mean 'cin'"),
        ),
        (
            "      change:\n        cin: {header: Member CIN}",
            ("columns_patch.change.cin", "needs source:"),
        ),
        ("      chnage: {}", ("columns_patch", "unknown key 'chnage'", "did you mean 'change'")),
    ],
)
def test_each_mistake_is_one_line(cli, tmp_path, patch, needles):
    run = cli("--plans-dir", patched(tmp_path, patch), "plans", "check")
    assert run.code == 1
    assert "Traceback" not in run.text
    [line] = [line for line in run.error_lines() if "myplan.yaml" in line]
    for needle in needles:
        assert needle in line, line


def test_a_key_twice_in_a_layout_is_one_line(cli, tmp_path):
    folder = patched(tmp_path, "      change:\n        city: {key: zip, assumed: true}")
    run = cli("--plans-dir", folder, "plans", "check")
    assert run.code == 1
    assert any("unknown key 'key'" in line for line in run.error_lines())
    text = PATCHED.format(patch="      remove: [city]").replace(
        "    columns_patch:\n      remove: [city]\n",
        "    versions:\n      - version: '1'\n        effective: '2022-01-01'\n"
        "        assumed: true\n        columns:\n"
        "          - {header: A, field: cin, assumed: true}\n"
        "          - {header: B, field: cin, assumed: true}\n"
        "          - {header: C, value: x, assumed: true}\n",
    )
    run = cli("--plans-dir", write_plan(tmp_path / "twice", text), "plans", "check")
    lines = [line for line in run.error_lines() if "myplan.yaml" in line]
    assert any("columns[1].field: the key 'cin' is the key of columns[0] too" in x for x in lines)
    assert any("columns[2]: a column with no field: needs key:" in x for x in lines)


SOURCES = """\
sources:
  my-template:
    title: My Plan's RTF template
    publisher: My Plan
    where: the template the plan sent
    date: 2025-11-01
    plans: [myplan, docplan]
"""


def test_the_documented_examples_pass_plans_check(cli, tmp_path):
    """README's short plan and docs/configuration.md's columns_patch, as a user copies them."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    docs = (root / "docs" / "configuration.md").read_text(encoding="utf-8")
    short = re.search(r"Health Net with one header renamed.*?```yaml\n(.*?)```", readme, re.S)
    patch = re.search(r"## Changing an inherited layout by key.*?```yaml\n(.*?)```", docs, re.S)
    assert short and patch
    assert len(short.group(1).splitlines()) < 15
    folder = write_plan(tmp_path / "plans", short.group(1))
    (folder / "docplan.yaml").write_text(
        "id: docplan\nname: Doc Plan\nextends: healthnet\n" + patch.group(1), encoding="utf-8"
    )
    run = cli("--plans-dir", folder, "plans", "check")
    assert run.code == 0, run.err
    headers = layout(cli, folder, "docplan")
    assert headers[0] == "LOB" and headers[4] == "Member DOB"
    assert "Medicare Dual Eligible" not in headers


def test_a_plan_s_own_source_speaks_for_it_and_its_id_is_taken_once(cli, tmp_path):
    own = MYPLAN.replace(
        "extends: healthnet\n",
        "extends: healthnet\nsources:\n  my-template: {title: The RTF template, where: sent to us}\n",
    ).replace(
        'assumed: true, note: "as the plan\'s RTF template names it"', 'source: "my-template: C1"'
    )
    folder = write_plan(tmp_path / "plans", own)
    run = cli("--plans-dir", folder, "plans", "show", "myplan", "--kind", "rtf", "--assumptions")
    assert run.code == 0, run.err
    assert "Member CIN" not in run.out  # sourced, so not among the assumptions
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    run = cli("--plans-dir", folder, "plans", "check")
    assert run.code == 1
    assert any(
        "sources.my-template: the id is taken already" in line for line in run.error_lines()
    ), run.err


VERSIONED = """\
id: myplan
name: My Plan
extends: healthnet
files:
  rtf:
    versions:
      - version: "1"
        effective: "2022-01-01"
        assumed: true
        columns:
          - {header: CIN, field: cin, assumed: true}
          - {header: Last, field: last_name, assumed: true}
      - version: "2"
        effective: "2026-01-01"
        assumed: true
        from: "{base}"
        columns_patch:
          insert: [{after: cin, header: First, field: first_name, assumed: true}]
"""


def test_a_new_version_lists_only_its_changes(cli, tmp_path):
    folder = write_plan(tmp_path / "plans", VERSIONED.replace("{base}", "1"))
    run = cli(
        "--plans-dir", folder, "plans", "show", "myplan", "--kind", "rtf", "--period", "2026-01"
    )
    assert run.code == 0, run.err
    rows = [line.split("│")[2].strip() for line in run.out.splitlines() if line.startswith("│ ")]
    assert rows[:3] == ["CIN", "First", "Last"]
    assert layout(cli, folder)[:3] == ["CIN", "First", "Last"]  # the latest


def test_a_version_from_an_unknown_version_is_one_line(cli, tmp_path):
    folder = write_plan(tmp_path / "plans", VERSIONED.replace("{base}", "1.0"))
    run = cli("--plans-dir", folder, "plans", "check")
    assert run.code == 1
    [line] = [line for line in run.error_lines() if "myplan.yaml" in line]
    assert "files.rtf.versions[1].from: no earlier version '1.0'" in line


ADDED_VERSION = """\
id: myplan
name: My Plan
extends: healthnet
files:
  rtf:
    add_versions:
      - version: "2026.1"
        effective: "2026-01-01"
        assumed: true
        from: "2025.7"
        columns_patch:
          change:
            cin: {header: Member CIN, assumed: true}
"""


def shown(cli, folder, period: str) -> list[str]:
    run = cli("--plans-dir", folder, "plans", "show", "myplan", "--kind", "rtf", "--period", period)
    assert run.code == 0, run.err
    return [
        line.split("│")[2].strip()
        for line in run.out.splitlines()
        if line.startswith("│") and line.split("│")[1].strip().isdigit()
    ]


def test_a_plan_adds_a_version_without_restating_the_inherited_ones(cli, tmp_path):
    folder = write_plan(tmp_path / "plans", ADDED_VERSION)
    assert cli("--plans-dir", folder, "plans", "check").code == 0
    before, after = shown(cli, folder, "2025-11"), shown(cli, folder, "2026-02")
    assert "Member CIN" not in before and "Member CIN" in after
    where = after.index("Member CIN")
    assert after[:where] + after[where + 1 :] == before[:where] + before[where + 1 :]
    assert len(before) == len(after) > 30  # the whole inherited layout, one header changed


def test_an_added_version_from_an_unknown_version_is_one_line(cli, tmp_path):
    folder = write_plan(tmp_path / "plans", ADDED_VERSION.replace('"2025.7"', '"2025.6"'))
    run = cli("--plans-dir", folder, "plans", "check")
    assert run.code == 1
    assert any("from: no earlier version '2025.6'" in x for x in run.error_lines()), run.err
