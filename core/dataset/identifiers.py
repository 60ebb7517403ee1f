"""Identifier rules: CIN shape and NPI check digit (domain.md, Identifiers and formats)."""

from __future__ import annotations

import re

# Medi-Cal CIN: a 9, seven digits, a letter (e.g. 91234567A).
CIN_SHAPE = re.compile(r"^9[0-9]{7}[A-Z]$")
# A county bulletin excludes these letters; treated as a warning, not an error.
CIN_EXCLUDED_LETTERS = frozenset("BIJKLOPQRS")
CIN_LETTERS = "".join(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in CIN_EXCLUDED_LETTERS)


def npi_check_digit(first9: str) -> str:
    """The NPI check digit: Luhn over the prefix 80840 and the first nine digits."""
    if len(first9) != 9 or not (first9.isascii() and first9.isdigit()):
        raise ValueError(f"an NPI check digit needs nine digits, not {first9!r}")
    total = 0
    for position, char in enumerate(reversed("80840" + first9)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def npi_is_valid(npi: str) -> bool:
    return len(npi) == 10 and npi.isascii() and npi.isdigit() and npi_check_digit(npi[:9]) == npi[9]
