"""Per-plan tests generated from the plan configs.

Every test that asks for ``plan_kind`` (or ``rtf_plan`` / ``otf_plan`` / ``csprtf_plan``)
runs once per concrete plan and file kind the provider sends (direction ``to_plan``: RTF,
OTF, and the CSPRTF of the plans that ask a Community Supports provider for one);
``inbound_plan`` runs once per file kind a plan sends the provider (``from_plan``:
MIF, mini-MIF, TEL, which ``convert --kind`` also writes); ``golden_plan`` runs for
every kind. Ids are ``<plan>-<kind>`` (select one plan with ``pytest -k healthnet``)
and each case has the marker ``plan(<plan>)``. Each plan is converted once per
session, through the CLI, from a fixed synthetic dataset; the tests read the
workbooks back with python-calamine and openpyxl.
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from ecmx.core.calendar.periods import Period
from ecmx.core.cli.main import main
from ecmx.core.dataset.sample import PLANS, SampleData, generate, write_sample
from ecmx.core.hooks.manager import PLANS_DIR_ENV, make_plugin_manager

PERIOD = Period(2025, 11)
PRODUCTION_DATE = date(2025, 12, 3)
DATASETS = {  # name -> generate() arguments
    "conformance": {"members": 60, "seed": 7},
    "golden": {"members": 25, "seed": 11},
    "inbound": {"members": 25, "seed": 11},  # plus the referrals below
}


def plant_referrals(sample: SampleData) -> SampleData:
    """Three new referrals per plan, so every mini-MIF and TEL has rows to judge.

    Per plan: one pending-outreach member assigned in the period, one referred in the
    period with no assigned date (both new referrals), and one assigned the month
    before (on the MIF, not a new referral). The sample itself rarely refers anyone
    in the period.
    """
    members, episodes = sample.tables["members"], sample.tables["enrollments"]
    used = {m["cin"] for m in members}
    for p, plan in enumerate(PLANS):
        template = next(m for m in members if m["plan"] == plan)
        for k, (assigned, referred) in enumerate(
            (
                (PERIOD.start.replace(day=12), None),
                (None, PERIOD.start.replace(day=20)),
                (PERIOD.start.replace(month=10, day=25), PERIOD.start.replace(month=10, day=20)),
            )
        ):
            member_id = f"R{p}{k}"
            cin = f"98{p}0000{k}{'ACDEFG'[k]}"
            assert cin not in used
            members.append(
                {
                    **template,
                    "member_id": member_id,
                    "cin": cin,
                    "first_name": f"Referral{k}",
                    "last_name": "Newcomb",
                    "populations_of_focus": "homelessness;smi_sud" if k != 1 else None,
                    "phone": f"(559) 555-01{p}{k}",
                    "homeless": None,
                    "medicare_dual": None,
                }
            )
            blank = dict.fromkeys(episodes[0])
            episodes.append(
                {
                    **blank,
                    "member_id": member_id,
                    "status": "pending_outreach",
                    "assigned_date": assigned,
                    "referral_date": referred,
                }
            )
    return sample


def _builtin_registry():
    """The built-in plans only: a plans dir in the environment must not add test cases."""
    saved = os.environ.pop(PLANS_DIR_ENV, None)
    try:
        return make_plugin_manager(entry_points=False)[1]
    finally:
        if saved is not None:
            os.environ[PLANS_DIR_ENV] = saved


REGISTRY = _builtin_registry()
PLAN_KINDS = [
    (plan.id, kind)
    for plan in sorted(REGISTRY.concrete_plans(), key=lambda p: p.id)
    for kind in plan.files
]


def direction(kind: str) -> str:
    """``to_plan`` (files the provider sends) or ``from_plan`` (files a plan sends)."""
    return REGISTRY.file_kinds[kind].direction


_PARAMETERS = {  # argument -> which (plan, kind) pairs it runs for
    "plan_kind": lambda kind: direction(kind) == "to_plan",
    "rtf_plan": lambda kind: kind == "rtf",
    "otf_plan": lambda kind: kind == "otf",
    "csprtf_plan": lambda kind: kind == "csprtf",
    "inbound_plan": lambda kind: direction(kind) == "from_plan",
    "golden_plan": lambda kind: True,
}


def pytest_generate_tests(metafunc):
    for argname, wanted in _PARAMETERS.items():
        if argname in metafunc.fixturenames:
            metafunc.parametrize(
                argname,
                [
                    pytest.param(
                        (plan_id, kind), marks=pytest.mark.plan(plan_id), id=f"{plan_id}-{kind}"
                    )
                    for plan_id, kind in PLAN_KINDS
                    if wanted(kind)
                ],
            )


@dataclass
class Case:
    """One plan file converted from a known dataset, and everything needed to judge it."""

    plan: object  # PlanSpec
    kind: str
    sample: SampleData
    path: Path
    sheet: str
    rows: list[list]  # python-calamine: header row first
    ws: object  # openpyxl worksheet

    @property
    def file(self):
        return self.plan.files[self.kind]

    @property
    def layout(self):
        return self.file.layout_for(PERIOD)

    @property
    def body(self) -> list[list]:
        return self.rows[1:]

    def column(self, index: int) -> list:
        return [row[index] for row in self.body]

    def records(self) -> list[dict]:
        """Data rows keyed by header (headers are unique within a layout)."""
        return [dict(zip(self.rows[0], row, strict=True)) for row in self.body]

    def expected_name(self) -> str:
        provider = self.sample.provider
        stem = self.file.naming.format(
            facility_name=provider["facility_name"],
            file_prefix=provider["plans"][self.plan.id]["file_prefix"],
            plan=self.plan.id,
            kind=self.kind,
            period=PERIOD.start,
            period_end=PERIOD.end,
            production_date=PRODUCTION_DATE,
        )
        return f"{stem}.{self.file.format}"


@pytest.fixture(scope="session")
def registry():
    return REGISTRY


@pytest.fixture(scope="session")
def datasets(tmp_path_factory):
    """name -> (SampleData, workbook path), written once per session."""
    made = {}
    for name, options in DATASETS.items():
        sample = generate(period=PERIOD, **options)
        if name == "inbound":
            sample = plant_referrals(sample)
        path = tmp_path_factory.mktemp(f"dataset-{name}") / "dataset.xlsx"
        write_sample(sample, path)
        made[name] = (sample, path)
    return made


def _convert(dataset: Path, plan_id: str, kind: str, out: Path) -> tuple[int, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    argv = [
        "convert", str(dataset), "--plan", plan_id, "--kind", kind, "--period", str(PERIOD),
        "--out", str(out), "--production-date", PRODUCTION_DATE.isoformat(),
    ]  # fmt: skip
    with (
        pytest.MonkeyPatch.context() as mp,
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        mp.delenv(PLANS_DIR_ENV, raising=False)
        try:
            main(argv)
        except SystemExit as exc:
            return (exc.code or 0), stdout.getvalue() + stderr.getvalue()
    raise AssertionError("ecmx main() returned instead of exiting")


@pytest.fixture(scope="session")
def converted(datasets, tmp_path_factory):
    """``converted(dataset_name, plan_id, kind="all") -> out folder``: CLI conversions, cached."""
    cache: dict[tuple[str, str, str], Path] = {}

    def get(name: str, plan_id: str, kind: str = "all") -> Path:
        key = (name, plan_id, kind)
        if key not in cache:
            out = tmp_path_factory.mktemp(f"{name}-{plan_id}-{kind}")
            code, output = _convert(datasets[name][1], plan_id, kind, out)
            assert code == 0, (
                f"ecmx convert --plan {plan_id} --kind {kind} exited {code}:\n{output}"
            )
            cache[key] = out
        return cache[key]

    return get


@pytest.fixture(scope="session")
def case_for(datasets, converted, registry):
    """``case_for(dataset_name, plan_id, kind) -> Case``, read once per session."""
    cache: dict[tuple[str, str, str], Case] = {}

    def get(name: str, plan_id: str, kind: str) -> Case:
        key = (name, plan_id, kind)
        if key not in cache:
            # the conformance files the provider sends come from one run per plan (--kind
            # all writes those only), golden ones from one run per file, so a plan's broken
            # file cannot hide its other file; files a plan sends: one run for every plan's
            # MIF (--plan all --kind mif), one per plan for a mini-MIF or TEL
            if direction(kind) == "from_plan":
                out = converted(name, *(("all", kind) if kind == "mif" else (plan_id, kind)))
            else:
                out = converted(name, plan_id, "all" if name == "conformance" else kind)
            plan = registry.plan(plan_id)
            sample = datasets[name][0]
            probe = Case(plan, kind, sample, out, "", [], None)
            path = out / probe.expected_name()
            assert path.is_file(), f"{path.name} not written; found {sorted(os.listdir(out))}"
            book = CalamineWorkbook.from_path(str(path))
            assert len(book.sheet_names) == 1, book.sheet_names
            sheet = book.sheet_names[0]
            rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            ws = openpyxl.load_workbook(path).worksheets[0]
            cache[key] = Case(plan, kind, sample, path, sheet, rows, ws)
        return cache[key]

    return get


@pytest.fixture
def case(plan_kind, case_for):
    return case_for("conformance", *plan_kind)


@pytest.fixture
def rtf_case(rtf_plan, case_for):
    return case_for("conformance", *rtf_plan)


@pytest.fixture
def otf_case(otf_plan, case_for):
    return case_for("conformance", *otf_plan)


@pytest.fixture
def csprtf_case(csprtf_plan, case_for):
    return case_for("conformance", *csprtf_plan)


@pytest.fixture
def inbound_case(inbound_plan, case_for):
    return case_for("inbound", *inbound_plan)


@pytest.fixture
def golden_case(golden_plan, case_for):
    """The golden dataset's file; a file a plan sends comes from the one with referrals."""
    plan_id, kind = golden_plan
    return case_for("inbound" if direction(kind) == "from_plan" else "golden", plan_id, kind)
