"""Community Supports lines (billing/cs_lines.py, rules K019-K022 in checks/claim_cs.py).

As tests/unit/test_claims.py: a tiny CSV dataset, one plan coded for November 2025 as
``ecmx claims`` does. Encounter rows start at file row 2.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
import yaml

from ecmx.core.billing.coding import CommunitySupports
from ecmx.core.dataset.read import read_dataset
from ecmx.core.dataset.sample import provider_profile
from ecmx.core.jobs.claims import _code_plan
from tests.unit.test_claims import MADE, PERIOD, RATES, _write_csv, enc, episode, member

MEALS = "medically_tailored_meals"


def cs(date="2025-11-12", service=MEALS, code="S5170", **values) -> dict:
    return enc(date=date, cs_service=service, procedure_code=code, charge="100", **values)


def authorized(start="2025-11-01", end="2025-11-30", **values) -> dict:
    # an authorized pair has its number (without one, the dataset warns D208)
    return {"member_id": "M1", "service": MEALS, "status": "authorized",
            "authorization_number": "0000777", "authorization_start": start,
            "authorization_end": end, **values}  # fmt: skip


@pytest.fixture
def bill(tmp_path, plugins):
    """``bill(encounters, supports, plan=, outreach=, rules=)`` -> PlanClaims."""
    _, registry = plugins
    counter = itertools.count()

    def run(encounters, supports=(), *, plan="healthnet", outreach=None, rules=None):
        folder = tmp_path / f"dataset{next(counter)}"
        folder.mkdir()
        profile = {**provider_profile(), "rates": RATES}
        (folder / "provider.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
        _write_csv(folder / "members.csv", [member(plan=plan)])
        _write_csv(folder / "enrollments.csv", [episode(authorization_number="TAR9")])
        _write_csv(folder / "encounters.csv", encounters)
        if supports:
            _write_csv(folder / "community_supports.csv", list(supports))
        if outreach:
            _write_csv(folder / "outreach.csv", outreach)
        dataset = read_dataset(folder)
        assert [f for f in dataset.findings if f.severity != "info"] == []
        spec = registry.plan(plan)
        if rules is not None:
            spec = replace(spec, billing=replace(spec.billing, community_supports=rules))
        return _code_plan(plugins, dataset, spec, PERIOD, MADE, False)

    return run


def found(result) -> list[tuple[str, int]]:
    return sorted((f.code, f.row) for f in result.findings)


def billed(result) -> list[tuple[int, str, tuple[str, ...], str | None]]:
    return sorted(
        (line.encounter_row, line.code, line.modifiers, line.authorization)
        for claim in result.claims
        for line in claim.lines
    )


@pytest.mark.parametrize("day", ["2025-11-01", "2025-11-15", "2025-11-30"])
def test_a_cs_line_inside_its_authorization_is_billed_as_given(bill, day):
    result = bill([cs(day, modifiers="U5;SE")], [authorized()])
    assert found(result) == []
    assert billed(result) == [(2, "S5170", ("U5", "SE"), None)]


def test_an_open_ended_authorization_covers_every_day_after_its_start(bill):
    result = bill([cs("2025-11-30")], [authorized(start="2025-01-01", end="")])
    assert (found(result), len(billed(result))) == ([], 1)


@pytest.mark.parametrize(
    "support",
    [
        authorized(start="2025-11-13"),  # starts the day after
        authorized(end="2025-11-11"),  # ended the day before
        authorized(start=""),  # no first day
        {**authorized(), "status": "requested"},
        {**authorized(), "status": "denied"},
        {**authorized(), "service": "day_habilitation"},  # another service's authorization
    ],
)
def test_a_cs_line_its_authorization_does_not_cover_is_k020_and_left_off(bill, support):
    result = bill([cs(), enc("M1", "2025-11-13")], [support])
    assert found(result) == [("K020", 2)]
    assert [row for row, *_ in billed(result)] == [3]  # the ECM line is still billed
    assert result.refused == 1


def test_without_a_community_supports_table_a_cs_line_is_k020(bill):
    result = bill([cs()])
    [finding] = result.findings
    assert (finding.code, finding.column) == ("K020", "cs_service")
    assert "no community_supports row" in finding.message


def test_cs_outreach_is_k021_and_not_the_members_ecm_outreach(bill):
    """A CS outreach neither bills nor stands in for the ECM one-time outreach: the
    member's first outreach attempt is still billed U8, and no K002."""
    attempt = {"member_id": "M1", "date": "2025-11-03", "method": "phone", "successful": "true",
               "staff_type": "non_clinical", "diagnosis_codes": "Z59.00"}  # fmt: skip
    result = bill([cs(kind="outreach")], [authorized()], outreach=[attempt])
    assert found(result) == [("K021", 2)]
    assert [(code, mods) for _, code, mods, _ in billed(result)] == [("G9012", ("U8", "GQ"))]


def test_cs_units_beyond_the_authorization_are_k022_counted_from_earlier_periods(bill):
    lines = [cs("2025-10-20", units="2"), cs("2025-11-05", units="1"), cs("2025-11-12", units="1")]
    result = bill(lines, [authorized(start="2025-10-01", units_authorized="3")])
    assert found(result) == [("K022", 4)]
    assert [row for row, *_ in billed(result)] == [3]


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"code": ""}, "procedure_code"),
        ({"code": "S51"}, "procedure_code"),
        ({"modifiers": "U1;U2;U3;U4;U5"}, "modifiers"),
        ({"modifiers": "U*"}, "modifiers"),
    ],
)
def test_a_cs_line_without_a_code_it_can_be_billed_with_is_k019(bill, values, column):
    result = bill([cs(**values)], [authorized()])
    assert [(f.code, f.row, f.column) for f in result.findings] == [("K019", 2, column)]
    assert billed(result) == []


def test_a_cs_line_needs_no_ecm_tar_at_partnership(bill):
    """Partnership pays U1/U2 only with a TAR (K003); a CS line needs its CS
    authorization instead, and carries no ECM TAR."""
    result = bill([cs()], [authorized()], plan="partnership")
    assert found(result) == []
    assert billed(result) == [(2, "S5170", (), None)]


def test_a_plan_that_pays_cs_outreach_without_authorization_bills_it(bill):
    rules = CommunitySupports(authorization_required=False, outreach_billable=True)
    result = bill([cs(kind="outreach"), cs("2025-11-13")], rules=rules)
    assert found(result) == []
    assert [row for row, *_ in billed(result)] == [2, 3]
