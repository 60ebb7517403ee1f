"""Line item control numbers (REF*6R) and ``ecmx claims resubmit`` (issue 16, point 4).

Every 837P line carries REF*6R so a 277CA and an 835 can be matched to it; a claim the
payer holds is corrected by a replacement (CLM05-3 ``7``) or withdrawn by a void (``8``),
each naming the payer's claim number in REF*F8, in a new interchange whose control
numbers were never used. Files are read back segment by segment and checked by pyx12.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.ledger_rows import db_rows, sha256

from .test_claims import claim_file_name, control_numbers, pyx12_accepts, segments

PLAN = "healthnet"
DAY = "2025-12-03"


def claim_loops(path: Path) -> dict[str, list[list[str]]]:
    """Each claim's segments, CLM to the next HL (or SE), by CLM01."""
    loops: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for seg in segments(path):
        if seg[0] == "CLM":
            current = loops.setdefault(seg[1], [])
        elif seg[0] in ("HL", "SE"):
            current = None
        if current is not None:
            current.append(seg)
    return loops


def lines_of(loop: list[list[str]]) -> list[list[list[str]]]:
    """A claim's service lines: the segments from each LX to the next."""
    lines: list[list[list[str]]] = []
    for seg in loop:
        if seg[0] == "LX":
            lines.append([])
        if lines:
            lines[-1].append(seg)
    return lines


def resubmit(cli, dataset, out, *claims, extra=(), day="2025-12-10", plan=PLAN):
    args = [a for pair in claims for a in ("--claim", pair)]
    return cli("claims", "resubmit", dataset, "--plan", plan, "--period", "2025-11", *args,
               "--out", out, "--production-date", day, *extra)  # fmt: skip


@pytest.fixture
def billed(cli, samples, tmp_path, provider):
    """The sample's Health Net claims, billed into tmp_path/claims."""
    out = tmp_path / "claims"
    run = cli("claims", samples["csv"], "--plan", PLAN, "--period", "2025-11", "--out", out,
              "--production-date", DAY)  # fmt: skip
    assert run.code == 0, run.err
    return out, out / claim_file_name(provider, PLAN)


@pytest.fixture
def provider(samples, kit):
    return kit.load_yaml(samples["csv"] / "provider.yaml")


def new_files(out: Path, original: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p != original)


# ----------------------------------------------------------------------------- REF*6R


def test_every_line_has_a_line_item_control_number_unique_in_the_file(cli, samples, tmp_path):
    out = tmp_path / "claims"
    run = cli("claims", samples["csv"], "--plan", "all", "--period", "2025-11", "--out", out,
              "--production-date", DAY)  # fmt: skip
    assert run.code == 0, run.err
    for path in out.iterdir():
        seen = []
        for clm01, loop in claim_loops(path).items():
            for number, line in enumerate(lines_of(loop), start=1):
                refs = [seg for seg in line if seg[0] == "REF"]
                assert refs[-1][:2] == ["REF", "6R"], f"{path.name}: {clm01} line {number}"
                assert refs[-1][2] == f"{clm01}-{number}"  # CLM01, a dash, LX01
                assert line[0] == ["LX", str(number)]
                assert len(refs[-1][2]) <= 50
                seen.append(refs[-1][2])
        assert seen and len(seen) == len(set(seen)), path.name
        assert pyx12_accepts(path), f"pyx12 rejects {path.name}"


def test_the_tar_comes_before_the_line_control_number(cli, samples, tmp_path, provider):
    """The guide's order in loop 2400: REF*G1 (prior authorization), then REF*6R."""
    out = tmp_path / "claims"
    cli("claims", samples["csv"], "--plan", "partnership", "--period", "2025-11", "--out", out,
        "--production-date", DAY)  # fmt: skip
    path = out / claim_file_name(provider, "partnership")
    with_tar = [
        [seg[1] for seg in line if seg[0] == "REF"]
        for loop in claim_loops(path).values()
        for line in lines_of(loop)
        if any(seg[:2] == ["REF", "G1"] for seg in line)
    ]
    assert with_tar, "Partnership lines carry TARs"
    assert all(refs == ["G1", "6R"] for refs in with_tar)


# ----------------------------------------------------------------------------- replacement


def test_a_replacement_names_the_payer_claim_and_keeps_clm01_and_line_numbers(cli, samples, billed):
    out, original = billed
    before = original.read_bytes()
    first, second = list(claim_loops(original))[:2]
    run = resubmit(cli, samples["csv"], out, f"{first}=HN0001234", f"{second.lower()}=HN-77")
    assert run.code == 0, run.err
    [path] = new_files(out, original)
    assert path.name == original.name.replace("20251203", "20251210").replace(
        ".837", "_replacement.837"
    )
    assert "replacement" in run.out and path.name in run.out
    assert original.read_bytes() == before  # the file sent is never touched
    assert pyx12_accepts(path), f"pyx12 rejects {path.name}"
    loops = claim_loops(path)
    assert list(loops) == [first, second]  # only the chosen claims, in the order given
    old = claim_loops(original)
    for clm01, number in ((first, "HN0001234"), (second, "HN-77")):
        clm, ref = loops[clm01][:2]
        assert clm[5].split(":") == [old[clm01][0][5].split(":")[0], "B", "7"]
        assert ref == ["REF", "F8", number]  # 2300 REF*F8, before HI
        assert loops[clm01][2][0] == "HI"
        assert clm[2] == old[clm01][0][2]  # the same total, from the same dataset
        assert lines_of(loops[clm01]) == lines_of(old[clm01])  # same lines, same REF*6R
    isa, gs = control_numbers(path)
    old_isa, old_gs = control_numbers(original)
    assert int(isa) > int(old_isa) and int(gs) > int(old_gs)


def test_a_void_and_a_second_one_the_same_day_each_take_new_numbers(cli, samples, billed):
    out, original = billed
    clm01 = next(iter(claim_loops(original)))
    first = resubmit(cli, samples["csv"], out, f"{clm01}=PAY1", extra=("--void",))
    second = resubmit(cli, samples["csv"], out, f"{clm01}=PAY1", extra=("--void",))
    assert first.code == 0 and second.code == 0, first.err + second.err
    voids = new_files(out, original)
    assert [p.name.rsplit("_", 2)[-2:] for p in voids] == [["20251210", "void.837"],
                                                           ["void", "2.837"]]  # fmt: skip
    numbers = {control_numbers(p) for p in [original, *voids]}
    assert len(numbers) == 3  # never reused
    for path in voids:
        assert pyx12_accepts(path), f"pyx12 rejects {path.name}"
        [(clm01_again, loop)] = claim_loops(path).items()
        assert clm01_again == clm01
        assert loop[0][5].endswith(":B:8") and loop[1] == ["REF", "F8", "PAY1"]


def test_an_unknown_claim_is_one_line_without_the_member_and_writes_nothing(cli, samples,
                                                                            billed):  # fmt: skip
    out, original = billed
    clm01 = next(iter(claim_loops(original)))
    run = resubmit(cli, samples["csv"], out, f"{clm01}=P1", "M99999-2511-1=P2")
    assert run.code == 2
    line = run.one_error_line("--claim #2", "no claim with that CLM01", "Health Net")
    assert "M99999" not in line  # a CLM01 holds a member id: not echoed
    assert new_files(out, original) == []


@pytest.mark.parametrize(
    ("claim", "needle"),
    [
        ("{clm01}=", "expected CLM01=PAYERNUMBER"),
        ("=P1", "expected CLM01=PAYERNUMBER"),
        ("{clm01}=A*B", "not 1 to 50 plain characters"),  # a separator: it would be a space
        ("{clm01}=HN~1", "not 1 to 50 plain characters"),
        ("{clm01}=HN\u00e91", "not 1 to 50 plain characters"),
        ("{clm01}=" + "9" * 51, "not 1 to 50 plain characters"),
    ],
)
def test_a_malformed_claim_argument_is_one_line(cli, samples, billed, claim, needle):
    out, original = billed
    clm01 = next(iter(claim_loops(original)))
    run = resubmit(cli, samples["csv"], out, claim.format(clm01=clm01))
    assert run.code == 2
    run.one_error_line("--claim #1", needle)
    assert new_files(out, original) == []


def test_a_claim_named_twice_and_all_plans_are_refused(cli, samples, billed):
    out, original = billed
    clm01 = next(iter(claim_loops(original)))
    twice = resubmit(cli, samples["csv"], out, f"{clm01}=A", f"{clm01.lower()}=B")
    assert twice.code == 2
    twice.one_error_line("--claim #2", "named twice")
    every = resubmit(cli, samples["csv"], out, f"{clm01}=A", plan="all")
    assert every.code == 2
    every.one_error_line("--plan", "one plan")
    assert new_files(out, original) == []


def test_in_a_workspace_the_ledger_gives_the_numbers_and_records_the_file(cli, samples,
                                                                          tmp_path):  # fmt: skip
    workspace = tmp_path / "ws"
    assert cli("init", workspace).code == 0
    out = tmp_path / "claims"
    run = cli("--workspace", workspace, "claims", samples["csv"], "--plan", PLAN, "--period",
              "2025-11", "--out", out, "--production-date", DAY)  # fmt: skip
    assert run.code == 0, run.err
    [original] = list(out.iterdir())
    clm01 = next(iter(claim_loops(original)))
    # another folder: the ledger still knows the numbers used
    run = cli("--workspace", workspace, "claims", "resubmit", samples["csv"], "--plan", PLAN,
              "--period", "2025-11", "--claim", f"{clm01}=HN9", "--out", tmp_path / "again",
              "--production-date", "2025-12-10")  # fmt: skip
    assert run.code == 0, run.err
    [path] = list((tmp_path / "again").iterdir())
    assert int(control_numbers(path)[0]) > int(control_numbers(original)[0])
    made = db_rows(workspace, "SELECT kind, sha256, rows, period FROM files_made ORDER BY id")
    assert [(m["kind"], m["sha256"], m["rows"]) for m in made][-1] == ("837p", sha256(path), 1)
    assert made[-1]["period"] == "2025-11"
