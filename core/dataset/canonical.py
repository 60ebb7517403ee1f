"""The canonical internal dataset, version 1 (../shared/docs/dataset.md).

One definition serves the reader (what to accept and how to convert), the
sample-data generator (what to produce) and the docs (what a user must supply).
Column types:
  text   kept as text, always (CIN, NPI, ZIP, phone keep leading zeros)
  identifier  text that must have been text in the file too (TAR, authorization number):
         a workbook cell stored as a number has lost its leading zeros (D106)
  date   ISO ``2025-11-04``, ``11/04/2025`` or a real spreadsheet date
  bool   true/false, yes/no, y/n, 1/0 in any case
  int    a whole number (``12`` or ``12.0``)
  number a decimal number
  code   one key of ``values``, compared case-insensitively
  codes  ``;``-separated keys of ``values``
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROW = "_row"  # every table read has it: the spreadsheet/CSV row of each record, for findings
STATUSES = (
    "pending_outreach",
    "outreach",
    "enrolled",
    "declined",
    "disenrolled",
    "unable_to_contact",
    "ineligible",
    "graduated",
    "deceased",
    "other",
)
# Statuses that end an episode: the member leaves (or never joins) ECM.
EXIT_STATUSES = frozenset(STATUSES) - {"pending_outreach", "outreach", "enrolled"}

DISCONTINUATION_REASONS = (
    "member_declined",
    "no_longer_wishes",
    "unable_to_contact",
    "ineligible",
    "moved",
    "deceased",
    "graduated",
    "lower_level_of_care",
    "other",
)
POPULATIONS_OF_FOCUS = (
    "avoidable_utilization",
    "homelessness",
    "smi_sud",
    "ltc_risk",
    "nf_transition",
    "ccs",
    "child_welfare",
    "incarceration_transition",
    "pregnant_postpartum",
    "birth_equity",
)
ACUITY = ("low", "medium", "high")
OUTREACH_METHODS = ("phone", "text", "email", "mail", "in_person", "video")
STAFF_TYPES = ("clinical", "non_clinical")
ENCOUNTER_MODES = ("in_person", "phone", "video")
ENCOUNTER_KINDS = ("service", "outreach", "care_team_meeting", "engagement_fee")
SEXES = ("F", "M", "U", "X")


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"
    required: bool = False
    values: tuple[str, ...] = ()
    default: object = None
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    description: str = ""
    key: tuple[str, ...] = field(default=())
    # Kept by ecmx itself (ingest), not by the provider: not written while empty.
    ecmx_managed: bool = False

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


MEMBERS = Table(
    "members",
    key=("member_id",),
    description="one row per member",
    columns=(
        Column("member_id", required=True, description="the provider's own id, unique"),
        Column(
            "cin", required=True, description="Medi-Cal CIN, 9 characters: 9, 7 digits, a letter"
        ),
        Column(
            "plan",
            required=True,
            description="plan id: healthnet, calviva, chpiv, partnership, chwp, or any configured plan",
        ),
        Column("first_name", required=True),
        Column("last_name", required=True),
        Column("dob", "date", required=True, description="date of birth"),
        Column("sex", "code", values=SEXES),
        Column("phone"),
        Column("address"),
        Column("city"),
        Column("state"),
        Column("zip"),
        Column("address_changed", "bool", description="new since the last MIF"),
        Column("phone_changed", "bool", description="new since the last MIF"),
        Column("homeless", "bool"),
        Column("populations_of_focus", "codes", values=POPULATIONS_OF_FOCUS),
        Column("language_spoken"),
        Column("language_written"),
        Column("medicare_dual", "bool"),
        Column("mrn"),
    ),
)

ENROLLMENTS = Table(
    "enrollments",
    description="one row per member's ECM episode; a member may have several",
    columns=(
        Column("member_id", required=True),
        Column("status", "code", required=True, values=STATUSES),
        Column("referral_date", "date"),
        Column("assigned_date", "date"),
        Column("enrollment_start", "date", description="ECM enrollment (benefit) start"),
        Column("enrollment_end", "date", description="ECM enrollment (benefit) end"),
        Column("discontinuation_date", "date"),
        Column("discontinuation_reason", "code", values=DISCONTINUATION_REASONS),
        Column("acuity", "code", values=ACUITY),
        Column("lead_care_manager_name"),
        Column("lead_care_manager_phone"),
        Column("lead_care_manager_email"),
        Column("assessment_started", "date"),
        Column("assessment_completed", "date"),
        Column("care_plan_created", "date"),
        Column("care_plan_revised", "date"),
        Column("care_conference_date", "date"),
        Column("authorization_number", "identifier", description="TAR or authorization id"),
        Column(
            "program_completion_date",
            "date",
            description="the last program completion assessment (rule B011)",
        ),
    ),
)

OUTREACH = Table(
    "outreach",
    description="one row per outreach attempt",
    columns=(
        Column("member_id", required=True),
        Column("date", "date", required=True),
        Column("method", "code", required=True, values=OUTREACH_METHODS),
        Column("successful", "bool", required=True),
        Column("minutes", "number", description="time spent; blank = unknown"),
        Column("staff_type", "code", values=STAFF_TYPES),
        Column("contact_reason"),
        Column("outcome"),
        Column("staff_name"),
        Column(
            "diagnosis_codes",
            description="';'-separated ICD-10 codes for billing the one-time outreach",
        ),
        Column(
            "authorization_number",
            "identifier",
            description="TAR for billing the one-time outreach",
        ),
    ),
)

ENCOUNTERS = Table(
    "encounters",
    description="one row per ECM service contact: the source of RTF counts and claims",
    columns=(
        Column("member_id", required=True),
        Column("date", "date", required=True),
        Column("staff_type", "code", required=True, values=STAFF_TYPES),
        Column("mode", "code", required=True, values=ENCOUNTER_MODES),
        Column("member_present", "bool", default=True),
        Column("successful", "bool", default=True),
        Column("minutes", "number"),
        Column("place_of_service", description="two-digit POS code"),
        Column("diagnosis_codes", description="';'-separated ICD-10 codes"),
        Column("rendering_npi"),
        Column("charge", "number"),
        Column("kind", "code", values=ENCOUNTER_KINDS, default="service"),
        Column(
            "procedure_code",
            description="HCPCS/CPT to bill when not the ECM code ecmx derives (CHW 98960, doula T1032)",
        ),
        Column("modifiers", description="';'-separated modifiers to bill, compared in any order"),
        Column(
            "units", "int", description="units billed (default: the plan's units per encounter)"
        ),
        Column(
            "authorization_number",
            "identifier",
            description="TAR or authorization for this service",
        ),
        Column(
            "doula_recommendation",
            "bool",
            description="a doula visit beyond the first set, with the written recommendation "
            "it needs (not a standing order)",
        ),
    ),
)

PLAN_ROSTERS = Table(
    "plan_rosters",
    description="ecmx addition, written by `ecmx ingest`: who was on each plan's latest inbound file",
    ecmx_managed=True,
    columns=(
        Column("plan", required=True, description="plan id"),
        Column("kind", required=True, description="mif, mini_mif or tel"),
        Column("cin", required=True),
        Column("received", "date", required=True, description="the day the file was ingested"),
        Column("source_file", description="the file's name"),
    ),
)

TABLES: tuple[Table, ...] = (MEMBERS, ENROLLMENTS, OUTREACH, ENCOUNTERS, PLAN_ROSTERS)
TABLES_BY_NAME = {t.name: t for t in TABLES}

# provider.yaml keys (dataset.md); ``provider_type`` is an ecmx addition (OTF column).
PROVIDER_KEYS = (
    "facility_name",
    "npi",
    "tin",
    "phone",
    "address",
    "city",
    "state",
    "zip",
    "taxonomy",
    "provider_type",
)
PROVIDER_REQUIRED = ("facility_name", "npi", "tin")
PROVIDER_PLAN_KEYS = ("file_prefix", "payer_id", "sftp")
