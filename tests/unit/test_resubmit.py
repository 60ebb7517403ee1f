"""Replacement and void claims (core/billing/resubmit.py) and their 837P: CLM05-3 and
REF*F8, checked by pyx12 for every plan; the ``--claim CLM01=NUMBER`` arguments."""

from __future__ import annotations

import datetime as dt

import pytest

from ecmx.core.billing.claims import FREQUENCIES
from ecmx.core.billing.coding import Separators
from ecmx.core.billing.resubmit import choose, resubmission
from ecmx.core.billing.x12 import Control, parties_for, render_837p
from ecmx.core.calendar.periods import Period
from ecmx.core.dataset.read import read_dataset
from ecmx.core.dataset.sample import PLANS, generate, write_sample
from ecmx.core.errors import InputError
from ecmx.core.jobs.claims import _code_plan
from tests.pyx12_check import pyx12_report

PERIOD = Period(2025, 11)
CREATED = dt.datetime(2025, 12, 3, 9, 30)


def segments(text: str, sep: Separators | None = None) -> list[list[str]]:
    sep = sep or Separators()
    return [s.split(sep.element) for s in text.split(sep.segment)[:-1]]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "data"
    write_sample(generate(members=30, seed=5, period=PERIOD), path)
    return read_dataset(path)


def test_arguments_are_read_in_order_upper_cased_and_void_is_8():
    wanted = resubmission([" m1-2511-1 = HN-1 ", "M2-2511-1=77"], void=True)
    assert wanted.frequency == "8" and wanted.label == "void"
    assert wanted.payer_numbers == (("M1-2511-1", "HN-1"), ("M2-2511-1", "77"))
    assert resubmission(["A=B"], void=False).label == "replacement"
    assert FREQUENCIES["7"] == "replacement"


def test_a_bare_clm01_leaves_the_number_to_the_ledger_and_choose_refuses_it_empty():
    wanted = resubmission(["m1-2511-1", "M2-2511-1=77"], void=False)
    assert wanted.payer_numbers == (("M1-2511-1", ""), ("M2-2511-1", "77"))
    with pytest.raises(InputError, match="--claim #1: expected CLM01=PAYERNUMBER"):
        choose([], resubmission(["M1"], void=False), "plan", "*:^~")


@pytest.mark.parametrize(
    "pairs", [[], ["A="], ["=B"], ["A=B", "a=C"], ["A", "a"], ["A=" + "x" * 51]]
)
def test_a_bad_argument_is_an_input_error(pairs):
    with pytest.raises(InputError, match="--claim"):
        resubmission(pairs, void=False)


@pytest.mark.parametrize("plan_id", PLANS)
@pytest.mark.parametrize("void", [False, True])
def test_every_plans_replacement_and_void_pass_pyx12(sample, plugins, plan_id, void):
    result = _code_plan(plugins, sample, plugins[1].plan(plan_id), PERIOD, CREATED.date(), False)
    first, *_ = result.claims
    last = result.claims[-1]
    wanted = resubmission([f"{last.control_number}=PAY-1", f"{first.control_number}=PAY-2"], void)
    chosen = choose(result.claims, wanted, plan_id, result.spec.separators.all())
    assert [c.control_number for c in chosen] == [last.control_number, first.control_number]
    text = render_837p(
        chosen,
        parties_for(sample.provider, result.plan, result.spec),
        result.spec,
        Control(interchange=9, group=9),
        CREATED,
    )
    assert pyx12_report(text) is None
    parsed = segments(text, result.spec.separators)
    after_clm = [parsed[i + 1] for i, seg in enumerate(parsed) if seg[0] == "CLM"]
    assert [seg[:3] for seg in after_clm] == [["REF", "F8", "PAY-1"], ["REF", "F8", "PAY-2"]]
    code = "8" if void else "7"
    component = result.spec.separators.component
    assert all(seg[5].endswith(f"{component}B{component}{code}") for seg in parsed
               if seg[0] == "CLM")  # fmt: skip


def test_an_original_claim_has_no_ref_f8(sample, plugins):
    result = _code_plan(plugins, sample, plugins[1].plan("chwp"), PERIOD, CREATED.date(), False)
    text = render_837p(
        result.claims,
        parties_for(sample.provider, result.plan, result.spec),
        result.spec,
        Control(interchange=9, group=9),
        CREATED,
    )
    assert "REF*F8" not in text
    assert all(s[5].endswith(":B:1") for s in segments(text) if s[0] == "CLM")
