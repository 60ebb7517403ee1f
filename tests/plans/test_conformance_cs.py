"""Conformance of each plan's CSASF (one row per member and Community Supports service).

Runs for every plan whose config has a file a plan sends with one row per member and
CS service (``pair_plan``: the CSASF of Health Net, CalViva and CHPIV). What the file
must hold is computed here from the synthetic dataset's tables (the inbound dataset,
with CS pairs planted by conftest.py), not from ecmx's reading of them; the layout's
own checks (name, sheet, required, codes, cell types) are test_conformance.py's
``test_inbound_*`` tests, which cover the CSASF too.
"""

from __future__ import annotations

from datetime import date

from ecmx.core.dataset import canonical

MEMBER_COLUMNS = set(canonical.MEMBERS.names)


def blank(value) -> bool:
    return value is None or value == ""


def expected_pairs(case) -> dict[tuple[str, str], tuple[dict, dict]]:
    """(CIN, service key) -> (member, pair): the plan's members' pairs not closed."""
    members = {m["member_id"]: m for m in case.sample.tables["members"]}
    return {
        (members[pair["member_id"]]["cin"], pair["service"]): (members[pair["member_id"]], pair)
        for pair in case.sample.tables.get("community_supports", [])
        if pair["member_id"] in members
        and members[pair["member_id"]]["plan"] == case.plan.id
        and pair["status"] != "closed"
    }


def header_of(case, field: str) -> str:
    return next(c.header for c in case.layout.columns if c.field == field)


def written_pairs(case) -> dict[tuple[str, str], dict]:
    """(CIN, service key) -> the file's row; each pair once."""
    services = {code: key for key, code in case.plan.codes["cs_service"].mapping().items()}
    rows = {}
    for record in case.records():
        pair = (record[header_of(case, "cin")], services[record[header_of(case, "service")]])
        assert pair not in rows, f"a member and CS service appear twice on the {case.kind}"
        rows[pair] = record
    return rows


def expected_cell(case, column, member: dict, pair: dict):
    value = member[column.field] if column.field in MEMBER_COLUMNS else pair[column.field]
    if value is None:
        return ""
    if column.type == "code":
        return case.plan.codes[column.codes].mapping(column.output)[value]
    if column.transform == "digits_only":
        return "".join(ch for ch in value if ch.isdigit())
    if column.transform == "zip5":
        return value[:5]
    if column.type == "int":
        return float(value)  # calamine reads every number as a float
    return value


def test_csasf_rows_are_the_plans_open_pairs(pair_case):
    expected = expected_pairs(pair_case)
    assert len(expected) >= 3, "the planted pairs give every plan a CSASF to judge"
    assert sorted(written_pairs(pair_case)) == sorted(expected)
    # one member with two services: two rows; the closed pair is resolved, not listed
    cins = [cin for cin, _ in expected]
    assert any(cins.count(cin) == 2 for cin in cins)


def test_csasf_columns_hold_the_dataset_values_as_the_plan_writes_them(pair_case):
    case, problems, checked = pair_case, [], 0
    rows = written_pairs(case)
    for key, (member, pair) in expected_pairs(case).items():
        for column in case.layout.columns:
            if column.field is None:
                continue
            expected = expected_cell(case, column, member, pair)
            got = rows[key][column.header]
            if isinstance(got, date) and not isinstance(expected, date):
                got = got.isoformat()
            checked += 1
            if (None if blank(got) else got) != (None if blank(expected) else expected):
                problems.append(f"{key} {column.header}: {got!r} != {expected!r}")
    assert checked
    assert problems == [], "\n".join(problems[:20])


def test_csasf_authorization_numbers_keep_their_leading_zeros(pair_case):
    case = pair_case
    index = case.layout.headers.index(header_of(case, "authorization_number"))
    numbers = [v for v in case.column(index) if not blank(v)]
    assert numbers and all(isinstance(v, str) and v.startswith("0") for v in numbers)
    cells = [case.ws.cell(n, index + 1) for n in range(2, len(case.body) + 2)]
    assert all(cell.data_type == "s" for cell in cells if cell.value is not None)
