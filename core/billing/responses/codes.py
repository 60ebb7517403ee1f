"""What a payer's codes mean, in words a billing clerk can act on.

The meanings live in ``codes.yaml`` beside this module, one list per X12 code set, each
citing its public source (x12.org's external code lists, or the data element of the
implementation guide). A code the list does not hold is never guessed at: it reads
"code X (not in ecmx's list: see X12's code list)", so a new or rare code is visible
as such instead of being dressed in a wrong meaning.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

LISTS = (
    "ack_group", "ack_transaction", "transaction_error", "segment_error", "element_error",
    "status_category", "claim_status", "entity", "claim_payment_status", "adjustment_group",
    "carc", "rarc", "provider_adjustment",
)  # fmt: skip
ACCEPTED_CATEGORIES = frozenset({"A1", "A2", "A5"})  # received, accepted, split on acceptance


@cache
def _lists() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("codes.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def source(code_list: str) -> str:
    """Where the meanings of ``code_list`` come from (an x12.org address or element)."""
    return str(_lists()[code_list]["source"])


def known(code_list: str) -> dict[str, str]:
    """Every code of ``code_list`` ecmx has a meaning for."""
    return {str(k): str(v) for k, v in _lists()[code_list]["codes"].items()}


def meaning(code_list: str, code: str) -> str:
    """The meaning of ``code`` in ``code_list``; an unknown code says so, never guesses."""
    code = code.strip()
    entry = _lists()[code_list]
    text = entry["codes"].get(code)
    if text is None:
        return f"code {code or '(empty)'} (not in ecmx's list: see X12's code list)"
    if code in entry.get("deactivated", ()):
        return f"{text} (a code X12 has deactivated)"
    return str(text)


def ack_group(code: str) -> str:
    return meaning("ack_group", code)


def ack_transaction(code: str) -> str:
    return meaning("ack_transaction", code)


def status_words(category: str, status: str, entity: str = "") -> str:
    """An STC01 composite in words: "A7 ...: 164 ... (entity: Insured or Subscriber)"."""
    words = f"{category} {meaning('status_category', category).rstrip('.')}"
    if status:
        words += f"; {status} {meaning('claim_status', status).rstrip('.')}"
    if entity:
        words += f" (entity: {meaning('entity', entity)})"
    return words


def adjustment_words(group: str, reason: str) -> str:
    """A CAS group and reason in words: "CO Contractual Obligations: 45 Charge exceeds ..."."""
    return f"{group} {meaning('adjustment_group', group)}: {reason} {meaning('carc', reason)}"


def claim_payment_status(code: str) -> str:
    return meaning("claim_payment_status", code)


def remark(code: str) -> str:
    return meaning("rarc", code)


def provider_adjustment(code: str) -> str:
    return meaning("provider_adjustment", code)
