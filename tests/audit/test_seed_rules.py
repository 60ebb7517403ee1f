"""One audit test per rule the plans' own pages state (the seeds), so a reader sees which
rules ecmx applies and where each comes from.

``RULES`` is the table: one row per rule, with the seed file(s) and the section it is
stated in, the plans that seed speaks for (002: Health Net, CalViva, CHPIV; 000: CHWP;
001: Health Net; 003/004: Partnership), the rule in plain words and a check. Each check
goes through the user's path for every plan of its row: a small hand-written dataset
(one member per rule and plan), the ``ecmx`` command a user runs, and the output read
back by an independent reader (python-calamine for xlsx, a segment split and pyx12 for
837P, the JSON of ``ecmx calendar`` and of ``--report``).

A row whose rule ecmx does not apply yet (or applies wrongly) still checks the seed's
rule, and is marked ``xfail(strict=True)`` with what is missing: the mark comes off
when the fix lands. docs/seed-rules.md is the same table for a reader; a test keeps the
two in step.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import openpyxl
import pytest

HN_TRIO = ("healthnet", "calviva", "chpiv")  # seed 002
HN_FAMILY = (*HN_TRIO, "chwp")  # 002 + 000
PLANS = (*HN_FAMILY, "partnership")
PERIOD = "2025-11"
PRODUCTION = "2025-12-03"
DOC = Path(__file__).resolve().parents[2] / "docs" / "seed-rules.md"
TAR = "0000012345"  # leading zeros: a TAR is an identifier

# RTF and OTF headers (plan_configs/dhcs_base.yaml, which every plan's layout extends)
CIN = "Member Client Index Number (CIN)"
STATUS = "Member ECM Status"
ACUITY = "Member Acuity Level"
START = "ECM Enrollment Start Date"
END = "ECM Enrollment End Date"
DISC = "Discontinuation Date"
DISC_CODE = "Discontinuation Reason Code"
LAST = "Date of Most Recent Encounter with Member"
IN_PERSON = "In Person"
PHONE = "Telephonic/Video"
OTF_CIN = "Member CIN"
OTF_DATE = "Date of Outreach Attempt"
OTF_METHOD = "Outreach Attempt Method"
OTF_MINUTES = "Time Spent Performing Outreach"


def iso(yyyymmdd: str) -> str:
    """An X12 date (CCYYMMDD) as ISO."""
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:]}"


def us(day: str) -> str:
    """An ISO date as the plans' files write it (mm/dd/yyyy)."""
    return date.fromisoformat(day).strftime("%m/%d/%Y")


def text(value) -> str:
    """A cell as the text a plan's upload reads: dates as mm/dd/yyyy, 5.0 as 5, None as ''."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def count(value) -> int:
    """An encounter count cell: blank is none."""
    return 0 if text(value) == "" else int(float(value))


# ============================================================================= the datasets


def files_dataset(kit):
    """Members for the RTF, OTF and business rules, for every plan (``convert --plan all``)."""
    ds = kit.Dataset()
    for p in PLANS:
        tar = {"authorization_number": TAR} if p == "partnership" else {}
        # status 1; one OTF row per attempt; minutes rounded up; a mailed attempt
        ds.member(f"pend-{p}", p)
        ds.episode(f"pend-{p}", "pending_outreach", assigned_date="2025-10-20")
        ds.attempt(f"pend-{p}", "2025-11-03", "phone", minutes="4.2")
        ds.attempt(f"pend-{p}", "2025-11-10", "mail", minutes="")
        ds.attempt(f"pend-{p}", "2025-11-17", "text", minutes="3", successful="true")
        # enrolled, then declined: once with the end date, once with only the day they stopped
        for mid, stop in ((f"decl-{p}", "enrollment_end"), (f"decl2-{p}", "discontinuation_date")):
            ds.member(mid, p)
            ds.episode(
                mid, "declined", enrollment_start="2025-08-01", **{stop: "2025-11-10"},
                discontinuation_reason="no_longer_wishes", acuity="medium",
                assessment_started="2025-08-05", assessment_completed="2025-08-20",
                care_plan_created="2025-09-01", **tar,
            )  # fmt: skip
        # never enrolled, excluded
        ds.member(f"never-{p}", p)
        ds.episode(
            f"never-{p}", "declined", assigned_date="2025-10-01",
            discontinuation_date="2025-11-07", discontinuation_reason="member_declined",
        )  # fmt: skip
        # enrolled, acuity left blank
        ds.member(f"acuity-{p}", p)
        ds.episode(
            f"acuity-{p}", "enrolled", enrollment_start="2025-10-01",
            assessment_started="2025-10-05", assessment_completed="2025-10-20",
            care_plan_created="2025-10-25", **tar,
        )  # fmt: skip
        # encounters: successful in person, successful phone, unsuccessful phone (latest)
        ds.member(f"enc-{p}", p)
        ds.episode(
            f"enc-{p}", "enrolled", enrollment_start="2025-09-01", acuity="high",
            assessment_started="2025-09-05", assessment_completed="2025-09-20",
            care_plan_created="2025-09-25", **tar,
        )  # fmt: skip
        ds.encounter(f"enc-{p}", "2025-11-03", mode="in_person")
        ds.encounter(f"enc-{p}", "2025-11-10", mode="phone")
        ds.encounter(f"enc-{p}", "2025-11-20", mode="phone", successful="false")
        # never enrolled, only doula lines (not ECM services)
        ds.member(f"doulaonly-{p}", p)
        ds.episode(f"doulaonly-{p}", "pending_outreach", assigned_date="2025-10-01")
        for day in ("2025-11-05", "2025-11-12"):
            ds.encounter(f"doulaonly-{p}", day, procedure_code="Z1034", modifiers="XP")
        # assessment late (44 and 80 days) and care plan late (106 days); and on time
        ds.member(f"late-{p}", p)
        ds.episode(
            f"late-{p}", "enrolled", enrollment_start="2025-06-01", acuity="low",
            assessment_started="2025-07-15", assessment_completed="2025-08-20",
            care_plan_created="2025-09-15", **tar,
        )  # fmt: skip
        ds.member(f"ontime-{p}", p)
        ds.episode(
            f"ontime-{p}", "enrolled", enrollment_start="2025-06-01", acuity="low",
            assessment_started="2025-06-10", assessment_completed="2025-07-01",
            care_plan_created="2025-08-01", **tar,
        )  # fmt: skip
        # excluded as unable to contact: 5 attempts, 3 modalities, in 3 weeks / in 92 days
        ds.member(f"utc-short-{p}", p)
        ds.episode(
            f"utc-short-{p}", "unable_to_contact", assigned_date="2025-10-25",
            discontinuation_date="2025-11-21", discontinuation_reason="unable_to_contact",
        )  # fmt: skip
        for day, method in zip(
            ("2025-11-01", "2025-11-05", "2025-11-10", "2025-11-15", "2025-11-20"),
            ("phone", "text", "mail", "phone", "text"),
            strict=True,
        ):
            ds.attempt(f"utc-short-{p}", day, method)
        ds.member(f"utc-long-{p}", p)
        ds.episode(
            f"utc-long-{p}", "unable_to_contact", assigned_date="2025-07-25",
            discontinuation_date="2025-11-03", discontinuation_reason="unable_to_contact",
        )  # fmt: skip
        for day, method in zip(
            ("2025-08-05", "2025-08-25", "2025-09-20", "2025-10-15", "2025-11-01"),
            ("phone", "text", "mail", "phone", "text"),
            strict=True,
        ):
            ds.attempt(f"utc-long-{p}", day, method)
    # Partnership's discontinuation codes (seed 004): 3, 4, 6
    for reason, status in (("no_longer_wishes", "disenrolled"), ("member_declined", "declined")):
        ds.member(f"reason-{reason}", "partnership")
        ds.episode(
            f"reason-{reason}", status, enrollment_start="2025-06-01", enrollment_end="2025-11-15",
            discontinuation_reason=reason, acuity="low", authorization_number=TAR,
            assessment_started="2025-06-05", assessment_completed="2025-06-20",
            care_plan_created="2025-07-01",
        )  # fmt: skip
    # program completion: CHWP after 6 months (000), Health Net after 12 (001)
    for mid, plan, start in (
        ("pc-8m-chwp", "chwp", "2025-03-01"),
        ("pc-14m-healthnet", "healthnet", "2024-09-01"),
        ("pc-8m-healthnet", "healthnet", "2025-03-01"),
    ):
        ds.member(mid, plan)
        ds.episode(
            mid, "enrolled", enrollment_start=start, acuity="low",
            assessment_started=start, assessment_completed=start, care_plan_created=start,
        )  # fmt: skip
    # lead care manager 1:50 (002): 51 enrolled members of one manager per plan
    for p in HN_TRIO:
        for i in range(51):
            ds.member(f"lcm-{p}-{i}", p)
            ds.episode(
                f"lcm-{p}-{i}", "enrolled", enrollment_start="2025-10-01", acuity="low",
                lead_care_manager_name=f"Overloaded Manager {p}",
                assessment_started="2025-10-02", assessment_completed="2025-10-03",
                care_plan_created="2025-10-04",
            )  # fmt: skip
    return ds


def claims_dataset(kit):
    """Members for the ECM billing rules (``claims --plan all``)."""
    ds = kit.Dataset()
    for p in PLANS:
        tar = {"authorization_number": TAR} if p == "partnership" else {}
        # one member, seven services: the code and modifiers each staff type and mode gets
        ds.member(f"svc-{p}", p)
        ds.episode(f"svc-{p}", "enrolled", enrollment_start="2025-10-01", acuity="low", **tar)
        ds.encounter(f"svc-{p}", "2025-11-03", staff_type="clinical", mode="in_person")
        ds.encounter(f"svc-{p}", "2025-11-04", staff_type="non_clinical", mode="in_person")
        ds.encounter(f"svc-{p}", "2025-11-05", staff_type="non_clinical", mode="phone")
        ds.encounter(f"svc-{p}", "2025-11-06", staff_type="clinical", mode="video")
        ds.encounter(f"svc-{p}", "2025-11-07", member_present="false")
        ds.encounter(f"svc-{p}", "2025-11-10", kind="care_team_meeting")
        ds.encounter(f"svc-{p}", "2025-11-11", place_of_service="27")
        # U1/U2 before, on and after the enrollment start
        ds.member(f"early-{p}", p)
        ds.episode(f"early-{p}", "enrolled", enrollment_start="2025-11-15", acuity="low", **tar)
        for day in ("2025-11-10", "2025-11-15", "2025-11-20"):
            ds.encounter(f"early-{p}", day)
        # U8 outreach before, on and after the enrollment start
        for mid, start, day in (
            (f"u8-before-{p}", "2025-11-15", "2025-11-05"),
            (f"u8-on-{p}", "2025-11-15", "2025-11-15"),
            (f"u8-after-{p}", "2025-11-01", "2025-11-10"),
        ):
            ds.member(mid, p)
            ds.episode(mid, "enrolled", enrollment_start=start, acuity="low", **tar)
            ds.encounter(mid, day, kind="outreach", successful="true")
        # one-time outreach: two outreach encounters; and only attempts (the first is billed)
        ds.member(f"oto-{p}", p)
        ds.episode(f"oto-{p}", "pending_outreach", assigned_date="2025-10-20", **tar)
        ds.encounter(f"oto-{p}", "2025-11-05", kind="outreach", mode="phone", successful="false")
        ds.encounter(f"oto-{p}", "2025-11-12", kind="outreach", successful="true")
        ds.member(f"oto-attempts-{p}", p)
        ds.episode(f"oto-attempts-{p}", "pending_outreach", assigned_date="2025-10-20", **tar)
        ds.attempt(f"oto-attempts-{p}", "2025-11-03", "phone", diagnosis_codes="Z59.00")
        ds.attempt(f"oto-attempts-{p}", "2025-11-10", "in_person", diagnosis_codes="Z59.00")
    # Partnership (004): outreach without a TAR; engagement fee; services without a TAR
    ds.member("notar-outreach", "partnership")
    ds.episode("notar-outreach", "pending_outreach", assigned_date="2025-10-20")
    ds.encounter("notar-outreach", "2025-11-05", kind="outreach", successful="true")
    ds.member("fee-first", "partnership")
    ds.episode("fee-first", "enrolled", enrollment_start="2025-11-01", authorization_number=TAR)
    ds.encounter("fee-first", "2025-11-05", kind="engagement_fee")
    ds.member("fee-again", "partnership")
    ds.episode("fee-again", "enrolled", enrollment_start="2025-06-01", authorization_number=TAR)
    ds.encounter("fee-again", "2025-06-05", kind="engagement_fee")
    ds.encounter("fee-again", "2025-08-01")
    ds.encounter("fee-again", "2025-11-05", kind="engagement_fee")
    ds.member("fee-notar", "partnership")
    ds.episode("fee-notar", "enrolled", enrollment_start="2025-11-01")
    ds.encounter("fee-notar", "2025-11-05", kind="engagement_fee")
    ds.member("referral-notar", "partnership")
    ds.episode("referral-notar", "enrolled", enrollment_start="2025-10-01", acuity="low")
    ds.encounter("referral-notar", "2025-11-05")
    return ds


def code_sets_dataset(kit):
    """Members for the CHW and doula codes (seed 002), billed apart from the ECM lines."""
    ds = kit.Dataset()
    for p in HN_TRIO:
        chw = f"chw-{p}"
        ds.member(chw, p)
        ds.episode(chw, "pending_outreach", assigned_date="2025-10-20")
        ds.encounter(chw, "2025-11-03", procedure_code="98960", modifiers="U2")
        ds.encounter(chw, "2025-11-04", procedure_code="98961", modifiers="U3")
        ds.encounter(chw, "2025-11-05", procedure_code="98962", modifiers="")
        ds.encounter(chw, "2025-11-06", procedure_code="98960", modifiers="U1")
        ds.encounter(chw, "2025-11-07", procedure_code="98960", modifiers="U2", units="4")
        ds.encounter(chw, "2025-11-10", procedure_code="98960", modifiers="U2", units="5")
        ds.member(f"chw-enrolled-{p}", p)
        ds.episode(f"chw-enrolled-{p}", "enrolled", enrollment_start="2025-10-01", acuity="low")
        ds.encounter(f"chw-enrolled-{p}", "2025-11-05", procedure_code="98960", modifiers="U2")
        doula = f"doula-{p}"
        ds.member(doula, p)
        ds.episode(doula, "pending_outreach", assigned_date="2025-10-20")
        ds.encounter(doula, "2025-11-01", procedure_code="59409", modifiers="XP")
        ds.encounter(doula, "2025-11-02", procedure_code="T1033", modifiers="XP;U7")
        ds.encounter(doula, "2025-11-03", procedure_code="Z1038", modifiers="SA")
        ds.encounter(doula, "2025-11-04", procedure_code="59840", modifiers="XP;GQ")
        ds.encounter(doula, "2025-11-05", procedure_code="59612", modifiers="XP;93")
        # doula limits: two visits on one day; one initial and nine more; three extended
        ds.member(f"doula-day-{p}", p)
        ds.episode(f"doula-day-{p}", "pending_outreach", assigned_date="2025-10-20")
        for _ in range(2):
            ds.encounter(f"doula-day-{p}", "2025-11-05", procedure_code="Z1034", modifiers="XP")
        ds.member(f"doula-ten-{p}", p)
        ds.episode(f"doula-ten-{p}", "pending_outreach", assigned_date="2025-10-20")
        ds.encounter(f"doula-ten-{p}", "2025-11-01", procedure_code="Z1032", modifiers="XP")
        for n in range(2, 11):
            day = f"2025-11-{n:02d}"
            ds.encounter(f"doula-ten-{p}", day, procedure_code="Z1034", modifiers="XP")
        ds.member(f"doula-ext-{p}", p)
        ds.episode(f"doula-ext-{p}", "pending_outreach", assigned_date="2025-10-20")
        for day in ("2025-11-05", "2025-11-12", "2025-11-19"):
            ds.encounter(f"doula-ext-{p}", day, procedure_code="T1032", modifiers="XP")
    return ds


def cs_dataset(kit):
    """Community Supports lines (seed 002): billed only under an authorization covering
    the date; CS outreach never."""
    ds = kit.Dataset()
    meals = {"cs_service": "medically_tailored_meals", "procedure_code": "S5170"}
    for p in HN_TRIO:
        mid = f"cs-{p}"
        ds.member(mid, p)
        ds.episode(mid, "pending_outreach", assigned_date="2025-10-20")
        ds.support(
            mid,
            "medically_tailored_meals",
            "authorized",
            authorization_number="CS1",
            authorization_start="2025-11-03",
            authorization_end="2025-11-20",
        )
        ds.support(mid, "day_habilitation", "requested")
        ds.encounter(mid, "2025-11-03", **meals)  # the authorization's first day
        ds.encounter(mid, "2025-11-20", **meals)  # its last
        ds.encounter(mid, "2025-11-21", **meals)  # the day after
        ds.encounter(mid, "2025-11-05", cs_service="day_habilitation", procedure_code="H2014")
        ds.encounter(mid, "2025-11-06", cs_service="respite_services", procedure_code="S5150")
        ds.encounter(mid, "2025-11-10", kind="outreach", **meals)
    return ds


# ============================================================================= the runs


class Audit:
    """The datasets above, each run once (on first use) through the command a user runs."""

    def __init__(self, kit, base: Path):
        self.kit = kit
        self.base = base
        self._claim_files: dict[Path, dict] = {}
        self._records: dict[tuple[str, str], list[dict]] = {}

    def _convert(self, ds, name: str, *extra, production=PRODUCTION):
        folder = ds.write(self.base / name / "dataset")
        out = self.base / name / "out"
        report = self.base / name / "report.json"
        run = self.kit.run(
            "convert", folder, "--period", PERIOD, "--out", out,
            "--production-date", production, "--report", report, *extra,
        )  # fmt: skip
        assert run.code in (0, 1), run.err
        return out, run, self.kit.report_findings(report)

    def _claims(self, ds, name: str):
        folder = ds.write(self.base / name / "dataset")
        out = self.base / name / "out"
        report = self.base / name / "report.json"
        run = self.kit.run(
            "claims", folder, "--plan", "all", "--period", PERIOD, "--out", out,
            "--production-date", PRODUCTION, "--report", report,
        )  # fmt: skip
        assert run.code in (0, 1), run.err
        return out, run, self.kit.report_findings(report)

    # -- RTF / OTF

    @cached_property
    def files(self):
        ds = files_dataset(self.kit)
        out, run, findings = self._convert(ds, "files", "--plan", "all")
        assert run.code == 0, run.out + run.err  # warnings only: every file written
        return ds, out, findings

    def file_records(self, plan: str, kind: str) -> list[dict]:
        if (plan, kind) not in self._records:
            _, out, _ = self.files
            self._records[plan, kind] = self.kit.xlsx_records(out / file_name(plan, kind))
        return self._records[plan, kind]

    def rtf(self, plan: str, member_id: str) -> dict:
        ds = self.files[0]
        [row] = [r for r in self.file_records(plan, "rtf") if r[CIN] == ds.cin(member_id)]
        return row

    def otf(self, plan: str, member_id: str) -> list[dict]:
        ds = self.files[0]
        return [r for r in self.file_records(plan, "otf") if r[OTF_CIN] == ds.cin(member_id)]

    def rtf_findings(self, plan: str, member_id: str, code: str) -> list[dict]:
        """Findings of a rule on the member's RTF row (the cell names the file's row)."""
        ds, _, findings = self.files
        cin = ds.cin(member_id)
        rows = self.file_records(plan, "rtf")
        row_of = {r[CIN]: n for n, r in enumerate(rows, start=2)}
        return [
            f
            for f in findings
            if f["code"] == code and f["plan"] == plan and f["row"] == row_of[cin]
        ]

    # -- claims

    @cached_property
    def claims(self):
        ds = claims_dataset(self.kit)
        return (ds, *self._claims(ds, "claims"))

    @cached_property
    def code_sets(self):
        ds = code_sets_dataset(self.kit)
        return (ds, *self._claims(ds, "code-sets"))

    @cached_property
    def community_supports(self):
        ds = cs_dataset(self.kit)
        return (ds, *self._claims(ds, "community-supports"))

    def billed(self, world, plan: str, member_id: str) -> list[dict]:
        """The member's claims in the plan's 837P (which pyx12 accepts)."""
        ds, out, _, _ = world
        [path] = [p for p in out.glob("*.837") if p.name.startswith(claim_prefix(plan))]
        if path not in self._claim_files:  # each file checked and parsed once
            assert self.kit.pyx12_accepts(path), f"pyx12 rejects {path.name}"
            self._claim_files[path] = self.kit.claims_by_member(path)
        return self._claim_files[path].get(ds.cin(member_id), [])

    def lines(self, world, plan: str, member_id: str) -> list[tuple]:
        """The member's billed lines as (service date YYYY-MM-DD, code, *modifiers)."""
        return sorted(
            (iso(line["date"]), line["code"], *line["modifiers"])
            for claim in self.billed(world, plan, member_id)
            for line in claim["lines"]
        )

    def line(self, world, plan: str, member_id: str, day: str) -> dict:
        """The one billed line of the member on a day (as claims_by_member reads it)."""
        found = [
            line
            for claim in self.billed(world, plan, member_id)
            for line in claim["lines"]
            if iso(line["date"]) == day
        ]
        assert len(found) == 1, f"{member_id} {day}: {len(found)} billed lines"
        return found[0]

    @staticmethod
    def refused(world, member_id: str, day: str) -> list[str]:
        """The error codes a claims run reported for the member's encounters of a day."""
        ds, _, _, findings = world
        rows = {
            n
            for n, e in enumerate(ds.encounters, start=2)
            if e["member_id"] == member_id and e["date"] == day
        }
        assert rows, f"no encounter of {member_id} on {day}"
        return [
            f["code"]
            for f in findings
            if f["severity"] == "error" and f["sheet"] == "encounters" and f["row"] in rows
        ]

    # -- other commands

    @cached_property
    def calendar(self) -> list[dict]:
        run = self.kit.run("calendar", "--plan", "all", "--period", PERIOD, "--format", "json")
        assert run.code == 0, run.err
        return json.loads(run.out)

    @cached_property
    def capacity(self) -> dict[str, dict]:
        """``ecmx capacity --format json`` over the RTF/OTF dataset: each plan's row."""
        folder = self.base / "files" / "dataset"
        self.files  # noqa: B018 - writes the dataset
        run = self.kit.run("capacity", folder, "--period", PERIOD, "--format", "json")
        assert run.code == 0, run.err
        return {r["plan"]: r for r in json.loads(run.out) if r["table"] == "plans"}

    def events(self, plan: str, event: str) -> list[dict]:
        return [r for r in self.calendar if r["plan"] == plan and r["event"] == event]

    @cached_property
    def late(self):
        """One pending member per plan, the RTF made on the 11th of the month after."""
        ds = self.kit.Dataset()
        for p in PLANS:
            ds.member(f"late-{p}", p)
            ds.episode(f"late-{p}", "pending_outreach", assigned_date="2025-10-20")
        return self._convert(ds, "late", "--plan", "all", "--kind", "rtf", production="2025-12-11")

    @cached_property
    def iot(self):
        """Partnership: an attempt while enrolled beside one for a member pending outreach."""
        ds = self.kit.Dataset()
        ds.member("iot-enrolled", "partnership")
        ds.episode(
            "iot-enrolled", "enrolled", enrollment_start="2025-10-01", acuity="low",
            authorization_number=TAR,
        )  # fmt: skip
        ds.attempt("iot-enrolled", "2025-11-05", "phone", successful="true")
        ds.member("iot-pending", "partnership")
        ds.episode("iot-pending", "pending_outreach", assigned_date="2025-10-20")
        ds.attempt("iot-pending", "2025-11-06", "phone")
        out, run, findings = self._convert(ds, "iot", "--plan", "partnership", "--kind", "otf")
        return ds, out, run, findings

    @cached_property
    def partnership_mif(self) -> list[str]:
        """The names of the MIF that ``convert --kind mif`` writes as Partnership would."""
        self.iot  # noqa: B018 - its dataset
        out = self.base / "iot" / "mif"
        run = self.kit.run(
            "convert", self.base / "iot" / "dataset", "--plan", "partnership", "--kind", "mif",
            "--period", PERIOD, "--out", out, "--production-date", PRODUCTION,
        )  # fmt: skip
        assert run.code == 0, run.err
        return sorted(p.name for p in out.iterdir())

    @cached_property
    def partnership_referral(self) -> tuple[list[str], list[dict], object]:
        """Partnership's referral file (`convert --kind referral`): the file names and rows,
        from one member the provider found (referred, not assigned) and one the plan
        assigned."""
        ds = self.kit.Dataset()
        ds.member("ref-found", "partnership")
        ds.episode("ref-found", "pending_outreach", referral_date="2025-11-12")
        ds.member("ref-assigned", "partnership")
        ds.episode("ref-assigned", "pending_outreach", referral_date="2025-11-03",
                   assigned_date="2025-11-04")  # fmt: skip
        out, run, _ = self._convert(ds, "referral", "--plan", "partnership", "--kind", "referral")
        assert run.code == 0, run.err
        names = sorted(p.name for p in out.iterdir())
        return names, self.kit.xlsx_records(out / names[0]), ds

    def plan_page(self, plan: str) -> str:
        """What ``ecmx plans show PLAN`` prints."""
        run = self.kit.run("plans", "show", plan)
        assert run.code == 0, run.err
        return run.out

    @cached_property
    def ingested(self):
        """Each Health Net family plan's MIF (with a member the provider lacks) ingested,
        then the RTF made from the merged dataset."""
        mine, theirs = self.kit.Dataset(), self.kit.Dataset(first_cin=500)
        for p in HN_TRIO:
            mine.member(f"known-{p}", p)
            mine.episode(f"known-{p}", "enrolled", enrollment_start="2025-09-01", acuity="low")
            theirs.member(f"known-{p}", p, cin=mine.cin(f"known-{p}"))
            theirs.episode(f"known-{p}", "enrolled", enrollment_start="2025-09-01", acuity="low")
            mine.member(f"unlisted-{p}", p)  # enrolled with the provider, not on the MIF
            mine.episode(f"unlisted-{p}", "enrolled", enrollment_start="2025-09-01", acuity="low")
            theirs.member(f"new-{p}", p)
            theirs.episode(f"new-{p}", "pending_outreach", assigned_date="2025-11-14")
        base = self.base / "ingest"
        dataset = mine.write(base / "mine")
        plan_side = theirs.write(base / "theirs")
        mifs = base / "mifs"
        run = self.kit.run(
            "convert", plan_side, "--plan", "all", "--kind", "mif", "--period", PERIOD,
            "--out", mifs, "--production-date", "2025-11-15",
        )  # fmt: skip
        assert run.code == 0, run.err
        for n, p in enumerate(HN_TRIO, start=1):
            [mif] = mifs.glob(f"{PROVIDERS_PREFIX[p]}_*")
            merged = base / f"merged{n}"
            run = self.kit.run(
                "ingest", mif, "--plan", p, "--dataset", dataset, "--out", merged,
                "--received", "2025-11-15",
            )  # fmt: skip
            assert run.code == 0, run.err
            dataset = merged
        out, _, findings = self._convert_folder(dataset, base / "out")
        return mine, theirs, out, dataset, findings

    def _convert_folder(self, folder: Path, out: Path):
        report = out.parent / "report.json"
        run = self.kit.run(
            "convert", folder, "--plan", "all", "--kind", "rtf", "--period", PERIOD,
            "--out", out, "--production-date", PRODUCTION, "--report", report,
        )  # fmt: skip
        assert run.code in (0, 1), run.err
        return out, run, self.kit.report_findings(report)

    def validate(self, path: Path, plan: str, kind: str) -> tuple[int, list[dict]]:
        report = path.with_name(path.name + ".report.json")
        run = self.kit.run(
            "validate", path, "--plan", plan, "--kind", kind, "--period", PERIOD,
            "--report", report,
        )  # fmt: skip
        assert run.code in (0, 1, 2), run.err
        findings = self.kit.report_findings(report) if report.exists() else []
        return run.code, findings


PROVIDERS_PREFIX = {  # provider.yaml of the audit datasets (tests/audit/conftest.py)
    "healthnet": "AUDIT_HN",
    "calviva": "AUDIT_CV",
    "chpiv": "AUDIT_IV",
    "chwp": "AUDIT_CHW",
}
FACILITY = "Audit Community Health"


def file_name(plan: str, kind: str) -> str:
    """The name README.md gives each plan's file, made on the production date."""
    if plan == "partnership":
        return f"{FACILITY}_ECM - {'IOT' if kind == 'otf' else kind.upper()}_12032025.xlsx"
    return f"{PROVIDERS_PREFIX[plan]}_ECM_{kind.upper()}_20251203.xlsx"


def claim_prefix(plan: str) -> str:
    return (
        f"{FACILITY}_ECM - 837P" if plan == "partnership" else f"{PROVIDERS_PREFIX[plan]}_ECM_837P"
    )


@pytest.fixture(scope="module")
def audit(seedkit, tmp_path_factory):
    return Audit(seedkit, tmp_path_factory.mktemp("seed-rules"))


# ============================================================================= the checks
# Each takes the audit and one plan the row's seed speaks for, and asserts what a user
# of that plan would see.


def _calendar_on(days: tuple[str, ...], *events: str, stated: bool = True):
    def check(audit, plan):
        for event in events:
            records = audit.events(plan, event)
            assert sorted(r["date"] for r in records) == sorted(days), (plan, event, records)
            if stated:  # the seed states it for this plan: not an assumption
                assert not any(r["assumed"] for r in records), (plan, event)

    return check


def _within(day: str, first: str, last: str) -> bool:
    return first <= day <= last


def check_correction_cutoff(audit, plan):
    _calendar_on(("2025-12-10",), "resubmission_cutoff")(audit, plan)
    # convert on the 11th says the plan will refuse the file
    _, _, findings = audit.late
    assert any(f["code"] == "C002" and f["plan"] == plan for f in findings), plan


def check_partnership_schedule(audit, plan):
    for event in ("mif_delivery", "tel_delivery"):  # first week of the month
        [record] = audit.events(plan, event)
        assert _within(record["date"], "2025-11-01", "2025-11-07"), record
    [review] = audit.events(plan, "plan_review")  # third week, after the files come back
    assert _within(review["date"], "2025-12-15", "2025-12-21"), review
    [prepare] = audit.events(plan, "new_files_preparation")  # fourth week
    assert _within(prepare["date"], "2025-11-22", "2025-11-28"), prepare


def check_partnership_naming(audit, plan):
    _, out, _ = audit.files
    names = sorted(p.name for p in out.iterdir() if p.name.startswith(FACILITY))
    assert names == [f"{FACILITY}_ECM - IOT_12032025.xlsx", f"{FACILITY}_ECM - RTF_12032025.xlsx"]
    assert audit.partnership_mif == [f"{FACILITY}_ECM - MIF_12032025.xlsx"]


def check_partnership_referral_file(audit, plan):
    names, rows, ds = audit.partnership_referral
    assert names == [f"{FACILITY}_ECM - Referral_12032025.xlsx"]  # its name is assumed
    assert [row["Member CIN"] for row in rows] == [ds.cin("ref-found")]


def check_mini_mif(audit, plan):
    # a date set by the referral's approval, not by the period: the plan's calendar says it
    [row] = [
        line
        for line in audit.plan_page(plan).splitlines()
        if "mini_mif" in line and "│" in line and "days" in line
    ]
    assert "5-10 calendar days after referral approval" in row, row


CSASF_HEADER = ("Member CIN", "CS Service", "Authorization Status", "Authorization Number")


def check_csasf_until_resolved(audit, plan):
    """A CSASF lists members with an authorization and "new potential members" without one,
    one row per member + CS service; the next CSASF lacks the pair the plan resolved."""
    ds = audit.kit.Dataset(first_cin=900 + len(plan))
    member = ds.member(f"cs-{plan}", plan)
    data = ds.write(audit.base / f"csasf-{plan}" / "data")
    cin = ds.cin(member)

    def csasf(name: str, *rows) -> Path:
        book = openpyxl.Workbook()
        book.active.title = "CSASF"
        for row in (CSASF_HEADER, *rows):
            book.active.append(row)
        book.save(data.parent / name)
        return data.parent / name

    first = csasf("first.xlsx", (cin, "Housing Deposits", "Authorized", TAR),
                  (cin, "Sobering Centers", "New Potential Member", None))  # fmt: skip
    second = csasf("second.xlsx", (cin, "Housing Deposits", "Authorized", TAR))
    merged = []
    for n, (file, dataset) in enumerate(((first, data), (second, data.parent / "merged1"))):
        out, report = data.parent / f"merged{n + 1}", data.parent / f"report{n + 1}.json"
        run = audit.kit.run("ingest", file, "--kind", "csasf", "--plan", plan, "--dataset",
                            dataset, "--out", out, "--report", report)  # fmt: skip
        assert run.code == 0, (plan, run.err)
        merged.append((out, json.loads(report.read_text(encoding="utf-8"))["summary"]))
    with open(merged[0][0] / "community_supports.csv", newline="", encoding="utf-8") as handle:
        pairs = {r["service"]: r for r in csv.DictReader(handle)}
    assert {s: (r["status"], r["authorization_number"]) for s, r in pairs.items()} == {
        "housing_deposits": ("authorized", TAR), "sobering_centers": ("potential", ""),
    }, plan  # fmt: skip
    assert (merged[0][1]["new"], merged[1][1]["dropped"], merged[1][1]["new"]) == (2, 1, 0)


def check_status_codes(audit, plan):
    assert text(audit.rtf(plan, f"pend-{plan}")[STATUS]) == "1"  # Pending Outreach
    assert text(audit.rtf(plan, f"decl-{plan}")[STATUS]) == "4"  # Declined
    assert text(audit.rtf(plan, f"never-{plan}")[STATUS]) == "4"


def check_enrolled_then_declined(audit, plan):
    # once with the end date given, once with only the day they stopped
    for mid in (f"decl-{plan}", f"decl2-{plan}"):
        row = audit.rtf(plan, mid)
        assert text(row[STATUS]) == "4", mid
        assert text(row[START]) == us("2025-08-01"), mid
        assert text(row[END]) == us("2025-11-10"), mid
        assert text(row[DISC]) == "", mid


def check_never_enrolled_excluded(audit, plan):
    row = audit.rtf(plan, f"never-{plan}")
    assert text(row[DISC]) == us("2025-11-07")
    assert text(row[START]) == "" and text(row[END]) == ""


def check_acuity_default(audit, plan):
    assert text(audit.rtf(plan, f"acuity-{plan}")[ACUITY]) == "Low"
    assert text(audit.rtf(plan, f"enc-{plan}")[ACUITY]) == "High"  # a given one is kept


def check_most_recent_successful(audit, plan):
    # encounters 11-03 and 11-10 successful, 11-20 unsuccessful
    assert text(audit.rtf(plan, f"enc-{plan}")[LAST]) == us("2025-11-10")


def check_counts_all_outcomes(audit, plan):
    row = audit.rtf(plan, f"enc-{plan}")
    assert (count(row[IN_PERSON]), count(row[PHONE])) == (1, 2)


def check_counts_ecm_only(audit, plan):
    row = audit.rtf(plan, f"doulaonly-{plan}")  # two doula visits, no ECM service
    assert (count(row[IN_PERSON]), count(row[PHONE])) == (0, 0)
    assert text(row[LAST]) == ""


def check_counts_successful_only(audit, plan):
    row = audit.rtf(plan, f"enc-{plan}")
    assert (count(row[IN_PERSON]), count(row[PHONE])) == (1, 1)
    assert text(row[LAST]) == us("2025-11-10")


def check_partnership_reasons(audit, plan):
    reasons = {
        "reason-no_longer_wishes": "3",  # member no longer wishes to receive ECM
        "utc-short-partnership": "4",  # could not connect after multiple attempts
        "never-partnership": "6",  # declined to participate
    }
    for mid, code in reasons.items():
        assert text(audit.rtf(plan, mid)[DISC_CODE]) == code, mid


def _otf_by_day(audit, plan) -> dict[str, dict]:
    return {text(r[OTF_DATE]): r for r in audit.otf(plan, f"pend-{plan}")}


def check_one_row_per_attempt(audit, plan):
    rows = audit.otf(plan, f"pend-{plan}")
    assert sorted(text(r[OTF_DATE]) for r in rows) == [
        us("2025-11-03"), us("2025-11-10"), us("2025-11-17"),
    ]  # fmt: skip


def check_minutes_rounded_up(audit, plan):
    assert text(_otf_by_day(audit, plan)[us("2025-11-03")][OTF_MINUTES]) == "5"  # 4.2 minutes


def check_mail_attempt(audit, plan):
    row = _otf_by_day(audit, plan)[us("2025-11-10")]  # mailed, no minutes given
    assert text(row[OTF_METHOD]) == "Telephonic/Electronic"
    assert text(row[OTF_MINUTES]) == "1"


def check_iot_members_not_enrolled(audit, plan):
    ds, out, _, findings = audit.iot
    iot = out / file_name(plan, "otf")
    assert iot.is_file(), "the IOT was not written"
    cins = [r[OTF_CIN] for r in audit.kit.xlsx_records(iot)]
    assert cins == [ds.cin("iot-pending")]
    # the contact with the enrolled member is named where it is (outreach row 2)
    assert any(f["sheet"] == "outreach" and f["row"] == 2 for f in findings)


def check_rtf_includes_mif(audit, plan):
    mine, theirs, out, _, findings = audit.ingested
    cins = {r[CIN] for r in audit.kit.xlsx_records(out / file_name(plan, "rtf"))}
    assert {mine.cin(f"known-{plan}"), theirs.cin(f"new-{plan}")} <= cins
    assert not any(f["code"] == "X001" for f in findings)


def check_member_not_on_mif(audit, plan):
    mine, _, out, merged, findings = audit.ingested
    cin = mine.cin(f"unlisted-{plan}")
    assert cin in {r[CIN] for r in audit.kit.xlsx_records(out / file_name(plan, "rtf"))}
    with open(merged / "members.csv", newline="", encoding="utf-8") as handle:
        row = next(n for n, m in enumerate(csv.DictReader(handle), start=2) if m["cin"] == cin)
    x002 = [f for f in findings if f["code"] == "X002" and f["plan"] == plan]
    assert [(f["severity"], f["sheet"], f["row"]) for f in x002] == [("warning", "members", row)]


def check_file_extension(audit, plan):
    _, out, _ = audit.files
    xlsx = out / file_name(plan, "rtf")
    as_csv = audit.base / "validate" / f"{plan}-rtf.csv"
    as_csv.parent.mkdir(exist_ok=True)
    records = audit.kit.xlsx_records(xlsx)
    with open(as_csv, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows({k: text(v) for k, v in r.items()} for r in records)
    code, findings = audit.validate(xlsx, plan, "rtf")
    assert code == 0, [f["code"] for f in findings if f["severity"] == "error"]
    code, findings = audit.validate(as_csv, plan, "rtf")
    assert code == 1 and any(f["severity"] == "error" for f in findings), "a .csv RTF passed"


def check_exclusion_outreach(audit, plan):
    # 5 attempts over 3 modalities: within 3 weeks (too short), and over 90 days
    assert audit.rtf_findings(plan, f"utc-short-{plan}", "B004"), "3 weeks of outreach passed"
    assert not audit.rtf_findings(plan, f"utc-long-{plan}", "B004")


def check_assessment(audit, plan):
    for code in ("B005", "B006"):  # started 44 days, completed 80 days after enrollment
        assert audit.rtf_findings(plan, f"late-{plan}", code), code
        assert not audit.rtf_findings(plan, f"ontime-{plan}", code), code


def check_care_plan(audit, plan):
    assert audit.rtf_findings(plan, f"late-{plan}", "B007")  # 106 days
    assert not audit.rtf_findings(plan, f"ontime-{plan}", "B007")  # 61 days


def check_lead_care_manager(audit, plan):
    for i in range(51):
        assert audit.rtf_findings(plan, f"lcm-{plan}-{i}", "B008"), i
    assert not audit.rtf_findings(plan, f"ontime-{plan}", "B008")


def check_capacity_report_quarterly(audit, plan):
    row = audit.capacity[plan]
    assert row["asks"].startswith("capacity report, every quarter"), row["asks"]
    assert "submit an updated capacity report quarterly" in row["source"]
    assert row["ratio"] == "1:50" and "cannot exceed 1:50" in row["source"]
    assert "assumed" not in row["source"]  # stated for this plan


def check_capacity_survey_monthly(audit, plan):
    row = audit.capacity[plan]
    assert row["asks"].startswith("Provider Capacity Survey, every month"), row["asks"]
    assert "Microsoft Forms survey via email link" in row["asks"]
    dates = [r["date"] for r in audit.events(plan, "capacity_survey_due")]
    assert len(dates) == 1 and dates[0].startswith("2025-12"), dates  # one a month


def check_program_completion(audit, plan):
    def completion(mid):
        _, _, findings = audit.files
        rows = audit.file_records(plan, "rtf")
        n = next(i for i, r in enumerate(rows, start=2) if r[CIN] == audit.files[0].cin(mid))
        return [
            f
            for f in findings
            if f["plan"] == plan and f["row"] == n and "completion" in f["message"].lower()
        ]

    if plan == "chwp":  # every 6 months
        assert completion("pc-8m-chwp"), "8 months enrolled, no program completion reminder"
    else:  # every 12 months
        assert completion("pc-14m-healthnet"), "14 months enrolled, no reminder"
        assert not completion("pc-8m-healthnet")


def _services(audit, plan):
    return {
        day: (code, *mods) for day, code, *mods in audit.lines(audit.claims, plan, f"svc-{plan}")
    }


def check_g9008_u1(audit, plan):
    lines = _services(audit, plan)
    assert lines["2025-11-03"] == ("G9008", "U1")
    assert lines["2025-11-06"][:2] == ("G9008", "U1")


def check_g9012_u2(audit, plan):
    assert _services(audit, plan)["2025-11-04"] == ("G9012", "U2")


def check_u8_any_date(audit, plan):
    for mid in (f"u8-before-{plan}", f"u8-on-{plan}", f"u8-after-{plan}"):
        [(_, code, *mods)] = audit.lines(audit.claims, plan, mid)
        assert (code, mods[:1]) == ("G9012", ["U8"]), mid


def check_u1_u2_after_enrollment(audit, plan):
    days = [day for day, *_ in audit.lines(audit.claims, plan, f"early-{plan}")]
    assert days == ["2025-11-15", "2025-11-20"]  # enrolled on the 15th
    assert audit.refused(audit.claims, f"early-{plan}", "2025-11-10") == ["K001"]


def check_gq_partnership(audit, plan):
    lines = _services(audit, plan)
    assert "GQ" not in lines["2025-11-04"]  # in person
    for day in ("2025-11-05", "2025-11-06"):  # phone, video
        assert "GQ" in lines[day], day
    for day in ("2025-11-07", "2025-11-10"):  # member not present, care team meeting
        assert "GQ" in lines[day], day


def check_gq_telehealth(audit, plan):
    lines = _services(audit, plan)
    assert "GQ" not in lines["2025-11-04"]
    assert "GQ" in lines["2025-11-05"] and "GQ" in lines["2025-11-06"]


def check_one_time_outreach(audit, plan):
    # two outreach encounters: the first (unsuccessful) is billed, the second refused
    assert [(d, c, m) for d, c, m, *_ in audit.lines(audit.claims, plan, f"oto-{plan}")] == [
        ("2025-11-05", "G9012", "U8")
    ]
    assert audit.refused(audit.claims, f"oto-{plan}", "2025-11-12") == ["K002"]
    # only attempts: the first one is billed, once
    lines = audit.lines(audit.claims, plan, f"oto-attempts-{plan}")
    assert [(d, c, m) for d, c, m, *_ in lines] == [("2025-11-03", "G9012", "U8")]


def check_one_claim_per_member(audit, plan):
    [claim] = audit.billed(audit.claims, plan, f"svc-{plan}")
    assert len(claim["lines"]) == 7


def check_no_authorization_needed(audit, plan):
    [claim] = audit.billed(audit.claims, plan, f"svc-{plan}")
    assert len(claim["lines"]) == 7 and all(line["tar"] is None for line in claim["lines"])
    _, _, _, findings = audit.claims
    rows = {
        n for n, e in enumerate(audit.claims[0].encounters, 2) if e["member_id"] == f"svc-{plan}"
    }
    assert not [f for f in findings if f["sheet"] == "encounters" and f["row"] in rows]


def check_street_medicine(audit, plan):
    assert audit.line(audit.claims, plan, f"svc-{plan}", "2025-11-11")["pos"] == "27"


def check_outreach_tar(audit, plan):
    assert audit.lines(audit.claims, plan, "notar-outreach") == []
    assert audit.refused(audit.claims, "notar-outreach", "2025-11-05") == ["K003"]
    assert audit.line(audit.claims, plan, f"u8-before-{plan}", "2025-11-05")["tar"] == TAR


def check_engagement_fee(audit, plan):
    assert audit.line(audit.claims, plan, "fee-first", "2025-11-05")["tar"] == TAR
    # a second fee five months after the first, ECM services in between
    assert audit.lines(audit.claims, plan, "fee-again") == []
    assert audit.refused(audit.claims, "fee-again", "2025-11-05") == ["K004"]
    assert audit.refused(audit.claims, "fee-notar", "2025-11-05") == ["K003"]


def check_referral_tar(audit, plan):
    assert audit.lines(audit.claims, plan, "referral-notar") == []
    assert audit.refused(audit.claims, "referral-notar", "2025-11-05")


def _code_set_lines(audit, plan, mid):
    return [(d, c, *m) for d, c, *m in audit.lines(audit.code_sets, plan, mid)]


def check_chw_codes(audit, plan):
    lines = _code_set_lines(audit, plan, f"chw-{plan}")
    assert ("2025-11-03", "98960", "U2") in lines
    assert ("2025-11-04", "98961", "U3") in lines
    for day in ("2025-11-05", "2025-11-06"):  # no modifier; U1
        assert audit.refused(audit.code_sets, f"chw-{plan}", day) == ["K007"], day
        assert day not in [d for d, *_ in lines]


def check_chw_units(audit, plan):
    assert audit.line(audit.code_sets, plan, f"chw-{plan}", "2025-11-07")["units"] == "4"
    assert audit.refused(audit.code_sets, f"chw-{plan}", "2025-11-10") == ["K006"]  # 5 units


def check_chw_not_enrolled(audit, plan):
    assert audit.lines(audit.code_sets, plan, f"chw-enrolled-{plan}") == []
    assert audit.refused(audit.code_sets, f"chw-enrolled-{plan}", "2025-11-05") == ["K005"]


def check_doula_codes(audit, plan):
    lines = _code_set_lines(audit, plan, f"doula-{plan}")
    assert lines == [
        ("2025-11-01", "59409", "XP"),
        ("2025-11-02", "T1033", "XP", "U7"),
        ("2025-11-05", "59612", "XP", "93"),
    ]
    for day in ("2025-11-03", "2025-11-04"):  # Z1038 without XP; 59840 with GQ
        assert audit.refused(audit.code_sets, f"doula-{plan}", day) == ["K007"], day


def check_doula_one_a_day(audit, plan):
    assert len(audit.lines(audit.code_sets, plan, f"doula-day-{plan}")) == 1
    assert audit.refused(audit.code_sets, f"doula-day-{plan}", "2025-11-05")


def check_doula_nine_visits(audit, plan):
    days = [d for d, *_ in audit.lines(audit.code_sets, plan, f"doula-ten-{plan}")]
    assert days == [f"2025-11-{n:02d}" for n in range(1, 10)]  # the tenth visit is refused
    assert audit.refused(audit.code_sets, f"doula-ten-{plan}", "2025-11-10")


def check_doula_extended(audit, plan):
    days = [d for d, *_ in audit.lines(audit.code_sets, plan, f"doula-ext-{plan}")]
    assert days == ["2025-11-05", "2025-11-12"]
    assert audit.refused(audit.code_sets, f"doula-ext-{plan}", "2025-11-19")


def check_cs_authorization(audit, plan):
    world, mid = audit.community_supports, f"cs-{plan}"
    assert audit.lines(world, plan, mid) == [("2025-11-03", "S5170"), ("2025-11-20", "S5170")]
    # outside the dates; a requested authorization; no authorization at all
    for day in ("2025-11-21", "2025-11-05", "2025-11-06"):
        assert audit.refused(world, mid, day) == ["K020"], day


def check_cs_outreach(audit, plan):
    world, mid = audit.community_supports, f"cs-{plan}"
    assert "2025-11-10" not in [d for d, *_ in audit.lines(world, plan, mid)]
    assert audit.refused(world, mid, "2025-11-10") == ["K021"]


# ============================================================================= the table


@dataclass(frozen=True)
class Rule:
    id: str  # <seeds>-<what>, the test id
    seeds: str  # seed file numbers
    section: str  # where in the seed: the step, FAQ question or table, a few words quoted
    plans: tuple[str, ...]  # the plans those seeds speak for
    rule: str  # the rule in plain words
    check: Callable  # check(audit, plan), for each plan
    missing: str = ""  # what ecmx lacks today: the row is xfail(strict) until it lands


RULES = (
    # -- calendar
    Rule("000-001-002-mif-by-15th", "000, 001, 002",
         "000/001 Step 5 'The MIF is sent out ... by the 15th of each month'; 002 FAQ 'Is the RTF due by the 5th ...'",
         HN_FAMILY, "The plan sends the MIF by the 15th of the month.",
         _calendar_on(("2025-11-15",), "mif_delivery")),
    Rule("000-001-002-rtf-otf-due-5th", "000, 001, 002",
         "000/001 Step 6 'RTF and OTF are due back to the Plan by the 5th'; 002 FAQ 'Is the RTF due by the 5th ...'",
         HN_FAMILY, "The RTF and OTF are due by the 5th of the month after the period.",
         _calendar_on(("2025-12-05",), "rtf_due", "otf_due")),
    Rule("002-corrections-until-10th", "002",
         "FAQ 'declined due to being uploaded after the 10th': 'After the 10th, files are not accepted'",
         HN_TRIO, "Corrected files are accepted until the 10th; after it the plan refuses the file "
         "(convert warns C002).", check_correction_cutoff),
    Rule("002-csasf-15th-29th", "002", "CS FAQ 'When will CS providers receive the CSASF?': 'on the 15th and 29th'",
         HN_TRIO, "The plan sends the Community Supports Authorization Status File on the 15th and 29th.",
         _calendar_on(("2025-11-15", "2025-11-29"), "csasf_delivery")),
    Rule("002-csasf-until-resolved", "002",
         "CS FAQ 'When will CS providers receive the CSASF?': 'both members with and without authorization'; "
         "'each unique member + CS service combination'; 'The members will remain on the CSASF until they have been resolved'",
         HN_TRIO, "The CSASF lists members with an authorization and new potential members without one, per "
         "member and CS service, until resolved: `ingest --kind csasf` adds each pair, and a pair the next "
         "CSASF lacks is reported dropped.", check_csasf_until_resolved),
    Rule("002-csprtf-5th-10th", "002", "CS FAQ 'Is DHCS requiring the CSPRTF?': 'by the 5th and 10th of every month'",
         HN_TRIO, "The CS Provider Return Transmission File is due by the 5th and the 10th.",
         _calendar_on(("2025-12-05", "2025-12-10"), "csprtf_due", stated=False)),
    Rule("003-partnership-schedule", "003", "ECM Reporting Schedule: 'First week', 'Third week', 'Fourth week of the month'",
         ("partnership",), "MIF and TEL in the first week; review of the returned files in the third week; "
         "new MIFs and TELs made in the fourth week.", check_partnership_schedule),
    Rule("003-partnership-file-naming", "003", "ECM Reporting Schedule: 'Facility Name_ECM - RTF_Date', '- IOT_Date', '- MIF_Date'",
         ("partnership",), "Partnership's files are named Facility Name_ECM - RTF_Date, - IOT_Date and - MIF_Date.",
         check_partnership_naming),
    Rule("003-partnership-referral-file", "003", "Reporting File Templates: 'Potential ECM Member Referral File'",
         ("partnership",), "Partnership's reporting file templates include a Potential ECM Member Referral File "
         "(its layout is on no page).", check_partnership_referral_file),
    Rule("001-mini-mif-5-10-days", "001", "Step 5 'an ad hoc mini-MIF ... 5-10 calendar days after the referral is approved'",
         ("healthnet",), "Health Net sends a mini-MIF 5-10 calendar days after it approves a referral.",
         check_mini_mif),
    # -- RTF
    Rule("002-status-1-pending-4-declined", "002",
         "FAQ 'MIF includes patients who are not enrolled': 'status code 1 - Pending Outreach'; FAQ 'enrolls and then decides to not participate': 'status code 4 - Declined'",
         HN_TRIO, "ECM status code 1 is Pending Outreach, 4 is Declined.", check_status_codes),
    Rule("002-enrolled-then-declined", "002",
         "FAQ 'If a member enrolls and then decides to not participate'; FAQ 'status code 4 should be used for enrolled cases'",
         HN_TRIO, "A member who enrolled and then declined: status 4, enrollment start kept, enrollment end = "
         "the day they stopped, discontinuation date blank.", check_enrolled_then_declined),
    Rule("002-never-enrolled-excluded", "002", "FAQ 'difference between ECM Enrollment End date and Discontinuation date'",
         HN_TRIO, "A member excluded without ever enrolling gets the discontinuation date and no enrollment dates.",
         check_never_enrolled_excluded),
    Rule("002-acuity-default-low", "002", "FAQ 'For acuity, is it a required field?': 'default blank cells to \"low\"'",
         HN_TRIO, "A blank acuity is written as Low.", check_acuity_default),
    Rule("002-most-recent-encounter-successful", "002", "FAQ 'For the most recent encounters with members': 'the most recent successful encounter'",
         HN_TRIO, "Date of Most Recent Encounter is the latest successful encounter.", check_most_recent_successful),
    Rule("002-counts-successful-and-unsuccessful", "002",
         "FAQ 'For the most recent encounters with members': 'count of both successful and unsuccessful encounters'",
         HN_TRIO, "In Person and Telephonic/Video count the period's encounters, successful or not.",
         check_counts_all_outcomes),
    Rule("002-counts-ecm-services-only", "002", "FAQ 'How do we count the total number of encounter in the RFT?'",
         HN_TRIO, "The RTF's encounter counts and dates are ECM encounters: CHW and doula services are not.",
         check_counts_ecm_only),
    Rule("004-encounter-is-successful-interaction", "004",
         "FAQ 'difference between an outreach attempt and an encounter': 'An encounter is considered a successful interaction'",
         ("partnership",), "At Partnership an encounter is a successful interaction: the counts leave out unsuccessful ones.",
         check_counts_successful_only),
    Rule("004-partnership-discontinuation-codes", "004", "FAQ 'How does a Member disenroll from ECM?': '#3 ... #4 ... #6'",
         ("partnership",), "Discontinuation reason 3 = no longer wishes to receive ECM, 4 = could not connect after "
         "multiple attempts, 6 = declined to participate.", check_partnership_reasons),
    Rule("002-rtf-includes-latest-mif", "002", "FAQ 'adding all previously enrolled patients to the RTF': 'all new and past enrollments present in the most recent MIF'",
         HN_TRIO, "The RTF includes every member of the latest MIF (after ecmx ingest).", check_rtf_includes_mif),
    Rule("002-enrolled-member-not-on-mif", "002", "FAQ 'enrolled members are not showing up on the MIF': 'add the member to your next RTF'",
         HN_TRIO, "A member enrolled with the provider but missing from the MIF stays on the RTF (X002 warns).",
         check_member_not_on_mif),
    # -- OTF / IOT
    Rule("002-otf-one-row-per-attempt", "002", "FAQ 'Do I enter one row on the OTF per outreach attempt?': 'Yes'",
         HN_TRIO, "The OTF has one row per outreach attempt.", check_one_row_per_attempt),
    Rule("002-otf-minutes-rounded-up", "002", "FAQ 'Can I round up the outreach time spent': 'round it up to the nearest minute'",
         HN_TRIO, "Outreach minutes are rounded up to the whole minute.", check_minutes_rounded_up),
    Rule("002-otf-mail-telephonic-1-minute", "002", "FAQ 'If the outreach attempt is by mail': 'Telephonic/Electronic ... defaulted to 1 minute'",
         HN_TRIO, "A mailed attempt is Telephonic/Electronic with 1 minute.", check_mail_attempt),
    Rule("004-iot-only-members-not-enrolled", "004",
         "FAQ 'difference between an outreach attempt and an encounter': 'a referred member that is NOT enrolled yet ... documented on the IOT'",
         ("partnership",), "The IOT holds attempts for members not yet enrolled; a contact while enrolled is left off "
         "with a finding, and the IOT is still written.", check_iot_members_not_enrolled),
    Rule("002-file-extension-xlsx-xlsm", "002", "FAQ 'What file type should the RTF and OTF be submitted as': 'the file extension must be xlsx or xlsm'",
         HN_TRIO, "The RTF and OTF are xlsx or xlsm; validate refuses another format.", check_file_extension),
    # -- business rules on the RTF
    Rule("002-exclusion-90-days-5-attempts-3-modalities", "002", "FAQ 'Can we do outreach for 90 days, not 60?': '90 calendar days ... at least 5 times ... a minimum of 3 outreach modalities'",
         HN_TRIO, "Before excluding a member as unable to contact: outreach over 90 calendar days, at least 5 "
         "attempts, at least 3 modalities (B004).", check_exclusion_outreach),
    Rule("000-001-002-assessment-30-60", "000, 001, 002",
         "000/001 Step 7 'initiate an assessment within 30 days and complete ... within 60 days'; 002 FAQ 'How long do we have to complete the members initial assessment?'",
         HN_FAMILY, "The assessment starts within 30 days of enrollment and is completed within 60 (B005, B006).",
         check_assessment),
    Rule("002-care-plan-90", "002", "FAQ 'How long do we have to complete the members initial assessment?': 'care plan must be created within 90 days'",
         HN_TRIO, "The care plan is created within 90 days of enrollment (B007).", check_care_plan),
    Rule("002-lead-care-manager-1-to-50", "002", "FAQ 'How many ECM members can a provider have?': 'cannot exceed 1:50'",
         HN_TRIO, "A lead care manager has at most 50 members (B008).", check_lead_care_manager),
    Rule("002-capacity-report-quarterly", "002",
         "FAQ 'How many ECM members can a provider have?': 'Each ECM provider must submit an updated capacity report quarterly, at a minimum'",
         HN_TRIO, "The provider sends a capacity report at least quarterly (ecmx capacity gives its figures).",
         check_capacity_report_quarterly),
    Rule("003-capacity-survey-monthly", "003",
         "ECM Reporting Schedule: 'Provider Capacity Survey (Microsoft Forms survey via email link)'; 'Provider Capacity Survey Due'",
         ("partnership",), "The provider answers Partnership's monthly Provider Capacity Survey (ecmx capacity gives its figures).",
         check_capacity_survey_monthly),
    Rule("000-001-program-completion", "000, 001",
         "000 last Step 'program completion assessment ... (every six months)'; 001 last Step 'every 12 months following enrollment'",
         ("chwp", "healthnet"), "A program completion assessment is due every 6 months at CHWP, every 12 months at Health Net.",
         check_program_completion),
    # -- ECM billing (837P)
    Rule("003-g9008-u1-clinical", "003", "ECM Procedure Codes and Modifiers: 'G9008: Clinical', 'U1: ECM clinical'",
         ("partnership",), "A clinical staff service is G9008 with U1.", check_g9008_u1),
    Rule("003-g9012-u2-non-clinical", "003", "ECM Procedure Codes and Modifiers: 'G9012: Non-clinical', 'U2: ECM non-clinical'",
         ("partnership",), "A non-clinical staff service is G9012 with U2.", check_g9012_u2),
    Rule("003-u8-before-on-after-enrollment", "003", "Validation rules: 'Service start date for U8 must be prior to, the same day as, or after enrollment'",
         ("partnership",), "Pre-enrollment outreach is U8, billable before, on or after the enrollment date.",
         check_u8_any_date),
    Rule("003-u1-u2-on-or-after-enrollment", "003", "Validation rules: 'Service start date for U1 and U2 must be on the same day as, or after enrollment'",
         ("partnership",), "A U1/U2 service before the enrollment start is refused (K001).", check_u1_u2_after_enrollment),
    Rule("003-gq-telehealth-or-not-present", "003", "GQ Modifier: 'GQ = telehealth, If blank = in person'; 'If member is not present ... code as GQ'",
         ("partnership",), "GQ for telehealth and when the member is not present (unsuccessful outreach, care team "
         "meeting); none in person.", check_gq_partnership),
    Rule("002-gq-telehealth", "002", "FAQ 'Should we use POS 02 for telehealth': 'add modifier GQ when billing for telehealth'",
         HN_TRIO, "GQ on telehealth lines.", check_gq_telehealth),
    Rule("000-002-one-time-outreach-once", "000, 002",
         "000 Step 9 'One-time ECM outreach ... regardless of the outreach outcome'; 002 FAQ 'claim for mailers': 'one-time outreach for new members regardless of outreach outcome'",
         HN_FAMILY, "One outreach per member is billable whatever its outcome; a second is refused (K002).",
         check_one_time_outreach),
    Rule("002-one-claim-per-member", "002", "FAQ 'Can we submit one claim for all members': 'one claim per member'",
         HN_TRIO, "One claim per member and period.", check_one_claim_per_member),
    Rule("000-001-authorization-not-required", "000, 001", "Step 9 'Authorization number is not a required field for billing'",
         ("chwp", "healthnet"), "ECM lines are billed without an authorization number.", check_no_authorization_needed),
    Rule("002-street-medicine-pos-27", "002", "Street Medicine FAQ: 'Medi-Cal providers may use POS code 27'",
         HN_TRIO, "Place of service 27 (outreach site/street) is billed as given.", check_street_medicine),
    Rule("004-partnership-outreach-needs-tar", "004", "FAQ 'Is a TAR required in order to be paid for the $150 outreach reimbursement?': 'Yes'",
         ("partnership",), "Outreach is billed only with a TAR (K003).", check_outreach_tar),
    Rule("004-engagement-fee-rolling-12-months-tar", "004", "FAQ 'one-time successful engagement fee': 'once every 12 months ... rolling ... A TAR will be required'",
         ("partnership",), "The engagement fee needs a TAR (K003) and a 12-month gap in ECM services since the last "
         "one (K004).", check_engagement_fee),
    Rule("004-referral-needs-tar", "004", "FAQ 'If we receive a referral from Partnership, do we need to complete a TAR': 'Yes, a TAR is based upon a completed and signed ROI and care plan'",
         ("partnership",), "ECM services for a Partnership referral are billed only with a TAR.", check_referral_tar),
    Rule("002-chw-codes-u2-u3", "002", "CHW FAQ 'What are the billing codes and modifers': '98960 ... 98961 ... 98962', 'U2 ... U3'",
         HN_TRIO, "CHW services are 98960-98962 with U2 (CHW) or U3 (asthma preventive); another modifier is refused (K007).",
         check_chw_codes),
    Rule("002-chw-max-4-units-a-day", "002", "CHW FAQ 'What is the daily limits on services?': 'four units (two hours) daily per beneficiary'",
         HN_TRIO, "At most 4 CHW units a day per member (K006).", check_chw_units),
    Rule("002-chw-not-for-ecm-enrolled", "002", "CHW FAQ: 'The CHW benefit cannot be provided to a member enrolled in ECM'",
         HN_TRIO, "No CHW code for a member enrolled in ECM (K005).", check_chw_not_enrolled),
    Rule("002-doula-codes-modifiers", "002", "Doula FAQ: 'Code or Code Ranges: 59409, ... Z1038', 'Required Modifier: XP', 'Allowable Modifiers: SA, SB, U7, 93, 95'",
         HN_TRIO, "Doula codes need XP and allow only SA, SB, U7, 93, 95 beside it (K007).", check_doula_codes),
    Rule("002-doula-one-visit-a-day", "002", "Doula FAQ 'How does a member receive services?': 'All visits are limited to one per day, per member'",
         HN_TRIO, "At most one doula visit a day per member.", check_doula_one_a_day),
    Rule("002-doula-initial-and-eight-more", "002", "Doula FAQ 'What does first set of services covered?': 'One initial visit', 'up to eight'",
         HN_TRIO, "One initial doula visit and up to eight more (Z1032 initial, Z1034 prenatal/postpartum).",
         check_doula_nine_visits),
    Rule("002-doula-two-extended-postpartum", "002", "Doula FAQ 'What does first set of services covered?': 'up to two extended three-hour visits'",
         HN_TRIO, "At most two extended three-hour postpartum doula visits (T1032).", check_doula_extended),
    Rule("002-cs-authorization-before-billing", "002", "CS FAQ 'Are CS providers required to submit authorization for services?': 'approved authorizations are required before rendering services'; FAQ 'Is an authorization needed to submit claims?': 'For CS, authorization approval is required before you can provide services and bill'",
         HN_TRIO, "A Community Supports line is billed only under an authorization covering its date (K020).", check_cs_authorization),
    Rule("002-cs-outreach-not-billable", "002", "CS FAQ 'Will there be payments for CS outreach like ECM outreach?': 'No, at this time, outreach is not billable'",
         HN_TRIO, "A Community Supports outreach is not billed (K021).", check_cs_outreach),
)  # fmt: skip


def _param(rule: Rule):
    marks = [pytest.mark.xfail(strict=True, reason=rule.missing)] if rule.missing else []
    return pytest.param(rule, id=rule.id, marks=marks)


@pytest.mark.parametrize("rule", [_param(r) for r in RULES])
def test_seed_rule(audit, rule):
    assert rule.plans, rule.id
    for plan in rule.plans:
        rule.check(audit, plan)


def test_each_row_names_its_seeds_plans_and_section():
    speaks_for = {
        "000": {"chwp"},
        "001": {"healthnet"},
        "002": set(HN_TRIO),
        "003": {"partnership"},
        "004": {"partnership"},
    }
    assert len({r.id for r in RULES}) == len(RULES)
    for rule in RULES:
        seeds = [s.strip() for s in rule.seeds.split(",")]
        assert rule.id.startswith("-".join(seeds) + "-"), rule.id
        allowed = set().union(*(speaks_for[s] for s in seeds))
        assert set(rule.plans) <= allowed, f"{rule.id}: a seed is no source for {rule.plans}"
        assert rule.section and rule.rule


def test_the_doc_lists_every_row():
    doc = DOC.read_text(encoding="utf-8")
    missing = [r.id for r in RULES if f"`{r.id}`" not in doc]
    assert not missing, f"docs/seed-rules.md lacks {missing}"
    listed = set(re.findall(r"`(\d{3}(?:-\d{3})*-[a-z0-9-]+)`", doc))
    assert listed <= {r.id for r in RULES}, (
        f"docs/seed-rules.md lists rows the table lacks: {listed - {r.id for r in RULES}}"
    )
