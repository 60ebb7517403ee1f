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
# The Community Supports (CS) services DHCS pre-approves: seed 002 speaks of "all 14
# community supports (CS) services"; their names follow DHCS's list (plan configs
# label them, assumed where no plan page names them).
CS_SERVICES = (
    "housing_transition_navigation",
    "housing_deposits",
    "housing_tenancy_sustaining",
    "short_term_post_hospitalization_housing",
    "recuperative_care",
    "respite_services",
    "day_habilitation",
    "assisted_living_transition",
    "community_transition_home",
    "personal_care_homemaker",
    "environmental_accessibility_adaptations",
    "medically_tailored_meals",
    "sobering_centers",
    "asthma_remediation",
)
# Where a member + CS service stands (seed 002: the CSASF lists members with and
# without authorization; those without are "new potential members" for outreach).
CS_STATUSES = ("potential", "requested", "authorized", "denied", "closed")


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
    # Only some providers keep it (Community Supports): no note when it is missing,
    # and not written while empty.
    optional_quietly: bool = False

    @property
    def omitted_while_empty(self) -> bool:
        return self.ecmx_managed or self.optional_quietly

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
            "cs_service",
            "code",
            values=CS_SERVICES,
            description="the Community Supports service this line bills; blank = ECM or "
            "another benefit. Needs an authorized community_supports row covering the date",
        ),
        Column(
            "doula_recommendation",
            "bool",
            description="a doula visit beyond the first set, with the written recommendation "
            "it needs (not a standing order)",
        ),
    ),
)

COMMUNITY_SUPPORTS = Table(
    "community_supports",
    key=("member_id", "service"),
    optional_quietly=True,
    description="one row per member and Community Supports service: referred, authorized or "
    "listed on the plan's CSASF",
    columns=(
        Column("member_id", required=True),
        Column("service", "code", required=True, values=CS_SERVICES),
        Column("status", "code", required=True, values=CS_STATUSES),
        Column("authorization_number", "identifier", description="the plan's CS authorization"),
        Column("authorization_start", "date", description="first day the authorization covers"),
        Column("authorization_end", "date", description="last day it covers; blank = open"),
        Column("units_authorized", "int"),
        Column("referral_date", "date", description="referred to, or listed for, the provider"),
        Column("status_date", "date", description="when the status last changed"),
        Column("service_start", "date", description="first day the provider rendered it"),
        Column("service_end", "date", description="last day, when the service ended"),
        Column("end_reason", description="why the service ended or was not started"),
    ),
)

PLAN_ROSTERS = Table(
    "plan_rosters",
    description="ecmx addition, written by `ecmx ingest`: who was on each plan's latest inbound file",
    ecmx_managed=True,
    columns=(
        Column("plan", required=True, description="plan id"),
        Column("kind", required=True, description="mif, mini_mif, tel or csasf"),
        Column("cin", required=True),
        Column("received", "date", required=True, description="the day the file was ingested"),
        Column("source_file", description="the file's name"),
        Column(
            "service",
            "code",
            values=CS_SERVICES,
            description="csasf only: the CS service listed for the CIN (one row per pair)",
        ),
    ),
)

TABLES: tuple[Table, ...] = (
    MEMBERS,
    ENROLLMENTS,
    OUTREACH,
    ENCOUNTERS,
    COMMUNITY_SUPPORTS,
    PLAN_ROSTERS,
)
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
# ``community_supports``: true when the provider is also the plan's Community Supports
# provider: ``convert --kind all`` then makes the plan's CSPRTF too (seed 002).
PROVIDER_PLAN_KEYS = ("file_prefix", "payer_id", "sftp", "community_supports")
