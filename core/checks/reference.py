"""The field rules as a Cerberus schema: the readable reference for the fast path.

``rules/field.py`` checks whole columns at once (fast); this module states the
same rules per row, as Cerberus reads them, and is slow (hundreds of rows a
second). Tests run both on random frames and require the same findings, so
the fast path keeps the reference's meaning. Not used on the hot path.
"""

from __future__ import annotations

from cerberus import Validator

from ecmx.core.checks.field import NPI_FIELDS, PHONE_FIELDS, ZIP_SHAPE
from ecmx.core.checks.rules import Target, _text
from ecmx.core.dataset.identifiers import CIN_EXCLUDED_LETTERS, CIN_SHAPE, npi_is_valid

# Cerberus rule -> finding code
_CODES = {"empty": "L001", "maxlength": "L002"}


class _FieldValidator(Validator):
    def _check_with_cin(self, field, value):
        if value and not CIN_SHAPE.match(value):
            self._error(field, "L006")
        elif value and value[-1] in CIN_EXCLUDED_LETTERS:
            self._error(field, "L007")

    def _check_with_npi(self, field, value):
        if value and not npi_is_valid(value):
            self._error(field, "L008")

    def _check_with_zip(self, field, value):
        if value and not ZIP_SHAPE.match(value):
            self._error(field, "L009")

    def _check_with_phone(self, field, value):
        if value and len("".join(c for c in value if c.isdigit())) != 10:
            self._error(field, "L010")


def cerberus_schema(target: Target) -> dict:
    schema = {}
    for column in target.columns:
        if column.header not in target.frame:
            continue
        rules: dict = {"type": "string", "empty": not column.required}
        if column.max_length:
            rules["maxlength"] = column.max_length
        check = {"cin": "cin", "zip": "zip"}.get(column.field or "")
        check = check or ("npi" if column.field in NPI_FIELDS else None)
        check = check or ("phone" if column.field in PHONE_FIELDS else None)
        if check:
            rules["check_with"] = check
        schema[column.header] = rules
    return schema


def reference_findings(target: Target) -> set[tuple[str, int, str]]:
    """(code, row position, header) for every field-rule problem, row by row."""
    validator = _FieldValidator(cerberus_schema(target), allow_unknown=True)
    found = set()
    for position, row in enumerate(target.frame.to_dict("records")):
        document = {header: _text(value).strip() for header, value in row.items()}
        if validator.validate(document):
            continue
        for header, errors in validator.errors.items():
            for error in errors:
                code = error if error.startswith("L0") else _code_of(validator, header, error)
                found.add((code, position, header))
    return found


def _code_of(validator, header, message) -> str:
    for error in validator.document_error_tree[header].errors:
        if error.rule in _CODES:
            return _CODES[error.rule]
    return message
