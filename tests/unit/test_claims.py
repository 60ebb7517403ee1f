"""Claims: coding encounters as claim lines (claim_lines), billing rules K001-K018
(rules/claims.py) and grouping lines into claims (claims.build_claims).

Each test writes a tiny CSV dataset (members, enrollments, encounters, provider.yaml),
reads it with ``read_dataset`` and codes one plan for November 2025 as ``ecmx claims``
does (``jobs.claims._code_plan``). Encounter rows start at file row 2, so a finding's
``row`` names the encounter it is about.
"""

from __future__ import annotations

import csv
import itertools
from datetime import date
from pathlib import Path

import pytest
import yaml

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset.read import read_dataset
from ecmx.core.dataset.sample import provider_profile
from ecmx.core.jobs.claims import _code_plan

PERIOD = Period(2025, 11)
MADE = date(2025, 12, 3)  # the claim files' production date
ENROLLED = "2025-11-10"  # M1's default ECM enrollment start
RATES = {"G9008": 125, "G9012": 85, "98960": 30, "98961": 30, "T1032": 100, "59409": 500}


def cin(n: int) -> str:
    return f"9{1234560 + n:07d}A"


def member(mid: str = "M1", n: int = 7, plan: str = "healthnet", **values) -> dict:
    return {
        "member_id": mid,
        "cin": cin(n),
        "plan": plan,
        "first_name": "Ana",
        "last_name": "Sampleton",
        "dob": "1980-01-02",
        **values,
    }


def episode(mid: str = "M1", start: str | None = ENROLLED, **values) -> dict:
    return {"member_id": mid, "status": "enrolled", "enrollment_start": start, **values}


def enc(mid: str = "M1", date: str = "2025-11-12", **values) -> dict:
    """A non-clinical in-person ECM service with a diagnosis, unless told otherwise."""
    return {
        "member_id": mid,
        "date": date,
        "staff_type": "non_clinical",
        "mode": "in_person",
        "diagnosis_codes": "Z59.00",
        **values,
    }


def _write_csv(path: Path, rows: list[dict]) -> None:
    header = list(dict.fromkeys(key for row in rows for key in row))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def bill(tmp_path, plugins):
    """``bill(encounters, members=, enrollments=, plan=, force=, provider=)`` -> PlanClaims."""
    _, registry = plugins
    counter = itertools.count()

    def run(
        encounters,
        *,
        members=None,
        enrollments=None,
        outreach=None,
        plan="healthnet",
        force=False,
        provider=None,
    ):
        folder = tmp_path / f"dataset{next(counter)}"
        folder.mkdir()
        profile = {**provider_profile(), "rates": RATES, **(provider or {})}
        (folder / "provider.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
        _write_csv(folder / "members.csv", members or [member(plan=plan)])
        _write_csv(folder / "enrollments.csv", enrollments or [episode()])
        if encounters:  # none: the table is left out (read as empty)
            _write_csv(folder / "encounters.csv", encounters)
        if outreach:
            _write_csv(folder / "outreach.csv", outreach)
        dataset = read_dataset(folder)
        problems = [f for f in dataset.findings if f.severity != "info"]
        assert problems == [], "the test dataset itself should be clean"
        return _code_plan(plugins, dataset, registry.plan(plan), PERIOD, MADE, force)

    return run


def codes(result) -> list[str]:
    return sorted(f.code for f in result.findings)


def rows_with(result, code: str) -> list[int]:
    return sorted(f.row for f in result.findings if f.code == code)


def billed(result) -> list[tuple[int, str, tuple[str, ...]]]:
    """(encounter row, code, modifiers) of every line on the claims, by row."""
    return sorted(
        (line.encounter_row, line.code, line.modifiers)
        for claim in result.claims
        for line in claim.lines
    )


def billed_rows(result) -> list[int]:
    return [row for row, _, _ in billed(result)]


# ------------------------------------------------------------------ coding: code and modifiers


def test_clinical_in_person_service_after_enrollment_is_g9008_u1(bill):
    result = bill([enc(staff_type="clinical")])
    assert result.findings == []
    (claim,) = result.claims
    (line,) = claim.lines
    assert (line.code, line.modifiers, line.place_of_service) == ("G9008", ("U1",), "11")


def test_non_clinical_phone_call_is_g9012_u2_gq_at_telehealth_place(bill):
    result = bill([enc(mode="phone")])
    assert result.findings == []
    (line,) = result.claims[0].lines
    assert (line.code, line.modifiers, line.place_of_service) == ("G9012", ("U2", "GQ"), "10")


@pytest.mark.parametrize(
    ("encounter", "expected"),
    [
        pytest.param(enc(kind="outreach", date="2025-11-03"), ("G9012", ("U8",)), id="present"),
        pytest.param(
            enc(kind="outreach", date="2025-11-03", member_present="false"),
            ("G9012", ("U8", "GQ")),
            id="absent",
        ),
        pytest.param(
            enc(kind="outreach", date="2025-11-03", successful="false"),
            ("G9012", ("U8", "GQ")),
            id="unsuccessful",
        ),
        pytest.param(
            enc(kind="outreach", date="2025-11-03", mode="video"),
            ("G9012", ("U8", "GQ")),
            id="video",
        ),
        pytest.param(enc(kind="outreach", date=ENROLLED), ("G9012", ("U8",)), id="on-enrollment"),
        pytest.param(enc(kind="outreach", date="2025-11-20"), ("G9012", ("U8",)), id="after"),
    ],
)
def test_outreach_is_u8_on_any_date_and_gq_when_the_member_is_not_there(bill, encounter, expected):
    result = bill([encounter])
    assert result.findings == []
    assert [(code, mods) for _, code, mods in billed(result)] == [expected]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"staff_type": "clinical"}, ("G9008", ("U1",))),
        ({}, ("G9012", ("U2",))),
        ({"staff_type": "clinical", "mode": "video"}, ("G9008", ("U1", "GQ"))),
        ({"member_present": "false"}, ("G9012", ("U2", "GQ"))),
        ({"successful": "false"}, ("G9012", ("U2", "GQ"))),
        ({"kind": "care_team_meeting"}, ("G9012", ("U2", "GQ"))),
        ({"staff_type": "clinical", "kind": "care_team_meeting"}, ("G9008", ("U1", "GQ"))),
    ],
    ids=["clinical", "non-clinical", "video", "absent", "unsuccessful", "ctm", "ctm-clinical"],
)
def test_service_modifiers_follow_staff_mode_and_presence(bill, values, expected):
    result = bill([enc(**values)])
    assert result.findings == []
    assert [(code, mods) for _, code, mods in billed(result)] == [expected]


def test_outreach_for_a_member_never_enrolled_is_billed_as_u8(bill):
    result = bill(
        [enc(kind="outreach")],
        enrollments=[episode(start=None, status="outreach", assigned_date="2025-11-01")],
    )
    assert result.findings == []
    assert billed(result) == [(2, "G9012", ("U8",))]


def test_place_of_service_is_the_encounters_own_when_given(bill):
    result = bill(
        [enc(place_of_service="12"), enc(mode="phone", place_of_service="2"), enc(mode="video")]
    )
    places = sorted((line.encounter_row, line.place_of_service) for line in result.claims[0].lines)
    assert places == [(2, "12"), (3, "02"), (4, "10")]


def test_a_member_without_encounters_in_the_period_gets_no_claim(bill):
    result = bill([enc(date="2025-10-12")], enrollments=[episode(start="2025-10-01")])
    assert (result.findings, result.claims, result.refused) == ([], [], 0)


def test_a_plan_whose_members_have_no_encounters_gets_no_claims(bill):
    members = [member("M1", 1), member("M2", 2, plan="partnership")]
    result = bill(
        [enc("M1")], members=members, enrollments=[episode("M1"), episode("M2")], plan="partnership"
    )
    assert (result.findings, result.claims, result.refused) == ([], [], 0)


# ------------------------------------------------------------------ K001 enrollment


def test_u1_service_before_enrollment_is_k001_and_left_off_unless_forced(bill):
    encounters = [enc(staff_type="clinical", date="2025-11-05"), enc(staff_type="clinical")]
    result = bill(encounters)
    (finding,) = result.findings
    assert (finding.code, finding.severity, finding.row) == ("K001", "error", 2)
    assert "before the member's ECM enrollment" in finding.message
    assert "U1 and U2 are billable only on or after the enrollment date" in finding.message
    assert billed_rows(result) == [3]
    assert result.refused == 1

    forced = bill(encounters, force=True)
    assert codes(forced) == ["K001"]  # still reported
    assert billed(forced) == [(2, "G9008", ("U1",)), (3, "G9008", ("U1",))]
    assert forced.refused == 0


def test_service_after_enrollment_ended_is_k001(bill):
    result = bill(
        [enc(date="2025-11-05"), enc(date="2025-11-06")],
        enrollments=[episode(start="2025-09-01", enrollment_end="2025-11-05")],
    )
    assert rows_with(result, "K001") == [3]
    (finding,) = result.findings
    assert "after the member's ECM enrollment ended" in finding.message
    assert billed_rows(result) == [2]  # the end day itself is still enrolled


def test_service_on_the_enrollment_start_day_is_billed(bill):
    result = bill([enc(date=ENROLLED)])
    assert result.findings == []
    assert billed(result) == [(2, "G9012", ("U2",))]


def test_service_for_a_member_without_enrollment_start_is_k001(bill):
    result = bill([enc()], enrollments=[episode(start=None, status="pending_outreach")])
    assert rows_with(result, "K001") == [2]
    assert result.claims == []


# ------------------------------------------------------------------ K002 one-time outreach


def test_second_outreach_is_k002_even_when_the_first_was_in_an_earlier_period(bill):
    result = bill(
        [enc(kind="outreach", date="2025-10-20"), enc(kind="outreach", date="2025-11-03")]
    )
    assert rows_with(result, "K002") == [3]
    assert result.claims == []


def test_two_outreach_lines_in_the_period_bill_the_first_only(bill):
    result = bill(
        [enc(kind="outreach", date="2025-11-04"), enc(kind="outreach", date="2025-11-03")]
    )
    assert rows_with(result, "K002") == [2]  # the later date is the second outreach
    assert billed_rows(result) == [3]


def test_one_outreach_and_services_is_no_k002(bill):
    result = bill([enc(kind="outreach", date="2025-11-03"), enc(), enc(date="2025-11-13")])
    assert result.findings == []
    assert billed_rows(result) == [2, 3, 4]


# ------------------------------------------------------------------ K003 TAR (Partnership)


def test_partnership_outreach_without_tar_is_k003(bill):
    result = bill([enc(kind="outreach", date="2025-11-03")], plan="partnership")
    assert rows_with(result, "K003") == [2]
    assert "outreach only with a TAR" in result.findings[0].message
    assert result.claims == []


def test_partnership_outreach_with_its_own_tar_is_billed_with_the_tar(bill):
    result = bill(
        [enc(kind="outreach", date="2025-11-03", authorization_number="TAR555")],
        plan="partnership",
    )
    assert result.findings == []
    (line,) = result.claims[0].lines
    assert (line.modifiers, line.authorization) == (("U8",), "TAR555")


def test_outreach_without_tar_is_fine_where_the_plan_needs_none(bill):
    result = bill([enc(kind="outreach", date="2025-11-03")], plan="healthnet")
    assert result.findings == []


def test_partnership_engagement_fee_needs_a_tar_and_the_episodes_counts(bill):
    missing = bill([enc(kind="engagement_fee")], plan="partnership")
    assert rows_with(missing, "K003") == [2]
    assert "engagement fee only with a TAR" in missing.findings[0].message

    covered = bill(
        [enc(kind="engagement_fee")],
        plan="partnership",
        enrollments=[episode(authorization_number="TAR777")],
    )
    assert covered.findings == []
    assert covered.claims[0].lines[0].authorization == "TAR777"


def test_partnership_outreach_before_enrollment_uses_the_episodes_tar(bill):
    result = bill(
        [enc(kind="outreach", date="2025-11-03")],
        plan="partnership",
        enrollments=[episode(authorization_number="TAR888")],
    )
    assert result.findings == []


def test_partnership_service_without_a_tar_is_k003_and_not_billed(bill):
    """Seed 004: a referral from Partnership needs a TAR (signed ROI and care plan)."""
    result = bill(
        [enc(staff_type="clinical"), enc(date="2025-11-13", authorization_number="TAR9")],
        plan="partnership",
    )
    assert rows_with(result, "K003") == [2]
    assert "U1/U2 ECM services only with a TAR" in result.findings[0].message
    assert billed(result) == [(3, "G9012", ("U2",))]
    assert result.claims[0].lines[0].authorization == "TAR9"


def test_partnership_service_covered_by_the_episodes_tar_is_billed(bill):
    result = bill(
        [enc(staff_type="clinical"), enc(kind="care_team_meeting", date="2025-11-13")],
        plan="partnership",
        enrollments=[episode(authorization_number="TAR4")],
    )
    assert result.findings == []
    assert [line.authorization for line in result.claims[0].lines] == ["TAR4", "TAR4"]


def test_a_service_without_a_tar_is_fine_where_the_plan_needs_none(bill):
    for plan in ("healthnet", "calviva", "chpiv", "chwp"):
        assert bill([enc()], plan=plan).findings == [], plan


# ------------------------------------------------------------------ K004 engagement fee gap


def test_engagement_fee_again_without_a_12_month_gap_is_k004(bill):
    result = bill(
        [
            enc(kind="engagement_fee", date="2025-01-15"),
            enc(date="2025-06-02"),
            enc(kind="engagement_fee", date="2025-11-12"),
        ],
        plan="partnership",
        enrollments=[episode(start="2025-01-01", authorization_number="TAR1")],
    )
    assert rows_with(result, "K004") == [4]
    assert "12-month gap" in result.findings[0].message
    assert result.claims == []


def fee_after_gap(*extra):
    encounters = [
        enc(kind="engagement_fee", date="2024-06-03"),
        enc(kind="engagement_fee", date="2025-11-12"),
        *extra,
    ]
    enrollments = [
        episode(start="2024-06-01", enrollment_end="2024-07-01", authorization_number="TAR1"),
        episode(start="2025-11-01", authorization_number="TAR2"),
    ]
    return encounters, enrollments


def test_engagement_fee_after_a_gap_of_more_than_12_months_is_billed(bill):
    encounters, enrollments = fee_after_gap(enc(date="2025-11-13"))
    result = bill(encounters, plan="partnership", enrollments=enrollments)
    assert result.findings == []
    assert billed_rows(result) == [3, 4]


def test_engagement_fee_after_a_gap_with_a_service_the_same_day_is_billed(bill):
    encounters, enrollments = fee_after_gap(enc(date="2025-11-12"))
    result = bill(encounters, plan="partnership", enrollments=enrollments)
    assert result.findings == []


# ------------------------------------------------------------------ K005/K006 CHW


def chw(date="2025-11-05", modifiers="U2", **values):
    return enc(date=date, procedure_code="98960", modifiers=modifiers, **values)


def test_chw_code_for_a_member_enrolled_that_day_is_k005(bill):
    result = bill([chw(date="2025-11-12")])
    assert rows_with(result, "K005") == [2]
    assert result.claims == []


def test_chw_code_before_enrollment_is_billed_as_given(bill):
    result = bill([chw(date="2025-11-05", units="2")])
    assert result.findings == []
    (line,) = result.claims[0].lines
    assert (line.code, line.modifiers, line.units, line.charge) == ("98960", ("U2",), 2, 60.0)


def test_chw_more_than_4_units_a_day_is_k006(bill):
    result = bill([chw(units="5")])
    assert rows_with(result, "K006") == [2]
    assert result.claims == []


def test_chw_units_add_up_over_the_day_and_the_line_past_the_cap_is_k006(bill):
    result = bill([chw(units="2"), chw(units="3"), chw(date="2025-11-06", units="3")])
    assert rows_with(result, "K006") == [3]
    assert billed_rows(result) == [2, 4]


@pytest.mark.parametrize(
    "lines",
    [
        [chw(units="4")],
        [chw(units="2"), chw(units="2")],
        [chw(units="5", authorization_number="T9")],
    ],
    ids=["4-units", "2+2", "5-with-tar"],
)
def test_chw_at_the_cap_or_with_a_tar_is_no_k006(bill, lines):
    result = bill(lines)
    assert result.findings == []
    assert len(billed(result)) == len(lines)


# ------------------------------------------------------------------ K007 code and modifiers


@pytest.mark.parametrize(
    "encounter",
    [
        enc(modifiers="U1"),
        enc(mode="phone", modifiers="U2"),
        enc(mode="phone", modifiers="U2;GQ;U8"),
        enc(procedure_code="G9008"),
        chw(modifiers=""),
        chw(modifiers="U2;U3"),
        chw(modifiers="U2;GQ"),
        enc(date="2025-11-05", procedure_code="T1032"),
        enc(date="2025-11-05", procedure_code="T1032", modifiers="XP;GT"),
        enc(date="2025-11-05", procedure_code="59409", modifiers="SA;95"),
    ],
    ids=[
        "ecm-U1-for-non-clinical",
        "ecm-phone-without-GQ",
        "ecm-extra-U8",
        "G9008-for-non-clinical",
        "chw-no-modifier",
        "chw-U2-and-U3",
        "chw-GQ",
        "doula-no-XP",
        "doula-GT",
        "doula-without-XP",
    ],
)
def test_code_or_modifiers_that_do_not_fit_are_k007(bill, encounter):
    result = bill([encounter])
    assert codes(result) == ["K007"]
    assert result.claims == []


@pytest.mark.parametrize(
    ("encounter", "expected"),
    [
        (enc(mode="phone", modifiers="GQ;U2"), ("G9012", ("U2", "GQ"))),
        (enc(mode="phone", modifiers="u2, gq"), ("G9012", ("U2", "GQ"))),
        (enc(mode="phone", modifiers="U2;GQ"), ("G9012", ("U2", "GQ"))),
        (enc(procedure_code="g9012", modifiers="U2"), ("G9012", ("U2",))),
        (enc(staff_type="clinical", procedure_code="G9008"), ("G9008", ("U1",))),
        (chw(modifiers="U3"), ("98960", ("U3",))),
        (enc(date="2025-11-05", procedure_code="T1032", modifiers="XP"), ("T1032", ("XP",))),
        (
            enc(date="2025-11-05", procedure_code="59409", modifiers="SA;XP;U7;95"),
            ("59409", ("SA", "XP", "U7", "95")),
        ),
    ],
    ids=[
        "GQ;U2",
        "lowercase-comma",
        "U2;GQ",
        "given-G9012",
        "given-G9008",
        "chw-U3",
        "doula-XP",
        "doula-4-modifiers",
    ],
)
def test_fitting_code_and_modifiers_in_any_order_are_billed(bill, encounter, expected):
    result = bill([encounter])
    assert result.findings == []
    assert [(code, mods) for _, code, mods in billed(result)] == [expected]


# ------------------------------------------------------------------ K008-K011


def test_unknown_procedure_code_is_k008(bill):
    result = bill([enc(procedure_code="99213", charge="50")])
    assert codes(result) == ["K008"]
    assert result.claims == []


def test_a_code_of_the_plans_code_sets_is_no_k008(bill):
    result = bill([enc(date="2025-11-05", procedure_code="98961", modifiers="U2", charge="50")])
    assert result.findings == []
    assert billed(result) == [(2, "98961", ("U2",))]


def test_no_diagnosis_on_any_of_the_members_lines_is_k009_and_never_billed(bill):
    result = bill([enc(diagnosis_codes="")], force=True)
    assert rows_with(result, "K009") == [2]
    assert result.claims == []


def test_lines_left_without_a_diagnosis_when_the_diagnosed_line_is_refused_are_k009(bill):
    """Found by the property test: the member's only diagnosis was on a refused (K007)
    line, and the line left was billed on a claim with an empty HI; pyx12 refused the file."""
    result = bill([enc(procedure_code="G9008"), enc(date="2025-11-13", diagnosis_codes="")])
    assert (rows_with(result, "K007"), rows_with(result, "K009")) == ([2], [3])
    assert result.claims == []


def test_one_diagnosis_among_the_members_lines_is_enough(bill):
    result = bill([enc(diagnosis_codes=""), enc(date="2025-11-13")])
    assert result.findings == []
    (claim,) = result.claims
    assert claim.diagnoses == ("Z5900",)
    assert [line.pointers for line in claim.lines] == [(1,), (1,)]


def test_malformed_diagnosis_is_k010_and_never_billed(bill):
    result = bill([enc(diagnosis_codes="Z59.00;12345")], force=True)
    assert rows_with(result, "K010") == [2]
    assert result.claims == []


def test_well_formed_diagnoses_are_billed_without_dots(bill):
    result = bill([enc(diagnosis_codes="Z59.00; f32.9, I10")])
    assert result.findings == []
    (claim,) = result.claims
    assert claim.diagnoses == ("Z5900", "F329", "I10")
    assert claim.lines[0].pointers == (1, 2, 3)


def test_icd10_cm_u_codes_are_diagnoses(bill):
    result = bill([enc(diagnosis_codes="U07.1")])
    assert result.findings == []


def test_no_charge_and_no_rate_is_k011_and_never_billed(bill):
    result = bill([enc()], provider={"rates": {"G9008": 125}}, force=True)
    assert rows_with(result, "K011") == [2]
    assert result.claims == []


def test_a_zero_charge_is_k011(bill):
    result = bill([enc(charge="0")])
    assert rows_with(result, "K011") == [2]


def test_a_given_charge_needs_no_rate(bill):
    result = bill([enc(charge="70.5")], provider={"rates": {}})
    assert result.findings == []
    assert result.claims[0].lines[0].charge == 70.5


# ------------------------------------------------------------------ charges


def rated_provider() -> dict:
    plans = provider_profile()["plans"]
    plans["healthnet"] = {**plans["healthnet"], "rates": {"G9012": 90}}
    return {"rates": {"G9012": 85, "G9008": 125}, "plans": plans}


def test_the_plans_rate_beats_the_global_rate_times_the_units(bill):
    result = bill(
        [enc(), enc(date="2025-11-13", units="2"), enc(date="2025-11-14", charge="70")],
        provider=rated_provider(),
    )
    charges = sorted((line.encounter_row, line.charge) for line in result.claims[0].lines)
    assert charges == [(2, 90.0), (3, 180.0), (4, 70.0)]


def test_a_plan_without_its_own_rate_uses_the_global_rate(bill):
    result = bill(
        [enc(staff_type="clinical"), enc()],
        plan="partnership",
        enrollments=[episode(authorization_number="TAR1")],
        provider=rated_provider(),
    )
    assert sorted(line.charge for line in result.claims[0].lines) == [85.0, 125.0]


# ------------------------------------------------------------------ grouping into claims


def test_one_claim_per_member_with_a_total_of_its_lines(bill):
    members = [member("M1", 1), member("M2", 2), member("M3", 3, plan="partnership")]
    enrollments = [episode("M1"), episode("M2"), episode("M3")]
    encounters = [
        enc("M1"),
        enc("M2", staff_type="clinical"),
        enc("M1", date="2025-11-13", mode="phone"),
        enc("M3"),
        enc("M1", date="2025-11-14", charge="40.10"),
        enc("M2", date="2025-11-20", charge="0.2"),
    ]
    result = bill(encounters, members=members, enrollments=enrollments)
    assert [c.member["member_id"] for c in result.claims] == ["M1", "M2"]
    assert [c.subscriber_id for c in result.claims] == [cin(1), cin(2)]
    assert [len(c.lines) for c in result.claims] == [3, 2]
    assert [c.total for c in result.claims] == [210.1, 125.2]
    for claim in result.claims:
        assert claim.total == round(sum(line.charge for line in claim.lines), 2)
    assert len({c.control_number for c in result.claims}) == 2


def test_a_member_with_60_lines_gets_two_claims_of_at_most_50_lines(bill):
    encounters = [enc(date=f"2025-11-{1 + i // 2:02d}", charge=f"{10 + i}") for i in range(60)]
    result = bill(encounters, enrollments=[episode(start="2025-11-01")])
    assert result.findings == []
    assert [len(c.lines) for c in result.claims] == [50, 10]  # an 837P claim holds at most 50 lines
    assert sorted(billed_rows(result)) == list(range(2, 62))  # every line once
    assert {c.member["member_id"] for c in result.claims} == {"M1"}
    assert len({c.control_number for c in result.claims}) == 2
    for claim in result.claims:
        assert claim.total == round(sum(line.charge for line in claim.lines), 2)
    assert sum(c.total for c in result.claims) == sum(10 + i for i in range(60))


def test_a_claim_has_at_most_12_diagnoses_and_lines_point_at_their_own(bill):
    diagnoses = [f"F{10 + i}.9" for i in range(20)]
    encounters = [
        enc(date=f"2025-11-{11 + i:02d}", diagnosis_codes=f"{code};Z59.00")
        for i, code in enumerate(diagnoses)
    ]
    result = bill(encounters)
    assert result.findings == []
    assert len(billed(result)) == 20
    assert len(result.claims) >= 2
    by_row = {2 + i: {code.replace(".", ""), "Z5900"} for i, code in enumerate(diagnoses)}
    for claim in result.claims:
        assert 1 <= len(claim.diagnoses) <= 12  # and at most 12 diagnoses
        assert len(set(claim.diagnoses)) == len(claim.diagnoses)
        for line in claim.lines:
            pointed = {claim.diagnoses[p - 1] for p in line.pointers}
            assert pointed == by_row[line.encounter_row]


def test_every_claim_of_a_split_member_has_a_diagnosis(bill):
    encounters = [
        enc(date=f"2025-11-{1 + i // 2:02d}", diagnosis_codes="Z59.00" if i < 10 else "")
        for i in range(60)
    ]
    result = bill(encounters, enrollments=[episode(start="2025-11-01")])
    assert result.findings == []
    assert len(result.claims) == 2
    assert all(claim.diagnoses for claim in result.claims)


# ------------------------------------------------------------------ the one-time outreach from the outreach table


def attempt(mid="M1", date="2025-11-03", method="phone", successful="false", **values) -> dict:
    return {"member_id": mid, "date": date, "method": method, "successful": successful, **values}


OUTREACH_RATES = {**RATES, "G9012-U8": 150}
PENDING = [{"member_id": "M1", "status": "pending_outreach", "assigned_date": "2025-10-20"}]


def test_the_first_attempt_is_billed_as_the_one_time_outreach(bill):
    result = bill(
        [],
        enrollments=PENDING,
        outreach=[
            attempt(
                date="2025-11-07", method="in_person", successful="true", diagnosis_codes="Z59.00"
            ),
            attempt(date="2025-11-03", diagnosis_codes="Z71.89"),  # the first: phone, unsuccessful
        ],
        provider={"rates": OUTREACH_RATES},
    )
    assert codes(result) == []
    [claim] = result.claims
    [line] = claim.lines
    assert (line.code, line.modifiers) == ("G9012", ("U8", "GQ"))
    assert str(line.service_date) == "2025-11-03"
    assert line.charge == 150  # the code-modifier rate beats the code's own
    assert claim.diagnoses == ("Z7189",)


def test_an_in_person_successful_first_attempt_has_no_gq(bill):
    result = bill(
        [],
        enrollments=PENDING,
        outreach=[attempt(method="in_person", successful="true", diagnosis_codes="Z59.00")],
    )
    assert billed(result) == [(2, "G9012", ("U8",))]


def test_attempts_are_not_billed_when_an_encounter_bills_the_outreach(bill):
    result = bill(
        [enc(date="2025-11-04", kind="outreach")],
        outreach=[attempt(date="2025-11-02", diagnosis_codes="Z59.00")],
    )
    assert [(c, m) for _, c, m in billed(result)] == [("G9012", ("U8",))]
    assert [str(line.service_date) for c in result.claims for line in c.lines] == ["2025-11-04"]


def test_a_partnership_attempt_without_a_tar_points_at_the_outreach_row(bill):
    result = bill(
        [],
        members=[member(plan="partnership")],
        enrollments=PENDING,
        outreach=[attempt(diagnosis_codes="Z59.00")],
        plan="partnership",
    )
    [finding] = [f for f in result.findings if f.code == "K003"]
    assert (finding.sheet, finding.row) == ("outreach", 2)
    assert result.claims == []
    with_tar = bill(
        [],
        members=[member(plan="partnership")],
        enrollments=PENDING,
        outreach=[attempt(diagnosis_codes="Z59.00", authorization_number="TAR1")],
        plan="partnership",
    )
    assert codes(with_tar) == [] and len(with_tar.claims) == 1


# ------------------------------------------------------------------ found in review


def test_units_below_one_are_never_billed(bill):
    result = bill([enc(units="0"), enc(date="2025-11-13", units="-2"), enc(date="2025-11-14")])
    assert rows_with(result, "K012") == [2, 3]
    assert billed_rows(result) == [4]
    forced = bill(
        [enc(units="0"), enc(date="2025-11-13", units="-2"), enc(date="2025-11-14")], force=True
    )
    assert billed_rows(forced) == [4]  # not even with --force: SV104 must be at least 1


def test_a_zero_charge_is_refused_with_its_own_message(bill):
    result = bill([enc(charge="0")])
    [finding] = [f for f in result.findings if f.code == "K011"]
    assert "zero or negative" in finding.message
    assert result.claims == []


def test_the_fallback_tar_is_the_latest_episodes_not_the_last_row(bill):
    episodes = [
        {"member_id": "M1", "status": "enrolled", "enrollment_start": "2025-03-01",
         "enrollment_end": "2025-06-30", "authorization_number": "TARNEW"},
        {"member_id": "M1", "status": "disenrolled", "enrollment_start": "2024-01-01",
         "enrollment_end": "2024-03-01", "authorization_number": "TAROLD"},
    ]  # fmt: skip
    result = bill(
        [enc(kind="outreach", date="2025-11-05")],
        members=[member(plan="partnership")],
        enrollments=episodes,
        plan="partnership",
    )
    assert codes(result) == []
    assert [line.authorization for c in result.claims for line in c.lines] == ["TARNEW"]


# ------------------------------------------------------------------ K016-K018 doula (seed 002)


def doula(date: str, code: str = "Z1034", **values) -> dict:
    return enc(date=date, procedure_code=code, modifiers="XP", charge="100", **values)


def days(month: int, count: int, start: int = 1) -> list[str]:
    return [f"2025-{month:02d}-{d:02d}" for d in range(start, start + count)]


def test_a_second_doula_visit_the_same_day_is_k016(bill):
    result = bill([doula("2025-11-12"), doula("2025-11-12", "Z1038"), doula("2025-11-13")])
    assert codes(result) == ["K016"]
    assert rows_with(result, "K016") == [3]
    assert billed_rows(result) == [2, 4]


def test_a_second_initial_doula_visit_is_k017(bill):
    result = bill([doula("2025-10-02", "Z1032"), doula("2025-11-12", "Z1032")])
    assert (codes(result), rows_with(result, "K017")) == (["K017"], [3])


def test_eight_prenatal_or_postpartum_visits_then_postpartum_needs_a_recommendation(bill):
    first_set = [doula(d, "Z1034") for d in days(10, 4)] + [
        doula(d, "Z1038") for d in days(10, 4, 10)
    ]
    ninth_prenatal = doula("2025-11-03", "Z1034")
    ninth_postpartum = doula("2025-11-04", "Z1038")
    recommended = doula("2025-11-05", "Z1038", doula_recommendation="true")
    result = bill([*first_set, ninth_prenatal, ninth_postpartum, recommended])
    assert rows_with(result, "K017") == [10]  # no recommendation extends prenatal visits
    assert rows_with(result, "K018") == [11]
    assert billed_rows(result) == [12]  # the November lines billed: the recommended one


def test_at_most_nine_recommended_postpartum_visits(bill):
    first_set = [doula(d, "Z1038") for d in days(9, 8)]
    recommended = [doula(d, "Z1038", doula_recommendation="true") for d in days(11, 10)]
    result = bill([*first_set, *recommended])
    assert codes(result) == ["K017"]
    assert rows_with(result, "K017") == [2 + 8 + 9]  # the tenth recommended visit
    assert len(billed_rows(result)) == 9


def test_a_third_extended_postpartum_visit_is_k017(bill):
    result = bill([doula(d, "T1032") for d in days(11, 3)])
    assert rows_with(result, "K017") == [4]
    assert billed_rows(result) == [2, 3]


def test_doula_limits_are_the_health_net_familys_not_partnerships(bill):
    """Seed 002 states the limits for Health Net, CalViva and CHPIV only."""
    visits = [doula("2025-11-12"), doula("2025-11-12", "Z1038")]
    assert codes(bill(visits, plan="calviva")) == ["K016"]
    assert codes(bill(visits, plan="partnership")) == []


def test_a_plan_may_switch_a_doula_limit_off(tmp_path, plugins_with):
    """K016-K018 are registered rules: a plan's ``rules:`` can switch one off."""
    pair = plugins_with(
        {
            "myplan.yaml": "id: myplan\nname: My Plan\nextends: healthnet\n"
            "mcp:\n  name: {value: My Plan, assumed: true}\n"
            "rules:\n  K016: {enabled: false, assumed: true, note: two visits a day allowed}\n"
        }
    )
    folder = tmp_path / "data"
    folder.mkdir()
    profile = {**provider_profile(), "rates": RATES}
    profile["plans"]["myplan"] = {"file_prefix": "MINE", "payer_id": "99MY1"}
    (folder / "provider.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    _write_csv(folder / "members.csv", [member(plan="myplan")])
    _write_csv(folder / "enrollments.csv", [episode()])
    _write_csv(folder / "encounters.csv", [doula("2025-11-12"), doula("2025-11-12", "Z1038")])
    dataset = read_dataset(folder)
    result = _code_plan(pair, dataset, pair[1].plan("myplan"), PERIOD, MADE, False)
    assert result.findings == []
    assert billed_rows(result) == [2, 3]
