"""Every finding code that is not a rule, declared once, by the stage that finds it.

Rules (core/checks/field.py, business.py, claim_rules.py and plugins) are ``Rule``
objects registered with ``registry.add_rule``; the codes below are found while a
stage does its work: reading the dataset or a plan file, building a plan file,
checking its dates, comparing it with the plan's MIF, billing. Together they are the
catalogue (core/checks/catalogue.py) that docs/findings.md is generated from.

A hint written here is what the finding says unless its site names the cell or the
plan; a source is a page of plan_configs/sources.yaml or a standard. An empty source
is ecmx's own check of its input (docs/dataset.md).
"""

from __future__ import annotations

from ecmx.core.checks.findings import ERROR, INFO, WARNING, Code

# ---- reading the dataset (core/dataset/read.py, relations.py)
D001 = Code("D001", INFO, "dataset", "dataset table missing", "", "", overridable=False)
D002 = Code("D002", INFO, "dataset", "unknown dataset column", "", "", overridable=False)
D101 = Code("D101", ERROR, "dataset", "required dataset cell blank", "fill the cell", "")
D102 = Code(
    "D102", ERROR, "dataset", "not a date",
    "write 2025-11-04, 11/04/2025 or a real spreadsheet date", "",
)  # fmt: skip
D103 = Code(
    "D103", ERROR, "dataset", "not a yes/no value",
    "write true/false, yes/no, y/n or 1/0", "",
)  # fmt: skip
D104 = Code(
    "D104", ERROR, "dataset", "not a number",
    "write a number (minutes: from 0 to 1440, the minutes in a day)", "",
)  # fmt: skip
D105 = Code(
    "D105", ERROR, "dataset", "unknown code value",
    "use one of the values in docs/dataset.md", "",
)  # fmt: skip
D106 = Code(
    "D106", ERROR, "dataset", "identifier stored as a number",
    "format the column as Text and type the number as the plan issued it "
    "(a number loses its leading zeros: 0000000006 reads as 6)", "",
)  # fmt: skip
D107 = Code(
    "D107", ERROR, "dataset", "Excel error cell",
    "fix the formula or type the value (#N/A, #REF! ... is never read as a blank)", "",
)  # fmt: skip
D201 = Code(
    "D201", ERROR, "dataset", "member listed twice",
    "give each member one row; put several episodes in enrollments", "",
)  # fmt: skip
D202 = Code(
    "D202", ERROR, "dataset", "CIN of the wrong shape",
    "copy the CIN from the plan's MIF or eligibility check (e.g. 91234567A)", "",
)  # fmt: skip
D203 = Code(
    "D203", WARNING, "dataset", "CIN ending in an unused letter",
    "check the CIN against the plan's MIF", "",
)  # fmt: skip
D204 = Code(
    "D204", ERROR, "dataset", "row for an unknown member",
    "add the member to members or correct the member_id", "",
)  # fmt: skip
D205 = Code(
    "D205", ERROR, "dataset", "member of an unknown plan",
    "use a plan id from `ecmx plans list`, or add the plan with --plans-dir", "",
)  # fmt: skip
D206 = Code(
    "D206", ERROR, "dataset", "CS service listed twice for a member",
    "keep one community_supports row per member and service: merge the two rows", "",
)  # fmt: skip
D207 = Code(
    "D207", ERROR, "dataset", "CS authorization ends before it starts",
    "check authorization_start and authorization_end against the plan's authorization", "",
)  # fmt: skip
D208 = Code(
    "D208", WARNING, "dataset", "CS service authorized without an authorization number",
    "copy the authorization number from the plan's CSASF or the provider portal", "",
)  # fmt: skip

# ---- reading a plan file: a MIF, a TEL, or the provider's own RTF/OTF (core/files/read.py)
F001 = Code("F001", INFO, "plan_file", "column not in the layout", "", "")
F003 = Code(
    "F003", WARNING, "plan_file", "CIN on several rows", "ask the plan which row is right", ""
)
F004 = Code(
    "F004", ERROR, "plan_file", "row without a CIN", "ask the plan for the member's CIN", ""
)
F005 = Code(
    "F005", ERROR, "plan_file", "row without a CS service",
    "ask the plan for the row's Community Supports service", "",
)  # fmt: skip
F010 = Code(
    "F010", ERROR, "plan_file", "file type the plan does not take",
    "save it as .xlsx (what `ecmx convert` writes)",
    "the plan's `files.<kind>.accepted_formats` (Health Net family: xlsx or xlsm only)",
)  # fmt: skip
_LAYOUT = "the plan's file layout: its column types and code lists"
L003 = Code("L003", ERROR, "plan_file", "not a date", "write a real date or MM/DD/YYYY", _LAYOUT)
L004 = Code("L004", ERROR, "plan_file", "not a number", "write a number", _LAYOUT)
L005 = Code(
    "L005", ERROR, "plan_file", "not a code of the plan",
    "use a code from `ecmx plans show PLAN`", _LAYOUT,
)  # fmt: skip
L011 = Code(
    "L011", ERROR, "plan_file", "Excel error cell",
    "fix the cell in your own file; ask the plan for a corrected file of theirs", _LAYOUT,
)  # fmt: skip

# ---- building a plan file (core/files/kinds, mapping.py, convert.py)
M001 = Code(
    "M001", ERROR, "building", "no plan code for a dataset value",
    "use a value the plan knows, or add it to the plan's code list", "",
)  # fmt: skip
N001 = Code(
    "N001", ERROR, "building", "file prefix missing",
    "add `plans.<plan>.file_prefix` to provider.yaml (the naming is assumed: no plan page "
    "states file names)", "",
)  # fmt: skip
R001 = Code(
    "R001", WARNING, "building", "member left off the RTF",
    "add an enrollments row (status pending_outreach at least) if the plan assigned the member",
    "",
)  # fmt: skip
R002 = Code(
    "R002", WARNING, "building", "member on a plan file already: left off the referral file",
    "nothing to do if the plan sent the member; else give the episode its assigned_date",
    "",
)  # fmt: skip
T001 = Code(
    "T001", ERROR, "building", "plan's template workbook does not fit the layout",
    "fix the template's header row or the plan's files.<kind>.template (ecmx plans check)",
    "the plan's `files.<kind>.template` (docs/configuration.md)",
    overridable=False,
)  # fmt: skip

S104 = Code(
    "S104", WARNING, "building", "Community Supports encounter with no CS row",
    "add the member's community_supports row for the service (with its authorization), or "
    "correct encounters.cs_service",
    "seed 002 CS FAQ: CS services need an authorization before they are rendered and billed",
)  # fmt: skip

# ---- the plan's calendar (core/calendar/deadlines.py)
C001 = Code(
    "C001", WARNING, "calendar", "file past its due date",
    "send it as soon as you can; `ecmx due` shows until when corrections are accepted",
    "the plan's calendar: section (e.g. the 5th at Health Net)",
)  # fmt: skip
C002 = Code(
    "C002", WARNING, "calendar", "correction window closed",
    "put these updates in the next period's file instead",
    "the plan's calendar: section (Health Net family: corrections until the 10th)",
)  # fmt: skip

# ---- across files: the RTF against the plan's latest ingested MIF (core/checks/crossfile.py)
X001 = Code(
    "X001", ERROR, "cross_file", "MIF member missing from the RTF",
    "every MIF member must be on the RTF: give the member an enrollments row",
    "seed 002 FAQ: the RTF should include all new and past enrollments present in the most "
    "recent MIF",
)  # fmt: skip
X002 = Code(
    "X002", WARNING, "cross_file", "enrolled member not on the MIF",
    "keep the member on this RTF: the plan adds them to the next MIF once it has the RTF",
    "seed 002 FAQ on enrolled members not showing up on the MIF",
)  # fmt: skip

# ---- billing: a member value the claim needs (core/billing/claim_fields.py). An error
# holds the member's claim back whatever the plan says, so no plan may re-grade it.
K013 = Code(
    "K013", ERROR, "billing", "member value an 837P cannot carry",
    "correct the member's cell (X12 allows A-Z, 0-9 and common punctuation; a US state "
    "code; a 5- or 9-digit ZIP)",
    "X12 837P 005010X222A1: 2010BA subscriber name (NM1), address (N3/N4), demographics "
    "(DMG); X12 character sets",
    overridable=False,
)  # fmt: skip

# ---- what a plan sends back (core/delivery/responses.py, core/jobs/fetch.py)
_RESPONSES = "the plan's delivery.responses (assumed: no plan page shows a response file)"
P001 = Code(
    "P001", ERROR, "delivery", "plan response unreadable",
    "check the plan's delivery.responses columns against the file's header row", _RESPONSES,
    overridable=False,
)  # fmt: skip
P002 = Code(
    "P002", WARNING, "delivery", "plan response status not understood",
    "add the status to the plan's delivery.responses.statuses, or ask the plan what it means",
    _RESPONSES, overridable=False,
)  # fmt: skip
P003 = Code(
    "P003", WARNING, "delivery", "plan response names no file sent",
    "check the name against `ecmx ledger`: the file was sent another way, or under another name",
    _RESPONSES, overridable=False,
)  # fmt: skip
P004 = Code(
    "P004", ERROR, "delivery", "fetched file not merged",
    "fix or ask the plan for the file, then `ecmx ingest` it", "", overridable=False,
)  # fmt: skip

# Every code above, in the order declared.
STAGE_CODES: tuple[Code, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, Code)
)
