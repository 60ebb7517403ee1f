"""Writing outputs safely, unit by unit: the dataset CSV convention, temporaries of
dead runs, a batch that fails half-way."""

from __future__ import annotations

import csv
import errno
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecmx.core.dataset.read import read_dataset
from ecmx.core.dataset.sample import generate
from ecmx.core.dataset.write_rows import write_csv_folder
from ecmx.core.errors import OutputError
from ecmx.core.files.write import sheet_name_problem
from ecmx.core.storage.atomic import HOST, TEMP_PREFIX, atomic_batch, remove_dead_temporaries
from ecmx.core.storage.csv_text import FORMULA_START, escape_csv_text, unescape_csv_text
from ecmx.core.storage.targets import file_name_problem

# Text a CSV file can carry (no NUL, no lone surrogates), as the reader keeps it (stripped).
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1
).filter(lambda t: t.strip() == t and t != "")
SAMPLE = generate(members=1, seed=3, period="2025-11")


@given(TEXT)
def test_escaping_is_reversed_exactly(text):
    escaped = escape_csv_text(text)
    assert unescape_csv_text(escaped) == text
    assert not escaped.startswith(FORMULA_START)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(last_name=TEXT, address=TEXT)
def test_any_text_round_trips_through_a_dataset_csv(tmp_path_factory, last_name, address):
    folder = tmp_path_factory.mktemp("csv") / "dataset"
    member = {**SAMPLE.tables["members"][0], "last_name": last_name, "address": address}
    sample = type(SAMPLE)({**SAMPLE.tables, "members": [member]}, SAMPLE.provider)
    write_csv_folder(sample, folder)
    with open(folder / "members.csv", newline="", encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert not row["last_name"].startswith(FORMULA_START)  # safe to open in Excel
    members = read_dataset(folder).members
    assert members["last_name"].iloc[0] == last_name
    assert members["address"].iloc[0] == address


def test_a_hand_written_apostrophe_is_kept_unless_before_a_formula_character():
    assert unescape_csv_text("'Iolani") == "'Iolani"
    assert unescape_csv_text("'+Bob") == "+Bob"


def test_temporaries_of_dead_runs_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead_pid = int(dead.stdout)
    mine = tmp_path / f"{TEMP_PREFIX}{HOST}-{os.getpid()}-abc"
    theirs = tmp_path / f"{TEMP_PREFIX}{HOST}-{dead_pid}-abc"
    their_folder = tmp_path / f"{TEMP_PREFIX}{HOST}-{dead_pid}-def"
    # another machine's run on a shared folder: its pid says nothing about it here
    other_host = tmp_path / f"{TEMP_PREFIX}{HOST}x-{dead_pid}-abc"
    other = tmp_path / ".RTF.xlsx.part"  # not named by ecmx's convention: not ours to judge
    for path in (mine, theirs, other_host, other):
        path.write_text("x")
    their_folder.mkdir()
    (their_folder / "members.csv").write_text("x")
    removed = remove_dead_temporaries(tmp_path)
    assert sorted(removed) == sorted([theirs, their_folder])
    assert mine.exists() and other.exists() and other_host.exists() and not theirs.exists()


def test_a_batch_failing_half_way_leaves_no_file_under_a_final_name(tmp_path):
    paths = [tmp_path / f"{n}.xlsx" for n in "abc"]
    with pytest.raises(OutputError, match=r"disk holding .* is full"), atomic_batch(paths) as tmp:
        tmp[paths[0]].write_text("complete")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_a_batch_appears_whole(tmp_path):
    paths = [tmp_path / f"{n}.txt" for n in "ab"]
    with atomic_batch(paths) as tmp:
        for path in paths:
            tmp[path].write_text(path.name)
            assert not path.exists()  # nothing under a final name until all are done
    assert [p.read_text() for p in paths] == ["a.txt", "b.txt"]


@pytest.mark.parametrize(
    ("name", "problem"),
    [("RTF", None), ("R" * 31, None), ("R" * 32, "at most 31"), ("A/B", "cannot hold"),
     ("Nov[1]", "cannot hold"), ("'RTF", "apostrophe"), ("RTF'", "apostrophe"), ("", "empty"),
     ("O'Neil", None)],
)  # fmt: skip
def test_sheet_names_excel_refuses(name, problem):
    found = sheet_name_problem(name)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    ("name", "problem"),
    [("A_RTF_202511.xlsx", None), (".xlsx", "only an extension"), ("", "empty"),
     ("a/b.xlsx", "cannot hold"), ("x" * 251 + ".xlsx", "bytes long"),
     ("\N{HOSPITAL}" * 63 + ".xlsx", "bytes long"), ("\N{HOSPITAL}" * 60 + ".xlsx", None)],
)  # fmt: skip
def test_file_names_a_file_system_refuses(name, problem):
    found = file_name_problem(name)
    assert (found is None) if problem is None else (problem in found)


def test_a_dataset_workbook_refuses_text_a_cell_cannot_hold(tmp_path):
    from ecmx.core.dataset.write import write_dataset

    folder = tmp_path / "csv"
    write_csv_folder(SAMPLE, folder)
    dataset = read_dataset(folder)
    tables = {name: getattr(dataset, name) for name in ("members", "enrollments")}
    tables["members"] = tables["members"].assign(address="A" * 40_000)
    tables.update({n: dataset.tables[n] for n in dataset.tables if n not in tables})
    like = tmp_path / "like.xlsx"
    like.write_bytes(b"")
    with pytest.raises(OutputError, match="members row 2 column address holds 40,000"):
        write_dataset(tables, dataset.provider.details, like, tmp_path / "out.xlsx", force=False)
    assert not (tmp_path / "out.xlsx").exists()
