"""What an 837P (005010X222A1) allows in the member and line values a claim carries.

Checked before any file is written, so one bad value holds back one member's claim
(K013) or one line (K011, K012, K014, K015) instead of the payer rejecting the whole
interchange at the front door (a ``charge`` written as ``INF``, a name of Chinese
characters leaving NM103 empty, a control character in N3, ``Calif`` in N402).
The writer (``x12.Segments.clean``) transliterates accented Latin letters
(José -> JOSE) and turns separators and line breaks into spaces; anything else it
could not write as the user wrote it is a problem here.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from ecmx.core.billing.columns import objects, per_distinct
from ecmx.core.billing.lines import MAX_UNITS, missing, text_or_blank, text_or_none
from ecmx.core.checks.codes import K013
from ecmx.core.checks.findings import ERROR, WARNING, Finding

# USPS state and territory codes, military "states" included (N402, code source 22).
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY "
    "AS GU MP PR VI FM MH PW AA AE AP".split()
)
# The X12 basic and extended character sets (upper case: the writer upper-cases);
# tab and line breaks become spaces in the writer.
_X12_CHARACTER = re.compile(r"[A-Z0-9 !\"&'()*+,\-./:;?=%@\[\]_{}\\|<>~^#$\t\r\n]")
# the same characters in either case: plain ASCII text made of them has no problem
_X12_ASCII = re.compile("[a-z" + _X12_CHARACTER.pattern[1:] + "*")
ZIP_CODE = re.compile(r"[0-9]{5}(-?[0-9]{4})?")
POS_CODE = re.compile(r"^[0-9]{1,2}$")
MAX_CHARGE = 99_999_999.99  # SV102/CLM02 are R 1-18; no ECM line costs more
__all__ = [
    "MAX_CHARGE",
    "MAX_UNITS",
    "POS_CODE",
    "member_cuts",
    "member_findings",
    "member_problems",
    "x12_problem",
]

# member column -> (what the 837P calls it, max length, required when the address is given)
MEMBER_ELEMENTS = {
    "last_name": ("NM103 last name", 60),
    "first_name": ("NM104 first name", 35),
    "address": ("N301 address", 55),
    "city": ("N401 city", 30),
}
ADDRESS = ("address", "city", "state", "zip")


def x12_problem(value, width: int) -> str | None:
    """Why the value cannot go into an element of ``width`` characters as written, or None."""
    text = text_or_none(value)
    if text is None or (text.isascii() and _X12_ASCII.fullmatch(text)):
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if any((ord(ch) < 32 and ch not in "\t\r\n") or ord(ch) == 127 for ch in kept):
        return "holds a control character"
    if not all(_X12_CHARACTER.fullmatch(ch.upper()) for ch in kept):
        return "holds characters an 837P cannot carry (X12 allows A-Z, 0-9 and common punctuation)"
    return None


def too_long(value, width: int) -> bool:
    """Longer than the element: the writer cuts it (a warning, not a refusal: names and
    streets are matched by the member id, and a payer truncates them the same way)."""
    text = text_or_none(value)
    return text is not None and len(" ".join(text.split())) > width


def _written(member: dict) -> dict[str, tuple[str, int]]:
    """The name and address elements the claim will carry: no street, no N3/N4."""
    if text_or_none(member.get("address")) is None:
        return {k: v for k, v in MEMBER_ELEMENTS.items() if k not in ADDRESS}
    return MEMBER_ELEMENTS


def member_cuts(member: dict, separators: str = "*:^~") -> list[tuple[str, str]]:
    """(column, note) for each member value the 837P carries otherwise than written: longer
    than its element (cut), or holding an X12 separator or a line break (a space instead)."""
    notes = []
    for column, (element, width) in _written(member).items():
        value = member.get(column)
        if too_long(value, width):
            notes.append(
                (column, f"{element} is longer than {width} characters: the 837P carries "
                 f"the first {width}")
            )  # fmt: skip
        text = text_or_none(value)
        if text is not None and any(ch in text for ch in separators + "\r\n"):
            shown = " ".join(separators)
            notes.append(
                (column, f"{element} holds an X12 separator ({shown}) or a line break: the "
                 "837P carries a space in its place")
            )  # fmt: skip
    return notes


def member_problems(
    member: dict, subscriber_field: str, separators: str = ""
) -> list[tuple[str, str]]:
    """(column, problem) for each member value the claim needs and an 837P cannot carry;
    ``separators``: the plan's X12 separators, which the writer turns into spaces."""
    problems: list[tuple[str, str]] = []
    for column, (element, width) in _written(member).items():
        problem = x12_problem(member.get(column), width)
        if problem is not None:
            problems.append((column, f"{element} {problem}"))
    if text_or_none(member.get("last_name")) is None:
        problems.append(("last_name", "NM103 last name is blank: a claim names the member"))
    subscriber = member.get(subscriber_field)
    problem = x12_problem(subscriber, 80)
    if text_or_none(subscriber) is None:
        problem = "is blank"
    elif too_long(subscriber, 80):
        problem = "is longer than 80 characters"
    if problem is not None:
        problems.append((subscriber_field, f"NM109 member id ({subscriber_field}) {problem}"))
    given = [c for c in ADDRESS if text_or_none(member.get(c)) is not None]
    # No street (a member experiencing homelessness): N3/N4 are left out, as the writer
    # does. A street without its city, state or ZIP: the payer refuses the N4.
    if "address" in given:
        for column in ADDRESS:
            if column not in given:
                problems.append(
                    (column, f"the address is incomplete: {column} is blank (N3/N4 need all four)")
                )
        state = text_or_none(member.get("state"), upper=True)
        if state is not None and state not in US_STATES:
            problems.append(("state", "N402 state is not a two-letter US state code (CA)"))
        zip_code = text_or_none(member.get("zip"))
        if zip_code is not None and not ZIP_CODE.fullmatch(zip_code):
            problems.append(("zip", "N403 ZIP is not 5 or 9 digits (93721 or 93721-2345)"))
        city = text_or_none(member.get("city"))
        # as written: a separator becomes a space, so "1*" is the city "1"
        written = city or ""
        for separator in separators:
            written = written.replace(separator, " ")
        if city is not None and len(" ".join(written.split())) < 2:
            problems.append(("city", "N401 city is shorter than the 2 characters X12 requires"))
    if missing(member.get("dob")):
        problems.append(("dob", "DMG02 date of birth is blank"))
    return problems


def member_findings(
    dataset, plan_id: str, member_ids, subscriber_field: str, separators: str
) -> list[Finding]:
    """K013 at the members cell of each billed member (``member_ids``): an error for a
    value the claim needs that an 837P cannot carry (the member's claim is held back,
    ``--force`` or not; the other members are billed), a warning for one it carries cut
    or with a space for a separator."""
    members = dataset.members.drop_duplicates("member_id")
    members = members[members["member_id"].isin(set(member_ids))]
    members = members[_maybe_held(members, subscriber_field, separators)]
    findings = []
    for member in members.to_dict("records"):
        problems = [
            *((ERROR, c, f"{p}; this member's claim is held back")
              for c, p in member_problems(member, subscriber_field, separators)),
            *((WARNING, c, p) for c, p in member_cuts(member, separators)),
        ]  # fmt: skip
        findings += [
            K013.in_dataset(
                dataset,
                "members",
                column,
                member["_row"],
                message,
                severity=severity,
                plan=plan_id,
                kind="claims",
                file=str(dataset.source),
                value=text_or_blank(member.get(column)),
                member_id=str(member["member_id"]),
            )
            for severity, column, message in problems
        ]
    return findings


def _maybe_held(members, subscriber_field: str, separators: str) -> np.ndarray:
    """The members a K013 might name, found column-wise (each distinct value once): a
    value that could be blank, unwritable, cut or hold a separator where the 837P needs
    it. Only these members are checked one by one (``member_problems``, ``member_cuts``)."""

    def flag(column: str, test) -> np.ndarray:
        values = members[column] if column in members else objects([None] * len(members))
        return per_distinct(test, values).astype(bool)

    def odd(width: int):
        def test(value) -> bool:
            text = text_or_none(value)
            return text is not None and (
                x12_problem(text, width) is not None
                or too_long(text, width)
                or any(ch in text for ch in separators + "\r\n")
            )

        return test

    def short_city(value) -> bool:
        written = text_or_blank(value)
        for separator in separators:
            written = written.replace(separator, " ")
        return len(" ".join(written.split())) < 2

    marks = [
        flag("last_name", lambda v: text_or_none(v) is None or odd(60)(v)),
        flag("first_name", odd(35)),
        flag("address", odd(55)),
        flag("city", lambda v: odd(30)(v) or short_city(v)),
        flag("state", lambda v: text_or_none(v, upper=True) not in US_STATES),
        flag("zip", lambda v: not ZIP_CODE.fullmatch(text_or_blank(v))),
        flag(subscriber_field, lambda v: text_or_none(v) is None or odd(80)(v)),
        flag("dob", missing),
    ]
    return np.logical_or.reduce(marks)
