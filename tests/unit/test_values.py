"""Cell converters: each returns (value, problem); a blank is (None, None)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecmx.core.dataset import values as V
from ecmx.core.dataset.canonical import (
    ACUITY,
    OUTREACH_METHODS,
    POPULATIONS_OF_FOCUS,
    SEXES,
    STATUSES,
)

FAST = settings(max_examples=60, deadline=None, database=None)


# ------------------------------------------------------------------ as_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12345.0, "12345"),  # a spreadsheet number that is really an id
        (12345, "12345"),
        ("02134", "02134"),  # leading zeros of a ZIP kept
        ("  91234567A ", "91234567A"),
        (1.5, "1.5"),
        (True, "true"),
        (dt.date(2025, 11, 4), "2025-11-04"),
        (dt.datetime(2025, 11, 4), "2025-11-04"),
    ],
)
def test_as_text_keeps_what_was_written(raw, expected):
    assert V.as_text(raw) == (expected, None)


@pytest.mark.parametrize("raw", [None, "", "   ", float("nan")])
def test_as_text_blank(raw):
    assert V.as_text(raw) == (None, None)


@FAST
@given(st.from_regex(r"0[0-9]{0,15}", fullmatch=True))
def test_as_text_keeps_leading_zeros_of_any_digit_string(text):
    assert V.as_text(text) == (text, None)


# ------------------------------------------------------------------ as_date


@pytest.mark.parametrize(
    "raw",
    [
        "2025-11-04",
        "11/04/2025",
        "2025-11-04 00:00:00",
        "2025-11-04T00:00:00",
        " 2025-11-04 ",
        dt.date(2025, 11, 4),
        dt.datetime(2025, 11, 4),
        dt.datetime(2025, 11, 4, 13, 30),
    ],
)
def test_as_date_accepts_common_spellings(raw):
    assert V.as_date(raw) == (dt.date(2025, 11, 4), None)


@pytest.mark.parametrize("raw", [45965, 45965.0])
def test_as_date_number_is_a_problem_not_a_guess(raw):
    value, problem = V.as_date(raw)
    assert value is None
    assert "number" in problem


@pytest.mark.parametrize(
    "raw", ["yesterday", "2025-13-01", "31/12/2025", "11.04.2025", "2025-02-30"]
)
def test_as_date_garbage_is_a_problem(raw):
    value, problem = V.as_date(raw)
    assert value is None
    assert problem and "not a date" in problem


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_as_date_blank(raw):
    assert V.as_date(raw) == (None, None)


def test_as_date_bool_is_not_a_date():
    value, problem = V.as_date(True)
    assert value is None
    assert problem


@FAST
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31)))
def test_as_date_round_trips_iso_and_us_spelling(day):
    assert V.as_date(day.isoformat()) == (day, None)
    assert V.as_date(day.strftime("%m/%d/%Y")) == (day, None)
    assert V.as_date(dt.datetime.combine(day, dt.time())) == (day, None)


# ------------------------------------------------------------------ as_bool


TRUE_SPELLINGS = ["true", "yes", "y", "1"]
FALSE_SPELLINGS = ["false", "no", "n", "0"]


def _cases(words):
    return [w for word in words for w in (word, word.upper(), word.capitalize(), f" {word} ")]


@pytest.mark.parametrize("raw", [*_cases(TRUE_SPELLINGS), True, 1, 1.0])
def test_as_bool_true(raw):
    assert V.as_bool(raw) == (True, None)


@pytest.mark.parametrize("raw", [*_cases(FALSE_SPELLINGS), False, 0, 0.0])
def test_as_bool_false(raw):
    assert V.as_bool(raw) == (False, None)


@pytest.mark.parametrize("raw", ["maybe", "2", 2, -1, "yess", "si"])
def test_as_bool_other_values_are_a_problem(raw):
    value, problem = V.as_bool(raw)
    assert value is None
    assert "yes/no" in problem


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_as_bool_blank(raw):
    assert V.as_bool(raw) == (None, None)


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12.5", 12.5), ("1,234.5", 1234.5), ("$85", 85.0), (7, 7.0), (0.6, 0.6), (" 3 ", 3.0)],
)
def test_as_number(raw, expected):
    assert V.as_number(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", True, "12 minutes"])
def test_as_number_problem(raw):
    value, problem = V.as_number(raw)
    assert value is None
    assert problem == "not a number"


@pytest.mark.parametrize("raw", [None, "", float("nan")])
def test_as_number_blank(raw):
    assert V.as_number(raw) == (None, None)


@pytest.mark.parametrize(("raw", "expected"), [("12", 12), (12.0, 12), ("12.0", 12), (0, 0)])
def test_as_int(raw, expected):
    value, problem = V.as_int(raw)
    assert (value, problem) == (expected, None)
    assert isinstance(value, int)


@pytest.mark.parametrize("raw", ["12.5", 12.5, "abc"])
def test_as_int_problem(raw):
    assert V.as_int(raw) == (None, "not a whole number")


def test_as_int_blank():
    assert V.as_int("") == (None, None)


# ------------------------------------------------------------------ codes


@pytest.mark.parametrize(
    ("raw", "allowed", "expected"),
    [
        ("f", SEXES, "F"),
        ("In Person", OUTREACH_METHODS, "in_person"),
        ("in-person", OUTREACH_METHODS, "in_person"),
        ("ENROLLED", STATUSES, "enrolled"),
        (" Pending Outreach ", STATUSES, "pending_outreach"),
        (4.0, ("4", "5"), "4"),
    ],
)
def test_as_code_returns_canonical_spelling(raw, allowed, expected):
    assert V.as_code(raw, allowed) == (expected, None)


def test_as_code_unknown_lists_the_allowed_values():
    value, problem = V.as_code("flying", ACUITY)
    assert value is None
    assert problem == "not one of the allowed values (low, medium, high)"


def test_as_code_blank():
    assert V.as_code("", ACUITY) == (None, None)
    assert V.as_code(None, ACUITY) == (None, None)


@FAST
@given(st.sampled_from(STATUSES + OUTREACH_METHODS + SEXES + ACUITY), st.data())
def test_as_code_accepts_any_allowed_value_in_any_case(value, data):
    allowed = next(t for t in (STATUSES, OUTREACH_METHODS, SEXES, ACUITY) if value in t)
    flips = data.draw(st.lists(st.booleans(), min_size=len(value), max_size=len(value)))
    spelled = "".join(c.upper() if up else c.lower() for c, up in zip(value, flips, strict=True))
    assert V.as_code(spelled, allowed) == (value, None)


def test_as_codes_normalises_dedupes_and_keeps_order():
    raw = "Homelessness; SMI_SUD;homelessness, ccs | birth_equity"
    assert V.as_codes(raw, POPULATIONS_OF_FOCUS) == (
        "homelessness;smi_sud;ccs;birth_equity",
        None,
    )


def test_as_codes_unknown_key_is_a_problem():
    value, problem = V.as_codes("homelessness;space_travel", POPULATIONS_OF_FOCUS)
    assert value is None
    assert "unknown value(s) 1" in problem


@pytest.mark.parametrize("raw", [None, "", " ; "])
def test_as_codes_blank(raw):
    assert V.as_codes(raw, POPULATIONS_OF_FOCUS) == (None, None)


# ------------------------------------------------------------------ Excel error cells


@pytest.mark.parametrize("raw", [V.CellError("#N/A"), "#N/A", " #REF! ", "#DIV/0!", "#VALUE!"])
@pytest.mark.parametrize(
    "convert", [V.as_text, V.as_date, V.as_number, lambda raw: V.as_code(raw, ("low",))]
)
def test_an_excel_error_is_a_problem_whatever_the_column(raw, convert):
    values, problems = V.convert_distinct([None, raw, None], convert)
    assert values[1] is None
    assert [index for index, _ in problems] == [1]
    assert "the Excel error #" in problems[0][1]


def test_text_that_merely_mentions_an_error_is_text():
    assert V.excel_error("#N/A please") is None
    assert V.convert_distinct(["N/A", "#na"], V.as_text) == (["N/A", "#na"], [])
