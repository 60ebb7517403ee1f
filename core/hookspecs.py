"""The ecmx hook specifications: the contract between the engine and plugins.

Every built-in plan, file kind and transform is registered through these same
hooks (see ``ecmx.core.hooks.manager.BUILTIN_PLUGINS``), so a third-party plugin can
do anything a built-in does. Third-party packages expose a module or object on
the entry-point group ``ecmx.plans``. Hooks are grouped by phase; each docstring
is the contract: arguments, return value, and whether the first result wins.
"""

from __future__ import annotations

import pluggy

PROJECT = "ecmx"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ----------------------------------------------------------------- registration


@hookspec
def ecmx_register_file_kinds(registry):
    """Add file kinds (RTF, OTF, ...) with ``registry.add_file_kind(FileKind(...))``.

    :param registry: the ``ecmx.core.hooks.registry.Registry`` being filled.
    :return: ignored. Called once at start-up, before plans are loaded.
    """


@hookspec
def ecmx_register_transforms(registry):
    """Add named column transforms with ``registry.add_transform(name, func)``.

    ``func(series: pandas.Series) -> pandas.Series`` must return a series of the
    same length and index; YAML columns name it in ``transform:``.

    :param registry: the ``ecmx.core.hooks.registry.Registry`` being filled.
    :return: ignored. Called once at start-up, before plans are loaded.
    """


@hookspec
def ecmx_register_plans(registry):
    """Add plan configurations with ``registry.add_plan_file(path)`` or
    ``registry.add_plan_data(data, origin)`` (a dict shaped like a plan YAML).

    Plans are validated together after every plugin has registered, so a plan
    may ``extends:`` a plan registered by another plugin.

    :param registry: the ``ecmx.core.hooks.registry.Registry`` being filled.
    :return: ignored.
    """


@hookspec
def ecmx_register_rules(registry):
    """Add validation rules with ``registry.add_rule(Rule(...))`` (``ecmx.core.checks.rules``).

    A rule has a stable code, a severity, a layer (field, business, cross_file),
    the file kinds it applies to, a hint, a source, and
    ``check(target) -> iterable of Hit``. A plan's YAML may switch it off or
    change its severity under ``rules:``.

    :param registry: the ``ecmx.core.hooks.registry.Registry`` being filled.
    :return: ignored. Called once at start-up, before plans are loaded.
    """


# ----------------------------------------------------------------- mapping


@hookspec
def ecmx_prepare_canonical(plan, kind, frame, context):
    """Adjust the canonical frame of one (plan, kind, period) before it is mapped.

    Called for every plan and kind; an implementation checks ``plan.id`` /
    ``plan.family`` and ``kind`` and returns None when it does not apply.

    :param plan: the ``PlanSpec`` being converted.
    :param kind: the file kind name (``"rtf"``, ``"otf"``).
    :param frame: ``pandas.DataFrame``, one row per output row, canonical fields.
    :param context: the ``ecmx.core.files.context.BuildContext`` (dataset, period, ...).
    :return: a replacement DataFrame, or None to keep ``frame``. Results chain
        in plugin order: each implementation sees the previous one's frame.
    """


@hookspec
def ecmx_adjust_plan_frame(plan, kind, frame, context):
    """Adjust the mapped plan frame (plan headers, plan codes) before validation.

    Same calling convention as ``ecmx_prepare_canonical``: return a replacement
    DataFrame with the same columns, or None to keep ``frame``.
    """


# ----------------------------------------------------------------- validation


@hookspec
def ecmx_validate(plan, kind, frame, context):
    """Check a mapped plan frame and report problems.

    Called by the check step (core/checks/step.py) of ``convert`` (a file being made),
    ``validate`` (a file read back: ``context.dataset`` is None without ``--dataset``)
    and ``claims`` (kind ``"claims"``: the frame is the coded claim lines, and
    ``context.file`` and ``context.layout`` are None). The plan's ``rules:`` overrides
    apply to the findings returned.

    :param frame: the plan frame (columns are the layout's headers).
    :return: a list of ``ecmx.core.checks.findings.Finding`` (may be empty), or None.
        Results of all implementations are concatenated.
    """
