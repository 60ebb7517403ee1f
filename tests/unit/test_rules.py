"""The validation engine (core.rules): field rules, business rules, per-plan overrides,
rules added by a plugin, and the fast path against its Cerberus reference.

Each rule runs on a ``Target`` built by hand: a few rows in a plan's layout (``frame``,
cells as the plan sees them) and/or canonical ``fields``, with the file rows and column
letters a real file would have, so every finding's cell (``RTF!S7``) can be checked.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import math
import string
import textwrap
from types import SimpleNamespace

import pandas as pd
import pluggy
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ecmx.core import hookspecs
from ecmx.core.calendar.periods import Period
from ecmx.core.checks.business import BUSINESS_RULES, DATE_FIELDS
from ecmx.core.checks.codes import STAGE_CODES
from ecmx.core.checks.field import FIELD_RULES
from ecmx.core.checks.findings import Finding, column_letter
from ecmx.core.checks.reference import reference_findings
from ecmx.core.checks.rules import Hit, Rule, Target, apply_overrides, run_rules
from ecmx.core.dataset.identifiers import npi_check_digit
from ecmx.core.errors import ConfigError
from ecmx.core.files.convert import convert
from ecmx.core.hooks.manager import BUILTIN_PLUGINS, fill_registry
from ecmx.core.hooks.registry import Registry
from ecmx.core.hookspecs import hookimpl
from ecmx.core.plans.spec import ColumnSpec, Layout, RuleOverride

NOV = Period(2025, 11)
MADE = dt.date(2025, 12, 3)
RULES = {rule.code: rule for rule in (*FIELD_RULES, *BUSINESS_RULES)}

CIN = "Member Client Index Number (CIN)"
ZIP = "Zip"
PHONE = "Member Phone Number"
NPI = "ECM Provider NPI"
LCM_PHONE = "ECM Lead Care Manager Phone Number"
CITY = "City"
# Where the Health Net RTF (layout 2025.7) puts the columns the rules point at.
RTF_LETTERS = {
    CIN: "C",
    CITY: "I",
    ZIP: "K",
    PHONE: "M",
    "Member ECM Status": "P",
    "ECM Enrollment Start Date": "R",
    "ECM Enrollment End Date": "S",
    "Date Assessment Started": "V",
    "Date of Most Recent Completed Assessment": "W",
    "ECM Lead Care Manager Name": "Y",
    LCM_PHONE: "Z",
    "Discontinuation Date": "AB",
    NPI: "AJ",
}


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@pytest.fixture(scope="module")
def healthnet(plugins):
    return plugins[1].plan("healthnet")


def make_target(plan, rows=(), fields=(), *, kind="rtf", layout=None, first_row=2, **options):
    """A Target of ``rows`` ({header: cell}) and/or ``fields`` ({field: value}), one per row.

    Column letters are the layout's (as ``convert`` writes it), file rows start at
    ``first_row``; ``options`` go to Target (production_date defaults to 2025-12-03).
    """
    layout = layout or plan.files[kind].layout_for(NOV)
    rows, fields = list(rows), list(fields)
    count = len(rows) or len(fields)
    frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(index=range(count))
    canonical = pd.DataFrame(fields) if fields else pd.DataFrame(index=range(count))
    for name in canonical.columns:
        if name in DATE_FIELDS:
            canonical[name] = pd.to_datetime(canonical[name])
    options.setdefault("production_date", MADE)
    return Target(
        plan,
        kind,
        layout,
        frame,
        canonical,
        list(range(first_row, first_row + count)),
        {c.header: column_letter(i) for i, c in enumerate(layout.columns)},
        plan.files[kind].sheet if kind in plan.files else "Sheet",
        file="test.xlsx",
        **options,
    )


def found(code: str, target: Target) -> list[Finding]:
    return run_rules([RULES[code]], target)


def places(findings) -> list[tuple[str, int, str]]:
    return [(f.code, f.row, f.cell) for f in findings]


# ------------------------------------------------------------------ the rules registered


def test_every_builtin_rule_is_registered_once_with_its_metadata(plugins):
    _, registry = plugins
    assert set(RULES) <= set(registry.rules)
    assert {"L001", "L002", "L006", "L007", "L008", "L009", "L010"} == {r.code for r in FIELD_RULES}
    assert {*(f"B{n:03d}" for n in range(1, 10)), "O001"} == {r.code for r in BUSINESS_RULES}
    for rule in registry.rules.values():
        assert rule.severity in ("error", "warning", "info"), rule.code
        assert rule.layer in ("field", "business", "cross_file", "billing"), rule.code
        assert rule.title and rule.hint and rule.source, rule.code
        assert rule.kinds, rule.code


def test_the_findings_doc_lists_every_rule_with_its_severity(plugins):
    """docs/findings.md is the user's list of codes: it names each rule as registered."""
    from pathlib import Path

    doc = Path(__file__).parents[2] / "docs" / "findings.md"
    rows = {}
    for line in doc.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and len(cells[0]) == 4 and cells[0][1:].isdigit():
            rows[cells[0]] = cells[1]
    for code, rule in plugins[1].rules.items():
        assert rows.get(code) == rule.severity, code
    assert {code.code for code in STAGE_CODES} <= set(rows)


def test_a_rule_code_registered_twice_is_a_config_error():
    registry = Registry()
    registry.add_rule(RULES["L001"])
    with pytest.raises(ConfigError, match="rule 'L001' is registered twice"):
        registry.add_rule(RULES["L001"])


# ------------------------------------------------------------------ field rules

FIELD_CASES = [
    # code, header, cell, fires
    ("L001", CIN, "", True),
    ("L001", CIN, None, True),
    ("L001", CIN, "   ", True),
    ("L001", CIN, math.nan, True),
    ("L001", CIN, "91234567A", False),
    ("L001", CITY, "", False),  # City is not required
    ("L002", CIN, "91234567AB", True),  # 10 characters, max_length 9
    ("L002", CIN, "91234567A", False),
    ("L002", CIN, "  91234567A  ", False),  # surrounding spaces are not counted
    ("L006", CIN, "12345", True),
    ("L006", CIN, "81234567A", True),  # must start with 9
    ("L006", CIN, "9123456A", True),  # six digits
    ("L006", CIN, "912345678", True),  # no letter
    ("L006", CIN, "91234567AB", True),
    ("L006", CIN, "91234567A", False),
    ("L006", CIN, "91234567B", False),  # a shape problem only; the letter is L007's
    ("L006", CIN, "", False),  # blank is L001's
    ("L007", CIN, "91234567B", True),
    ("L007", CIN, "91234567S", True),
    ("L007", CIN, "91234567A", False),
    ("L007", CIN, "1234567B", False),  # not a CIN at all: L006 only
    ("L008", NPI, "1234567893", False),
    ("L008", NPI, "1234567890", True),  # wrong check digit
    ("L008", NPI, "123456789", True),
    ("L008", NPI, "12345678931", True),
    ("L008", NPI, "123456789X", True),
    ("L008", NPI, "", False),  # blank is L001's
    ("L009", ZIP, "93721", False),
    ("L009", ZIP, "01234", False),
    ("L009", ZIP, "93721-1234", False),
    ("L009", ZIP, "937211234", False),
    ("L009", ZIP, "9372", True),
    ("L009", ZIP, "937212", True),
    ("L009", ZIP, "93721-12", True),
    ("L009", ZIP, "ABCDE", True),
    ("L010", PHONE, "5595550100", False),
    ("L010", PHONE, "(559) 555-0100", False),
    ("L010", PHONE, "559.555.0100", False),
    ("L010", PHONE, "555-0100", True),
    ("L010", PHONE, "15595550100", True),
    ("L010", LCM_PHONE, "559555010", True),
    ("L010", PHONE, "", False),
]


@pytest.mark.parametrize(("code", "header", "cell", "fires"), FIELD_CASES)
def test_field_rule_on_one_cell(healthnet, code, header, cell, fires):
    target = make_target(healthnet, [{header: cell}], first_row=7)
    findings = found(code, target)
    if not fires:
        assert findings == []
        return
    (finding,) = findings
    rule = RULES[code]
    assert (finding.code, finding.severity, finding.source) == (code, rule.severity, rule.source)
    assert (finding.plan, finding.kind, finding.file, finding.sheet) == (
        "healthnet",
        "rtf",
        "test.xlsx",
        "RTF",
    )
    assert (finding.row, finding.column) == (7, header)
    assert finding.cell == f"RTF!{RTF_LETTERS[header]}7"
    assert finding.hint == rule.hint
    assert header in finding.message
    if isinstance(cell, str):
        assert finding.value == cell.strip()  # a cell of spaces reads as blank


def test_field_rule_severities(healthnet):
    assert {code: RULES[code].severity for code in RULES if code.startswith("L")} == {
        "L001": "error",
        "L002": "error",
        "L006": "error",
        "L007": "warning",
        "L008": "error",
        "L009": "error",
        "L010": "warning",
    }


def test_a_field_rule_reports_every_row_of_a_repeated_bad_value(healthnet):
    cins = ["91234567A", "12345", "12345", "", "9123", "91234567C"]
    target = make_target(healthnet, [{CIN: c} for c in cins], first_row=2)
    assert places(found("L006", target)) == [
        ("L006", 3, "RTF!C3"),
        ("L006", 4, "RTF!C4"),
        ("L006", 6, "RTF!C6"),
    ]
    assert places(found("L001", target)) == [("L001", 5, "RTF!C5")]


def test_field_rules_are_quiet_on_a_clean_row(healthnet):
    layout = healthnet.files["rtf"].layout_for(NOV)
    row = dict.fromkeys(layout.headers, "x")
    row.update(
        {
            CIN: "91234567A",
            ZIP: "93721-1234",
            PHONE: "(559) 555-0100",
            LCM_PHONE: "5595550101",
            "ECM Provider Phone Number": "559-555-0102",
            NPI: "1234567893",
        }
    )
    blank_optional = {c.header: None for c in layout.columns if not c.required and c.field}
    for rows in ([row], [{**row, **blank_optional}]):
        assert run_rules(FIELD_RULES, make_target(healthnet, rows)) == []


def test_field_rules_follow_the_layout_not_fixed_headers(healthnet):
    """Any column whose field is an NPI or phone, or that is required or length-capped."""
    layout = Layout(
        "t",
        dt.date(2020, 1, 1),
        (
            ColumnSpec("Rendering NPI", field="rendering_npi"),
            ColumnSpec("Care Manager Phone", field="lead_care_manager_phone"),
            ColumnSpec("Postal", field="zip"),
            ColumnSpec("Medi-Cal ID", field="cin"),
            ColumnSpec("Notes", max_length=5),
            ColumnSpec("Must Have", required=True),
        ),
    )
    bad = {
        "Rendering NPI": "1234567890",
        "Care Manager Phone": "555",
        "Postal": "9",
        "Medi-Cal ID": "X",
        "Notes": "too long",
        "Must Have": "",
    }
    good = {
        "Rendering NPI": "1234567893",
        "Care Manager Phone": "5595550100",
        "Postal": "93721",
        "Medi-Cal ID": "91234567A",
        "Notes": "short",
        "Must Have": "yes",
    }
    target = make_target(healthnet, [good, bad], layout=layout, first_row=10)
    findings = run_rules(FIELD_RULES, target)
    assert sorted((f.code, f.cell) for f in findings) == [
        ("L001", "RTF!F11"),
        ("L002", "RTF!E11"),
        ("L006", "RTF!D11"),
        ("L008", "RTF!A11"),
        ("L009", "RTF!C11"),
        ("L010", "RTF!B11"),
    ]


def test_a_column_the_file_lacks_is_not_checked(healthnet):
    """A layout column that is not in the frame (a file read back without it) is skipped."""
    target = make_target(healthnet, [{CITY: "Fresno"}])
    assert run_rules(FIELD_RULES, target) == []


def test_numbers_a_spreadsheet_stored_are_read_as_their_digits(healthnet):
    row = {ZIP: 93721.0, NPI: 1234567893.0, PHONE: 5595550100.0, CIN: "91234567A"}
    assert run_rules(FIELD_RULES, make_target(healthnet, [row])) == []


def test_an_npi_of_non_ascii_digits_is_a_finding_not_a_crash(healthnet):
    target = make_target(healthnet, [{NPI: "²" * 10}], first_row=4)
    assert places(found("L008", target)) == [("L008", 4, "RTF!AJ4")]


# ------------------------------------------------------------------ business rules


def test_b001_an_enrollment_ending_before_it_starts(healthnet):
    target = make_target(
        healthnet,
        fields=[
            {"enrollment_start": day("2025-10-01"), "enrollment_end": day("2025-09-30")},
            {"enrollment_start": day("2025-10-01"), "enrollment_end": day("2025-10-01")},
            {"enrollment_start": day("2025-10-01"), "enrollment_end": None},
            {"enrollment_start": None, "enrollment_end": day("2025-10-01")},
        ],
        first_row=7,
    )
    (finding,) = found("B001", target)
    assert (finding.severity, finding.row, finding.cell) == ("error", 7, "RTF!S7")
    assert finding.column == "ECM Enrollment End Date"
    assert finding.source == "an enrollment cannot end before it starts"
    assert finding.message == "the ECM enrollment ends before it starts"


def test_b001_is_skipped_when_the_file_lacks_a_date(healthnet):
    target = make_target(healthnet, fields=[{"enrollment_start": day("2025-10-01")}])
    assert found("B001", target) == []


def exits(*rows):
    """Canonical rows: status, start, end, discontinuation date."""
    return [
        {
            "ecm_status": status,
            "enrollment_start": start and day(start),
            "enrollment_end": end and day(end),
            "discontinuation_date": disc and day(disc),
        }
        for status, start, end, disc in rows
    ]


def test_b002_declined_after_enrolling(healthnet):
    target = make_target(
        healthnet,
        fields=exits(
            ("declined", "2025-03-01", None, None),  # no end date
            ("declined", "2025-03-01", "2025-11-09", "2025-11-09"),  # has a discontinuation date
            ("declined", "2025-03-01", "2025-11-09", None),  # right
            ("declined", None, None, "2025-11-09"),  # never enrolled: B003's business
            ("disenrolled", "2025-03-01", None, None),  # not declined
            ("enrolled", "2025-03-01", None, None),
        ),
        first_row=2,
    )
    findings = found("B002", target)
    assert places(findings) == [("B002", 2, "RTF!S2"), ("B002", 3, "RTF!AB3")]
    assert [f.severity for f in findings] == ["error", "error"]
    assert "needs the enrollment end date" in findings[0].message
    assert findings[0].hint == RULES["B002"].hint
    assert findings[1].hint == "move the date to the enrollment end date"
    # the source by its title, never by a file number
    assert all(
        f.source.startswith("'CalAIM Resources for Providers and CalAIM FAQ' FAQ") for f in findings
    )


def test_b003_excluded_without_enrolling(healthnet):
    target = make_target(
        healthnet,
        fields=exits(
            ("unable_to_contact", None, None, None),  # no discontinuation date
            ("declined", None, "2025-11-09", "2025-11-09"),  # an end date without enrolling
            ("ineligible", None, None, "2025-11-09"),  # right
            ("outreach", None, None, None),  # not an exit
            ("disenrolled", "2025-01-01", "2025-06-30", None),  # enrolled once: not B003
        ),
        first_row=2,
    )
    findings = found("B003", target)
    assert places(findings) == [("B003", 2, "RTF!AB2"), ("B003", 3, "RTF!S3")]
    assert "needs the discontinuation date" in findings[0].message
    assert findings[1].hint == "move the date to the discontinuation date"


# B004 (seed 002): before an exclusion for inability to contact, outreach lasted 90
# calendar days from the first attempt, at least 5 times, over at least 3 modalities.
ENDED = "2025-11-20"
ATTEMPTS = {
    "A1": [("2025-08-15", "phone"), ("2025-09-15", "text"), ("2025-10-01", "mail"),
           ("2025-10-20", "phone"), ("2025-11-10", "text")],  # 5 over 3 in 97 days: ok
    "A2": [("2025-08-01", "phone"), ("2025-09-15", "text"), ("2025-10-01", "mail"),
           ("2025-11-10", "phone")],  # only 4 attempts
    "A3": [("2025-08-01", "phone"), ("2025-09-15", "text"), ("2025-10-01", "phone"),
           ("2025-10-20", "text"), ("2025-11-10", "phone")],  # only 2 modalities
    "A4": [("2025-03-01", "mail"), ("2025-03-15", "in_person"), ("2025-10-01", "phone"),
           ("2025-10-20", "text"), ("2025-11-10", "phone")],  # over months: ok
    "A5": [("2025-10-01", "phone"), ("2025-10-15", "text"), ("2025-11-01", "mail"),
           ("2025-11-25", "phone"), ("2025-11-28", "email")],  # 2 after the exclusion
    "A6": [],  # none at all
    "A7": [("2025-11-01", "phone"), ("2025-11-02", "text")],  # disenrolled, reason: unable
    "A8": [],  # enrolled: not excluded
    "A9": [("2025-08-24", "phone"), ("2025-09-15", "text"), ("2025-10-01", "mail"),
           ("2025-10-20", "phone"), ("2025-11-20", "email")],  # 5 over 4, in 88 days only
    "A10": [("2025-03-01", "mail"), ("2025-09-01", "in_person"), ("2025-09-20", "phone"),
            ("2025-10-20", "text"), ("2025-11-10", "phone")],  # referred 2025-08-01: 4 in 80 days
}  # fmt: skip
REFERRED = {"A10": "2025-08-01"}  # attempts before the episode's referral are another's
FEW = "fewer than 5 attempts over 3 modalities"
SHORT = "before outreach lasted 90 calendar days"


@pytest.fixture
def outreach_dataset(make_dataset):
    members = [
        {"member_id": m, "cin": f"9000000{n}A", "plan": "healthnet", "first_name": "F",
         "last_name": "L", "dob": dt.date(1980, 1, 2)}
        for n, m in enumerate(ATTEMPTS, start=1)
    ]  # fmt: skip
    outreach = [
        {"member_id": m, "date": dt.date.fromisoformat(d), "method": method, "successful": "no"}
        for m, attempts in ATTEMPTS.items()
        for d, method in attempts
    ]
    enrollments = [{"member_id": m, "status": "enrolled"} for m in ATTEMPTS]
    return make_dataset(members=members, enrollments=enrollments, outreach=outreach)


def b004_target(plan, dataset):
    fields = []
    for member_id in ATTEMPTS:
        status, reason = "unable_to_contact", "unable_to_contact"
        if member_id == "A7":
            status = "disenrolled"
        if member_id == "A8":
            status, reason = "enrolled", None
        referred = REFERRED.get(member_id)
        fields.append(
            {
                "ecm_status": status,
                "discontinuation_reason": reason,
                "discontinuation_date": None if status == "enrolled" else day(ENDED),
                "referral_date": day(referred) if referred else pd.NaT,
            }
        )
    return make_target(plan, fields=fields, dataset=dataset, member_ids=list(ATTEMPTS), first_row=2)


def test_b004_unable_to_contact_needs_90_days_five_attempts_three_modalities(
    healthnet, outreach_dataset
):
    findings = found("B004", b004_target(healthnet, outreach_dataset))
    flagged = {(f.member_id, FEW if FEW in f.message else SHORT) for f in findings}
    assert flagged == {
        *((m, FEW) for m in ("A2", "A3", "A5", "A6", "A7", "A10")),
        *((m, SHORT) for m in ("A5", "A7", "A9", "A10")),
    }
    for finding in findings:
        row = 2 + list(ATTEMPTS).index(finding.member_id)
        assert (finding.severity, finding.row, finding.cell) == ("warning", row, f"RTF!P{row}")
        assert finding.source.startswith(
            "CalAIM Resources for Providers and CalAIM FAQ (FAQ 'Can we do outreach for 90 days"
        )
        assert "assumed" not in finding.source


@pytest.mark.parametrize("plan_id", ["partnership", "chwp"])
def test_b004_is_assumed_where_seed_002_does_not_speak(plugins, outreach_dataset, plan_id):
    """Seed 002 speaks for Health Net, CalViva and CHPIV: elsewhere the rule is assumed,
    and its findings say so."""
    plan = plugins[1].plan(plan_id)
    findings = found("B004", b004_target(plan, outreach_dataset))
    assert {f.member_id for f in findings if SHORT in f.message} == {"A5", "A7", "A9", "A10"}
    assert all(f.source.startswith(f"assumed for {plan.name}") for f in findings)


def test_b004_needs_the_dataset(healthnet, outreach_dataset):
    target = b004_target(healthnet, outreach_dataset)
    target.dataset = None
    assert found("B004", target) == []


DEADLINES = [("B005", "assessment_started", 30), ("B006", "assessment_completed", 60),
             ("B007", "care_plan_created", 90)]  # fmt: skip


@pytest.mark.parametrize(("code", "name", "days"), DEADLINES)
def test_b005_to_b007_deadlines_after_enrollment(healthnet, code, name, days):
    start = day("2025-08-01")
    due = start + pd.Timedelta(days=days)
    fields = [
        {"ecm_status": "enrolled", "enrollment_start": start, name: due},  # on the day: ok
        {"ecm_status": "enrolled", "enrollment_start": start, name: due + pd.Timedelta(days=1)},
        {"ecm_status": "enrolled", "enrollment_start": start, name: None},  # overdue, not done
        {"ecm_status": "enrolled", "enrollment_start": day("2025-11-28"), name: None},  # not due
        {"ecm_status": "declined", "enrollment_start": start, name: None},  # not enrolled now
        {"ecm_status": "pending_outreach", "enrollment_start": None, name: None},
    ]
    findings = found(code, make_target(healthnet, fields=fields, first_row=2))
    assert [(f.row, f.severity) for f in findings] == [(3, "warning"), (4, "warning")]
    header = {"B005": "Date Assessment Started", "B006": "Date of Most Recent Completed Assessment"}
    expected = [f"RTF!{RTF_LETTERS[header[code]]}{r}" for r in (3, 4)] if code in header else []
    # The RTF has no care-plan-created column: B007 names the row only.
    assert [f.cell for f in findings] == (expected or ["", ""])
    assert f"within {days} days" in findings[0].message


def test_b005_to_b007_are_judged_on_the_production_date(healthnet):
    fields = [{"ecm_status": "enrolled", "enrollment_start": day("2025-11-10"),
               "assessment_started": None}]  # fmt: skip
    assert found("B005", make_target(healthnet, fields=fields)) == []  # due 12-10, made 12-03
    late = make_target(healthnet, fields=fields, production_date=dt.date(2025, 12, 11))
    assert len(found("B005", late)) == 1


def caseload(name: str, count: int, status: str = "enrolled"):
    return [{"ecm_status": status, "lead_care_manager_name": name}] * count


def test_b008_a_lead_care_manager_with_51_enrolled_members(healthnet):
    fields = caseload("Ana Lead", 51) + caseload("Ana Lead", 3, "declined")
    fields += caseload("Bo Lead", 50)
    findings = found("B008", make_target(healthnet, fields=fields, first_row=2))
    assert [f.row for f in findings] == list(range(2, 53))
    assert {f.cell for f in findings} == {f"RTF!Y{r}" for r in range(2, 53)}
    assert {f.severity for f in findings} == {"warning"}
    assert "more than 50" in findings[0].message


def test_b008_counts_the_datasets_members_not_the_files_rows(healthnet, make_dataset):
    """With a dataset, the caseload is every enrolled member of the lead, in any plan."""
    members = [
        {"member_id": f"M{n}", "cin": f"9{n:07d}A", "plan": "healthnet" if n % 2 else "calviva",
         "first_name": "F", "last_name": "L", "dob": dt.date(1980, 1, 2)}
        for n in range(1, 53)
    ]  # fmt: skip
    enrollments = [
        {"member_id": f"M{n}", "status": "enrolled", "lead_care_manager_name": "Ana Lead"}
        for n in range(1, 52)  # 51 members
    ] + [{"member_id": "M52", "status": "enrolled", "lead_care_manager_name": "Bo Lead"}]
    dataset = make_dataset(members=members, enrollments=enrollments)
    fields = caseload("Ana Lead", 1) + caseload("Bo Lead", 1)
    target = make_target(healthnet, fields=fields, dataset=dataset, first_row=2)
    assert places(found("B008", target)) == [("B008", 2, "RTF!Y2")]

    # 51 enrolled episodes but 50 members: within the ratio
    again = [*enrollments[:50], {**enrollments[0]}, enrollments[-1]]
    dataset = make_dataset(members=members, enrollments=again)
    target = make_target(healthnet, fields=fields, dataset=dataset)
    assert found("B008", target) == []


def test_b009_a_date_after_the_production_date(healthnet):
    fields = [
        {"enrollment_start": day("2025-12-04"), "assessment_completed": day("2025-12-01")},
        {"enrollment_start": day("2025-12-03"), "assessment_completed": day("2026-01-05")},
        {"enrollment_start": day("2025-01-01"), "assessment_completed": None},
    ]
    findings = found("B009", make_target(healthnet, fields=fields, first_row=2))
    assert sorted(places(findings)) == [("B009", 2, "RTF!R2"), ("B009", 3, "RTF!W3")]
    assert {f.severity for f in findings} == {"error"}


def test_b009_without_a_production_date_uses_today(healthnet):
    today = pd.Timestamp(dt.date.today())
    fields = [{"enrollment_start": today + pd.Timedelta(days=1)},
              {"enrollment_start": today - pd.Timedelta(days=1)}]  # fmt: skip
    target = make_target(healthnet, fields=fields, production_date=None, first_row=2)
    assert places(found("B009", target)) == [("B009", 2, "RTF!R2")]


def test_b009_checks_the_otf_too_and_business_rules_for_the_rtf_skip_it(healthnet):
    fields = [{"attempt_date": day("2025-12-10"), "enrollment_start": day("2025-10-01"),
               "enrollment_end": day("2025-09-01")}]  # fmt: skip
    target = make_target(healthnet, fields=fields, kind="otf", first_row=5)
    findings = run_rules(BUSINESS_RULES, target)
    assert places(findings) == [("B009", 5, "OTF!I5")]
    assert findings[0].column == "Date of Outreach Attempt"


def test_business_rules_are_quiet_on_a_sound_member(healthnet, outreach_dataset):
    fields = [
        {
            "ecm_status": "enrolled",
            "enrollment_start": day("2025-09-01"),
            "enrollment_end": None,
            "discontinuation_date": None,
            "discontinuation_reason": None,
            "assessment_started": day("2025-09-10"),
            "assessment_completed": day("2025-10-01"),
            "care_plan_created": day("2025-10-15"),
            "lead_care_manager_name": "Ana Lead",
        },
        {
            "ecm_status": "declined",
            "enrollment_start": day("2025-03-01"),
            "enrollment_end": day("2025-11-09"),
            "discontinuation_date": None,
            "discontinuation_reason": "no_longer_wishes",
            "assessment_started": day("2025-03-10"),
            "assessment_completed": day("2025-04-01"),
            "care_plan_created": day("2025-05-01"),
            "lead_care_manager_name": "Ana Lead",
        },
        {
            "ecm_status": "unable_to_contact",
            "enrollment_start": None,
            "enrollment_end": None,
            "discontinuation_date": day(ENDED),
            "discontinuation_reason": "unable_to_contact",
            "assessment_started": None,
            "assessment_completed": None,
            "care_plan_created": None,
            "lead_care_manager_name": None,
        },
    ]
    target = make_target(
        healthnet, fields=fields, dataset=outreach_dataset, member_ids=["A8", "A8", "A1"]
    )
    assert run_rules(BUSINESS_RULES, target) == []


# ------------------------------------------------------------------ run_rules and Hit


def test_run_rules_skips_rules_for_other_kinds_and_uses_the_hits_header(healthnet):
    calls = []

    def check(target):
        calls.append(target.kind)
        yield Hit([0], "flagged", header=CITY, hint="a hit's own hint")

    rule = Rule("T001", "info", "field", "test", "rule hint", "a test", check, ("mif",))
    target = make_target(healthnet, [{CITY: "Fresno"}], first_row=3, member_ids=["M9"])
    assert run_rules([rule], target) == []
    assert calls == []
    mif = make_target(healthnet, [{CITY: "Fresno"}], kind="mif", first_row=3, member_ids=["M9"])
    (finding,) = run_rules([rule], mif)
    assert (finding.cell, finding.value, finding.hint) == ("MIF!I3", "Fresno", "a hit's own hint")
    assert finding.member_id == "M9"


# ------------------------------------------------------------------ per-plan overrides


def some_findings() -> list[Finding]:
    return [
        Finding("warning", "L010", "phone"),
        Finding("warning", "B005", "late"),
        Finding("error", "L006", "cin"),
        Finding("error", "D202", "dataset cin"),
    ]


def test_apply_overrides_switches_off_and_regrades_by_code():
    plan = SimpleNamespace(
        rules={
            "L010": RuleOverride(enabled=False, assumed=True),
            "B005": RuleOverride(severity="error", source="contract exhibit C"),
            "D202": RuleOverride(enabled=True, severity="warning", source="plan email"),
        }
    )
    out = apply_overrides(some_findings(), plan)
    assert [(f.code, f.severity) for f in out] == [
        ("B005", "error"),
        ("L006", "error"),
        ("D202", "warning"),
    ]
    assert [f.message for f in out] == ["late", "cin", "dataset cin"]


def test_apply_overrides_without_rules_changes_nothing():
    findings = some_findings()
    assert apply_overrides(findings, SimpleNamespace(rules={})) == findings


MYPLAN = """\
id: myplan
name: My Plan
extends: healthnet
mcp:
  name: {value: My Plan, assumed: true}
rules:
"""


def test_a_plan_that_extends_healthnet_overrides_rules(plugins_with):
    rules = """\
      L010: {enabled: false, assumed: true, note: "the plan takes extensions"}
      B005: {severity: error, source: "my-contract: exhibit C"}
    """
    _, registry = plugins_with(
        {"myplan.yaml": MYPLAN + textwrap.indent(textwrap.dedent(rules), "  ")}
    )
    myplan, healthnet = registry.plan("myplan"), registry.plan("healthnet")
    fields = [{"ecm_status": "enrolled", "enrollment_start": day("2025-08-01"),
               "assessment_started": None}]  # fmt: skip
    rows = [{PHONE: "555-0100", CIN: "12345"}]
    for plan, expected in (
        (healthnet, {("L010", "warning"), ("B005", "warning"), ("L006", "error")}),
        (myplan, {("B005", "error"), ("L006", "error")}),
    ):
        target = make_target(plan, rows, fields)
        findings = apply_overrides(run_rules(registry.rules.values(), target), plan)
        assert {(f.code, f.severity) for f in findings} == expected, plan.id
        assert {f.plan for f in findings} == {plan.id}


def config_problems(plugins_with, rules: str) -> list[str]:
    text = MYPLAN + textwrap.indent(textwrap.dedent(rules), "  ")
    _, registry = plugins_with({"myplan.yaml": text})
    with pytest.raises(ConfigError) as caught:
        registry.plans  # noqa: B018 - loading is what is tested
    return caught.value.details


BAD_RULES = {
    "L01: {enabled: false, assumed: true}": "rules.L01: no rule has this code (did you mean",
    "L1000: {enabled: false, assumed: true}": "rules.L1000: no rule has this code",
    "B050: {severity: warning, source: 'my-contract'}": "rules.B050: no rule has this code",
    "Z999: {enabled: false, assumed: true}": "rules.Z999: no rule has this code",
    "L010: {enabled: false}": "rules.L010: needs source",
    "L009: {enabled: false, note: 'why'}": "rules.L009: needs source",
    "B005: {severity: fatal, source: 'my-contract'}": "rules.B005.severity: 'fatal' is not one of",
    "B006: {sevrity: error, source: 'my-contract'}": "unknown key 'sevrity' (did you mean",
    "B010: {severity: warning, source: 'my-contract'}": "rules.B010: B010 was merged into O001",
}


def test_bad_rules_entries_are_config_errors_all_listed_at_once(plugins_with):
    problems = config_problems(plugins_with, "\n".join(BAD_RULES))
    for entry, expected in BAD_RULES.items():
        assert any(expected in line for line in problems), (entry, problems)
    assert all("myplan.yaml" in line for line in problems), problems


def test_did_you_mean_names_the_closest_code(plugins_with):
    (line,) = [
        p
        for p in config_problems(plugins_with, "L0010: {enabled: false, assumed: true}")
        if "no rule has this code" in p
    ]
    assert "(did you mean 'L001'?)" in line or "(did you mean 'L010'?)" in line
    assert "docs/findings.md" in line


def test_stage_codes_may_be_overridden_too(plugins_with):
    rules = """\
      D203: {enabled: false, assumed: true}
      X002: {severity: info, source: "my-contract: plan meeting 2025-10"}
    """
    _, registry = plugins_with(
        {"myplan.yaml": MYPLAN + textwrap.indent(textwrap.dedent(rules), "  ")}
    )
    assert set(registry.plan("myplan").rules) == {"D203", "X002"}


def test_the_attempt_while_enrolled_rule_is_one_rule_o001(plugins_with):
    """O001 is a registered rule (convert and validate find it alike); a plan can regrade it."""
    rules = "O001: {severity: error, source: 'my-contract: exhibit C'}"
    _, registry = plugins_with(
        {"myplan.yaml": MYPLAN + textwrap.indent(textwrap.dedent(rules), "  ")}
    )
    assert registry.rules["O001"].kinds == ("otf",)
    assert registry.rules["O001"].severity == "warning"
    assert "B010" not in registry.rules
    assert registry.plan("myplan").rules["O001"].severity == "error"


def test_a_source_of_the_plans_dirs_sources_list_is_accepted(plugins_with):
    text = MYPLAN + textwrap.indent("B005: {severity: error, source: 'my-contract: x'}", "  ")
    _, registry = plugins_with({"myplan.yaml": text})
    assert registry.plans["myplan"].rules["B005"].source == "my-contract: x"


# ------------------------------------------------------------------ a plugin's rule


def _fakersons(target: Target):
    if "last_name" in target.fields:
        rows = list((target.fields["last_name"] == "Fakerson").to_numpy().nonzero()[0])
        if rows:
            yield Hit(rows, "a member named Fakerson", field="last_name")


P101 = Rule(
    "P101",
    "warning",
    "business",
    "members named Fakerson",
    "check the name",
    "a test plugin",
    _fakersons,
)


class RulePlugin:
    @hookimpl
    def ecmx_register_rules(self, registry):
        registry.add_rule(P101)


def plugin_manager_with(*extra):
    """Built as core.plugins.make_plugin_manager does, with ``extra`` plugins registered."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    for number, plugin in enumerate(extra):
        pm.register(plugin, name=f"extra-{number}")
    pm.check_pending()
    return pm, fill_registry(pm)


def test_a_plugins_rule_runs_in_a_conversion(make_dataset):
    pm, registry = plugin_manager_with(RulePlugin())
    assert registry.rules["P101"] is P101
    members = [
        {"member_id": "A1", "cin": "90000001A", "plan": "healthnet", "first_name": "Ana",
         "last_name": "Sampleton", "dob": dt.date(1980, 1, 2)},
        {"member_id": "A2", "cin": "90000002C", "plan": "healthnet", "first_name": "Bo",
         "last_name": "Fakerson", "dob": dt.date(1981, 1, 2)},
    ]  # fmt: skip
    enrollments = [
        {"member_id": m["member_id"], "status": "pending_outreach",
         "assigned_date": dt.date(2025, 10, 1), "acuity": "low"}
        for m in members
    ]  # fmt: skip
    dataset = make_dataset(members=members, enrollments=enrollments)
    conversion = convert(pm, registry, dataset, registry.plan("healthnet"), "rtf", NOV, MADE)
    (finding,) = [f for f in conversion.findings if f.code == "P101"]
    row = 2 + list(conversion.frame[CIN]).index("90000002C")
    assert (finding.severity, finding.plan, finding.row) == ("warning", "healthnet", row)
    assert finding.cell == f"RTF!D{row}"  # Member Last Name
    assert finding.source == "a test plugin"
    assert not conversion.blocked


def test_a_plan_may_override_a_plugins_rule():
    data = {
        "id": "myplan",
        "name": "My Plan",
        "extends": "healthnet",
        "rules": {"P101": {"severity": "error", "assumed": True, "note": "plugin docs"}},
    }
    _, registry = plugin_manager_with(RulePlugin())
    registry.add_plan_data(data, "test")
    out = apply_overrides([Finding("warning", "P101", "x")], registry.plan("myplan"))
    assert [f.severity for f in out] == ["error"]

    _, plain = plugin_manager_with()
    plain.add_plan_data(data, "test")
    with pytest.raises(ConfigError) as caught:
        plain.plans  # noqa: B018 - without the plugin the code is unknown
    assert any("rules.P101: no rule has this code" in p for p in caught.value.details)


# ------------------------------------------------------------------ fast path = reference

BLANKS = st.sampled_from(["", "  ", None])  # NaN too: see the xfail below
TEXT = st.text(alphabet=string.ascii_letters + string.digits + " -().#/", max_size=14)
DIGITS = st.text(alphabet=string.digits, min_size=0, max_size=12)


def _npis():
    valid = st.text(alphabet=string.digits, min_size=9, max_size=9).map(
        lambda d: d + npi_check_digit(d)
    )
    wrong = valid.map(lambda n: n[:9] + str((int(n[9]) + 1) % 10))
    return st.one_of(valid, wrong, valid.map(lambda n: n[:9]), valid.map(lambda n: n + "0"))


def _cins():
    letters = st.sampled_from(string.ascii_uppercase)
    digits7 = st.text(alphabet=string.digits, min_size=7, max_size=7)
    valid = st.builds(lambda d, c: f"9{d}{c}", digits7, letters)
    return st.one_of(
        valid,
        valid.map(lambda c: "8" + c[1:]),
        valid.map(lambda c: c[:-1]),
        valid.map(lambda c: c + "A"),
        valid.map(lambda c: c.lower()),
        valid.map(lambda c: f" {c} "),
    )


def _zips():
    five = st.text(alphabet=string.digits, min_size=5, max_size=5)
    four = st.text(alphabet=string.digits, min_size=4, max_size=4)
    return st.one_of(
        five,
        st.builds(lambda a, b: f"{a}-{b}", five, four),
        st.builds(lambda a, b: a + b, five, four),
        st.builds(lambda a, b: f"{a}-{b[:3]}", five, four),
        five.map(lambda z: z[:4]),
    )


def _phones():
    ten = st.text(alphabet=string.digits, min_size=10, max_size=10)
    return st.one_of(
        ten,
        ten.map(lambda p: f"({p[:3]}) {p[3:6]}-{p[6:]}"),
        ten.map(lambda p: p[:9]),
        ten.map(lambda p: "1" + p),
        st.text(alphabet=string.digits + "()-. x", max_size=16),
    )


@functools.cache  # building strategies costs more than drawing from them
def _cells_for(column: ColumnSpec):
    special = {"cin": _cins(), "zip": _zips(), "provider_npi": _npis(), "rendering_npi": _npis()}
    strategy = special.get(column.field)
    if column.field in ("phone", "provider_phone", "lead_care_manager_phone"):
        strategy = _phones()
    choices = [BLANKS, TEXT, DIGITS]
    if strategy is not None:
        choices = [strategy, strategy, *choices]
    if column.max_length:
        size = column.max_length
        choices.append(st.text(alphabet="9A ", min_size=size - 1, max_size=size + 2))
    return st.one_of(*choices)


def _checked(column: ColumnSpec) -> bool:
    return bool(
        column.required
        or column.max_length
        or column.field in ("cin", "zip", "provider_npi", "rendering_npi")
        or column.field in ("phone", "provider_phone", "lead_care_manager_phone")
    )


LAYOUTS = [(plan, kind) for plan in ("healthnet", "partnership") for kind in ("rtf", "otf")]


@st.composite
def random_targets(draw, registry):
    plan_id, kind = draw(st.sampled_from(LAYOUTS))
    plan = registry.plan(plan_id)
    layout = plan.files[kind].layout_for(NOV)
    columns = [c for c in layout.columns if _checked(c)] + [layout.columns[1]]
    count = draw(st.integers(1, 6))
    rows = [{c.header: draw(_cells_for(c)) for c in columns} for _ in range(count)]
    return make_target(plan, rows, kind=kind, first_row=2)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.generate],  # shrinking a Target takes minutes: report it as is
)
@given(data=st.data())
def test_fast_field_rules_find_what_the_cerberus_reference_finds(plugins, data):
    target = data.draw(random_targets(plugins[1]))
    fast = {(f.code, f.row - 2, f.column) for f in run_rules(FIELD_RULES, target)}
    assert fast == reference_findings(target)


def test_the_reference_agrees_on_the_hand_picked_cases(healthnet):
    """The property above, on the field cases of this module (every rule fires at least once)."""
    rows = [{header: cell} for _, header, cell, _ in FIELD_CASES if cell is not math.nan]
    frame_rows = [{h: r.get(h) for h in (CIN, ZIP, PHONE, NPI, LCM_PHONE, CITY)} for r in rows]
    target = make_target(healthnet, frame_rows, first_row=2)
    fast = {(f.code, f.row - 2, f.column) for f in run_rules(FIELD_RULES, target)}
    assert fast == reference_findings(target)
    assert {code for code, _, _ in fast} == {r.code for r in FIELD_RULES}


def test_a_column_with_both_none_and_nan_is_checked_not_a_crash(healthnet):
    target = make_target(healthnet, [{CIN: None}, {CIN: math.nan}, {CIN: "12345"}], first_row=2)
    fast = run_rules(FIELD_RULES, target)
    assert places(fast) == [("L001", 2, "RTF!C2"), ("L001", 3, "RTF!C3"), ("L006", 4, "RTF!C4")]
    assert {(f.code, f.row - 2, f.column) for f in fast} == reference_findings(target)
