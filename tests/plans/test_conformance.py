"""Conformance of every plan's files to its own config, generated per plan and kind.

Each layout column is judged by the rule its config states (required, value:,
codes, type, provider field), and the RTF / OTF rows by the rules in
shared/docs/domain.md, computed here from the synthetic dataset itself, not from
ecmx's reading of it. Values are read back with python-calamine (numbers come back
as floats, dates as dates) and, for cell types, with openpyxl.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

from ecmx.core.calendar.periods import Period
from ecmx.core.dataset import canonical
from ecmx.core.dataset.canonical import EXIT_STATUSES

PERIOD = Period(2025, 11)
PRODUCTION_DATE = date(2025, 12, 3)
PROVIDER_FIELDS = {  # canonical field -> (provider.yaml key, how the file writes it)
    "provider_name": ("facility_name", str),
    "provider_npi": ("npi", str),
    "provider_tin": ("tin", lambda v: v.replace("-", "")),
    "provider_phone": ("phone", lambda v: "".join(ch for ch in v if ch.isdigit())),
    "provider_type": ("provider_type", str),
}


def blank(value) -> bool:
    return value is None or value == ""


def problems_report(problems: list[str]) -> str:
    return "\n".join(problems[:20]) + (
        f"\n... {len(problems) - 20} more" if len(problems) > 20 else ""
    )


def indexed(case, predicate):
    return [(i, c) for i, c in enumerate(case.layout.columns) if predicate(c)]


def allowed_codes(case, column) -> set[str]:
    return set(case.plan.codes[column.codes].mapping(column.output).values())


def as_int(value):
    """calamine gives every number as a float; the file holds whole numbers."""
    return None if blank(value) else int(value)


# ----------------------------------------------------------------------------- every file


def test_file_is_named_by_the_plans_convention(case):
    name = case.path.name
    assert name == case.expected_name()
    naming = case.file.naming
    if "{file_prefix" in naming:
        assert name.startswith(case.sample.provider["plans"][case.plan.id]["file_prefix"])
    if "{facility_name" in naming:
        assert name.startswith(case.sample.provider["facility_name"])
    assert name.endswith(f".{case.file.format}")


def test_header_row_and_sheet(case):
    assert case.sheet == case.ws.title == case.file.sheet
    assert case.rows[0] == case.layout.headers
    assert [c.value for c in case.ws[case.file.header_row]] == case.layout.headers
    assert case.body, "the sample gives every plan rows in both files"
    assert all(len(row) == len(case.layout.headers) for row in case.body)


def test_required_columns_are_never_blank(case):
    problems = [
        f"{column.header} row {n}"
        for index, column in indexed(case, lambda c: c.required)
        for n, value in enumerate(case.column(index), start=2)
        if blank(value)
    ]
    assert indexed(case, lambda c: c.required)
    assert problems == [], problems_report(problems)


def test_value_columns_hold_their_constant(case):
    for index, column in indexed(case, lambda c: c.field is None):
        expected = "" if column.value is None else column.value
        values = {"" if blank(v) else v for v in case.column(index)}
        if isinstance(expected, int | float):
            values = {float(v) for v in values}
            expected = float(expected)
        assert values == {expected}, column.header


def test_code_columns_hold_only_the_plans_codes(case):
    checked, problems = 0, []
    for index, column in indexed(case, lambda c: c.type in ("code", "codes")):
        allowed = allowed_codes(case, column)
        for n, value in enumerate(case.column(index), start=2):
            if blank(value):
                continue
            parts = value.split(";") if column.type == "codes" else [value]
            checked += 1
            problems += [f"{column.header} row {n}: {p!r}" for p in parts if p not in allowed]
    assert checked, "no code was written at all"
    assert problems == [], problems_report(problems)


def test_bool_columns_hold_y_or_n_and_are_never_blank(case):
    columns = indexed(case, lambda c: c.type == "bool")
    assert columns or case.kind == "csprtf"  # the CSPRTF's layout has no yes/no column
    for index, column in columns:
        values = set(case.column(index))
        assert values <= {"Y", "N"}, (column.header, values)
        assert values <= allowed_codes(case, column)


def test_date_columns_hold_dates_in_the_plans_format(case):
    for index, column in indexed(case, lambda c: c.type == "date"):
        for n, value in enumerate(case.column(index), start=2):
            if blank(value):
                continue
            assert isinstance(value, date), (column.header, n, value)
            cell = case.ws.cell(row=n, column=index + 1)
            assert cell.is_date and cell.number_format == case.file.date_format


def test_int_columns_hold_whole_numbers(case):
    for index, column in indexed(case, lambda c: c.type == "int"):
        for n, value in enumerate(case.column(index), start=2):
            if blank(value):
                continue
            assert isinstance(value, float | int) and not isinstance(value, bool)
            assert float(value).is_integer() and value >= 0, (column.header, n, value)
            assert case.ws.cell(row=n, column=index + 1).data_type == "n"


def test_text_columns_hold_text_within_their_length(case):
    for index, column in indexed(case, lambda c: c.type in ("text", "code", "codes", "bool")):
        for n, value in enumerate(case.column(index), start=2):
            if blank(value):
                continue
            assert isinstance(value, str), (column.header, n, value)
            assert case.ws.cell(row=n, column=index + 1).data_type == "s"
            if column.max_length:
                assert len(value) <= column.max_length, (column.header, n)


def test_provider_columns_equal_the_provider_profile(case):
    provider = case.sample.provider
    columns = indexed(case, lambda c: c.field in PROVIDER_FIELDS)
    assert {c.field for _, c in columns} >= {"provider_name", "provider_npi", "provider_tin"}
    for index, column in columns:
        key, written = PROVIDER_FIELDS[column.field]
        assert set(case.column(index)) == {written(provider[key])}, column.header


def test_plan_and_period_columns(case):
    expected = {
        "mcp_identifier": case.plan.mcp("identifier"),
        "mcp_name": case.plan.mcp("name") or case.plan.name,
        "production_date": PRODUCTION_DATE,
        "reporting_period_start": PERIOD.start,
        "reporting_period_end": PERIOD.end,
    }
    columns = indexed(case, lambda c: c.field in expected)
    assert columns
    for index, column in columns:
        assert set(case.column(index)) == {expected[column.field]}, column.header


# ----------------------------------------------------------------------------- RTF


def _began(episode) -> date:
    for key in ("enrollment_start", "assigned_date", "referral_date", "discontinuation_date"):
        if episode[key] is not None:
            return episode[key]
    return PERIOD.end  # an undated episode is current


def reported_episodes(sample, plan_id) -> dict[str, tuple[dict, dict]]:
    """CIN -> (member, the episode the RTF reports): the latest begun by the period's end,
    the last listed of equals."""
    latest: dict[str, dict] = {}
    for episode in sample.tables["enrollments"]:
        began = _began(episode)
        best = latest.get(episode["member_id"])
        if began <= PERIOD.end and (best is None or began >= _began(best)):
            latest[episode["member_id"]] = episode
    return {
        m["cin"]: (m, latest[m["member_id"]])
        for m in sample.tables["members"]
        if m["plan"] == plan_id and m["member_id"] in latest
    }


def rtf_rows(case) -> dict[str, dict]:
    cin_header = next(c.header for c in case.layout.columns if c.field == "cin")
    rows = {}
    for record in case.records():
        assert record[cin_header] not in rows, "a member appears twice on the RTF"
        rows[record[cin_header]] = record
    return rows


def headers_of(case, field):
    return [c for c in case.layout.columns if c.field == field]


def test_rtf_holds_exactly_the_plans_members_with_an_episode(rtf_case):
    expected = reported_episodes(rtf_case.sample, rtf_case.plan.id)
    assert expected, "the sample gives every plan members"
    assert sorted(rtf_rows(rtf_case)) == sorted(expected)


def test_rtf_member_columns_come_from_the_members_table(rtf_case):
    rows = rtf_rows(rtf_case)
    for cin, (member, _) in reported_episodes(rtf_case.sample, rtf_case.plan.id).items():
        row = rows[cin]
        for field in ("last_name", "first_name", "city", "state", "zip"):
            for column in headers_of(rtf_case, field):
                assert row[column.header] == (member[field] or ""), (cin, column.header)


def test_rtf_status_acuity_and_reason_are_the_plans_codes(rtf_case):
    plan, rows = rtf_case.plan, rtf_rows(rtf_case)
    acuity_list = plan.codes["acuity"]
    for cin, (_, episode) in reported_episodes(rtf_case.sample, plan.id).items():
        row = rows[cin]
        for column in headers_of(rtf_case, "ecm_status"):
            mapping = plan.codes[column.codes].mapping(column.output)
            assert row[column.header] == mapping[episode["status"]], (cin, column.header)
        for column in headers_of(rtf_case, "acuity"):
            key = episode["acuity"] or acuity_list.default  # blank acuity -> Low (seed 002)
            assert row[column.header] == acuity_list.mapping(column.output)[key], cin
        for column in headers_of(rtf_case, "discontinuation_reason"):
            reason = episode["discontinuation_reason"]
            mapping = plan.codes[column.codes].mapping(column.output)
            assert row[column.header] == (mapping[reason] if reason else ""), (cin, column.header)
    assert "Low" in {row[headers_of(rtf_case, "acuity")[0].header] for row in rows.values()}


def test_rtf_episode_dates_follow_the_enrolled_or_never_enrolled_rule(rtf_case):
    """domain.md: enrolled then left -> start kept, end filled, discontinuation blank;
    excluded without enrolling -> discontinuation date only."""
    rows = rtf_rows(rtf_case)
    for cin, (_, episode) in reported_episodes(rtf_case.sample, rtf_case.plan.id).items():
        start = episode["enrollment_start"]
        end, disc = episode["enrollment_end"], episode["discontinuation_date"]
        if episode["status"] in EXIT_STATUSES and start:
            expected = {"enrollment_start": start, "enrollment_end": end or disc}
            expected["discontinuation_date"] = None
        elif episode["status"] in EXIT_STATUSES:
            expected = {"enrollment_start": None, "enrollment_end": None}
            expected["discontinuation_date"] = disc or end
        else:
            expected = {"enrollment_start": start, "enrollment_end": end}
            expected["discontinuation_date"] = disc
        for field, value in expected.items():
            for column in headers_of(rtf_case, field):
                got = rows[cin][column.header]
                assert (None if blank(got) else got) == value, (
                    cin,
                    episode["status"],
                    column.header,
                )
    assert rows, "no RTF rows to check"


def test_rtf_encounter_columns_count_the_periods_encounters(rtf_case):
    """ECM encounters only (kind service, not a Community Supports service, not a CHW or
    doula code of the plan's code sets), successful or not unless the plan counts
    successful ones only (rules.encounter_counts)."""
    rows = rtf_rows(rtf_case)
    other_benefits = {
        code for s in rtf_case.plan.data["billing"]["code_sets"].values() for code in s["codes"]
    }
    successful_only = rtf_case.plan.files["rtf"].rules["encounter_counts"] == "successful"
    encounters = defaultdict(list)
    for encounter in rtf_case.sample.tables["encounters"]:
        if (
            (encounter.get("kind") or "service") == "service"
            and (encounter.get("procedure_code") or "") not in other_benefits
            and not encounter.get("cs_service")  # reported on the CSPRTF
        ):
            encounters[encounter["member_id"]].append(encounter)

    def with_member(e):
        return e["successful"] is not False and e["member_present"] is not False

    def counted(e):
        return PERIOD.start <= e["date"] <= PERIOD.end and (with_member(e) or not successful_only)

    for cin, (member, _) in reported_episodes(rtf_case.sample, rtf_case.plan.id).items():
        mine = encounters[member["member_id"]]
        expected = {
            "in_person_count": sum(counted(e) and e["mode"] == "in_person" for e in mine),
            "telephonic_count": sum(counted(e) and e["mode"] in ("phone", "video") for e in mine),
        }
        # the latest successful encounter the member was present at
        with_member_dates = [e["date"] for e in mine if with_member(e) and e["date"] <= PERIOD.end]
        last = max(with_member_dates, default=None)
        for field, value in expected.items():
            for column in headers_of(rtf_case, field):
                assert as_int(rows[cin][column.header]) == value, (cin, column.header)
        for column in headers_of(rtf_case, "last_encounter_date"):
            got = rows[cin][column.header]
            assert (None if blank(got) else got) == last, (cin, column.header)


# ----------------------------------------------------------------------------- OTF


def expected_attempts(case) -> list[tuple]:
    """(CIN, date, method code, successful code, minutes) for each attempt the OTF reports."""
    plan, sample = case.plan, case.sample
    members = {m["member_id"]: m for m in sample.tables["members"] if m["plan"] == plan.id}
    spans = defaultdict(list)
    for episode in sample.tables["enrollments"]:
        if episode["enrollment_start"] is not None:  # enrolled until the end, or discontinuation
            end = episode["enrollment_end"] or episode["discontinuation_date"]
            spans[episode["member_id"]].append((episode["enrollment_start"], end))
    method_column = next(c for c in case.layout.columns if c.field == "method")
    methods = plan.codes[method_column.codes].mapping(method_column.output)
    yes_no = plan.codes["yes_no"].mapping()
    mail_minutes = case.file.rules.get("mail_minutes")
    rows = []
    for attempt in sample.tables["outreach"]:
        member = members.get(attempt["member_id"])
        day = attempt["date"]
        if member is None or not PERIOD.start <= day <= PERIOD.end:
            continue
        if any(s <= day and (e is None or day <= e) for s, e in spans[attempt["member_id"]]):
            continue  # enrolled that day: an encounter, not an outreach attempt
        if attempt["method"] == "mail" and mail_minutes is not None:
            minutes = int(mail_minutes)
        elif attempt["minutes"] is None:
            minutes = None
        else:
            minutes = math.ceil(attempt["minutes"])
        successful = yes_no["true" if attempt["successful"] else "false"]
        rows.append((member["cin"], day, methods[attempt["method"]], successful, minutes))
    return sorted(rows, key=repr)


def test_otf_rows_are_the_periods_attempts_of_members_not_enrolled(otf_case):
    fields = {c.field: c.header for c in otf_case.layout.columns if c.field}
    actual = [
        (
            r[fields["cin"]],
            r[fields["attempt_date"]],
            r[fields["method"]],
            r[fields["successful"]],
            as_int(r[fields["minutes"]]),
        )
        for r in otf_case.records()
    ]
    expected = expected_attempts(otf_case)
    assert expected, "the sample gives every plan outreach in the period"
    assert sorted(actual, key=repr) == expected


def test_otf_dates_are_all_in_the_period(otf_case):
    [index] = [i for i, c in enumerate(otf_case.layout.columns) if c.field == "attempt_date"]
    days = otf_case.column(index)
    assert days
    assert all(PERIOD.start <= day <= PERIOD.end for day in days), days


def test_otf_client_name_is_last_comma_first(otf_case):
    members = {m["cin"]: m for m in otf_case.sample.tables["members"]}
    fields = {c.field: c.header for c in otf_case.layout.columns if c.field}
    for record in otf_case.records():
        member = members[record[fields["cin"]]]
        assert record[fields["client_name"]] == f"{member['last_name']}, {member['first_name']}"


# ----------------------------------------------------------------------------- files a plan sends
#
# MIF, mini-MIF and TEL come from the plan; ecmx writes them too (``convert --kind mif``)
# so each plan's inbound layout can be checked and read back. They hold the dataset as
# it is: a code list's default (blank acuity -> Low) is for files sent to a plan only.

MEMBER_COLUMNS = set(canonical.MEMBERS.names)
EPISODE_COLUMNS = set(canonical.ENROLLMENTS.names)
IDENTITY = {  # canonical field -> how the file writes it, from the plan and the provider
    "mcp_identifier": lambda case: case.plan.mcp("identifier") or "",
    "mcp_name": lambda case: case.plan.mcp("name") or case.plan.name,
    "provider_name": lambda case: case.sample.provider["facility_name"],
    "provider_npi": lambda case: case.sample.provider["npi"],
}


def expected_inbound_rows(case) -> dict[str, tuple[dict, dict]]:
    """CIN -> (member, episode) the file lists: for a MIF every plan member with an episode
    begun by the period's end; for a mini-MIF or TEL those whose latest episode is pending
    outreach and was assigned (else referred) in the period."""
    rows = reported_episodes(case.sample, case.plan.id)
    if case.kind == "mif":
        return rows
    return {
        cin: (member, episode)
        for cin, (member, episode) in rows.items()
        if episode["status"] == "pending_outreach"
        and PERIOD.start
        <= (episode["assigned_date"] or episode["referral_date"] or date.min)
        <= PERIOD.end
    }


def expected_cell(case, column, member: dict, episode: dict):
    """What the plan file holds for one dataset member: codes translated, blanks kept."""
    field = "status" if column.field == "ecm_status" else column.field
    value = member[field] if field in MEMBER_COLUMNS else episode[field]
    if value is None:
        return ""
    if column.type == "bool":
        return case.plan.codes[column.codes].mapping(column.output)["true" if value else "false"]
    if column.type == "codes":
        mapping = case.plan.codes[column.codes].mapping(column.output)
        return ";".join(mapping[key] for key in value.split(";"))
    if column.type == "code":
        return case.plan.codes[column.codes].mapping(column.output)[value]
    if column.type == "date":
        return value
    if column.transform == "digits_only":
        return "".join(ch for ch in value if ch.isdigit())
    if column.transform == "zip5":
        return value[:5]
    return value


def inbound_records(case) -> dict[str, dict]:
    cin_header = next(c.header for c in case.layout.columns if c.field == "cin")
    rows = {}
    for record in case.records():
        assert record[cin_header] not in rows, f"a member appears twice on the {case.kind}"
        rows[record[cin_header]] = record
    return rows


def test_inbound_file_is_named_and_laid_out_by_the_plans_config(any_inbound_case):
    case = any_inbound_case
    assert case.path.name == case.expected_name()
    assert case.sheet == case.ws.title == case.file.sheet
    assert case.rows[0] == case.layout.headers
    assert [c.value for c in case.ws[case.file.header_row]] == case.layout.headers
    assert case.body, "the inbound dataset gives every plan rows in each inbound file"
    assert all(len(row) == len(case.layout.headers) for row in case.body)


def test_inbound_rows_are_the_members_the_plan_would_list(inbound_case):
    expected = expected_inbound_rows(inbound_case)
    assert expected
    assert sorted(inbound_records(inbound_case)) == sorted(expected)
    if inbound_case.kind != "mif":  # new referrals: assigned in the period, or referred then
        names = {m["first_name"] for m, _ in expected.values() if m["last_name"] == "Newcomb"}
        assert names == {"Referral0", "Referral1"}


def test_inbound_columns_hold_the_dataset_values_as_the_plan_writes_them(inbound_case):
    case, problems, checked = inbound_case, [], 0
    rows = inbound_records(case)
    for cin, (member, episode) in expected_inbound_rows(case).items():
        for column in case.layout.columns:
            if column.field in IDENTITY:
                expected = IDENTITY[column.field](case)
            elif column.field and (
                column.field in MEMBER_COLUMNS | EPISODE_COLUMNS or column.field == "ecm_status"
            ):
                expected = expected_cell(case, column, member, episode)
            else:
                continue
            checked += 1
            got = rows[cin][column.header]
            if (None if blank(got) else got) != (None if blank(expected) else expected):
                problems.append(f"{cin} {column.header}: {got!r} != {expected!r}")
    assert checked
    assert problems == [], problems_report(problems)


def test_inbound_required_columns_are_never_blank(any_inbound_case):
    required = indexed(any_inbound_case, lambda c: c.required)
    assert {c.field for _, c in required} >= {"cin"}
    problems = [
        f"{column.header} row {n}"
        for index, column in required
        for n, value in enumerate(any_inbound_case.column(index), start=2)
        if blank(value)
    ]
    assert problems == [], problems_report(problems)


def test_inbound_code_columns_hold_only_the_plans_codes(any_inbound_case):
    checked, problems = 0, []
    for index, column in indexed(any_inbound_case, lambda c: c.codes):
        allowed = allowed_codes(any_inbound_case, column)
        for n, value in enumerate(any_inbound_case.column(index), start=2):
            if blank(value):
                continue
            parts = value.split(";") if column.type == "codes" else [value]
            checked += 1
            problems += [f"{column.header} row {n}: {p!r}" for p in parts if p not in allowed]
    assert checked, "no code was written at all"
    assert problems == [], problems_report(problems)


def test_inbound_blanks_stay_blank_no_code_list_default(inbound_case):
    """Only a file sent to a plan fills a blank acuity with Low (seed 002)."""
    case = inbound_case
    for index, column in indexed(case, lambda c: c.codes and c.type in ("code", "bool")):
        expected_blank = {
            cin
            for cin, (member, episode) in expected_inbound_rows(case).items()
            if expected_cell(case, column, member, episode) == ""
        }
        cin_at = next(i for i, c in enumerate(case.layout.columns) if c.field == "cin")
        written_blank = {row[cin_at] for row in case.body if blank(row[index])}
        assert written_blank == expected_blank, column.header
    acuity = headers_of(case, "acuity")
    if acuity:  # pending-outreach members have no acuity yet: blank, not Low
        assert "" in set(case.column(case.layout.headers.index(acuity[0].header)))


def test_inbound_cells_have_the_layouts_types(any_inbound_case):
    case = any_inbound_case
    for index, column in enumerate(case.layout.columns):
        for n, value in enumerate(case.column(index), start=2):
            if blank(value):
                continue
            cell = case.ws.cell(row=n, column=index + 1)
            if column.type == "date":
                assert isinstance(value, date), (column.header, n, value)
                assert cell.is_date and cell.number_format == case.file.date_format
            elif column.type == "int":  # the CSASF's units: a whole number, not text
                assert float(value).is_integer() and cell.data_type == "n", (column.header, n)
            else:
                assert isinstance(value, str) and cell.data_type == "s", (column.header, n)
                if column.max_length:
                    assert len(value) <= column.max_length, (column.header, n)


# ----------------------------------------------------------------------------- referral file
#
# Partnership's Potential ECM Member Referral File: the members the provider found and
# referred in the period (latest episode pending outreach or outreach, referral date in
# the period, no assigned date), not those the plan has assigned (an assigned date, or the
# CIN on one of its files ingested into the dataset).


def expected_referrals(case) -> dict[str, tuple[dict, dict]]:
    on_roster = {r["cin"] for r in case.sample.tables["plan_rosters"] if r["plan"] == case.plan.id}
    return {
        cin: (member, episode)
        for cin, (member, episode) in reported_episodes(case.sample, case.plan.id).items()
        if episode["status"] in ("pending_outreach", "outreach")
        and episode["referral_date"] is not None
        and PERIOD.start <= episode["referral_date"] <= PERIOD.end
        and episode["assigned_date"] is None
        and cin not in on_roster
    }


def test_referral_file_holds_exactly_the_periods_community_referrals(referral_case):
    expected = expected_referrals(referral_case)
    found = {m["first_name"] for m, _ in expected.values() if m["last_name"] == "Community"}
    assert found == {"Found0", "Found1"}, "the planted community referrals, not the assigned"
    assert sorted(inbound_records(referral_case)) == sorted(expected)


def test_referral_columns_hold_the_dataset_values_as_the_plan_writes_them(referral_case):
    case, problems, checked = referral_case, [], 0
    rows = inbound_records(case)
    for cin, (member, episode) in expected_referrals(case).items():
        for column in case.layout.columns:
            if column.field in IDENTITY:
                expected = IDENTITY[column.field](case)
            elif column.field in MEMBER_COLUMNS | EPISODE_COLUMNS:
                expected = expected_cell(case, column, member, episode)
                if column.type == "bool" and expected == "":  # blank = no, as on the RTF
                    expected = case.plan.codes[column.codes].mapping(column.output)["false"]
            else:
                continue
            checked += 1
            got = rows[cin][column.header]
            if (None if blank(got) else got) != (None if blank(expected) else expected):
                problems.append(f"{cin} {column.header}: {got!r} != {expected!r}")
    assert checked
    assert problems == [], problems_report(problems)


def test_referral_leading_zeros_are_kept_as_text(referral_case):
    """ZIP and phone start with 0 for the planted referrals: text cells, zeros kept."""
    case = referral_case
    [cin_at] = [i for i, c in enumerate(case.layout.columns) if c.field == "cin"]
    planted = [n for n, row in enumerate(case.body, start=2) if row[cin_at].startswith("97")]
    assert len(planted) == 2
    for field in ("zip", "phone"):
        [index] = [i for i, c in enumerate(case.layout.columns) if c.field == field]
        for n in planted:
            value = case.rows[n - 1][index]
            assert isinstance(value, str) and value.startswith("0"), (field, n, value)
            assert case.ws.cell(row=n, column=index + 1).data_type == "s"
