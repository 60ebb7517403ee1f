"""The registry plugins fill at start-up: file kinds, transforms and plan configs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ecmx.core.checks.rules import Rule
from ecmx.core.errors import ConfigError, EcmxError
from ecmx.core.files.kinds import FileKind
from ecmx.core.hints import did_you_mean
from ecmx.core.plans.load import PlanSource, load_plans
from ecmx.core.plans.spec import PlanSpec


class Registry:
    def __init__(self) -> None:
        self.file_kinds: dict[str, FileKind] = {}
        self.transforms: dict[str, Callable] = {}
        self.plan_sources: list[PlanSource] = []
        self.source_lists: list[Path] = []  # sources.yaml files beside plan YAMLs
        self.rules: dict[str, Rule] = {}
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
            else:
                self.add_plan_file(path)

    # -- used by the engine
    @property
    def plans(self) -> dict[str, PlanSpec]:
        """All plans, validated; raises ConfigError with every problem found."""
        if self._plans is None:
            self._plans = load_plans(
                self.plan_sources,
                self.file_kinds,
                self.transforms,
                self.known_codes(),
                self.source_lists,
            )
        return self._plans

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
