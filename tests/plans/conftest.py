"""Per-plan tests generated from the plan configs.

Every test that asks for ``plan_kind`` (or ``rtf_plan`` / ``otf_plan`` / ``csprtf_plan``)
runs once per concrete plan and file kind the provider sends (direction ``to_plan``: RTF,
OTF, and the CSPRTF of the plans that ask a Community Supports provider for one);
``inbound_plan`` runs once per file kind a plan sends the provider (``from_plan``:
MIF, mini-MIF, TEL, which ``convert --kind`` also writes); ``referral_plan`` once per plan
with a referral file (Partnership), made by ``convert --kind referral`` from a dataset with
community referrals, as ``plan_kind`` is for that kind; ``golden_plan`` runs for every kind. Ids are ``<plan>-<kind>`` (select one plan with ``pytest -k healthnet``)
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
from ecmx.core.dataset import canonical
from ecmx.core.dataset.sample import PLANS, SampleData, generate, write_sample
from ecmx.core.hooks.manager import PLANS_DIR_ENV, make_plugin_manager

PERIOD = Period(2025, 11)
PRODUCTION_DATE = date(2025, 12, 3)
DATASETS = {  # name -> generate() arguments
    "conformance": {"members": 60, "seed": 7},
    "golden": {"members": 25, "seed": 11},
    "inbound": {"members": 25, "seed": 11},  # plus the referrals below
    "referral": {"members": 25, "seed": 11},  # plus those, and the community referrals below
}
# The community referrals plant_community_referrals adds, per plan: (status, referral date,
# assigned date, on the plan's ingested TEL, populations of focus, homeless, Medicare dual).
# The first two are on the referral file; the other two the plan has assigned (R002).
COMMUNITY_REFERRALS = (
    ("pending_outreach", date(2025, 11, 5), None, False, "homelessness", True, False),
    ("outreach", date(2025, 11, 18), None, False, "smi_sud;pregnant_postpartum", None, True),
    ("pending_outreach", date(2025, 11, 7), date(2025, 11, 9), False, "ccs", None, None),
    ("outreach", date(2025, 11, 2), None, True, "child_welfare", None, None),
)


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


def plant_community_referrals(sample: SampleData) -> SampleData:
    """Members each plan's provider found and referred in the period (COMMUNITY_REFERRALS),
    with a ZIP and phone that start with 0 (leading zeros must survive), a lead care manager,
    and the last one on the plan's roster as an ingested TEL would leave it."""
    members, episodes = sample.tables["members"], sample.tables["enrollments"]
    rosters = sample.tables["plan_rosters"]
    for p, plan in enumerate(PLANS):
        template = next(m for m in members if m["plan"] == plan)
        for k, (status, referred, assigned, on_tel, pof, homeless, dual) in enumerate(
            COMMUNITY_REFERRALS
        ):
            member_id, cin = f"Q{p}{k}", f"97{p}0000{k}{'ACDEFG'[k]}"
            members.append(
                {**template, "member_id": member_id, "cin": cin, "first_name": f"Found{k}",
                 "last_name": "Community", "populations_of_focus": pof, "homeless": homeless,
                 "medicare_dual": dual, "zip": f"0950{k}", "phone": f"(070) 555-02{p}{k}"}
            )  # fmt: skip
            episodes.append(
                {**dict.fromkeys(episodes[0]), "member_id": member_id, "status": status,
                 "referral_date": referred, "assigned_date": assigned,
                 "lead_care_manager_name": "Ana Ruiz", "lead_care_manager_phone": "(707) 555-0199"}
            )  # fmt: skip
            if on_tel:
                rosters.append({"plan": plan, "kind": "tel", "cin": cin,
                                "received": date(2025, 11, 6), "source_file": "tel.xlsx", "service": None})  # fmt: skip
    return sample


def plant_community_supports(sample: SampleData) -> SampleData:
    """Community Supports pairs for each plan's planted referrals, so every CSASF has rows.

    Per plan: Referral0 has two services (one authorized, its number with leading zeros;
    one requested), Referral1 one potential (no authorization yet), Referral2 one closed
    (resolved: not on the CSASF). Added beside any CS rows the sample has of its own.
    """
    rows = sample.tables.setdefault("community_supports", [])
    blank = dict.fromkeys(canonical.COMMUNITY_SUPPORTS.names)
    for p, _ in enumerate(PLANS):
        for k, service, status in (
            (0, "housing_transition_navigation", "authorized"),
            (0, "housing_deposits", "requested"),
            (1, "medically_tailored_meals", "potential"),
            (2, "recuperative_care", "closed"),
        ):
            authorized = status in ("authorized", "closed")
            rows.append(
                {
                    **blank,
                    "member_id": f"R{p}{k}",
                    "service": service,
                    "status": status,
                    "authorization_number": f"000{p}{k}7" if authorized else None,
                    "authorization_start": PERIOD.start.replace(month=10) if authorized else None,
                    "authorization_end": PERIOD.end.replace(year=2026) if authorized else None,
                    "units_authorized": 12 if authorized else None,
                    "referral_date": PERIOD.start.replace(day=3 + k),
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


def on_request(kind: str) -> bool:
    """A file the provider sends only when asked for by name (not ``--kind all``): made from
    the dataset with community referrals, the only one that gives it rows."""
    return direction(kind) == "to_plan" and not REGISTRY.file_kinds[kind].in_all


def per_member(kind: str) -> bool:
    return REGISTRY.file_kinds[kind].one_row_per_member


_PARAMETERS = {  # argument -> which (plan, kind) pairs it runs for
    "plan_kind": lambda kind: direction(kind) == "to_plan",
    "rtf_plan": lambda kind: kind == "rtf",
    "otf_plan": lambda kind: kind == "otf",
    # files a plan sends: any of them (the layout), one row per member (MIF, mini-MIF, TEL),
    # one row per member and CS service (CSASF)
    "any_inbound_plan": lambda kind: direction(kind) == "from_plan",
    "inbound_plan": lambda kind: direction(kind) == "from_plan" and per_member(kind),
    "pair_plan": lambda kind: direction(kind) == "from_plan" and not per_member(kind),
    "referral_plan": lambda kind: kind == "referral",
    "csprtf_plan": lambda kind: kind == "csprtf",
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
        if name in ("inbound", "referral"):
            sample = plant_referrals(sample)
        if name == "inbound":
            sample = plant_community_supports(sample)
        if name == "referral":
            sample = plant_community_referrals(sample)
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
    return case_for("referral" if on_request(plan_kind[1]) else "conformance", *plan_kind)


@pytest.fixture
def referral_case(referral_plan, case_for):
    return case_for("referral", *referral_plan)


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
def any_inbound_case(any_inbound_plan, case_for):
    return case_for("inbound", *any_inbound_plan)


@pytest.fixture
def pair_case(pair_plan, case_for):
    return case_for("inbound", *pair_plan)


@pytest.fixture
def golden_case(golden_plan, case_for):
    """The golden dataset's file; a file a plan sends comes from the one with referrals."""
    plan_id, kind = golden_plan
    if on_request(kind):
        return case_for("referral", plan_id, kind)
    return case_for("inbound" if direction(kind) == "from_plan" else "golden", plan_id, kind)
