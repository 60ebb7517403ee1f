"""A property of `ecmx convert` over random datasets: nothing is lost silently.

Every member of a plan is on that plan's RTF or named in a finding (left off: R001;
no plan or an unknown one: D101/D205 at the plan cell); every outreach attempt in the
period is on its plan's OTF/IOT or named in a finding (O001 at its outreach row, or its
member's plan cell). The datasets are the synthetic samples (core.sample_data) with
random damage; the files are written by the command line and read back with
python-calamine, the findings from the JSON report.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset.sample import generate, write_sample

PERIOD = Period(2025, 11)
CHANGES = ("keep", "keep", "no_episode", "attempt_enrolled")
PLANLESS = ("blank_plan", "unknown_plan")
PLAN_COLUMN = "C"  # members.plan in the sample's CSV (member_id, cin, plan, ...)


def damage(sample, changes: list[str]) -> None:
    """Apply one change per member, in place: the cases that used to lose rows silently."""
    tables = sample.tables
    for member, change in zip(tables["members"], changes, strict=False):
        member_id = member["member_id"]
        if change == "blank_plan":
            member["plan"] = None
        elif change == "unknown_plan":
            member["plan"] = "nowhere"
        elif change == "no_episode":
            tables["enrollments"] = [
                e for e in tables["enrollments"] if e["member_id"] != member_id
            ]
        elif change == "attempt_enrolled":
            enrolled = [
                e
                for e in tables["enrollments"]
                if e["member_id"] == member_id
                and e["enrollment_start"] is not None
                and e["enrollment_start"] <= PERIOD.end
                and e["enrollment_end"] is None
                and e["discontinuation_date"] is None
            ]
            if enrolled:
                day = max(enrolled[0]["enrollment_start"], PERIOD.start)
                tables["outreach"].append(
                    {**tables["outreach"][0], "member_id": member_id, "date": day}
                )


def run_convert(dataset: Path, out: Path, report: Path, *extra: str) -> int:
    from ecmx.core.cli.main import main

    argv = [
        "-q", "convert", str(dataset), "--plan", "all", "--period", str(PERIOD),
        "--out", str(out), "--production-date", "2025-12-03", "--report", str(report), *extra,
    ]  # fmt: skip
    try:
        main(argv)
    except SystemExit as done:
        return int(done.code or 0)
    raise AssertionError("main() returned")


def read_files(out: Path) -> tuple[dict[str, set], Counter]:
    """RTF CINs per plan-file prefix, and (CIN, attempt date) of every OTF/IOT row."""
    rtf_cins: set[str] = set()
    attempts: Counter = Counter()
    for path in sorted(out.glob("*.xlsx")) if out.exists() else ():
        book = CalamineWorkbook.from_path(str(path))
        header, *rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
        if "Community Supports Service" in header:  # the CSPRTF: CS pairs, not members
            continue
        if "Member CIN" in header:  # the OTF/IOT
            cin, day = header.index("Member CIN"), header.index("Date of Outreach Attempt")
            attempts.update((r[cin], r[day]) for r in rows)
        else:
            cin = header.index("Member Client Index Number (CIN)")
            rtf_cins.update(r[cin] for r in rows)
    return rtf_cins, attempts


@settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],  # an example costs ~2 s: report it, don't shrink
)
@given(
    seed=st.integers(0, 10**6),
    members=st.integers(5, 30),
    changes=st.lists(st.sampled_from(CHANGES), min_size=30, max_size=30),
    planless=st.dictionaries(st.integers(0, 29), st.sampled_from(PLANLESS), max_size=3),
)
@example(seed=7, members=20, changes=["attempt_enrolled", "no_episode"] * 15, planless={})
@example(seed=7, members=20, changes=["attempt_enrolled"] * 30, planless={0: "blank_plan"})
def test_every_member_and_attempt_is_in_a_file_or_named(seed, members, changes, planless):
    changes = [planless.get(index, change) for index, change in enumerate(changes)]
    sample = generate(members, seed, PERIOD)
    damage(sample, changes)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        write_sample(sample, base / "data")
        # A member with no plan is an error that holds every file back: --force writes
        # them; without such a member no --force, so nothing else may hold a file back.
        planless_changes = set(PLANLESS) & set(changes[:members])
        force = ("--force",) if planless_changes else ()
        code = run_convert(base / "data", base / "out", base / "report.json", *force)
        assert code == (1 if planless_changes else 0)
        findings = json.loads((base / "report.json").read_text(encoding="utf-8"))["findings"]
        rtf_cins, otf_attempts = read_files(base / "out")

    named_rows = {(f["sheet"], f["row"]) for f in findings if f["row"]}
    plan_cells = {f["cell"] for f in findings if f["code"] in ("D101", "D205")}
    left_off = {f["row"] for f in findings if f["code"] == "R001"}
    o001_rows = {f["row"] for f in findings if f["code"] == "O001" and f["sheet"] == "outreach"}
    assert o001_rows <= {r for s, r in named_rows if s == "outreach"}

    row_of = {m["member_id"]: n for n, m in enumerate(sample.tables["members"], start=2)}
    # A Community Supports member with no ECM episode (its episodes damaged away) is a CS
    # member only: reported on the CSPRTF, never on the RTF, and not an R001
    with_episode = {e["member_id"] for e in sample.tables["enrollments"]}
    cs_only = {p["member_id"] for p in sample.tables.get("community_supports", [])} - with_episode
    planless = set()
    for member in sample.tables["members"]:
        row = row_of[member["member_id"]]
        if member["member_id"] in cs_only and member["plan"] not in (None, "nowhere"):
            assert member["cin"] not in rtf_cins and row not in left_off, member["member_id"]
        elif member["plan"] in (None, "nowhere"):
            planless.add(member["member_id"])
            assert f"members!{PLAN_COLUMN}{row}" in plan_cells, member["plan"]
            assert member["cin"] not in rtf_cins
        else:
            assert (member["cin"] in rtf_cins) != (row in left_off), (member["member_id"], row)

    cin_of = {m["member_id"]: m["cin"] for m in sample.tables["members"]}
    expected: Counter = Counter()
    for row, attempt in enumerate(sample.tables["outreach"], start=2):
        if not PERIOD.start <= attempt["date"] <= PERIOD.end:
            continue
        if attempt["member_id"] in planless:
            continue  # its member is named at the plan cell: in no plan's file
        if row in o001_rows:
            continue  # left off the OTF, named at its outreach row
        expected[cin_of[attempt["member_id"]], attempt["date"]] += 1
    assert otf_attempts == expected
