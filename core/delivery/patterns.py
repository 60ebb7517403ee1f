"""Which files on a plan's server are which: the file-name patterns ``fetch`` keeps.

A plan's inbound kinds (MIF, mini-MIF, TEL) are matched by the kind's naming template
(``files.<kind>.naming``) filled in with the provider's values, each date as ``*``, and
the extensions the plan takes; ``delivery.fetch.<kind>.patterns`` replaces them, and
``delivery.responses.patterns`` names the plan's response files. Matching ignores case.
The production date is read back out of a name the template made, to order files.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace

from ecmx.core.files.convert import name_from_template

RESPONSE = "response"
_MARK = "ECMXDATE{}X"
_MARK_RE = re.compile(r"ECMXDATE(\d+)X")
_STRFTIME = {"%Y": r"\d{4}", "%y": r"\d{2}", "%m": r"\d{2}", "%d": r"\d{2}", "%j": r"\d{3}"}


@dataclass(frozen=True)
class KindPatterns:
    """One kind's globs; ``dated`` (when derived from a template) reads a name's date back."""

    kind: str
    globs: tuple[str, ...]
    # (regex, its date groups' strftime formats), one per template
    dated: tuple[tuple[re.Pattern, dict[str, str]], ...] = field(default=(), compare=False)

    def matches(self, name: str) -> bool:
        folded = name.casefold()
        return any(fnmatch.fnmatchcase(folded, glob.casefold()) for glob in self.globs)

    def production_date(self, name: str) -> date | None:
        for regex, specs in self.dated:
            found = regex.fullmatch(name)
            if found and "production_date" in specs:
                try:
                    return datetime.strptime(
                        found["production_date"], specs["production_date"]
                    ).date()
                except ValueError:
                    return None
        return None


class _DateMark:
    """A date placeholder: ``format`` leaves a mark that becomes ``*`` or a regex group."""

    def __init__(self, name: str, seen: list[tuple[str, str]]):
        self.name, self.seen = name, seen

    def __format__(self, spec: str) -> str:
        self.seen.append((self.name, spec or "%Y-%m-%d"))
        return _MARK.format(len(self.seen) - 1)


def template_patterns(plan, provider, kind: str) -> KindPatterns:
    """The kind's naming template as globs (one per extension the plan takes) and a regex."""
    file = plan.files[kind]
    seen: list[tuple[str, str]] = []
    period = SimpleNamespace(start=_DateMark("period", seen), end=_DateMark("period_end", seen))
    name = name_from_template(
        file.naming, provider, plan.id, kind, period, _DateMark("production_date", seen)
    )
    extensions = tuple(dict.fromkeys((file.format, *file.accepted_formats)))
    literal = _MARK_RE.split(name)  # text, index, text, index, ... text
    glob = "".join(_escape_glob(part) if i % 2 == 0 else "*" for i, part in enumerate(literal))
    globs = tuple(f"{glob}.{ext}" for ext in extensions)
    return KindPatterns(kind, globs, (_dated(literal, seen, extensions),))


def _escape_glob(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _dated(literal: list[str], seen: list[tuple[str, str]], extensions):
    parts: list[str] = []
    specs: dict[str, str] = {}
    for i, part in enumerate(literal):
        if i % 2 == 0:
            parts.append(re.escape(part))
            continue
        field_name, spec = seen[int(part)]
        group = field_name if field_name not in specs else f"{field_name}_{i}"
        specs.setdefault(group, spec)
        parts.append(f"(?P<{group}>{_date_regex(spec)})")
    suffix = "|".join(re.escape(ext) for ext in extensions)
    pattern = "".join(parts) + rf"\.(?:{suffix})"
    return re.compile(pattern, re.IGNORECASE), specs


def _date_regex(spec: str) -> str:
    pieces = re.split(r"(%.)", spec)
    return "".join(_STRFTIME.get(p, ".+?") if p.startswith("%") else re.escape(p) for p in pieces)


def fetch_patterns(plan, provider, inbound: list[str]) -> list[KindPatterns]:
    """Every kind ``fetch`` keeps for ``plan``: its inbound kinds, then its responses."""
    found = []
    for kind in inbound:
        own = plan.delivery.fetch.get(kind)
        found.append(KindPatterns(kind, own) if own else template_patterns(plan, provider, kind))
    if plan.delivery.responses is not None:
        found.append(KindPatterns(RESPONSE, plan.delivery.responses.patterns))
    return found


def kind_of(name: str, patterns: list[KindPatterns]) -> KindPatterns | None:
    """The first kind whose patterns match ``name``; None for a file fetch leaves."""
    return next((p for p in patterns if p.matches(name)), None)
