"""The provider profile: ``provider.yaml`` or a ``provider`` sheet of key/value rows.

Validated with Cerberus (a small structured document is what it reads best);
all problems are reported at once. Secrets only by reference: ``{env: NAME}`` or, for a
password or a key's passphrase, ``{keyring: SERVICE}`` (the OS keyring).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from cerberus import Validator

from ecmx.core.dataset import values as V
from ecmx.core.dataset.identifiers import npi_is_valid
from ecmx.core.errors import InputError, printable
from ecmx.core.storage.safe_yaml import load_yaml
from ecmx.core.storage.sheets import SPREADSHEET_SUFFIXES, Workbook

PROVIDER_FILE = "provider.yaml"

_ENV_REF = {"type": "dict", "schema": {"env": {"type": "string", "required": True}}}
# a password or a key's passphrase: a variable, or the OS keyring's entry SERVICE for the
# sftp user (docs/delivery.md); exactly one of the two
_SECRET_REF = {
    "type": "dict",
    "schema": {
        "env": {"type": "string", "empty": False},
        "keyring": {"type": "string", "empty": False},
    },
    "check_with": "one_reference",
}
_SFTP = {
    "type": "dict",
    "schema": {
        "host": {"type": "string"},
        "port": {"type": "integer", "min": 1, "max": 65535},
        "user": {"type": "string"},
        "path": {"type": "string"},
        # the folders fetch reads and send writes, when not ``path`` (docs/delivery.md)
        "fetch_path": {"type": "string", "empty": False},
        "send_path": {"type": "string", "empty": False},
        "password": _SECRET_REF,
        # the key's text in a variable, or a key file's path (docs/delivery.md)
        "key": {"anyof": [_ENV_REF, {"type": "string", "empty": False}]},
        "passphrase": _SECRET_REF,  # the key's, when it has one
        "known_hosts": {"type": "string", "empty": False},
        "timeout": {"type": "number", "min": 1, "max": 600},
    },
}
_RATES = {
    "type": "dict",
    "keysrules": {"type": "string", "regex": r"^[A-Z0-9]{5}(-[A-Z0-9]{2})?$"},
    "valuesrules": {"type": "number", "min": 0, "coerce": "amount"},
}
_PLAN = {
    "type": "dict",
    "schema": {
        "file_prefix": {"type": "string", "empty": False},
        "payer_id": {"type": "string", "empty": False},
        "submitter_id": {"type": "string", "empty": False, "maxlength": 15},
        "receiver_id": {"type": "string", "empty": False, "maxlength": 15},
        "rates": _RATES,
        "sftp": _SFTP,
        # also the plan's Community Supports provider: `convert --kind all` adds the CSPRTF
        "community_supports": {"type": "boolean", "coerce": "yes_no"},
    },
}


class _ProviderValidator(Validator):
    def _normalize_coerce_amount(self, value):
        """A rate from a provider sheet arrives as text ('125.0'): read it as a number."""
        if isinstance(value, str):
            try:
                return float(value.replace(",", "").replace("$", "").strip())
            except ValueError:
                return value  # left for the type check to report
        return value

    def _normalize_coerce_yes_no(self, value):
        """A flag from a provider sheet arrives as text ('true', 'yes'): read it as a bool."""
        if isinstance(value, str):
            parsed, problem = V.as_bool(value)
            return value if problem or parsed is None else parsed  # else: the type check says
        return value

    def _check_with_npi_check_digit(self, field, value):
        if (
            isinstance(value, str)
            and len(value) == 10
            and value.isdigit()
            and not npi_is_valid(value)
        ):
            self._error(field, "check digit is wrong (Luhn over 80840 + the first 9 digits)")

    def _check_with_one_reference(self, field, value):
        if isinstance(value, dict) and len(value) != 1:
            self._error(field, "write {env: NAME} or {keyring: SERVICE}, one of the two")


SCHEMA = {
    "facility_name": {"type": "string", "required": True, "empty": False},
    "npi": {
        "type": "string",
        "required": True,
        "regex": r"^\d{10}$",
        "check_with": "npi_check_digit",
    },
    "tin": {"type": "string", "required": True, "regex": r"^\d{2}-?\d{7}$"},
    "phone": {"type": "string", "regex": r"^[\d\s().+-]{7,20}$"},
    "address": {"type": "string"},
    "city": {"type": "string"},
    "state": {"type": "string", "regex": r"^[A-Z]{2}$"},
    "zip": {"type": "string", "regex": r"^\d{5}(-?\d{4})?$"},
    "taxonomy": {"type": "string"},
    "provider_type": {"type": "string"},
    "rates": _RATES,
    "plans": {"type": "dict", "keysrules": {"type": "string"}, "valuesrules": _PLAN},
}
_HINTS = {
    "npi": "the NPI is 10 digits; copy it from NPPES",
    "tin": "the TIN is 9 digits, e.g. 12-3456789",
    "zip": "a 5-digit ZIP (quote it in YAML to keep a leading 0)",
    "state": "a 2-letter state, e.g. CA",
}


@dataclass(frozen=True)
class Provider:
    facility_name: str
    npi: str
    tin: str
    source: str = ""
    details: dict = field(default_factory=dict)

    def get(self, key: str, default=None):
        return self.details.get(key, default)

    def plan(self, plan_id: str) -> dict:
        return (self.details.get("plans") or {}).get(plan_id) or {}


def find_provider(dataset_path: Path) -> Provider:
    """provider.yaml in a CSV folder or beside a workbook, else the workbook's provider sheet."""
    dataset_path = Path(dataset_path)
    folder = dataset_path if dataset_path.is_dir() else dataset_path.parent
    candidate = folder / PROVIDER_FILE
    if candidate.exists():  # a folder or FIFO by that name is refused, not skipped
        return load_provider(candidate)
    if dataset_path.suffix.lower() in SPREADSHEET_SUFFIXES:
        book = Workbook(dataset_path)
        sheet = book.find_sheet("provider")
        if sheet:
            raw = book.read(sheet)
            where = f"{dataset_path} sheet {sheet!r}"
            return _validate(_from_rows(raw.rows, where), where)
    raise InputError(
        f"no provider profile for {dataset_path}: put {PROVIDER_FILE} beside it, "
        "add a 'provider' sheet, or pass --provider FILE"
    )


def load_provider(path: Path) -> Provider:
    path = Path(path)
    try:
        data = load_yaml(path, "provider file (provider.yaml)")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise InputError(
            f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: expected a mapping of provider fields (facility_name, npi, tin, ...)"
        )
    return _validate(data, str(path))


def _from_rows(rows: list[list], where: str) -> dict:
    """Key/value rows (``plans.healthnet.file_prefix | HN123``) to a nested dict."""
    data: dict = {}
    for number, row in enumerate(rows, 1):
        if len(row) < 2:
            continue
        problem = V.excel_error(row[0]) or V.excel_error(row[1])
        if problem:
            raise InputError(f"{where} row {number}: {problem}")
        key, _ = V.as_text(row[0])
        value, _ = V.as_text(row[1])
        if not key or key.lower() == "key" or value is None:
            continue
        target = data
        *parents, leaf = key.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = int(value) if leaf == "port" and value.isdigit() else value
    return data


IDENTIFIERS = ("npi", "tin", "zip", "phone")
PLAN_IDENTIFIERS = ("payer_id", "submitter_id", "receiver_id", "file_prefix")


def _unquoted_identifiers(data: dict) -> dict[str, object]:
    """Identifiers YAML read as numbers (``npi: 0123456`` is the octal number 42798): path -> value."""

    def numbers(node: dict, keys, prefix=""):
        return {
            prefix + key: node[key]
            for key in keys
            if isinstance(node.get(key), int | float) and not isinstance(node.get(key), bool)
        }

    found = numbers(data, IDENTIFIERS)
    plans = data.get("plans")
    for plan_id, plan in plans.items() if isinstance(plans, dict) else ():
        if isinstance(plan, dict):
            found |= numbers(plan, PLAN_IDENTIFIERS, f"plans.{printable(plan_id)}.")
    return found


def _literal_secrets(data: dict) -> list[str]:
    """Paths of a password, or a private key's text, written in the file itself."""
    found = []
    plans = data.get("plans")
    for plan_id, plan in plans.items() if isinstance(plans, dict) else ():
        sftp = plan.get("sftp") if isinstance(plan, dict) else None
        if not isinstance(sftp, dict):
            continue
        path = f"plans.{printable(plan_id)}.sftp."
        for secret in ("password", "passphrase"):
            if isinstance(sftp.get(secret), str | int | float):
                found.append(path + secret)
        if isinstance(sftp.get("key"), str) and "PRIVATE KEY" in sftp["key"]:
            found.append(path + "key")
    return found


def _validate(data: dict, source: str) -> Provider:
    numbers = _unquoted_identifiers(data)
    secrets = _literal_secrets(data)
    if secrets:  # the only line about the secret (its value not repeated)
        line = (
            f"{source}: {secrets[0]}: a secret is never written in {PROVIDER_FILE}; put it in "
            f"an environment variable and write {secrets[0].rsplit('.', 1)[-1]}: {{env: NAME}}"
            + ("" if secrets[0].endswith(".key") else " (or {keyring: SERVICE}: the OS keyring)")
        )
        raise InputError(line, details=[line])
    problems = [
        f"{source}: {path}: YAML reads it as the number {value!r}, which can lose digits; "
        f'quote it ({path.rsplit(".", 1)[-1]}: "...") since an identifier is text'
        + (f" ({_HINTS[path]})" if path in _HINTS else "")
        for path, value in numbers.items()
    ]
    validator = _ProviderValidator(SCHEMA, allow_unknown=False)
    validator.validate(data)
    problems += [
        f"{source}: {path}: {message}" + (f" ({_HINTS[path]})" if path in _HINTS else "")
        for path, message in _flatten(validator.errors)
        if path not in numbers  # "must be of string type" says less than the line above
    ]
    if problems:
        raise InputError(problems[0], details=problems)
    data = validator.document
    return Provider(data["facility_name"], data["npi"], data["tin"].replace("-", ""), source, data)


def _flatten(errors, prefix: str = ""):
    for key, items in errors.items():
        path = f"{prefix}.{printable(key)}" if prefix else printable(key)
        for item in items:
            if isinstance(item, dict):
                yield from _flatten(item, path)
            else:
                yield path, item
