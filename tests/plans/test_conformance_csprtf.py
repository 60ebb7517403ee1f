"""The CSPRTF of every plan that has one (Health Net, CalViva, CHPIV: seed 002), judged
from the synthetic dataset itself: which member + CS service pairs it reports, and what
each row says. Read back with python-calamine (numbers as floats, dates as dates)."""

from __future__ import annotations

from collections import defaultdict

from ecmx.core.calendar.periods import Period

PERIOD = Period(2025, 11)
OPEN = ("potential", "requested", "authorized")


def _in_period(day) -> bool:
    return day is not None and PERIOD.start <= day <= PERIOD.end


def reported_pairs(case) -> dict[tuple[str, str], tuple[dict, dict]]:
    """(CIN, service) -> (member, community_supports row): the pairs open in the period
    (referred by its end), and resolved ones whose status date or service end falls in it
    or that give neither."""
    members = {
        m["member_id"]: m for m in case.sample.tables["members"] if m["plan"] == case.plan.id
    }
    pairs = {}
    for row in case.sample.tables["community_supports"]:
        member = members.get(row["member_id"])
        if member is None:
            continue
        if row["status"] in OPEN:
            wanted = row["referral_date"] is None or row["referral_date"] <= PERIOD.end
        else:
            undated = row["status_date"] is None and row["service_end"] is None
            wanted = undated or _in_period(row["status_date"]) or _in_period(row["service_end"])
        if wanted:
            pairs[(member["cin"], row["service"])] = (member, row)
    return pairs


def _fields(case) -> dict[str, str]:
    return {c.field: c.header for c in case.layout.columns if c.field}


def _rows(case) -> dict[tuple[str, str], dict]:
    fields, services = _fields(case), case.plan.codes["cs_service"].mapping()
    by_code = {code: key for key, code in services.items()}
    rows = {}
    for record in case.records():
        key = (record[fields["cin"]], by_code[record[fields["service"]]])
        assert key not in rows, "a member and CS service twice on the CSPRTF"
        rows[key] = record
    return rows


def test_csprtf_reports_exactly_the_pairs_open_in_the_period(csprtf_case):
    expected = reported_pairs(csprtf_case)
    assert expected, "the sample gives every plan with a CSPRTF Community Supports rows"
    assert sorted(_rows(csprtf_case)) == sorted(expected)
    statuses = {row["status"] for _, row in expected.values()}
    assert statuses == {"potential", "requested", "authorized", "denied", "closed"}
    # a pair resolved before the period is on no CSPRTF of the period
    assert len(expected) < sum(
        m["plan"] == csprtf_case.plan.id
        for m in csprtf_case.sample.tables["members"]
        for r in csprtf_case.sample.tables["community_supports"]
        if r["member_id"] == m["member_id"]
    )


def test_csprtf_columns_hold_the_dataset_values_as_the_plan_writes_them(csprtf_case):
    fields, codes = _fields(csprtf_case), csprtf_case.plan.codes
    rows = _rows(csprtf_case)
    for key, (member, pair) in reported_pairs(csprtf_case).items():
        row = rows[key]
        assert row[fields["status"]] == codes["cs_status"].mapping()[pair["status"]]
        assert row[fields["last_name"]] == member["last_name"]
        assert row[fields["dob"]] == member["dob"]
        # text, leading zeros kept (an authorization number is an identifier)
        assert row[fields["authorization_number"]] == (pair["authorization_number"] or "")
        for field in ("authorization_start", "authorization_end", "referral_date",
                      "status_date", "service_start", "service_end"):  # fmt: skip
            assert row[fields[field]] == (pair[field] or ""), (key, field)
        units = pair["units_authorized"]
        assert row[fields["units_authorized"]] == ("" if units is None else float(units))


def test_csprtf_units_and_last_service_come_from_the_cs_encounters(csprtf_case):
    fields, rows = _fields(csprtf_case), _rows(csprtf_case)
    cins = {m["member_id"]: m["cin"] for m in csprtf_case.sample.tables["members"]}
    units, last = defaultdict(int), {}
    for e in csprtf_case.sample.tables["encounters"]:
        if not e.get("cs_service") or e["date"] > PERIOD.end:
            continue
        key = (cins[e["member_id"]], e["cs_service"])
        if _in_period(e["date"]):
            units[key] += e["units"] or 1
        last[key] = max(last.get(key, e["date"]), e["date"])
    assert any(units.values()), "the sample has CS encounters in the period"
    for key, row in rows.items():
        assert row[fields["units_delivered"]] == units[key], key
        assert row[fields["last_service_date"]] == last.get(key, ""), key
