"""Where a plan config's facts come from: the sources list, and whom each source speaks for.

A ``source:`` names an entry of the sources list (``plan_configs/sources.yaml``, a
``sources.yaml`` in a --plans-dir, and a plan file's own ``sources:``) by id, then the
section or a short quote::

    source: "hn-calaim-resources: FAQ on status code 4"
    source: ["hn-ecm-process: Step 9", "chwp-ecm-process: Step 9"]

A source speaks for the plans its entry lists. For any other plan a fact taken from it
is assumed: the loader marks it so (``mark_unspoken``), and ``plans show --assumptions``
names the source it was taken from. Users read titles, never ids or file numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ecmx.core.hints import did_you_mean

SOURCES_FILE = "sources.yaml"
_CITATION = re.compile(r"^(?P<id>[a-z0-9][a-z0-9-]*)(?::\s*(?P<section>.*))?$", re.DOTALL)
# How configs cited sources before the sources list: "seed 004 FAQ ...", "seeds 000 and 001".
_OLD_STYLE = re.compile(r"^\s*seeds?\b", re.IGNORECASE)
_SEED_NUMBERS = re.compile(r"\bseeds?\s+((?:\d{3}\b(?:\s*(?:,|and|or|;)\s*)?)+)", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    date: str
    where: str
    plans: frozenset[str]
    cited_as: tuple[str, ...] = ()

    def speaks_for(self, plan_id: str) -> bool:
        return plan_id in self.plans


@dataclass(frozen=True)
class Citation:
    source_id: str
    section: str = ""


def citation_texts(value: object) -> list[str]:
    """A ``source:`` as a list of its citations' texts (one string, or a list of them)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def parse(text: str) -> Citation | None:
    match = _CITATION.match(text.strip())
    if match is None:
        return None
    return Citation(match["id"], (match["section"] or "").strip())


# --- the sources list ----------------------------------------------------------------------


def read_sources(text: str, origin: str, problems: list[str]) -> dict[str, Source]:
    """A sources list (YAML text) as sources by id; each problem is one line in ``problems``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problems.append(f"{origin}: not valid YAML ({getattr(exc, 'problem', exc)})")
        return {}
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        problems.append(f"{origin}: a sources list is a mapping 'sources:' of id -> entry")
        return {}
    found = {}
    for source_id, entry in entries.items():
        at = f"{origin}: sources.{source_id}"
        if not isinstance(source_id, str) or not _CITATION.match(source_id) or ":" in source_id:
            problems.append(f"{at}: an id is lower case letters, digits and '-' (e.g. my-guide)")
            continue
        if not isinstance(entry, dict):
            problems.append(f"{at}: give title, publisher, date, where and plans")
            continue
        missing = [k for k in ("title", "publisher", "date", "where", "plans") if k not in entry]
        plans = entry.get("plans")
        if missing:
            problems.append(f"{at}: {', '.join(missing)} is required")
            continue
        if not isinstance(plans, list) or not all(isinstance(p, str) for p in plans):
            problems.append(f"{at}.plans: a list of the plan ids the source speaks for")
            continue
        found[source_id] = Source(
            source_id,
            str(entry["title"]),
            str(entry["publisher"]),
            str(entry["date"]),
            str(entry["where"]),
            frozenset(plans),
            tuple(str(c) for c in entry.get("cited_as") or ()),
        )
    return found


@cache
def builtin_sources() -> dict[str, Source]:
    text = resources.files("ecmx.plan_configs").joinpath(SOURCES_FILE).read_text("utf-8")
    problems: list[str] = []
    sources = read_sources(text, SOURCES_FILE, problems)
    if problems:  # the shipped list is checked by the tests: this is a packaging bug
        raise RuntimeError("; ".join(problems))
    return sources


def plan_own_sources(data: dict[str, Any], origin: str, problems: list[str]) -> dict[str, Source]:
    """A plan file's own ``sources:`` (e.g. the template the plan sent): entries as in a
    sources list, speaking for that plan unless they say ``plans:``; publisher and date may
    be left out (shown as not given)."""
    entries = data.get("sources")
    if not isinstance(entries, dict):
        return {}
    filled = {
        source_id: {"publisher": "not given", "date": "not given", "plans": [data.get("id")]}
        | (entry if isinstance(entry, dict) else {})
        for source_id, entry in entries.items()
    }
    return read_sources(yaml.safe_dump({"sources": filled}), origin, problems)


def load_sources(paths: list[Path], problems: list[str]) -> dict[str, Source]:
    """The built-in sources plus those of each ``sources.yaml`` (a --plans-dir's own)."""
    sources = dict(builtin_sources())
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot be read ({exc})")
            continue
        for source_id, source in read_sources(text, str(path), problems).items():
            if source_id in sources:
                problems.append(
                    f"{path}: sources.{source_id}: the id is taken already "
                    f"({sources[source_id].title}); choose another"
                )
                continue
            sources[source_id] = source
    return sources


# --- checking and showing citations --------------------------------------------------------


def citation_problems(value: object, at: str, sources: dict[str, Source]) -> list[str]:
    """One line per citation of a ``source:`` that names no source of the list."""
    problems = []
    for text in citation_texts(value):
        if not text.strip():
            continue  # the schema says a source: needs a text
        if _OLD_STYLE.match(text) or "domain.md" in text:
            problems.append(f"{at}: {text!r} {_old_style_advice(text, sources)}")
            continue
        citation = parse(text)
        if citation is None:
            problems.append(
                f"{at}: {text!r} names no source: write 'SOURCE-ID: section' with an id of "
                f"the sources list ({', '.join(sorted(sources))}), or assumed: true"
            )
        elif citation.source_id not in sources:
            problems.append(
                f"{at}: unknown source {citation.source_id!r}"
                f"{did_you_mean(citation.source_id, sources)}; the sources list "
                f"(plan_configs/sources.yaml, sources.yaml in a --plans-dir, or the plan's own "
                f"sources:) has "
                f"{', '.join(sorted(sources))}"
            )
    return problems


def _old_style_advice(text: str, sources: dict[str, Source]) -> str:
    if "domain.md" in text and not _SEED_NUMBERS.search(text):
        return (
            "cites domain.md, which is no public source: cite a source of the sources list "
            "('SOURCE-ID: section') or write assumed: true with a note"
        )
    ids = [
        s.id
        for number in _seed_numbers(text)
        for s in sources.values()
        if f"seed {number}" in s.cited_as
    ]
    instead = f" (here: {', '.join(dict.fromkeys(ids))})" if ids else ""
    return (
        "is the old citation form: write 'SOURCE-ID: section' with an id of the sources "
        f"list{instead}, e.g. \"phc-ecm-faq: FAQ 'How does a Member disenroll from ECM?'\""
    )


def _seed_numbers(text: str) -> list[str]:
    return [n for group in _SEED_NUMBERS.findall(text) for n in re.findall(r"\d{3}", group)]


def describe(value: object, sources: dict[str, Source]) -> str:
    """A ``source:`` as a user reads it: each source's title, with its section."""
    parts = []
    for text in citation_texts(value):
        citation = parse(text)
        source = sources.get(citation.source_id) if citation else None
        if source is None or citation is None:
            parts.append(text)
        else:
            parts.append(
                f"{source.title} ({citation.section})" if citation.section else source.title
            )
    return "; ".join(parts)


@cache
def readable(text: str) -> str:
    """Any source text as a user reads it: a citation of the built-in list by title, and an
    older mention of a seed page ('seed 002 FAQ ...', in rule registrations) by its title."""
    if not text:
        return text
    sources = builtin_sources()
    citation = parse(text)
    if citation is not None and citation.source_id in sources:
        return describe(text, sources)
    by_seed = {c: s.title for s in sources.values() for c in s.cited_as}

    def titles(match: re.Match[str]) -> str:
        numbers = re.findall(r"\d{3}", match.group(1))
        named = [by_seed.get(f"seed {n}", f"seed {n}") for n in numbers]
        tail = " " if match.group(1).endswith(" ") else ""
        return " and ".join(f"'{t}'" for t in named) + tail

    return _SEED_NUMBERS.sub(titles, text)


def mark_unspoken(
    data: dict[str, Any], plan_id: str, plan_name: str, sources: dict[str, Source]
) -> None:
    """For a concrete plan: a fact whose sources do not speak for it becomes assumed.

    Citations of sources that do speak for the plan are kept, the others dropped
    from ``source`` and named in the note, so nothing is shown as stated for a plan
    that no page of that plan states.
    """
    for node in _nodes_with_source(data):
        cited = [(t, parse(t)) for t in citation_texts(node["source"])]
        spoken = [
            t for t, c in cited if c and c.source_id in sources and _speaks(sources, c, plan_id)
        ]
        if len(spoken) == len(cited):
            continue
        foreign = [describe(t, sources) for t, c in cited if t not in spoken]
        if spoken:
            node["source"] = spoken if len(spoken) > 1 else spoken[0]
            continue
        taken = "; ".join(foreign)
        note = f"taken from {taken}, which does not speak for {plan_name}"
        node["assumed"] = True
        node["note"] = f"{note}; {node['note']}" if node.get("note") else note
        node["taken_from"] = node.pop("source")


def _speaks(sources: dict[str, Source], citation: Citation, plan_id: str) -> bool:
    return sources[citation.source_id].speaks_for(plan_id)


def _nodes_with_source(node: object) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "source" in node and citation_texts(node["source"]):
            yield node
        for value in node.values():
            yield from _nodes_with_source(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes_with_source(value)


def source_paths(node: object, path: str = "") -> Iterator[tuple[str, Any]]:
    """(yaml path, source value) of every ``source:`` in a plan config."""
    if isinstance(node, dict):
        if "source" in node:
            yield (f"{path}.source" if path else "source"), node["source"]
        for key, value in node.items():
            if key != "source":
                yield from source_paths(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from source_paths(value, f"{path}[{index}]")
