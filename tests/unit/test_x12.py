"""The 837P writer (core.x12) checked by pyx12, an independent HIPAA X12 validator, and
the control numbers that must never repeat in an output folder (core.control_numbers).

pyx12 checks the structure (loops, segment order, required elements, lengths and code
values); what it does not check (CLM02 against the lines, SE01, the envelope's fixed
width) is checked here by reading the segments back.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ecmx.core.billing.coding import Separators
from ecmx.core.billing.control_numbers import lock_path, reserved_numbers, state_path
from ecmx.core.billing.x12 import Control, parties_for, render_837p
from ecmx.core.calendar.periods import Period
from ecmx.core.dataset.read import read_dataset
from ecmx.core.dataset.sample import PLANS, generate, provider_profile, write_sample
from ecmx.core.errors import InputError, OutputError
from ecmx.core.jobs.claims import ClaimsRequest, _code_plan, run_claims
from ecmx.core.storage import locks
from tests.pyx12_check import pyx12_report

PERIOD = Period(2025, 11)
CREATED = dt.datetime(2025, 12, 3, 9, 30)
IMPLEMENTATION = "005010X222A1"
DEFAULT = Separators()


# ------------------------------------------------------------------ helpers


def segments(text: str, sep: Separators = DEFAULT) -> list[list[str]]:
    assert text.endswith(sep.segment)
    return [s.split(sep.element) for s in text.split(sep.segment)[:-1]]


def only(parsed: list[list[str]], segment_id: str) -> list[str]:
    (found,) = [s for s in parsed if s[0] == segment_id]
    return found


def claim_totals(parsed: list[list[str]]) -> list[tuple[Decimal, Decimal]]:
    """(CLM02, sum of its SV102) for every claim, in file order."""
    totals: list[list[Decimal]] = []
    for seg in parsed:
        if seg[0] == "CLM":
            totals.append([Decimal(seg[2]), Decimal(0)])
        elif seg[0] == "SV1":
            totals[-1][1] += Decimal(seg[2])
    return [(clm, lines) for clm, lines in totals]


def render(dataset, plugins, plan_id: str, number: int = 7, usage: str = "P"):
    """The plan's 837P for the period, as ``ecmx claims`` writes it, and the coded plan."""
    result = _code_plan(plugins, dataset, plugins[1].plan(plan_id), PERIOD, CREATED.date(), False)
    text = render_837p(
        result.claims,
        parties_for(dataset.provider, result.plan, result.spec),
        result.spec,
        Control(interchange=number, group=number, usage=usage),
        CREATED,
    )
    return text, result


def write_csv_dataset(folder: Path, members, encounters, provider=None) -> Path:
    """A CSV dataset: members enrolled from 2025-11-01, the encounters, provider.yaml."""
    folder.mkdir(parents=True)
    profile = {**provider_profile(), "rates": {"G9008": 125, "G9012": 85}, **(provider or {})}
    (folder / "provider.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    enrollments = [
        {"member_id": m["member_id"], "status": "enrolled", "enrollment_start": "2025-11-01"}
        for m in members
    ]
    for name, rows in (("members", members), ("enrollments", enrollments)):
        _write_csv(folder / f"{name}.csv", rows)
    _write_csv(folder / "encounters.csv", encounters)
    return folder


def _write_csv(path: Path, rows: list[dict]) -> None:
    header = list(dict.fromkeys(key for row in rows for key in row))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


def member(plan="healthnet", **values) -> dict:
    return {
        "member_id": "M1",
        "cin": "91234567A",
        "plan": plan,
        "first_name": "Ana",
        "last_name": "Sampleton",
        "dob": "1980-01-02",
        "sex": "F",
        "address": "12 Main St",
        "city": "Fresno",
        "state": "CA",
        "zip": "93721",
        **values,
    }


def encounter(**values) -> dict:
    return {
        "member_id": "M1",
        "date": "2025-11-12",
        "staff_type": "non_clinical",
        "mode": "phone",
        "diagnosis_codes": "Z59.00;F32.9",
        **values,
    }


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A 40-member synthetic dataset: every plan has billable members."""
    path = tmp_path_factory.mktemp("sample") / "data"
    write_sample(generate(members=40, seed=11, period=PERIOD), path)
    return read_dataset(path)


@pytest.fixture(scope="module")
def healthnet_837p(sample, plugins):
    return render(sample, plugins, "healthnet")


# ------------------------------------------------------------------ pyx12 and the envelope


@pytest.mark.parametrize("plan_id", PLANS)
def test_every_plans_837p_passes_pyx12(sample, plugins, plan_id):
    text, result = render(sample, plugins, plan_id)
    assert result.claims, "the sample should give every plan claims"
    assert pyx12_report(text) is None


def test_pyx12_rejects_a_broken_837p(healthnet_837p):
    """The validator is not a rubber stamp: a claim without its diagnoses fails."""
    text, _ = healthnet_837p
    broken = re.sub(r"~HI\*[^~]*~", "~", text, count=1)
    assert broken != text
    assert pyx12_report(broken) is not None


def test_envelope_isa_is_106_characters_and_control_numbers_match(healthnet_837p):
    text, _ = healthnet_837p
    assert text.index("~") + 1 == 106
    parsed = segments(text)
    isa, gs, st_ = parsed[0], parsed[1], parsed[2]
    assert isa[0] == "ISA" and len(isa) == 17
    assert (isa[11], isa[12], isa[13], isa[15], isa[16]) == ("^", "00501", "000000007", "P", ":")
    assert (gs[0], gs[1], gs[6], gs[8]) == ("GS", "HC", "7", IMPLEMENTATION)
    assert (st_[0], st_[1], st_[3]) == ("ST", "837", IMPLEMENTATION)
    assert parsed[-2] == ["GE", "1", "7"]
    assert parsed[-1] == ["IEA", "1", "000000007"]
    assert "\n" not in text


def test_a_test_file_is_marked_t_in_isa15(sample, plugins):
    text, _ = render(sample, plugins, "healthnet", number=123456789, usage="T")
    isa = segments(text)[0]
    assert (isa[13], isa[15]) == ("123456789", "T")
    assert pyx12_report(text) is None


def test_se01_counts_the_segments_from_st_to_se(healthnet_837p):
    text, _ = healthnet_837p
    parsed = segments(text)
    ids = [s[0] for s in parsed]
    start, end = ids.index("ST"), ids.index("SE")
    assert parsed[end] == ["SE", str(end - start + 1), parsed[start][2]]


def test_clm02_is_the_sum_of_the_claims_sv102(healthnet_837p):
    text, result = healthnet_837p
    totals = claim_totals(segments(text))
    assert len(totals) == len(result.claims)
    assert all(clm == lines for clm, lines in totals), totals
    assert [clm for clm, _ in totals] == [
        Decimal(str(claim.total)).normalize() for claim in result.claims
    ]


def test_names_with_separators_or_accents_cannot_break_segments(tmp_path, plugins):
    odd = member(
        first_name="José",
        last_name="O'Brien*~",
        address="12 Main St: Apt ^4~",
        city="San José",
    )
    folder = write_csv_dataset(tmp_path / "data", [odd], [encounter()])
    text, result = render(read_dataset(folder), plugins, "healthnet")
    assert pyx12_report(text) is None
    text.encode("ascii")  # plain ASCII only
    parsed = segments(text)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]{1,2}", s[0]) for s in parsed)
    subscriber = [s for s in parsed if s[:2] == ["NM1", "IL"]]
    assert subscriber == [["NM1", "IL", "1", "O'BRIEN", "JOSE", "", "", "", "MI", "91234567A"]]
    assert ["N3", "12 MAIN ST APT 4"] in parsed
    assert ["N4", "SAN JOSE", "CA", "93721"] in parsed
    assert len(result.claims) == 1


SEPARATOR_PLAN = """\
id: sepplan
name: Separator Plan
extends: healthnet
billing:
  x12:
    element: "|"
    component: ">"
    repetition: "!"
    segment: "\\n"
    source: "my-plan-guide: X12 separators"
"""


def test_a_plans_own_separators_are_used_and_still_pass_pyx12(tmp_path, plugins_with):
    sepplan = plugins_with({"sepplan.yaml": SEPARATOR_PLAN})
    profile = provider_profile()
    profile["plans"]["sepplan"] = {"payer_id": "99SEP"}
    folder = write_csv_dataset(
        tmp_path / "data",
        [member(plan="sepplan", last_name="Pipe|Name>Here!")],
        [encounter(), encounter(date="2025-11-13", mode="in_person")],
        provider={"plans": profile["plans"]},
    )
    text, result = render(read_dataset(folder), sepplan, "sepplan")
    sep = Separators("|", ">", "!", "\n")
    assert result.spec.separators == sep
    assert pyx12_report(text) is None
    assert "*" not in text and "~" not in text
    parsed = segments(text, sep)
    assert text.index("\n") + 1 == 106
    isa = parsed[0]
    assert (isa[11], isa[16]) == ("!", ">")
    assert ["NM1", "IL", "1", "PIPE NAME HERE", "ANA", "", "", "", "MI", "91234567A"] in parsed
    sv1 = [s[1] for s in parsed if s[0] == "SV1"]
    assert sorted(sv1) == ["HC>G9012>U2", "HC>G9012>U2>GQ"]
    assert ["HI", "ABK>Z5900", "ABF>F329"] in parsed
    assert all(clm == lines for clm, lines in claim_totals(parsed))


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.generate],  # an example costs ~0.5 s: report, don't shrink
)
@given(seed=st.integers(0, 10**6), members=st.integers(5, 40))
def test_every_837p_of_a_random_dataset_passes_pyx12(plugins, seed, members):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data"
        write_sample(generate(members=members, seed=seed, period=PERIOD), path)
        dataset = read_dataset(path)
        for plan_id in ("healthnet", "partnership"):
            text, result = render(dataset, plugins, plan_id, number=seed + 1)
            if not result.claims:  # no billable member: ecmx writes no file
                continue
            assert pyx12_report(text) is None, (plan_id, text)
            totals = claim_totals(segments(text))
            assert len(totals) == len(result.claims)
            assert all(clm == lines for clm, lines in totals), (plan_id, totals)
            assert all(len(c.lines) <= 50 and len(c.diagnoses) <= 12 for c in result.claims)


# ------------------------------------------------------------------ once defects, now fixed


def test_a_provider_without_phone_gets_a_valid_837p_or_a_clear_error(tmp_path, plugins):
    folder = write_csv_dataset(tmp_path / "data", [member()], [encounter()])
    profile = yaml.safe_load((folder / "provider.yaml").read_text(encoding="utf-8"))
    del profile["phone"]
    (folder / "provider.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    with contextlib.suppress(InputError):
        text, _ = render(read_dataset(folder), plugins, "healthnet")
        assert pyx12_report(text) is None


def test_a_long_first_name_still_gives_a_valid_837p(tmp_path, plugins):
    long_name = member(first_name="María de los Ángeles Guadalupe Fernanda")
    folder = write_csv_dataset(tmp_path / "data", [long_name], [encounter()])
    text, _ = render(read_dataset(folder), plugins, "healthnet")
    assert pyx12_report(text) is None


# ------------------------------------------------------------------ control numbers


def test_control_numbers_increase_across_calls(tmp_path):
    seen = []
    for count in (3, 1, 2):
        with reserved_numbers(tmp_path, count) as numbers:
            assert len(numbers) == count
            seen.extend(numbers)
    assert seen == [1, 2, 3, 4, 5, 6]
    assert state_path(tmp_path).is_file()
    assert not lock_path(tmp_path).exists()


@pytest.mark.parametrize("sep", [DEFAULT, Separators("|", ">", "!", "\n")], ids=["*", "|"])
def test_numbers_are_not_reused_when_the_state_file_is_lost(tmp_path, sample, plugins, sep):
    with reserved_numbers(tmp_path, 2) as numbers:
        assert numbers == [1, 2]
    text, _ = render(sample, plugins, "healthnet", number=500)
    if sep != DEFAULT:  # the same interchange with other separators
        table = str.maketrans(DEFAULT.all(), sep.all())
        text = text.translate(table)
    (tmp_path / "earlier.837").write_text(text, encoding="ascii")
    state_path(tmp_path).unlink()
    with reserved_numbers(tmp_path, 2) as numbers:
        assert numbers == [501, 502]
    with reserved_numbers(tmp_path, 1) as numbers:  # the state file counts again
        assert numbers == [503]


def test_a_lost_state_file_and_no_837_files_starts_again_at_1(tmp_path):
    """Files of other kinds say nothing about ISA13: only .837 files are read."""
    (tmp_path / "notes.txt").write_text("ISA*00*000000900", encoding="ascii")
    with reserved_numbers(tmp_path, 1) as numbers:
        assert numbers == [1]


def test_used_up_control_numbers_refuse_instead_of_repeating(tmp_path, sample, plugins):
    state_path(tmp_path).write_text('{"last_interchange": 999999998}', encoding="utf-8")
    with reserved_numbers(tmp_path, 1) as numbers:
        assert numbers == [999_999_999]
    text, _ = render(sample, plugins, "healthnet", number=999_999_999)
    (tmp_path / "last.837").write_text(text, encoding="ascii")
    with pytest.raises(OutputError, match="used up"), reserved_numbers(tmp_path, 1):
        pass


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_lock_file_that_stays_refuses_the_run(tmp_path, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(locks, "time", clock)
    with reserved_numbers(tmp_path, 1) as numbers:
        assert numbers == [1]
    lock = lock_path(tmp_path)
    lock.write_text("", encoding="ascii")
    with (
        pytest.raises(OutputError, match="another ecmx run"),
        reserved_numbers(tmp_path, 1),
    ):
        pytest.fail("no number may be handed out while the lock stays")
    assert clock.now >= 10  # it waited for the other run first
    assert lock.exists()  # not ours to remove
    lock.unlink()
    with reserved_numbers(tmp_path, 1) as numbers:
        assert numbers == [2]  # the refused run took nothing


# ------------------------------------------------------------------ the command


def test_ecmx_claims_writes_valid_837p_files_with_fresh_control_numbers(
    tmp_path, plugins, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764754200")
    folder = write_csv_dataset(
        tmp_path / "data",
        [member(), member(member_id="M2", cin="92345678C", plan="partnership")],
        [encounter(), encounter(member_id="M2", mode="in_person", authorization_number="TAR2")],
    )
    out = tmp_path / "claims"
    isa13 = []
    for made in (dt.date(2025, 12, 3), dt.date(2025, 12, 4)):
        request = ClaimsRequest(folder, "all", PERIOD, out, production_date=made)
        assert run_claims(request, plugins=plugins).exit_code == 0
    files = sorted(out.glob("*.837"))
    assert len(files) == 4  # two plans, two production dates
    for path in files:
        text = path.read_text(encoding="ascii")
        assert pyx12_report(text) is None, path.name
        isa13.append(segments(text)[0][13])
    assert sorted(isa13) == [f"{n:09d}" for n in (1, 2, 3, 4)]
    assert "SUNRISE_HN_ECM_837P_202511_20251203.837" in [p.name for p in files]


def a_dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_lock_left_by_a_killed_run_is_taken_over_with_a_warning(tmp_path):
    """Issue 11: a run killed while holding the lock stopped every later run."""

    with reserved_numbers(tmp_path, 1) as numbers:
        assert numbers == [1]
    lock = lock_path(tmp_path)
    dead = a_dead_pid()
    lock.write_text(json.dumps({"pid": dead, "host": socket.gethostname()}), encoding="utf-8")
    said: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = said.append  # type: ignore[method-assign]
    logging.getLogger("ecmx").addHandler(handler)  # what the CLI shows on stderr
    try:
        with reserved_numbers(tmp_path, 1) as numbers:
            assert numbers == [2]
    finally:
        logging.getLogger("ecmx").removeHandler(handler)
    assert any(f"process {dead}" in record.getMessage() for record in said)
    assert not lock.exists()
    assert [p.name for p in lock.parent.glob(f"{lock.name}*")] == []  # no stale copy left


@pytest.mark.parametrize("where", ["alive here", "another host"])
def test_a_lock_held_by_a_live_or_remote_run_is_not_taken_over(tmp_path, monkeypatch, where):

    monkeypatch.setattr(locks, "time", FakeClock())
    lock = lock_path(tmp_path)
    pid, host = os.getppid(), socket.gethostname()
    if where == "another host":
        pid, host = a_dead_pid(), f"not-{host}"
    lock.write_text(json.dumps({"pid": pid, "host": host}), encoding="utf-8")
    with (
        pytest.raises(OutputError, match=f"process {pid} on {host}"),
        reserved_numbers(tmp_path, 1),
    ):
        pytest.fail("a live (or unknowable) holder keeps its lock")
    assert json.loads(lock.read_text("utf-8")) == {"pid": pid, "host": host}
