"""Checks on a naming template (``files.<kind>.naming``, ``billing.naming``).

A template is filled in with ``str.format`` from ``NAMING_FIELDS`` (``files.convert``
does it for real): a placeholder must be known, only dates take a format, and a sample
fill must make one plain file name a file system takes.
"""

from __future__ import annotations

import string
from datetime import date

from ecmx.core.hints import did_you_mean
from ecmx.core.storage import limits

NAMING_FIELDS = (
    "facility_name",
    "file_prefix",
    "plan",
    "kind",
    "period",
    "period_end",
    "production_date",
)
DATE_NAMING_FIELDS = ("period", "period_end", "production_date")


# What a template is filled in with to see the name it makes (a long facility name).
SAMPLE_NAMING = {
    "facility_name": "Sunrise Community Health Center of the Central Valley",
    "file_prefix": "SUNRISE_HEALTHNET_ECM",
    "plan": "healthnet",
    "kind": "rtf",
    "period": date(2025, 11, 1),
    "period_end": date(2025, 11, 30),
    "production_date": date(2025, 12, 3),
}


def naming_problems(template: str, at: str, extension: str) -> list[str]:
    problems = []
    if not isinstance(template, str):
        return []  # the schema pass says what it should be
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        return [f"{at}: {exc}"]
    for _, name, spec, _ in parsed:
        if name is None:
            continue
        if name not in NAMING_FIELDS:
            problems.append(
                f"{at}: unknown placeholder {{{name}}}{did_you_mean(name, NAMING_FIELDS)}"
            )
        elif spec and name not in DATE_NAMING_FIELDS:
            problems.append(f"{at}: {{{name}}} is text and takes no format")
    return problems or _rendered_name_problems(template, at, extension)


def _rendered_name_problems(template: str, at: str, extension: str) -> list[str]:
    """The template filled in with a sample: it must make one plain, non-empty file name."""
    try:
        name = template.format(**SAMPLE_NAMING)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        return [f"{at}: cannot be filled in ({exc}); see docs/configuration.md, naming"]
    if "/" in name or "\\" in name:
        return [
            f"{at}: makes {name!r}, which holds a folder separator (/ or \\); "
            "a template names one file (a date format like %D writes slashes)"
        ]
    if not name.strip(" ."):
        return [
            f"{at}: makes the file name {name + '.' + extension!r}, with nothing before the "
            "extension; give the name's text"
        ]
    size = len(f"{name}.{extension}".encode())
    if size > limits.MAX_FILE_NAME_BYTES:
        return [
            f"{at}: makes a file name of {size:,} bytes for a sample provider; file systems "
            f"allow {limits.MAX_FILE_NAME_BYTES}: shorten the template"
        ]
    return []
