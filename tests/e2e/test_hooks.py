"""Every hook of core/hookspecs.py, used the way a third-party plugin uses it.

A hook is only a promise when a plugin can rely on it: each has a test here named
``test_hook_<name>`` (``test_every_hook_is_documented_and_tested`` checks that),
run through the command line wherever a user would notice the plugin's effect.
"""

from __future__ import annotations

import calendar
import inspect
import json
import re
import sys
import types
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pluggy
import pytest
import yaml

from ecmx.core import hookspecs
from ecmx.core.calendar.spec import RuleKind
from ecmx.core.checks.findings import WARNING, Finding
from ecmx.core.files.kinds import FileKind
from ecmx.core.files.write import Writer
from ecmx.core.hooks import manager
from ecmx.core.hooks.manager import chain, make_plugin_manager
from ecmx.core.hookspecs import hookimpl
from ecmx.core.storage.sheets import RawSheet, Reader

ROOT = Path(__file__).parents[2]
PERIOD = ("--period", "2025-11", "--production-date", "2025-12-03")


def hook_names() -> list[str]:
    return [name for name, _ in inspect.getmembers(hookspecs) if name.startswith("ecmx_")]


@pytest.fixture
def with_plugin(monkeypatch):
    """``with_plugin(ecmx_x=func, ...)``: a plugin module of those hooks, loaded with the
    built-ins as an installed package's would be (every command sees it)."""

    def install(**hooks):
        module = types.ModuleType(f"ecmx_test_plugin_{len(sys.modules)}")
        for name, func in hooks.items():
            setattr(module, name, hookimpl(func))
        monkeypatch.setitem(sys.modules, module.__name__, module)
        monkeypatch.setattr(manager, "BUILTIN_PLUGINS", (*manager.BUILTIN_PLUGINS, module.__name__))
        return module

    return install


def moved_members(kit, samples, folder: Path, plan_id: str, count: int = 3) -> list[dict]:
    """The CSV sample with ``count`` Health Net members moved to ``plan_id``."""
    data = kit.copy_csv_sample(samples, folder)
    members = kit.read_csv(data / "members.csv")
    moved = [m for m in members if m["plan"] == "healthnet"][:count]
    for member in moved:
        member["plan"] = plan_id
    kit.write_csv(data / "members.csv", members)
    provider = kit.load_yaml(data / "provider.yaml")
    provider["plans"][plan_id] = {"file_prefix": plan_id.upper()}
    (data / "provider.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")
    return moved


def one_plan_problem(run) -> str:
    """``plans check`` found one problem: its line, then the count."""
    assert run.code == 1 and "Traceback" not in run.text
    line, summary = run.error_lines()
    assert summary == "ecmx: 1 problem(s) in plan configuration"
    return line


def plans_dir(folder: Path, text: str) -> Path:
    folder.mkdir()
    (folder / "myplan.yaml").write_text(text, encoding="utf-8")
    return folder


# ----------------------------------------------------------------------------- contract


def test_every_hook_is_documented_and_tested():
    """As datasette does: a hook without a contract, a guide entry or a test fails here."""
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    for name in hook_names():
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert ":return:" in doc or "return" in doc, f"{name}: its docstring is its contract"
        assert f"`{name}(" in guide, f"{name}: not in docs/plugins.md"
        assert re.search(rf"^def test_hook_{name}\b", tests, re.M), f"{name}: no test_hook_{name}"


def test_every_hook_is_called_by_the_engine():
    """A hook the engine never calls is a promise no plugin can rely on."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "core").rglob("*.py"))
    for name in hook_names():  # pm.hook.NAME(...), or a chained hook: chain(pm, "NAME", ...)
        chained = re.search(rf'chain\(\s*pm,\s*"{name}"', code)
        assert f"hook.{name}" in code or chained, name


# ----------------------------------------------------------------------------- registration


def write_tsv(frame, file, layout, path) -> None:
    """A toy writer: the layout's headers, then one tab-separated line per row."""
    lines = ["\t".join(layout.headers)]
    lines += ["\t".join("" if pd.isna(v) else str(v) for v in row) for row in frame.to_numpy()]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_tsv(path: Path, sheet) -> RawSheet:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return RawSheet(path, path.stem, rows, 1)


TSV_PLAN = """\
id: tsvplan
name: TSV Plan
extends: healthnet
mcp:
  name: {value: TSV Plan, assumed: true}
files:
  rtf:
    format: tsv
    accepted_formats: {value: [tsv], assumed: true}
"""


def test_hook_ecmx_register_formats(cli, kit, samples, tmp_path, with_plugin):
    plans = plans_dir(tmp_path / "plans", TSV_PLAN)
    # without the plugin, nothing writes the format: plans check names the known ones
    run = cli("--plans-dir", plans, "plans", "check")
    assert run.code == 1 and "Traceback" not in run.text
    assert [line.split("myplan.yaml: ")[-1] for line in run.error_lines()] == [
        "files.rtf.format: no writer for 'tsv' (known formats: csv, xlsm, xlsx)",
        "files.rtf.accepted_formats: no reader for 'tsv' (known: .csv, .xlsm, .xlsx)",
        "ecmx: 2 problem(s) in plan configuration",
    ]

    def ecmx_register_formats(registry):
        registry.add_writer(Writer("tsv", write_tsv))
        registry.add_reader(Reader("tsv", (".tsv",), read_tsv))

    with_plugin(ecmx_register_formats=ecmx_register_formats)
    assert cli("--plans-dir", plans, "plans", "check").code == 0
    data = tmp_path / "data"
    moved = moved_members(kit, samples, data, "tsvplan")
    out = tmp_path / "out"
    run = cli("--plans-dir", plans, "convert", data, "--plan", "tsvplan", "--kind", "rtf",
              "--out", out, *PERIOD)  # fmt: skip
    assert run.code == 0, run.err
    [written] = list(out.iterdir())
    assert written.suffix == ".tsv"
    lines = written.read_text(encoding="utf-8").splitlines()
    headers = lines[0].split("\t")
    assert "Member CIN" in " ".join(headers) or len(headers) > 10
    cins = {m["cin"] for m in moved}
    assert {c for line in lines[1:] for c in line.split("\t")} >= cins
    assert len(lines) - 1 == len(cins)  # one RTF row per member
    # read back by the plugin's reader: validate finds the file's rows by the plan's headers
    run = cli("--plans-dir", plans, "validate", written, "--plan", "tsvplan", "--kind", "rtf",
              "--period", "2025-11", "--report", tmp_path / "v.json")  # fmt: skip
    assert run.code == 0, run.err
    assert f"{written.name}: {len(cins)} rows, 0 error(s), 0 warning(s)" in run.err


def test_hook_ecmx_register_file_kinds(with_plugin):
    rtf = make_plugin_manager(entry_points=False)[1].file_kinds["rtf"]
    kind = FileKind(**{**vars(rtf), "name": "rtf2", "aliases": ()})

    def ecmx_register_file_kinds(registry):
        registry.add_file_kind(kind)

    with_plugin(ecmx_register_file_kinds=ecmx_register_file_kinds)
    _, registry = make_plugin_manager(entry_points=False)
    assert registry.kind("RTF2") is kind


def test_hook_ecmx_register_transforms(with_plugin):
    def ecmx_register_transforms(registry):
        registry.add_transform("shout", lambda series: series.str.upper())

    with_plugin(ecmx_register_transforms=ecmx_register_transforms)
    _, registry = make_plugin_manager(entry_points=False)
    assert list(registry.transforms["shout"](pd.Series(["a", "b"]))) == ["A", "B"]


def test_hook_ecmx_register_rules(with_plugin):
    rule = make_plugin_manager(entry_points=False)[1].rules["L001"]

    def ecmx_register_rules(registry):
        registry.add_rule(type(rule)(**{**vars(rule), "code": "P901"}))

    with_plugin(ecmx_register_rules=ecmx_register_rules)
    _, registry = make_plugin_manager(entry_points=False)
    assert registry.rules["P901"].check is rule.check
    assert "P901" in registry.known_codes()


def test_hook_ecmx_register_plans(tmp_path, with_plugin):
    path = tmp_path / "pluginplan.yaml"
    path.write_text(TSV_PLAN.replace("tsv", "xlsx").replace("TSV", "Xlsx"), encoding="utf-8")

    def ecmx_register_plans(registry):
        registry.add_plan_file(path, origin="a plugin")

    with_plugin(ecmx_register_plans=ecmx_register_plans)
    _, registry = make_plugin_manager(entry_points=False)
    assert registry.plan("xlsxplan").origin == "a plugin"


# ----------------------------------------------------------------------------- calendar


def _last_weekday(rule, period):
    month = period.shift(rule.get("month_offset", 0))
    day = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    while day.weekday() >= 5:  # Saturday, Sunday
        day -= timedelta(days=1)
    return [(day, day)]


def _offset_problems(rule):
    return [] if set(rule) <= {"kind", "month_offset"} else ["takes only month_offset"]


LAST_WEEKDAY = RuleKind(
    "last_weekday",
    _last_weekday,
    lambda rule: "the last weekday of the month after the period",
    _offset_problems,
)
CAL_PLAN = """\
id: calplan
name: Cal Plan
extends: healthnet
mcp:
  name: {value: Cal Plan, assumed: true}
calendar:
  events:
    rtf_due:
      rule: {kind: last_weekday, month_offset: 1}
      assumed: true
"""


def test_hook_ecmx_register_calendar_rules(cli, tmp_path, with_plugin):
    plans = plans_dir(tmp_path / "plans", CAL_PLAN)
    line = one_plan_problem(cli("--plans-dir", plans, "plans", "check"))
    assert line.endswith(
        "myplan.yaml: calendar.events.rtf_due.rule.kind: unknown rule kind 'last_weekday' "
        "(did you mean 'nth_weekday'?); "
        "known kinds: after_trigger, day_of_month, nth_week, nth_weekday"
    )

    with_plugin(
        ecmx_register_calendar_rules=lambda registry: registry.add_calendar_rule(LAST_WEEKDAY)
    )
    run = cli("--plans-dir", plans, "calendar", "--plan", "calplan", "--period", "2025-11",
              "--format", "json")  # fmt: skip
    assert run.code == 0, run.err
    [due] = [e for e in json.loads(run.out) if e["event"] == "rtf_due"]
    assert (due["date"], due["weekday"]) == ("2025-12-31", "Wednesday")
    assert due["rule"] == "the last weekday of the month after the period"

    broken = CAL_PLAN.replace("month_offset: 1}", "month_offset: 1, days: [5]}")
    (plans / "myplan.yaml").write_text(broken, encoding="utf-8")
    line = one_plan_problem(cli("--plans-dir", plans, "plans", "check"))
    assert line.endswith("myplan.yaml: calendar.events.rtf_due.rule: takes only month_offset")


# ----------------------------------------------------------------------------- mapping


def test_hook_ecmx_prepare_canonical(cli, kit, samples, tmp_path, with_plugin):
    def ecmx_prepare_canonical(plan, kind, frame, context):
        if plan.id != "healthnet" or kind != "rtf":
            return None
        return frame.assign(last_name=frame["last_name"].str.upper())

    with_plugin(ecmx_prepare_canonical=ecmx_prepare_canonical)
    frame = converted_rtf(cli, samples, tmp_path)
    [last] = [c for c in frame.columns if "Last Name" in c]
    assert (frame[last].dropna() == frame[last].dropna().str.upper()).all()
    assert frame[last].dropna().str.contains("[A-Z]{3}").any()


def converted_rtf(cli, samples, tmp_path) -> pd.DataFrame:
    out = tmp_path / "out"
    run = cli("convert", samples["csv"], "--plan", "healthnet", "--kind", "rtf", "--out", out,
              "--report", tmp_path / "report.json", *PERIOD)  # fmt: skip
    assert run.code == 0, run.err
    [written] = list(out.iterdir())
    return pd.read_excel(written, dtype=str, engine="openpyxl")


def test_hook_ecmx_adjust_plan_frame(cli, samples, tmp_path, with_plugin):
    """The mapped frame, by the plan's headers: the rules check it and the file holds it."""
    seen = []

    def ecmx_adjust_plan_frame(plan, kind, frame, context):
        if plan.id != "healthnet" or kind != "rtf":
            return None
        seen.append(list(frame.columns))
        [cin] = [c for c in frame.columns if "CIN" in c]
        changed = frame.copy()
        changed.loc[changed.index[0], cin] = "NOT A CIN"  # L002 must see it
        return changed

    with_plugin(ecmx_adjust_plan_frame=ecmx_adjust_plan_frame)
    out = tmp_path / "out"
    run = cli("convert", samples["csv"], "--plan", "healthnet", "--kind", "rtf", "--out", out,
              "--report", tmp_path / "report.json", "--force", *PERIOD)  # fmt: skip
    assert run.code == 1  # the error the plugin made is found
    [headers] = seen
    frame = pd.read_excel(next(out.iterdir()), dtype=str, engine="openpyxl")
    assert list(frame.columns) == headers
    [cin] = [c for c in headers if "CIN" in c]
    assert frame.loc[0, cin] == "NOT A CIN"
    findings = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["findings"]
    assert any(f["row"] == 2 and f["severity"] == "error" for f in findings)


def test_chained_hooks_go_through_pluggy_step_by_step(with_plugin):
    """Each implementation sees the last one's frame; a wrapper and a monitor see each step."""
    order, wrapped, monitored = [], [], []

    class First:
        @hookimpl(tryfirst=True)
        def ecmx_adjust_plan_frame(self, frame):
            order.append("first")
            return frame + 1

    class Second:
        @hookimpl
        def ecmx_adjust_plan_frame(self, frame):
            order.append("second")
            return frame * 10

    class Wrapper:
        @hookimpl(wrapper=True)
        def ecmx_adjust_plan_frame(self, frame):
            results = yield
            wrapped.append((frame, list(results)))
            return results

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for plugin in (Second(), Wrapper(), First()):
        pm.register(plugin)
    pm.add_hookcall_monitoring(lambda name, impls, kwargs: monitored.append(kwargs["frame"]),
                               lambda *args: None)  # fmt: skip
    result = chain(pm, "ecmx_adjust_plan_frame", 1, plan=None, kind="rtf", context=None)
    assert result == 20 and order == ["first", "second"]
    assert wrapped == [(1, [2]), (2, [20])]
    assert monitored == [1, 2]


# ----------------------------------------------------------------------------- validation


def test_hook_ecmx_validate(cli, samples, tmp_path, with_plugin):
    def ecmx_validate(plan, kind, frame, context):
        if plan.id != "healthnet" or kind != "rtf":
            return None
        return [Finding(WARNING, "P902", f"{len(frame)} rows seen", plan=plan.id, kind=kind)]

    with_plugin(ecmx_validate=ecmx_validate)
    converted_rtf(cli, samples, tmp_path)
    findings = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["findings"]
    [mine] = [f for f in findings if f["code"] == "P902"]
    assert mine["message"].endswith("rows seen")


# ----------------------------------------------------------------------------- billing


def test_hook_ecmx_prepare_claim_lines(cli, samples, tmp_path, with_plugin):
    """A plan's billing practice from code: a rate of its own on every line it bills."""
    seen = []

    def ecmx_prepare_claim_lines(plan, lines, context):
        seen.append((plan.id, context.period, context.billing is not None))
        if plan.id != "healthnet":
            return None
        return lines.assign(billed_charge=12.34 * lines["billed_units"])

    with_plugin(ecmx_prepare_claim_lines=ecmx_prepare_claim_lines)
    out = tmp_path / "out"
    run = cli("claims", samples["csv"], "--plan", "healthnet", "--out", out, *PERIOD)
    assert run.code in (0, 1), run.err
    assert [(plan, str(period), billing) for plan, period, billing in seen] == [
        ("healthnet", "2025-11", True)
    ]
    [written] = list(out.iterdir())
    text = written.read_text(encoding="ascii")
    terminator = text[105]
    sv1 = [s.split(text[3]) for s in text.split(terminator) if s.startswith("SV1")]
    assert sv1 and {round(float(s[2]) / float(s[4]), 2) for s in sv1} == {12.34}
