"""The conformance checks ``ecmx plans test`` and ``ecmx.testing`` run on one plan.

A ``Bench`` is made once per plan: a synthetic dataset for that plan alone (made from its
config, core/dataset/sample.py), with three new referrals so its mini-MIF or TEL has rows,
written to a folder and converted to every file the plan has. Each check then reads what
was made and says pass or fail in one line (``Outcome``); a check that cannot run here
(pyx12 not installed) is skipped with the reason. Checks run the jobs a user runs
(convert, validate, ingest, claims), so a plan that passes works from the command line.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ecmx.core.calendar.periods import Period
from ecmx.core.checks.findings import ERROR, Finding
from ecmx.core.dataset.write_rows import SampleData
from ecmx.core.errors import ConfigError, EcmxError
from ecmx.core.jobs.common import Progress, no_progress
from ecmx.core.plans.spec import PlanSpec

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass(frozen=True)
class Outcome:
    """One check's verdict: ``status`` pass, fail or skip, and one line saying why."""

    check: str  # "columns rtf", "round trip mif", "837p", ...
    status: str
    detail: str


@dataclass
class Bench:
    """What the checks of one plan look at: the sample, and the files made from it."""

    plugins: tuple  # (plugin manager, registry)
    plan: PlanSpec
    period: Period
    folder: Path
    production_date: date
    sample: SampleData
    dataset: Path  # the sample, written
    files: dict[str, Path] = field(default_factory=dict)  # kind -> file written
    convert_findings: dict[str, list[Finding]] = field(default_factory=dict)

    @property
    def registry(self):
        return self.plugins[1]

    def kinds(self, direction: str) -> list[str]:
        return [k for k in self.plan.files if self.registry.file_kinds[k].direction == direction]

    def layout(self, kind: str):
        return self.plan.files[kind].layout_for(self.period)


def make_bench(
    plugins, plan_id: str, folder: Path, period: Period, members: int, seed: int,
    progress: Progress = no_progress,
) -> Bench:  # fmt: skip
    """The plan's sample written to ``folder`` and converted to each of its files.
    Raises ``ConfigError`` when the plan configs do not load (``plans check`` fails)."""
    from ecmx.core.dataset.sample import generate, write_sample
    from ecmx.core.dataset.sample_plans import add_referrals
    from ecmx.core.jobs.convert import ConvertRequest, run_convert

    plan = plugins[1].plan(plan_id)
    made = period.shift(1).start.replace(day=3)  # on time for every built-in plan
    progress(f"making sample data for {plan.id}", 0, 0)
    sample = generate(members=members, seed=seed, period=period, plans=[plan])
    add_referrals(sample.tables, [plan.id], period.start)
    bench = Bench(plugins, plan, period, folder, made, sample, folder / "dataset.xlsx")
    write_sample(sample, bench.dataset, force=True)
    for kind in plan.files:
        out = folder / "files" / kind
        request = ConvertRequest(
            bench.dataset, plan.id, period, out, kind=kind, production_date=made, force=True
        )
        result = run_convert(request, plugins=plugins, progress=progress)
        bench.convert_findings[kind] = result.findings
        if result.written:  # one file per kind and plan
            bench.files[kind] = result.written[0]
    return bench


def _first_error(findings: list[Finding]) -> Finding | None:
    return next((f for f in findings if f.severity == ERROR), None)


def _said(finding: Finding) -> str:
    where = f" ({finding.column})" if finding.column else ""
    return f"{finding.code}{where}: {finding.message}"


def check_convert(bench: Bench, kind: str) -> Outcome:
    name = f"convert {kind}"
    errors = [f for f in bench.convert_findings[kind] if f.severity == ERROR]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return Outcome(name, FAIL, _said(errors[0]) + more)
    if kind not in bench.files:
        return Outcome(name, FAIL, f"no {kind} file was written for the sample's members")
    return Outcome(name, PASS, f"{bench.files[kind].name} written, no error findings")


def _cells(bench: Bench, kind: str):
    from ecmx.core.files.read import read_plan_file

    file = bench.plan.files[kind]
    return read_plan_file(
        bench.files[kind], bench.plan, file, bench.layout(kind),
        one_row_per_member=bench.registry.file_kinds[kind].one_row_per_member,
        sent_by_plan=bench.registry.file_kinds[kind].direction == "from_plan",
        readers=bench.registry.readers.values(),
    ).cells  # fmt: skip


def _blank(value) -> bool:
    return value is None or value != value or str(value).strip() == ""


def _data_has_none(bench: Bench, name: str, origin: tuple[str, str] | None = None) -> bool:
    """The sample gives no member of the plan a value in dataset column ``name`` (a TAR,
    where the plan's billing asks for none, say); False for a name no table has. With the
    field's ``origin`` (table, column), only that table counts: the RTF's authorization
    number is the episode's, not a Community Supports authorization."""
    tables = [t for t, rows in bench.sample.tables.items() if rows and name in rows[0]]
    if origin is not None:
        tables = [t for t in tables if t == origin[0]]
    return bool(tables) and all(_blank(r[name]) for t in tables for r in _plan_rows(bench, t))


def _empty_by_rule(bench: Bench, kind: str, column) -> str | None:
    """Why the config lets this column be blank in every row, or None."""
    if column.field is None:
        return "a constant"
    if column.default is not None:
        return "a default"
    spec = bench.registry.file_kinds[kind].fields.get(column.field)
    origin = spec.origin if spec is not None else None
    if not column.required and _data_has_none(bench, column.field, origin):
        return "optional, no data"
    return None


def check_columns(bench: Bench, kind: str) -> Outcome:
    """Every column of the layout is filled in some row, or empty by a rule its config
    states: a blank constant (no field), a ``default:``, or an optional column whose
    dataset column the plan's sample leaves blank (no TAR where the plan asks for none)."""
    name = f"columns {kind}"
    if kind not in bench.files:
        return Outcome(name, FAIL, f"no {kind} file to read (see convert {kind})")
    cells = _cells(bench, kind)
    empty, by_rule = [], []
    for column in bench.layout(kind).columns:
        values = cells.get(column.header, [])
        if any(not _blank(v) for v in values):
            continue
        why = _empty_by_rule(bench, kind, column)
        if why is None:
            empty.append(column)
        else:
            by_rule.append(f"{column.header!r} ({why})")
    if empty:
        first = empty[0]
        more = f"; also {', '.join(repr(c.header) for c in empty[1:])}" if empty[1:] else ""
        return Outcome(name, FAIL, f"column {first.header!r} (field {first.field}) is empty in "
                       f"every row and no rule in the config says it may be{more}")  # fmt: skip
    filled = len(bench.layout(kind).columns) - len(by_rule)
    blank = f"; blank by rule: {', '.join(by_rule)}" if by_rule else ""
    return Outcome(name, PASS, f"{len(cells)} rows, {filled} columns filled{blank}")


def _plan_rows(bench: Bench, table: str) -> list[dict]:
    tables = bench.sample.tables
    members = {m["member_id"] for m in tables["members"] if m["plan"] == bench.plan.id}
    return [row for row in tables[table] if row["member_id"] in members]


def _data_keys(bench: Bench, kind: str, column) -> set[str]:
    """The canonical keys the sample's rows give the column's field (bool: true/false)."""
    if column.type == "bool":
        return {"true", "false"}
    spec = bench.registry.file_kinds[kind].fields.get(column.field)
    if spec is None or spec.origin is None:
        return set()
    table, source = spec.origin
    values = {row[source] for row in _plan_rows(bench, table)} - {None, ""}
    if column.type == "codes":
        return {part for value in values for part in str(value).split(";") if part}
    return {str(v) for v in values}


def check_codes(bench: Bench) -> Outcome:
    """Each code the sample data gives a code column has a code in the plan's list."""
    missing: dict[tuple[str, str], str] = {}
    for kind in bench.plan.files:
        for column in bench.layout(kind).columns:
            if not column.codes or column.field is None:
                continue
            known = (
                bench.plan.codes[column.codes].values if column.codes in bench.plan.codes else {}
            )
            for key in sorted(_data_keys(bench, kind, column) - set(known)):
                missing.setdefault((column.codes, key), f"{kind} column {column.header!r}")
    if missing:
        (codes, key), where = next(iter(missing.items()))
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        return Outcome("codes", FAIL, f"codes.{codes} has no code for {key!r}, which the data "
                       f"gives {where}{more}")  # fmt: skip
    return Outcome("codes", PASS, "every value the data gives a code column has a code")


def check_validate(bench: Bench, kind: str) -> Outcome:
    from ecmx.core.jobs.validate import ValidateRequest, run_validate

    name = f"round trip {kind}"
    if kind not in bench.files:
        return Outcome(name, FAIL, f"no {kind} file to validate (see convert {kind})")
    request = ValidateRequest(bench.files[kind], bench.plan.id, kind, bench.period,
                              dataset=bench.dataset)  # fmt: skip
    result = run_validate(request, plugins=bench.plugins)
    error = _first_error(result.findings)
    if error:
        return Outcome(name, FAIL, f"validate finds {_said(error)}")
    return Outcome(name, PASS, f"validate reads back {result.rows} rows, no error findings")


def check_ingest(bench: Bench, kind: str) -> Outcome:
    """The plan's file made from the sample, ingested into that sample: every row is a
    member the dataset has, and nothing changes (nothing was lost or altered on the way)."""
    from ecmx.core.jobs.ingest import IngestRequest, run_ingest

    name = f"round trip {kind}"
    if kind not in bench.files:
        return Outcome(name, FAIL, f"no {kind} file to ingest (see convert {kind})")
    from ecmx.core.storage.targets import prepare_folder

    prepare_folder(bench.folder / "ingested")
    out = bench.folder / "ingested" / f"{kind}.xlsx"
    request = IngestRequest(bench.files[kind], bench.plan.id, bench.dataset, out, kind=kind,
                            received=bench.production_date, force=True)  # fmt: skip
    result = run_ingest(request, plugins=bench.plugins)
    if result.merge is None:
        return Outcome(name, FAIL, f"ingest reads {result.unreadable} unreadable cell(s)")
    if result.merge.changes:
        first = result.merge.changes[0]
        lost = f"{first.change} {first.field or 'member'} for CIN {first.cin}".rstrip()
        return Outcome(name, FAIL, f"ingest finds {len(result.merge.changes)} change(s), first: "
                       f"{lost} ({first.dataset_value!r} -> {first.plan_value!r})")  # fmt: skip
    rows = len(_cells(bench, kind))
    return Outcome(name, PASS, f"ingest matches all {rows} rows to the dataset, no change")


def pyx12_installed() -> bool:
    """Whether pyx12 (an independent X12 validator, ``pip install pyx12``) can be imported."""
    return importlib.util.find_spec("pyx12") is not None


def _pyx12_problem(path: Path) -> str | None:
    """None when pyx12 accepts the 837P, else the start of its 999 acknowledgment."""
    import io
    import logging

    import pyx12.params  # type: ignore[import-not-found]
    import pyx12.x12n_document  # type: ignore[import-not-found]

    logging.disable(logging.CRITICAL)  # pyx12 logs every error it finds
    try:
        with open(path, encoding="ascii") as handle:
            ack = io.StringIO()
            ok = pyx12.x12n_document.x12n_document(
                pyx12.params.params(), handle, io.StringIO(), None, ack
            )
    finally:
        logging.disable(logging.NOTSET)
    return None if ok else " ".join(ack.getvalue().split())[:200]


def check_claims(bench: Bench) -> Outcome:
    """837P through pyx12 (when installed) for a plan that bills by 837P; invoices else."""
    from ecmx.core.jobs.claims import ClaimsRequest, run_claims

    billing = bench.plan.billing
    if billing is None:
        return Outcome("claims", SKIP, "the plan has no billing: section")
    channel = "837p" if "837p" in billing.channels else "invoice"
    out = bench.folder / "claims"
    request = ClaimsRequest(bench.dataset, bench.plan.id, bench.period, out, format=channel,
                            production_date=bench.production_date, force=True)  # fmt: skip
    result = run_claims(request, plugins=bench.plugins)
    error = _first_error(result.findings)
    if error or not result.written:
        why = _said(error) if error else "no claim file written"
        return Outcome("claims", FAIL, f"{channel}: {why}")
    lines = sum(len(r.lines) for r in result.plans)
    if channel == "invoice":
        return Outcome("claims", PASS, f"{result.written[0].name}: {lines} lines, no error")
    if not pyx12_installed():
        return Outcome("claims", SKIP, "837P written; pyx12 is not installed to check it")
    problem = _pyx12_problem(result.written[0])
    if problem:
        return Outcome("claims", FAIL, f"pyx12 rejects {result.written[0].name}: {problem}")
    return Outcome("claims", PASS, f"{result.written[0].name}: {lines} lines, pyx12 accepts it")


def check_names(plan, registry) -> list[str]:
    """The checks of one plan, in the order they run."""
    kinds = list(plan.files)
    sent = [k for k in kinds if registry.file_kinds[k].direction == "to_plan"]
    received = [k for k in kinds if k not in sent]
    names = ["plans check", "codes", *(f"convert {k}" for k in kinds)]
    names += [f"columns {k}" for k in sent]
    names += [f"round trip {k}" for k in sent + received]
    return [*names, "claims"]


def run_check(bench: Bench, name: str) -> Outcome:
    """One check by name; an ecmx error it meets is its failure, said in one line."""
    verb, _, kind = name.partition(" ")
    checks: dict[str, Callable[[], Outcome]] = {
        "plans check": lambda: Outcome(name, PASS, "every plan config loads"),
        "codes": lambda: check_codes(bench),
        "convert": lambda: check_convert(bench, kind),
        "columns": lambda: check_columns(bench, kind),
        "claims": lambda: check_claims(bench),
    }
    if verb == "round":
        kind = name.removeprefix("round trip ")
        sent = bench.registry.file_kinds[kind].direction == "to_plan"
        checks["round"] = (lambda: check_validate(bench, kind)) if sent else (
            lambda: check_ingest(bench, kind))  # fmt: skip
    try:
        return checks[name if name in checks else verb]()
    except (EcmxError, ConfigError) as exc:
        return Outcome(name, FAIL, str(exc).splitlines()[0])
