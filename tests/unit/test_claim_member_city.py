"""A city the 837P would write shorter than X12's 2 characters is refused (K013), counted
as written: the writer turns each X12 separator into a space, so "1*" is the city "1"
(found by the hostile-values property test, which pyx12 then refused at N401)."""

from __future__ import annotations

import pytest

from ecmx.core.billing.claim_fields import member_problems

MEMBER = {"member_id": "M1", "cin": "91234561A", "last_name": "NGUYEN", "dob": "1980-01-02",
          "address": "PO Box 7", "city": "Fresno", "state": "CA", "zip": "93721"}  # fmt: skip


@pytest.mark.parametrize("city", ["1*", "1~", "1 :", "^A", "1"])
def test_a_city_left_with_one_character_once_written_is_refused(city):
    problems = member_problems({**MEMBER, "city": city}, "cin", "*:^~")
    assert ("city", "N401 city is shorter than the 2 characters X12 requires") in problems


@pytest.mark.parametrize("city", ["Fresno", "El Centro", "A.", "1*2"])
def test_a_city_of_two_characters_or_more_as_written_passes(city):
    problems = member_problems({**MEMBER, "city": city}, "cin", "*:^~")
    assert not [p for c, p in problems if c == "city" and "shorter" in p]
