"""Field rules: each column of a plan file on its own, vectorised.

Type and code problems of a file read back (not a date, not a code of the
plan's list: L003-L005) are found while reading it (``plan_reader``); a file
ecmx writes has its types by construction and unknown codes are found while
mapping (M001).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ecmx.core.checks.rules import MEMBER_FILE_KINDS, SENT_KINDS, Hit, Rule, Target, _text
from ecmx.core.dataset.identifiers import CIN_EXCLUDED_LETTERS, CIN_SHAPE, npi_is_valid
from ecmx.core.hookspecs import hookimpl

IDENTIFIER_SOURCE = (
    "identifier formats: a Medi-Cal CIN is 9 characters (a 9, seven digits, a letter); "
    "a ZIP code 5 or 9 digits (USPS); a phone number 10 digits (North American Numbering Plan)"
)
ZIP_SHAPE = re.compile(r"^[0-9]{5}(-?[0-9]{4})?$")
NPI_FIELDS = ("provider_npi", "rendering_npi")
PHONE_FIELDS = ("phone", "provider_phone", "lead_care_manager_phone")


def texts(target: Target, header: str) -> pd.Series:
    """The column as text, computed once per target (blank = "")."""
    cache = target.extra.setdefault("texts", {})
    if header not in cache:
        column = target.frame[header].astype(object)
        if pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
            # text only: each distinct value hashed in C and read once
            slots, distinct = pd.factorize(column, use_na_sentinel=True)
            # what _text(v).strip() gives for any str (a CellError too): the text, stripped
            table = np.array([*(v.strip() for v in distinct), ""], dtype=object)
            cache[header] = pd.Series(table[slots], index=column.index, dtype=object)
        else:
            cache[header] = _mixed_texts(column)
    return cache[header]


def _mixed_texts(column: pd.Series) -> pd.Series:
    known: dict = {}  # keyed by type too: 1, 1.0 and True are equal as dict keys
    texts_ = []
    for value in column.where(column.notna(), None).tolist():
        key = (type(value), value)
        if key not in known:
            known[key] = _text(value).strip()
        texts_.append(known[key])
    return pd.Series(texts_, index=column.index, dtype=object)


def _columns(target: Target, predicate):
    return [c for c in target.columns if c.header in target.frame and predicate(c)]


def _positions(mask: pd.Series) -> list[int]:
    return list(mask.to_numpy().nonzero()[0])


def required(target: Target):
    for column in _columns(target, lambda c: c.required):
        blank = _positions(texts(target, column.header) == "")
        if blank:
            yield Hit(blank, f"{column.header} is required but blank", header=column.header)


def max_length(target: Target):
    for column in _columns(target, lambda c: c.max_length):
        long = _positions(texts(target, column.header).str.len() > column.max_length)
        if long:
            yield Hit(
                long,
                f"{column.header} is longer than {column.max_length} characters",
                header=column.header,
            )


# Excel keeps at most this many characters in a cell, and cuts the rest without a word.
CELL_TEXT_LIMIT = 32_767


def cell_limit(target: Target):
    for column in _columns(target, lambda c: c.type not in ("date", "int", "number")):
        long = _long_text_positions(target.frame[column.header])
        if long:
            yield Hit(
                long,
                f"{column.header} is longer than a spreadsheet cell holds "
                f"({CELL_TEXT_LIMIT:,} characters)",
                header=column.header,
            )


def _long_text_positions(column: pd.Series) -> list[int]:
    """Where a text cell is longer than a cell holds (what ``.str.len()`` measures: str
    cells only). Almost always none: the longest text is measured first, in C."""
    if column.dtype.kind in "biufcmM":  # no text in the column at all
        return []
    values = column.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) == "string":
        texts_ = values[pd.notna(values)]
        if not len(texts_) or max(map(len, texts_)) <= CELL_TEXT_LIMIT:
            return []
    lengths = np.fromiter(
        (len(v) if isinstance(v, str) else 0 for v in values), dtype=np.int64, count=len(values)
    )
    return _positions(pd.Series(lengths > CELL_TEXT_LIMIT))


def _by_field(target: Target, names, check, message):
    for column in _columns(target, lambda c: c.field in names):
        text = texts(target, column.header)
        # Each distinct value is checked once: identifiers repeat (one NPI on every row).
        slots, distinct = pd.factorize(text)
        failing = np.array([bool(value) and not check(value) for value in distinct], dtype=bool)
        bad = _positions(pd.Series(failing[slots]))
        if bad:
            yield Hit(bad, message.format(header=column.header), header=column.header)


def cin_shape(target: Target):
    yield from _by_field(
        target,
        ("cin",),
        lambda v: bool(CIN_SHAPE.match(v)),
        "{header} is not a CIN: a 9, seven digits and a letter",
    )


def cin_letter(target: Target):
    yield from _by_field(
        target,
        ("cin",),
        lambda v: not (CIN_SHAPE.match(v) and v[-1] in CIN_EXCLUDED_LETTERS),
        "{header} ends in a letter CINs do not use (B I J K L O P Q R S)",
    )


def npi(target: Target):
    yield from _by_field(
        target,
        NPI_FIELDS,
        npi_is_valid,
        "{header} is not a valid NPI (10 digits with a check digit)",
    )


def zip_code(target: Target):
    yield from _by_field(
        target,
        ("zip",),
        lambda v: bool(ZIP_SHAPE.match(v)),
        "{header} is not a ZIP code (5 digits, or ZIP+4)",
    )


def phone(target: Target):
    yield from _by_field(
        target,
        PHONE_FIELDS,
        lambda v: sum(map(str.isdigit, v)) == 10,
        "{header} is not a 10-digit phone number",
    )


FIELD_RULES = (
    Rule(
        "L001",
        "error",
        "field",
        "required column blank",
        "fill it (from ecmx: fill the dataset field behind it; see ecmx plans fields)",
        "the plan's layout (required: true)",
        required,
        SENT_KINDS,
    ),
    Rule(
        "L002",
        "error",
        "field",
        "value longer than the layout allows",
        "shorten the value",
        "the plan's layout (max_length)",
        max_length,
        SENT_KINDS,
    ),
    Rule(
        "L006",
        "error",
        "field",
        "CIN of the wrong shape",
        "copy the CIN from the plan's MIF or an eligibility check (e.g. 91234567A)",
        IDENTIFIER_SOURCE,
        cin_shape,
        MEMBER_FILE_KINDS,
    ),
    Rule(
        "L007",
        "warning",
        "field",
        "CIN ending in an unused letter",
        "check the CIN against the plan's MIF",
        "a county eligibility bulletin: CINs do not end in B I J K L O P Q R S (no public copy cited)",
        cin_letter,
        MEMBER_FILE_KINDS,
    ),
    Rule(
        "L008",
        "error",
        "field",
        "NPI with a wrong check digit",
        "copy the NPI from NPPES",
        "HIPAA NPI standard (45 CFR 162.406): 10 digits, the last a Luhn check over prefix 80840",
        npi,
        SENT_KINDS,
    ),
    Rule(
        "L009",
        "error",
        "field",
        "ZIP code of the wrong shape",
        "write 5 digits (keep a leading 0: format the cell as text)",
        IDENTIFIER_SOURCE,
        zip_code,
        SENT_KINDS,
    ),
    Rule(
        "L010",
        "warning",
        "field",
        "phone number not 10 digits",
        "write the 10-digit number",
        IDENTIFIER_SOURCE,
        phone,
        SENT_KINDS,
    ),
)


# Not a rule of the plan's layout (the cerberus reference in the tests checks those):
# a limit of the file format, which every plan file has.
CELL_LIMIT_RULE = Rule(
    "W001",
    "error",
    "field",
    "text longer than a spreadsheet cell holds",
    "shorten the value in the dataset: the plan's file would cut it",
    "Excel specifications and limits: 32,767 characters per cell",
    cell_limit,
    MEMBER_FILE_KINDS,
)


@hookimpl
def ecmx_register_rules(registry) -> None:
    for rule in (*FIELD_RULES, CELL_LIMIT_RULE):
        registry.add_rule(rule)
