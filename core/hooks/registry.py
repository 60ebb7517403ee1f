"""The registry plugins fill at start-up: file kinds, formats, claim writers, transforms,
rules, calendar rule kinds and plan configs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ecmx.core.calendar.spec import RuleKind
from ecmx.core.checks.rules import Rule
from ecmx.core.errors import ConfigError, EcmxError
from ecmx.core.files.kinds import FileKind
from ecmx.core.files.write import Writer
from ecmx.core.hints import did_you_mean
from ecmx.core.plans.load import PlanSource, load_plans
from ecmx.core.plans.spec import PlanSpec
from ecmx.core.storage.safe_yaml import load_yaml
from ecmx.core.storage.sheets import Reader

log = logging.getLogger("ecmx")


def _is_plan_file(path: Path) -> bool:
    """A plan file is YAML whose top level has ``id:``; one that cannot be read is taken
    for a plan, so that loading it reports what is wrong with it."""
    try:
        data = load_yaml(path, "plan config")
    except (EcmxError, yaml.YAMLError):
        return True
    return isinstance(data, dict) and "id" in data


if TYPE_CHECKING:  # billing imports the hook manager, which imports this module
    from ecmx.core.billing.claim_writers import ClaimWriter


class Registry:
    def __init__(self) -> None:
        self.file_kinds: dict[str, FileKind] = {}
        self.transforms: dict[str, Callable] = {}
        self.plan_sources: list[PlanSource] = []
        self.source_lists: list[Path] = []  # sources.yaml files beside plan YAMLs
        self.rules: dict[str, Rule] = {}
        self.readers: dict[str, Reader] = {}
        self.writers: dict[str, Writer] = {}
        self.claim_writers: dict[str, ClaimWriter] = {}
        self.calendar_rules: dict[str, RuleKind] = {}
        self._plans: dict[str, PlanSpec] | None = None

    # -- used by plugins
    def add_file_kind(self, kind: FileKind) -> None:
        if kind.name in self.file_kinds:
            raise ConfigError(f"file kind {kind.name!r} is registered twice")
        self.file_kinds[kind.name] = kind

    def add_transform(self, name: str, func: Callable) -> None:
        if name in self.transforms:
            raise ConfigError(f"transform {name!r} is registered twice")
        self.transforms[name] = func

    def add_rule(self, rule: Rule) -> None:
        if rule.code in self.rules:
            raise ConfigError(f"rule {rule.code!r} is registered twice")
        self.rules[rule.code] = rule

    def add_reader(self, reader: Reader) -> None:
        if reader.format in self.readers:
            raise ConfigError(f"a reader for format {reader.format!r} is registered twice")
        self.readers[reader.format] = reader

    def add_writer(self, writer: Writer) -> None:
        if writer.format in self.writers:
            raise ConfigError(f"a writer for format {writer.format!r} is registered twice")
        self.writers[writer.format] = writer

    def add_claim_writer(self, writer: ClaimWriter) -> None:
        """A format ``ecmx claims --format`` writes (``ecmx.core.billing.claim_writers``)."""
        if writer.format in self.claim_writers:
            raise ConfigError(f"a claim writer for format {writer.format!r} is registered twice")
        self.claim_writers[writer.format] = writer

    def add_calendar_rule(self, kind: RuleKind) -> None:
        if kind.name in self.calendar_rules:
            raise ConfigError(f"calendar rule kind {kind.name!r} is registered twice")
        self.calendar_rules[kind.name] = kind

    def add_plan_file(self, path: Path, origin: str | None = None) -> None:
        path = Path(path)
        self.plan_sources.append(PlanSource(origin or str(path), path=path))
        self._plans = None

    def add_plan_data(self, data: dict, origin: str) -> None:
        self.plan_sources.append(PlanSource(origin, data=data))
        self._plans = None

    def add_sources_file(self, path: Path) -> None:
        """A sources list (docs/configuration.md) the plans' ``source:`` may cite."""
        self.source_lists.append(Path(path))
        self._plans = None

    def add_plans_dir(self, directory: Path) -> None:
        from ecmx.core.plans.provenance import SOURCES_FILE

        directory = Path(directory)
        if not directory.is_dir():
            raise EcmxError(f"plans directory {directory} does not exist")
        for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
            if path.name in (SOURCES_FILE, "sources.yml"):
                self.add_sources_file(path)
            elif _is_plan_file(path):
                self.add_plan_file(path)
            else:  # provider.yaml beside the plans, say: not a plan, not an error
                log.info(f"{path}: not a plan (no top-level id:), skipped")

    # -- used by the engine
    @property
    def plans(self) -> dict[str, PlanSpec]:
        """All plans, validated; raises ConfigError with every problem found."""
        if self._plans is None:
            plans = load_plans(
                self.plan_sources,
                self.file_kinds,
                self.transforms,
                self.known_codes(),
                self.source_lists,
                self.calendar_rules,
            )
            problems = [p for plan in plans.values() for p in self._format_problems(plan)]
            if problems:
                raise ConfigError(
                    f"{len(problems)} plan configuration problem(s)", details=problems
                )
            self._plans = plans
        return self._plans

    def _format_problems(self, plan: PlanSpec) -> list[str]:
        """A plan file in a format no registered writer writes, or accepted in one no
        registered reader reads (a plugin's format, without the plugin)."""
        writers = ", ".join(sorted(self.writers))
        suffixes = {s for reader in self.readers.values() for s in reader.suffixes}
        problems = []
        for kind, file in plan.files.items():
            if file.format not in self.writers:
                problems.append(
                    f"{plan.origin}: files.{kind}.format: no writer for {file.format!r} "
                    f"(known formats: {writers})"
                )
            unread = [f for f in file.accepted_formats if f".{f}" not in suffixes]
            if unread:
                problems.append(
                    f"{plan.origin}: files.{kind}.accepted_formats: no reader for "
                    f"{', '.join(map(repr, unread))} (known: {', '.join(sorted(suffixes))})"
                )
        return problems

    def known_codes(self) -> set[str]:
        """Finding codes a plan's ``rules:`` may name: every rule, and the other stages' codes."""
        from ecmx.core.checks.codes import STAGE_CODES

        return set(self.rules) | {c.code for c in STAGE_CODES if c.overridable}

    def concrete_plans(self) -> list[PlanSpec]:
        return [p for p in self.plans.values() if not p.abstract]

    def plan(self, plan_id: str) -> PlanSpec:
        plan = self.plans.get(plan_id)
        if plan is None or plan.abstract:
            names = [p.id for p in self.concrete_plans()]
            raise EcmxError(
                f"unknown plan {plan_id!r}{did_you_mean(plan_id, names)}; "
                f"known plans: {', '.join(sorted(names))} (see: ecmx plans list)"
            )
        return plan

    def kind(self, name: str) -> FileKind:
        lowered = name.lower()
        for kind in self.file_kinds.values():
            if lowered == kind.name or lowered in kind.aliases:
                return kind
        names = sorted(self.file_kinds)
        raise EcmxError(
            f"unknown file kind {name!r}{did_you_mean(lowered, names)}; known: {', '.join(names)}"
        )

    def sent_kinds(self, plan: PlanSpec) -> list[str]:
        """The files a provider may send the plan every period, in the plan's order: the
        plan's files going to it, but for those made only on request (``FileKind.in_all``
        False: Partnership's referral file)."""
        kinds = self.file_kinds
        return [k for k in plan.files if k in kinds and kinds[k].direction == "to_plan"
                and kinds[k].in_all]  # fmt: skip

    def monthly_kinds(self, plan: PlanSpec, provider=None) -> list[str]:
        """The files this provider sends the plan every period: what ``convert --kind all``
        makes, ``status`` owes and ``send`` misses. A kind only some providers send
        (``FileKind.provider_key``: the CSPRTF, for a Community Supports provider) is one
        when ``provider``'s profile sets that key true for the plan."""

        def sends(kind: str) -> bool:
            key = self.file_kinds[kind].provider_key
            return key is None or (provider is not None and provider.plan(plan.id).get(key) is True)

        return [k for k in self.sent_kinds(plan) if sends(k)]
