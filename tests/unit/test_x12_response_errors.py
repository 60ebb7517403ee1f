"""What is not a response, or a broken one, is one line naming the file, the segment and
the fix, with no member data in it; and every payer code ecmx puts in words cites its
public source and never guesses (core.billing.responses).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecmx.core.billing.responses import codes
from ecmx.core.billing.responses.read import read_responses
from ecmx.core.errors import InputError
from tests.x12_response_samples import MAKERS, MEMBER, file_277, file_835, file_999, write
from tests.x12_responses import Claim835, remit_835, render


# ----------------------------------------------------------------------- malformed files
def _one_line_error(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_responses(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    assert MEMBER not in message and "ZZ3-2511-01" not in message  # member data stays out
    return message


BROKEN = {
    "an amount that is not a number": (
        file_835,
        "*75.00*0**MC*",
        "*75.00*O**MC*",
        "segment 23 (CLP): CLP04 (the claim's payment) is not an amount: 'O'",
    ),
    "an amount Decimal would take but X12 would not": (
        file_835,
        "*75.00*0**MC*",
        "*75.00*NaN**MC*",
        "CLP04 (the claim's payment) is not an amount",
    ),
    "a date that is not a date": (
        file_835,
        "DTM*472*20251112",
        "DTM*472*20251332",
        "segment 21 (DTM): DTM02 (the service date) is not a date (CCYYMMDD): '20251332'",
    ),
    "a missing BPR": (file_835, "BPR*", "XYZ*", "has no BPR segment; the file is cut short"),
    "a missing AK9": (file_999, "AK9*P*2*2*1~", "", "has no AK9 segment"),
    "an AK2 with no IK5": (
        file_999,
        "IK5*A~",
        "",
        "segment 10 (AK9): the AK2 at segment 9 has no IK5",
    ),
    "a claim with no status": (
        file_277,
        "STC*A7:164:IL",
        "XXX*A7:164:IL",
        "a claim (TRN*2) with no status (STC) after it",
    ),
    "an empty CLM01 in the 277CA": (
        file_277,
        "TRN*2*ZZ2-2511-01",
        "TRN*2*",
        "TRN02 (the claim's CLM01) is empty",
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=BROKEN)
def test_a_malformed_response_is_one_line_naming_file_segment_and_fix(tmp_path, case):
    make, old, new, expected = BROKEN[case]
    text = make()
    assert old in text
    message = _one_line_error(write(tmp_path, text.replace(old, new, 1)))
    assert expected in message


def test_a_file_cut_short_is_one_line(tmp_path):
    text = file_835()
    message = _one_line_error(write(tmp_path, text[: text.index("CLP*ZZ3")]))
    assert "cut short" in message


def test_a_file_that_is_not_x12_is_one_line(tmp_path):
    assert "not an X12 file" in _one_line_error(write(tmp_path, "CLAIM,PAID\n1,2\n"))


# -------------------------------------------------------------------------- code meanings
def test_an_unknown_code_says_so_and_never_guesses():
    assert codes.meaning("carc", "Z99") == "code Z99 (not in ecmx's list: see X12's code list)"
    assert codes.remark("N9999").startswith("code N9999 (not in ecmx's list")
    assert "a code X12 has deactivated" in codes.meaning("carc", "15")


@pytest.mark.parametrize("code_list", codes.LISTS)
def test_each_code_list_cites_its_public_source(code_list):
    assert "x12.org/codes" in codes.source(code_list)
    assert codes.known(code_list)


BRIEF_CARCS = "1 2 3 4 5 6 15 16 18 22 23 24 26 27 29 31 45 50 96 97 109 119 150 151 167 170 " \
              "185 197 204 242 252 253 254".split()  # fmt: skip
BRIEF_RARCS = "N4 N30 N130 N290 M15 M51 M76 M77 MA04 MA130 N56 N362 N517 N54".split()


def test_the_codes_ecm_remittances_carry_have_meanings():
    assert set(BRIEF_CARCS) <= set(codes.known("carc"))
    assert set(BRIEF_RARCS) <= set(codes.known("rarc"))
    assert set("A E M P R W X".split()) <= set(codes.known("ack_group"))
    assert {f"A{n}" for n in range(9)} | {f"E{n}" for n in range(5)} <= set(
        codes.known("status_category")
    )
    assert set(codes.known("adjustment_group")) == {"CO", "PR", "OA", "PI", "CR"}


def test_a_transaction_whose_se_is_lost_is_not_read_into_the_next(tmp_path):
    bodies = [
        remit_835([Claim835("A1", "1", "10", "10", "P1")], "10", trace="EFT1"),
        remit_835([Claim835("A2", "1", "20", "20", "P2")], "20", trace="EFT2"),
    ]
    text = render("HP", "005010X221A1", bodies)
    first_se = text.index("SE*")
    cut = text[:first_se] + text[text.index("~", first_se) + 1 :]
    assert "transaction 0001 has no SE (the file is cut short)" in _one_line_error(
        write(tmp_path, cut)
    )


def test_the_837p_ecmx_writes_is_refused_as_a_claim_file():
    golden = sorted((Path(__file__).parents[1] / "golden").glob("*_837p.837"))
    assert golden, "the golden 837P files are missing"
    with pytest.raises(InputError, match=r"segment 3 \(ST\): this is a claim file \(837\)"):
        read_responses(golden[0])


# ------------------------------------------------------------- no traceback, whatever comes
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(sorted(MAKERS)),
    cut=st.floats(0, 1),
    segment=st.integers(0, 60),
    element=st.integers(1, 12),
    value=st.text(alphabet="0123456789.-:*~ABCDEFGHIJKLMNOPQRSTUVWXYZ^", max_size=12),
    how=st.sampled_from(["replace an element", "drop a segment", "cut the file"]),
)  # fmt: skip
def test_a_damaged_response_reads_or_fails_in_one_line(tmp_path, kind, cut, segment, element,
                                                       value, how):  # fmt: skip
    segments = MAKERS[kind]().split("~")
    at = 3 + segment % max(1, len(segments) - 6)  # past ISA, GS, ST; before SE, GE, IEA
    if how == "replace an element":
        parts = segments[at].split("*")
        parts[min(element, len(parts) - 1)] = value
        segments[at] = "*".join(parts)
    elif how == "drop a segment":
        del segments[at]
    text = "~".join(segments)
    if how == "cut the file":
        text = text[: int(len(text) * cut)]
    path = write(tmp_path, text)
    try:
        read_responses(path)
    except InputError as err:
        assert "\n" not in str(err) and str(path) in str(err)
