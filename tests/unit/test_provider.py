"""The provider profile: provider.yaml or a provider sheet; every problem reported at once."""

from __future__ import annotations

import textwrap

import pytest

from ecmx.core.dataset.provider import find_provider, load_provider
from ecmx.core.errors import InputError

GOOD = """\
facility_name: Sunrise Community Health
npi: "1654321987"
tin: 12-3456789
zip: "01234"
state: CA
plans:
  healthnet:
    file_prefix: SUNRISE_HN
    sftp: {host: sftp.example, port: 22, user: sunrise, password: {env: HN_SFTP_PASSWORD}}
"""


def write(tmp_path, text, name="provider.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(path):
    with pytest.raises(InputError) as caught:
        load_provider(path)
    return caught.value


def test_valid_provider_yaml(tmp_path):
    provider = load_provider(write(tmp_path, GOOD))
    assert provider.facility_name == "Sunrise Community Health"
    assert provider.npi == "1654321987"
    assert provider.tin == "123456789"  # dashes dropped
    assert provider.get("zip") == "01234"
    assert provider.plan("healthnet")["file_prefix"] == "SUNRISE_HN"
    assert provider.plan("partnership") == {}


def test_identifiers_written_as_yaml_numbers_are_refused_with_a_quote_hint(tmp_path):
    # Unquoted, YAML reads 1654321987 as an int and 0123456 as the octal 42798: a leading
    # zero is gone before ecmx sees the value, so the user must quote identifiers.
    text = (
        "facility_name: X\nnpi: 1654321987\ntin: 123456789\nphone: 5595550100\nzip: 0123456\n"
        "plans:\n  healthnet: {file_prefix: HN, payer_id: 95567, submitter_id: 012}\n"
    )
    error = problems(write(tmp_path, text))
    named = {d.split(": ")[1] for d in error.details}
    assert named == {
        "npi",
        "tin",
        "phone",
        "zip",
        "plans.healthnet.payer_id",
        "plans.healthnet.submitter_id",
    }
    assert all("quote it" in d for d in error.details)
    assert "42798" in next(d for d in error.details if ": zip:" in d)


def test_all_problems_are_reported_at_once(tmp_path):
    error = problems(write(tmp_path, "npi: 12345\ntin: 12-3456789\nstate: ca\n"))
    details = error.details
    assert len(details) == 3
    assert any("facility_name" in d and "required" in d for d in details)
    assert any(d.split(": ")[1] == "npi" and "10 digits" in d for d in details)
    assert any(": state:" in d and "2-letter" in d for d in details)
    assert str(error) == details[0]
    assert all(d.startswith(str(tmp_path / "provider.yaml")) for d in details)


def test_unquoted_zip_with_leading_zero_gets_a_hint(tmp_path):
    # YAML 1.1 reads 01234 as an octal integer: the user must quote it.
    error = problems(
        write(tmp_path, "facility_name: X\nnpi: '1654321987'\ntin: '123456789'\nzip: 01234\n")
    )
    assert any("zip" in d and "quote it" in d for d in error.details)


def test_plain_password_is_refused(tmp_path):
    text = GOOD.replace("password: {env: HN_SFTP_PASSWORD}", "password: hunter2")
    error = problems(write(tmp_path, text))
    assert any("plans.healthnet.sftp.password" in d for d in error.details)
    assert not any("hunter2" in d for d in error.details)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("facility_name: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("facility_name: X\nnpi: '1654321987'\ntin: '123456789'\nwebsite: x\n", "website"),
    ],
)
def test_unusable_provider_files(tmp_path, text, fragment):
    error = problems(write(tmp_path, text))
    assert fragment in " ".join([str(error), *error.details])


def test_missing_provider_file(tmp_path):
    with pytest.raises(InputError, match="no such provider file"):
        load_provider(tmp_path / "nope.yaml")


def test_npi_with_a_wrong_check_digit_is_refused(tmp_path):
    problems(write(tmp_path, "facility_name: X\nnpi: '1654321988'\ntin: '123456789'\n"))


# ------------------------------------------------------------------ provider sheet


PROVIDER_ROWS = [
    ["key", "value"],
    ["facility_name", "Sheet Clinic"],
    ["npi", 1654321987],  # a number in the cell
    ["tin", "12-3456789"],
    ["zip", "01234"],
    ["plans.healthnet.file_prefix", "HN_SHEET"],
    ["plans.healthnet.sftp.host", "sftp.example"],
    ["plans.healthnet.sftp.port", 2222],
    ["plans.partnership.payer_id", "PHC1"],
    [None, None],
]


def test_provider_sheet_with_dotted_keys(tmp_path, write_book):
    path = write_book(
        tmp_path / "dataset.xlsx", {"members": [["member_id"]], "provider": PROVIDER_ROWS}
    )
    provider = find_provider(path)
    assert provider.facility_name == "Sheet Clinic"
    assert provider.npi == "1654321987"
    assert provider.get("zip") == "01234"
    assert provider.plan("healthnet") == {
        "file_prefix": "HN_SHEET",
        "sftp": {"host": "sftp.example", "port": 2222},
    }
    assert provider.plan("partnership") == {"payer_id": "PHC1"}
    assert "provider" in provider.source


def test_provider_sheet_problems_name_the_sheet(tmp_path, write_book):
    rows = [["key", "value"], ["facility_name", "Sheet Clinic"], ["npi", "123"]]
    path = write_book(tmp_path / "dataset.xlsx", {"members": [["member_id"]], "provider": rows})
    with pytest.raises(InputError) as caught:
        find_provider(path)
    details = caught.value.details
    assert len(details) == 2  # npi shape and missing tin
    assert all("sheet 'provider'" in d for d in details)


def test_provider_yaml_beside_the_workbook_wins_over_the_sheet(tmp_path, write_book):
    path = write_book(
        tmp_path / "dataset.xlsx", {"members": [["member_id"]], "provider": PROVIDER_ROWS}
    )
    write(tmp_path, GOOD)
    provider = find_provider(path)
    assert provider.facility_name == "Sunrise Community Health"
    assert provider.source == str(tmp_path / "provider.yaml")


def test_csv_folder_uses_its_provider_yaml(tmp_path):
    write(tmp_path, GOOD)
    assert find_provider(tmp_path).facility_name == "Sunrise Community Health"


def test_no_provider_anywhere_is_an_input_error(tmp_path, write_book):
    path = write_book(tmp_path / "dataset.xlsx", {"members": [["member_id"]]})
    with pytest.raises(InputError, match="no provider profile"):
        find_provider(path)
    folder = tmp_path / "csv"
    folder.mkdir()
    with pytest.raises(InputError, match=r"provider\.yaml"):
        find_provider(folder)


def test_a_key_with_a_line_break_stays_on_its_one_line(tmp_path):
    # U+0085 (NEL) and U+2028 split a line for str.splitlines() and many terminals
    error = problems(write(tmp_path, GOOD + '  "bad\\x85plan\\u2028x": null\n'))
    line = next(d for d in error.details if "bad" in d)
    assert len(line.splitlines()) == 1 and "plans.bad\\x85plan\\u2028x" in line
