"""Helpers for the seed-rule audit: build a small dataset, run ``ecmx`` as a user would,
read what it wrote with readers that are not ecmx's own.

A test module cannot import a conftest (``--import-mode=importlib``), so the helpers
reach the audit module through the ``seedkit`` fixture, as ``kit`` does for tests/e2e.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from python_calamine import CalamineWorkbook

from ecmx.core.cli import console
from ecmx.core.cli.main import main
from ecmx.core.hooks.manager import PLANS_DIR_ENV
from tests.pyx12_check import pyx12_accepts

# The dataset contract's columns (docs/dataset.md), in the order written.
MEMBER_COLUMNS = (
    "member_id", "cin", "plan", "first_name", "last_name", "dob", "sex", "phone", "address",
    "city", "state", "zip",
)  # fmt: skip
EPISODE_COLUMNS = (
    "member_id", "status", "referral_date", "assigned_date", "enrollment_start", "enrollment_end",
    "discontinuation_date", "discontinuation_reason", "acuity", "lead_care_manager_name",
    "assessment_started", "assessment_completed", "care_plan_created", "authorization_number",
)  # fmt: skip
ATTEMPT_COLUMNS = (
    "member_id", "date", "method", "successful", "minutes", "staff_type", "diagnosis_codes",
    "authorization_number",
)  # fmt: skip
ENCOUNTER_COLUMNS = (
    "member_id", "date", "staff_type", "mode", "member_present", "successful", "minutes",
    "place_of_service", "diagnosis_codes", "charge", "kind", "procedure_code", "modifiers",
    "units", "authorization_number", "cs_service",
)  # fmt: skip
SUPPORT_COLUMNS = (
    "member_id", "service", "status", "authorization_number", "authorization_start",
    "authorization_end", "units_authorized",
)  # fmt: skip
PROVIDER = {
    "facility_name": "Audit Community Health",
    "npi": "1654321987",
    "tin": "12-3456789",
    "phone": "5595550100",
    "address": "1200 Sunrise Ave Suite 200",
    "city": "Fresno",
    "state": "CA",
    "zip": "93721-2345",
    "taxonomy": "251S00000X",
    "provider_type": "Community-Based Organization",
    # the one-time outreach billed from an attempt is charged at the code-modifier rate
    "rates": {"G9008": 125.0, "G9012": 85.0, "G9008-U8": 150.0, "G9012-U8": 150.0},
    "plans": {
        "healthnet": {"file_prefix": "AUDIT_HN", "payer_id": "99HN1"},
        "calviva": {"file_prefix": "AUDIT_CV", "payer_id": "99CV2"},
        "chpiv": {"file_prefix": "AUDIT_IV", "payer_id": "99IV3"},
        "chwp": {"file_prefix": "AUDIT_CHW", "payer_id": "99CH4"},
        "partnership": {"file_prefix": "AUDIT_PHC", "payer_id": "99PH5"},
    },
}
# Environment that would change what ecmx reads or prints.
_NOISY_ENV = (PLANS_DIR_ENV, "FORCE_COLOR", "TTY_COMPATIBLE")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_ecmx(*argv) -> Run:
    """``ecmx ARGV`` in-process (``ecmx.core.cli.main.main``), its exit code and output."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        for name in _NOISY_ENV:
            mp.delenv(name, raising=False)
        mp.setattr(console.stdout, "width", 400)  # no table cell wraps
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main([str(a) for a in argv])
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    assert "Traceback" not in out.getvalue() + err.getvalue(), err.getvalue()
    return Run(code, out.getvalue(), err.getvalue())


@dataclass
class Dataset:
    """A hand-written dataset: a few members, each exercising one rule, as a CSV folder.

    Rows are kept as dicts; ``write`` puts them in ``members.csv`` ... with
    ``provider.yaml`` beside them. A member's CIN is made from a counter (9, seven
    digits, a letter), so a file read back maps a CIN to the member it stands for.
    """

    members: list[dict] = field(default_factory=list)
    episodes: list[dict] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)
    encounters: list[dict] = field(default_factory=list)
    supports: list[dict] = field(default_factory=list)  # community_supports, when any
    first_cin: int = 1  # another dataset of the same test starts elsewhere: CINs stay unique

    def member(self, member_id: str, plan: str, **fields) -> str:
        n = self.first_cin + len(self.members)
        self.members.append(
            {
                "member_id": member_id,
                "cin": f"9{n:07d}A",
                "plan": plan,
                "first_name": "Audit",
                "last_name": f"Member{n}",
                "dob": "1980-01-01",
                "sex": "F",
                "phone": "5595550111",
                "address": "100 Main St",
                "city": "Fresno",
                "state": "CA",
                "zip": "93721",
                **fields,
            }
        )
        return member_id

    def episode(self, member_id: str, status: str, **fields) -> None:
        self.episodes.append({"member_id": member_id, "status": status, **fields})

    def attempt(self, member_id: str, day: str, method: str = "phone", **fields) -> None:
        self.attempts.append(
            {
                "member_id": member_id,
                "date": day,
                "method": method,
                "successful": "false",
                "minutes": "5",
                "staff_type": "non_clinical",
                **fields,
            }
        )

    def encounter(self, member_id: str, day: str, **fields) -> int:
        """Add an encounter; returns its row number in encounters.csv (header = row 1)."""
        self.encounters.append(
            {
                "member_id": member_id,
                "date": day,
                "staff_type": "non_clinical",
                "mode": "in_person",
                "diagnosis_codes": "Z59.00",
                "charge": "100",
                **fields,
            }
        )
        return len(self.encounters) + 1

    def support(self, member_id: str, service: str, status: str, **fields) -> None:
        """A community_supports row: the member's Community Supports service."""
        self.supports.append({"member_id": member_id, "service": service, "status": status,
                              **fields})  # fmt: skip

    def cin(self, member_id: str) -> str:
        return next(m["cin"] for m in self.members if m["member_id"] == member_id)

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True)
        tables = (
            ("members", MEMBER_COLUMNS, self.members),
            ("enrollments", EPISODE_COLUMNS, self.episodes),
            ("outreach", ATTEMPT_COLUMNS, self.attempts),
            ("encounters", ENCOUNTER_COLUMNS, self.encounters),
        ) + ((("community_supports", SUPPORT_COLUMNS, self.supports),) if self.supports else ())
        for name, columns, rows in tables:
            with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                writer.writerows(rows)
        (folder / "provider.yaml").write_text(yaml.safe_dump(PROVIDER), encoding="utf-8")
        return folder


# ----------------------------------------------------------------------------- readers


def xlsx_records(path: Path) -> list[dict]:
    """The rows of a one-sheet workbook as {header: value}, read by python-calamine."""
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def x12_segments(path: Path) -> list[list[str]]:
    """An interchange's segments, split by the separators its ISA declares."""
    text = Path(path).read_text(encoding="ascii")
    element, terminator = text[3], text[105]
    return [s.split(element) for s in text.split(terminator) if s.strip()]


def claims_by_member(path: Path) -> dict[str, list[dict]]:
    """{subscriber ID (the CIN): [claim]}; a claim is its CLM and its service lines.

    Each line is {code, modifiers, pos, date, tar}, read from SV1, DTP*472 and REF*G1.
    """
    segs = x12_segments(path)
    component = Path(path).read_text(encoding="ascii")[104]
    out: dict[str, list[dict]] = {}
    member, claim, line = None, None, None
    for seg in segs:
        tag = seg[0]
        if tag == "NM1" and seg[1] == "IL":
            member = seg[9]
        elif tag == "CLM":
            claim = {"clm": seg, "lines": []}
            out.setdefault(member, []).append(claim)
        elif tag == "SV1":
            parts = seg[1].split(component)
            line = {
                "code": parts[1],
                "modifiers": tuple(parts[2:]),
                "pos": seg[5] if len(seg) > 5 and seg[5] else claim["clm"][5].split(component)[0],
                "units": seg[4],
                "date": None,
                "tar": None,
            }
            claim["lines"].append(line)
        elif tag == "DTP" and seg[1] == "472" and line is not None:
            line["date"] = seg[3]
        elif tag == "REF" and seg[1] == "G1" and line is not None:
            line["tar"] = seg[2]
    return out


def report_findings(path: Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["findings"]


@pytest.fixture(scope="session")
def seedkit():
    return SimpleNamespace(
        Dataset=Dataset,
        PROVIDER=PROVIDER,
        run=run_ecmx,
        xlsx_records=xlsx_records,
        claims_by_member=claims_by_member,
        pyx12_accepts=pyx12_accepts,
        report_findings=report_findings,
    )
