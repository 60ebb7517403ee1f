"""Writing outputs safely, from the user's side: values reach the plan unchanged, no
command writes over one of its inputs or over another plan's file, every target is
checked before the first file is written, and a failed write says what and where.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml

PERIOD = ("--period", "2025-11", "--production-date", "2025-12-03")
AWKWARD = ["+Bob", "=SUM(A1:A2)", "-3", "@x", "02134", '=HYPERLINK("http://x.invalid","y")']


def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in Path(folder).iterdir()) if Path(folder).exists() else []


# ----------------------------------------------------------------------------- values


@pytest.fixture(scope="module")
def awkward(kit, samples, tmp_path_factory):
    """The CSV sample with Health Net members named like formulas (as typed: no apostrophe)."""
    base = tmp_path_factory.mktemp("awkward")
    data = kit.copy_csv_sample(samples, base / "data")
    members = kit.read_csv(data / "members.csv")
    chosen = [m for m in members if m["plan"] == "healthnet"]
    for index, member in enumerate(chosen):
        member["last_name"] = AWKWARD[index % len(AWKWARD)]
        member["address"] = AWKWARD[(index + 1) % len(AWKWARD)]
    kit.write_csv(data / "members.csv", members)
    return data, {m["cin"]: m for m in chosen}


def rtf_rows_by_cin(kit, path: Path):
    _, rows = kit.calamine_sheet(path)
    header = rows[0]
    cin = header.index("Member Client Index Number (CIN)")
    return header, {row[cin]: (number, row) for number, row in enumerate(rows[1:], start=2)}


def test_names_and_addresses_reach_the_plan_unchanged(awkward, kit, tmp_path):
    data, by_cin = awkward
    run = kit.invoke("convert", data, "--plan", "healthnet", "--kind", "rtf", *PERIOD,
                     "--out", tmp_path)  # fmt: skip
    assert run.code == 0, run.err
    [path] = list(tmp_path.iterdir())
    header, rows = rtf_rows_by_cin(kit, path)
    last, address = header.index("Member Last Name"), header.index("Member Residential Address")
    sheet = kit.openpyxl_sheet(path)
    # The annotated copy a validate --report makes keeps them too.
    annotated = tmp_path / "annotated.xlsx"
    checked = kit.invoke("validate", path, "--plan", "healthnet", "--kind", "rtf",
                         "--period", "2025-11", "--report", annotated)  # fmt: skip
    assert checked.code in (0, 1), checked.err
    copy = openpyxl.load_workbook(annotated)["RTF"]
    count = 0
    for cin, (number, row) in rows.items():
        member = by_cin[cin]
        assert row[last] == member["last_name"]  # python-calamine
        assert row[address] == member["address"]
        for col, field in ((last, "last_name"), (address, "address")):
            for book in (sheet, copy):  # openpyxl: the plan file, the report's copy
                cell = book.cell(row=number, column=col + 1)
                assert cell.data_type == "s" and cell.value == member[field]
        count += 1
    assert count >= len(AWKWARD)
    assert {row[last] for _, row in rows.values()} >= set(AWKWARD)


def test_a_dataset_csv_written_by_ecmx_escapes_formulas_and_reads_back_exactly(
    awkward, kit, tmp_path
):
    data, by_cin = awkward
    mif_dir = tmp_path / "mif"
    made = kit.invoke("convert", data, "--plan", "healthnet", "--kind", "mif", *PERIOD,
                      "--out", mif_dir)  # fmt: skip
    assert made.code == 0, made.err
    [mif] = list(mif_dir.iterdir())
    merged = tmp_path / "merged"
    run = kit.invoke("ingest", mif, "--plan", "healthnet", "--dataset", data, "--out", merged,
                     "--received", "2025-12-01")  # fmt: skip
    assert run.code == 0, run.err
    written = kit.read_csv(merged / "members.csv")
    # What staff open in Excel: no cell starts like a formula.
    for row in written:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    assert any(row["last_name"] == "'=SUM(A1:A2)" for row in written)
    # ... and ecmx reads the values back as they were: the RTF holds the originals.
    out = tmp_path / "out"
    again = kit.invoke("convert", merged, "--plan", "healthnet", "--kind", "rtf", *PERIOD,
                       "--out", out)  # fmt: skip
    assert again.code == 0, again.err
    header, rows = rtf_rows_by_cin(kit, next(out.iterdir()))
    last = header.index("Member Last Name")
    for cin, (_, row) in rows.items():
        assert row[last] == by_cin[cin]["last_name"]


# ----------------------------------------------------------------------------- inputs


@pytest.fixture(scope="module")
def inputs(kit, samples, tmp_path_factory):
    """A workbook dataset with its provider.yaml, a hard link and a symlink to it, a MIF."""
    base = tmp_path_factory.mktemp("inputs")
    dataset = base / "d.xlsx"
    dataset.write_bytes(samples["xlsx"].read_bytes())
    (base / "provider.yaml").write_bytes((samples["xlsx"].parent / "provider.yaml").read_bytes())
    os.link(dataset, base / "hard.xlsx")
    (base / "soft.xlsx").symlink_to(dataset)
    made = kit.invoke("convert", dataset, "--plan", "healthnet", "--kind", "mif", *PERIOD,
                      "--out", base / "mifs")  # fmt: skip
    assert made.code == 0, made.err
    mif = base / "mif.xlsx"
    next((base / "mifs").iterdir()).rename(mif)
    return base


WRITE_OVER_INPUT = [
    ("convert d.xlsx --plan all --out OUT --report d.xlsx", "d.xlsx"),
    ("convert d.xlsx --plan all --out OUT --report hard.xlsx", "hard.xlsx"),
    ("convert d.xlsx --plan all --out OUT --report soft.xlsx", "soft.xlsx"),
    ("claims d.xlsx --plan all --out OUT --report d.xlsx", "d.xlsx"),
    ("validate mif.xlsx --plan healthnet --kind mif --dataset d.xlsx --report d.xlsx", "d.xlsx"),
    ("validate mif.xlsx --plan healthnet --kind mif --report mif.xlsx", "mif.xlsx"),
    ("ingest mif.xlsx --plan healthnet --dataset d.xlsx --out x.xlsx --report mif.xlsx", "mif"),
    ("ingest mif.xlsx --plan healthnet --dataset d.xlsx --out x.xlsx --report d.xlsx", "d.xlsx"),
    ("ingest mif.xlsx --plan healthnet --dataset d.xlsx --out mif.xlsx", "mif.xlsx"),
    ("ingest mif.xlsx --plan healthnet --dataset d.xlsx --out hard.xlsx", "hard.xlsx"),
]


@pytest.mark.parametrize(("command", "named"), WRITE_OVER_INPUT)
def test_no_output_is_ever_an_input_even_with_force(inputs, kit, command, named, monkeypatch):
    monkeypatch.chdir(inputs)
    before = kit.digests(inputs)
    argv = [a.replace("OUT", "out-" + command.split()[0]) for a in command.split()]
    if argv[0] in ("convert", "claims"):
        argv += ["--period", "2025-11"]
    run = kit.invoke(*argv, "--force")
    assert run.code == 2, run.text
    line = run.one_error_line(named, "input")
    assert "never writes over" in line
    assert kit.digests(inputs) == before


def test_a_csv_folder_dataset_and_its_provider_are_inputs_too(kit, samples, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    (tmp_path / "p.json").symlink_to(data / "provider.yaml")
    before = kit.digests(data)
    for report, named in ((data / "members.csv", "members.csv"), (tmp_path / "p.json", "p.json")):
        run = kit.invoke("claims", data, "--plan", "all", "--period", "2025-11",
                         "--out", tmp_path / "c", "--report", report, "--force")  # fmt: skip
        assert run.code == 2
        assert "input" in run.one_error_line(named)
    assert kit.digests(data) == before


# ----------------------------------------------------------------------------- names


def provider_with(kit, samples, folder: Path, change) -> Path:
    """The workbook sample in ``folder`` with its provider.yaml changed by ``change(dict)``."""
    folder.mkdir()
    dataset = folder / "d.xlsx"
    dataset.write_bytes(samples["xlsx"].read_bytes())
    provider = kit.load_yaml(samples["xlsx"].parent / "provider.yaml")
    change(provider)
    (folder / "provider.yaml").write_text(yaml.safe_dump(provider, allow_unicode=True), "utf-8")
    return dataset


@pytest.mark.parametrize("force", [False, True])
def test_two_plans_one_file_name_writes_nothing(kit, samples, tmp_path, force):
    def same_prefix(provider):
        provider["plans"]["calviva"]["file_prefix"] = provider["plans"]["healthnet"]["file_prefix"]

    dataset = provider_with(kit, samples, tmp_path / "in", same_prefix)
    out = tmp_path / "out"
    run = kit.invoke("convert", dataset, "--plan", "all", *PERIOD, "--out", out,
                     *(["--force"] if force else []))  # fmt: skip
    assert run.code == 2
    run.one_error_line("calviva", "healthnet", "would both write")
    assert names_in(out) == []


@pytest.mark.parametrize(
    "facility", ["F" * 300, "\N{HOSPITAL}" * 70], ids=["300 characters", "emoji"]
)
def test_a_name_the_file_system_refuses_is_a_usage_error_before_any_file(
    kit, samples, tmp_path, facility
):
    dataset = provider_with(
        kit, samples, tmp_path / "in", lambda p: p.update(facility_name=facility)
    )
    for command in ("convert", "claims"):
        out = tmp_path / command
        run = kit.invoke(command, dataset, "--plan", "all", *PERIOD, "--out", out, "--force")
        assert run.code == 2, run.text
        run.one_error_line("file name is", "bytes long", "facility name")
        assert [n for n in names_in(out) if not n.startswith(".ecmx")] == []


def test_a_sheet_name_excel_refuses_is_a_plan_config_problem(kit, samples, tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "myplan.yaml").write_text(
        "id: myplan\nname: My Plan\nextends: healthnet\n"
        "mcp:\n  name: {value: My Plan, assumed: true}\n"
        "files:\n  rtf:\n    sheet: {value: \"'RTF: 11/2025'\", assumed: true}\n",
        encoding="utf-8",
    )
    run = kit.invoke("--plans-dir", plans, "plans", "check")
    assert run.code == 1
    assert "files.rtf.sheet" in run.err and "cannot hold / :" in run.err


def test_text_longer_than_a_cell_is_an_error_at_its_cell(kit, samples, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    members = kit.read_csv(data / "members.csv")
    member = next(m for m in members if m["plan"] == "healthnet")
    member["address"] = "A" * 40_000
    kit.write_csv(data / "members.csv", members)
    out = tmp_path / "out"
    run = kit.invoke("convert", data, "--plan", "healthnet", "--kind", "rtf", *PERIOD,
                     "--out", out, "--report", tmp_path / "r.json")  # fmt: skip
    assert run.code == 1
    assert names_in(out) == []  # not written, like any error
    findings = json.loads((tmp_path / "r.json").read_text())["findings"]
    [w001] = [f for f in findings if f["code"] == "W001"]
    assert w001["severity"] == "error" and w001["column"] == "Member Residential Address"
    assert w001["cell"].startswith("RTF!")


# ----------------------------------------------------------------------------- paths


def test_out_or_report_of_the_wrong_kind_is_a_usage_error(kit, samples, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    a_file = tmp_path / "file.txt"
    a_file.write_text("mine")
    a_folder = tmp_path / "folder.json"
    a_folder.mkdir()
    cases = [
        ("convert", data, "--plan", "all", "--period", "2025-11", "--out", a_file),
        ("convert", data, "--plan", "all", "--period", "2025-11", "--out", tmp_path / "o",
         "--report", a_folder),
        ("convert", data, "--plan", "all", "--period", "2025-11", "--out", a_file / "sub"),
        ("claims", data, "--plan", "all", "--period", "2025-11", "--out", a_file / "sub"),
        ("sample-data", "--out", a_file, "--force"),
    ]  # fmt: skip
    for argv in cases:
        run = kit.invoke(*argv)
        assert run.code == 2, (argv, run.text)
        assert "Traceback" not in run.text and "internal error" not in run.text
    assert a_file.read_text() == "mine"


def test_a_write_failing_half_way_leaves_no_file_of_the_batch(kit, samples, tmp_path, monkeypatch):
    from ecmx.core.files import write as writers

    real = writers._write_workbook
    calls = []

    def full_disk_on_the_third(*args):
        calls.append(args)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(*args)

    monkeypatch.setattr(writers, "_write_workbook", full_disk_on_the_third)
    out = tmp_path / "out"
    run = kit.invoke("convert", samples["xlsx"], "--plan", "all", *PERIOD, "--out", out)
    assert run.code == 2
    run.one_error_line(str(out), "full")
    assert len(calls) == 3
    assert names_in(out) == []  # no final file, no temporary file


def test_permission_denied_says_where(kit, samples, tmp_path, monkeypatch):
    from ecmx.core.files import write as writers

    def denied(*args):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(writers, "_write_workbook", denied)
    run = kit.invoke("convert", samples["xlsx"], "--plan", "all", *PERIOD, "--out", tmp_path)
    assert run.code == 2
    run.one_error_line(str(tmp_path), "no permission")


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KB tmpfs (root only); skipped where it cannot be mounted."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True, check=False)  # fmt: skip
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_and_a_read_only_folder_are_usage_errors(kit, small_disk, tmp_path):
    dataset = tmp_path / "d.xlsx"
    made = kit.invoke("sample-data", "--out", dataset, "--members", "3000", "--period", "2025-11")
    assert made.code == 0, made.err
    (small_disk / "filler").write_bytes(b"x" * 200_000)
    run = kit.invoke("convert", dataset, "--plan", "all", *PERIOD, "--out", small_disk / "out")
    assert run.code == 2, run.text
    run.one_error_line(str(small_disk / "out"), "free")
    assert [n for n in names_in(small_disk / "out") if n.endswith(".xlsx")] == []
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    run = kit.invoke("convert", dataset, "--plan", "all", *PERIOD, "--out", small_disk / "out")
    assert run.code == 2, run.text
    run.one_error_line(str(small_disk), "no permission")


# ----------------------------------------------------------------------------- PHI


def test_ingest_report_masks_member_values_unless_asked(inputs, kit, samples, tmp_path):
    data = kit.copy_csv_sample(samples, tmp_path / "data")
    members = kit.read_csv(data / "members.csv")
    for member in members:
        if member["plan"] == "healthnet":
            member["address"] = "1 Changed St"  # the MIF says otherwise: a change to report
    kit.write_csv(data / "members.csv", members)
    common = ("ingest", inputs / "mif.xlsx", "--plan", "healthnet", "--dataset", data)
    masked = kit.invoke(*common, "--out", tmp_path / "a", "--report", tmp_path / "a.csv")
    assert masked.code == 0, masked.err
    shown = kit.invoke(*common, "--out", tmp_path / "b", "--report", tmp_path / "b.csv",
                       "--show-values")  # fmt: skip
    assert shown.code == 0, shown.err
    masked_rows = kit.read_csv(tmp_path / "a.csv")
    assert masked_rows
    assert {r["cin"] for r in masked_rows} == {"***"}
    assert "1 Changed St" not in (tmp_path / "a.csv").read_text(encoding="utf-8")
    lines = (tmp_path / "b.csv").read_text(encoding="utf-8").splitlines()
    assert "PHI" in lines[0]
    assert "1 Changed St" in "\n".join(lines[2:])
    cins = {m["cin"] for m in members}
    assert any(line.split(",")[1] in cins for line in lines[2:])
