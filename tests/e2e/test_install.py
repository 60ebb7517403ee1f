"""The installed package: one ``ecmx`` namespace, a working console script, and plugins.

Third-party plugins are installed for real here: a tiny distribution (``*.dist-info``
with an ``ecmx.plans`` entry point) is put on ``sys.path``, exactly what pip would
leave behind, so the same discovery code a user's plugin goes through is exercised.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import pluggy
import pytest
import yaml

from ecmx.core import hookspecs
from ecmx.core.errors import ConfigError
from ecmx.core.hooks.manager import (
    BUILTIN_PLUGINS,
    ENTRY_POINT_GROUP,
    fill_registry,
    make_plugin_manager,
)
from ecmx.core.hooks.registry import Registry
from ecmx.core.hookspecs import hookimpl

DOCS = Path(__file__).resolve().parents[2] / "docs"
THIRD_PLAN = {
    "id": "thirdplan",
    "name": "Third Plan",
    "extends": "healthnet",
    "mcp": {"name": {"value": "Third Plan", "assumed": True}},
}


def python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"}  # no PYTHONPATH pointing at the repo
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


# ----------------------------------------------------------------------------- namespace


@pytest.mark.parametrize("name", ["core", "plugins", "plan_configs"])
def test_top_level_folders_are_not_importable_after_install(tmp_path, name):
    proc = python(f"import {name}", cwd=tmp_path)
    assert proc.returncode != 0
    assert f"No module named '{name}'" in proc.stderr


def test_everything_lives_under_the_ecmx_namespace(tmp_path):
    proc = python(
        "import ecmx.core, ecmx.plugins, ecmx.plan_configs, ecmx.core.cli.main;"
        "print(ecmx.core.__version__)",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()


def test_plan_configs_ship_as_package_data():
    shipped = sorted(p.name for p in resources.files("ecmx.plan_configs").iterdir())
    assert {
        "calviva.yaml",
        "chpiv.yaml",
        "chwp.yaml",
        "dhcs_base.yaml",
        "healthnet.yaml",
        "healthnet_family.yaml",
        "partnership.yaml",
    } <= set(shipped)
    assert resources.files("ecmx.core.plans").joinpath("schemas/plan.schema.json").is_file()


def test_the_web_pages_files_are_package_data():
    """Every template and static file of ``ecmx serve`` matches a package-data pattern, so
    a wheel (not only an editable install) carries it."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["ecmx.core.web"]
    web = root / "core" / "web"
    files = [
        p.relative_to(web).as_posix() for d in ("templates", "static") for p in (web / d).iterdir()
    ]
    assert files
    assert [f for f in files if not any(fnmatch.fnmatch(f, p) for p in patterns)] == []


# ----------------------------------------------------------------------------- console script


def test_console_script_runs(script, tmp_path):
    run = script("--version", cwd=tmp_path)
    assert run.code == 0, run.err
    assert run.out.startswith("ecmx, version ")


def test_console_script_reports_a_user_error_in_one_line(script, tmp_path):
    run = script(
        "convert", tmp_path / "data.xlsx", "--plan", "healtnet", "--period", "2025-11",
        "--out", tmp_path / "out", cwd=tmp_path,
    )  # fmt: skip
    assert run.code == 2
    assert "Traceback" not in run.text
    assert run.out == ""
    [line] = run.error_lines()
    assert line.startswith("ecmx: unknown plan 'healtnet'")
    assert "did you mean 'healthnet'?" in line


# ----------------------------------------------------------------------------- hooks


def hook_specs() -> dict:
    return {
        name: func
        for name, func in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(func, f"{hookspecs.PROJECT}_spec")
    }


def test_every_hook_is_prefixed_and_documented():
    specs = hook_specs()
    assert {"ecmx_register_plans", "ecmx_register_file_kinds", "ecmx_validate"} <= set(specs)
    for name, func in specs.items():
        assert name.startswith("ecmx_"), name
        doc = inspect.getdoc(func) or ""
        assert len(doc) > 40, f"{name} has no contract in its docstring"
        assert "return" in doc.lower(), f"{name}'s docstring does not say what it returns"


def test_every_hook_is_in_the_plugin_guide():
    guide = (DOCS / "plugins.md").read_text(encoding="utf-8")
    missing = [name for name in hook_specs() if f"`{name}(" not in guide]
    assert missing == []


def test_make_plugin_manager_registers_every_builtin():
    pm, registry = make_plugin_manager(entry_points=False)
    for name in BUILTIN_PLUGINS:
        assert pm.get_plugin(name) is importlib.import_module(name), name
    plugin_modules = {
        f"ecmx.plugins.{info.name}"
        for info in pkgutil.iter_modules(importlib.import_module("ecmx.plugins").__path__)
    }
    with_hooks = {
        module
        for module in plugin_modules
        if any(n.startswith("ecmx_") for n in vars(importlib.import_module(module)))
    }
    assert with_hooks <= set(BUILTIN_PLUGINS), "a plan plugin module is not registered"
    yamls = {
        p.name[:-5]
        for p in resources.files("ecmx.plan_configs").iterdir()
        if p.name.endswith(".yaml") and p.name != "sources.yaml"  # the sources list, no plan
    }
    assert set(registry.plans) == yamls
    assert set(registry.file_kinds) == {
        "rtf", "otf", "csprtf", "referral", "mif", "mini_mif", "tel", "csasf"
    }  # fmt: skip
    directions = {name: kind.direction for name, kind in registry.file_kinds.items()}
    assert directions == {
        "rtf": "to_plan",
        "otf": "to_plan",
        "csprtf": "to_plan",
        "referral": "to_plan",
        "mif": "from_plan",
        "mini_mif": "from_plan",
        "tel": "from_plan",
        "csasf": "from_plan",
    }
    assert {"digits_only", "zip5"} <= set(registry.transforms)


def test_a_misspelt_hook_fails_at_start_up(monkeypatch):
    module = type(sys)("ecmx_test_misspelt_builtin")

    @hookimpl
    def ecmx_register_plan(registry):  # the spec is ecmx_register_plans
        raise AssertionError("never called")

    module.ecmx_register_plan = ecmx_register_plan
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(
        "ecmx.core.hooks.manager.BUILTIN_PLUGINS", (*BUILTIN_PLUGINS, module.__name__)
    )
    with pytest.raises(ConfigError, match="ecmx_register_plan"):
        make_plugin_manager(entry_points=False)


def builtin_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager built the way make_plugin_manager builds it, before any hook runs."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    return pm


def load_registry(pm) -> Registry:
    pm.check_pending()
    return fill_registry(pm)


class ThirdParty:
    def __init__(self, data):
        self.data = data

    @hookimpl
    def ecmx_register_plans(self, registry):
        registry.add_plan_data(self.data, origin="x")


def test_a_plugin_registers_a_plan_from_data():
    pm = builtin_plugin_manager()
    pm.register(ThirdParty(THIRD_PLAN), name="thirdparty")
    registry = load_registry(pm)
    plan = registry.plan("thirdplan")
    assert plan.origin == "x"
    assert plan.name == "Third Plan" and plan.mcp("name") == "Third Plan"
    assert plan.family == "healthnet_family"
    assert set(plan.files) == {"rtf", "otf", "mif", "mini_mif", "csasf", "csprtf"}  # Health Net's
    healthnet = registry.plan("healthnet")
    for kind in plan.files:  # the same layouts; their provenance is Health Net's, not its own
        assert [(v.version, v.effective, v.headers) for v in plan.files[kind].versions] == [
            (v.version, v.effective, v.headers) for v in healthnet.files[kind].versions
        ]
    assert "thirdplan" in {p.id for p in registry.concrete_plans()}


def test_a_plugins_bad_plan_data_is_reported_under_its_origin():
    pm = builtin_plugin_manager()
    pm.register(ThirdParty({**THIRD_PLAN, "extends": "helthnet"}), name="thirdparty")
    registry = load_registry(pm)
    with pytest.raises(ConfigError) as caught:
        registry.plans  # noqa: B018  (validation happens on first use)
    [problem] = caught.value.details
    assert problem.startswith("x: extends: ")
    assert "(did you mean 'healthnet'?)" in problem


# ----------------------------------------------------------------------------- entry points

THIRD_PARTY_MODULE = """
from ecmx.core.hookspecs import hookimpl

PLAN = {plan!r}


@hookimpl
def ecmx_register_plans(registry):
    registry.add_plan_data(PLAN, origin="ecmx-thirdparty-demo")


@hookimpl
def ecmx_prepare_canonical(plan, kind, frame, context):
    if plan.id != "thirdplan" or kind != "rtf":
        return None
    frame = frame.copy()
    frame["lead_care_manager_name"] = frame["lead_care_manager_name"].str.upper()
    return frame
"""

MISSPELT_MODULE = """
from ecmx.core.hookspecs import hookimpl


@hookimpl
def ecmx_register_plan(registry):
    raise AssertionError("never called: the hook is misspelt")
"""


@pytest.fixture
def install_plugin(tmp_path, monkeypatch, request):
    """``install_plugin(module, source) -> folder``: a distribution on the ``ecmx.plans`` group."""
    site = tmp_path / "site"
    site.mkdir()

    def install(module: str, source: str) -> Path:
        (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = site / f"{module}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(
            f"[{ENTRY_POINT_GROUP}]\n{module} = {module}\n", encoding="utf-8"
        )
        monkeypatch.syspath_prepend(str(site))
        request.addfinalizer(lambda: sys.modules.pop(module, None))
        return site

    return install


def test_an_installed_plugin_with_a_misspelt_hook_stops_ecmx_in_one_line(cli, install_plugin):
    install_plugin("ecmx_misspelt_demo", MISSPELT_MODULE)
    run = cli("plans", "list")
    assert run.code == 1  # a configuration problem, like a broken plan YAML
    assert "Traceback" not in run.text
    [line] = run.error_lines()
    assert "unknown hook" in line and "ecmx_register_plan" in line


def test_an_installed_plugin_adds_a_plan_and_adjusts_its_rows(
    cli, kit, samples, install_plugin, tmp_path
):
    install_plugin("ecmx_thirdparty_demo", THIRD_PARTY_MODULE.format(plan=THIRD_PLAN))
    listed = cli("plans", "list")
    assert listed.code == 0, listed.err
    assert any(line.startswith("│ thirdplan ") for line in listed.out.splitlines())

    data = kit.copy_csv_sample(samples, tmp_path / "data")
    members = kit.read_csv(data / "members.csv")
    moved = [m for m in members if m["plan"] == "healthnet"]
    for member in moved:
        member["plan"] = "thirdplan"
    kit.write_csv(data / "members.csv", members)
    provider = kit.load_yaml(data / "provider.yaml")
    provider["plans"]["thirdplan"] = {"file_prefix": "SUNRISE_3P"}
    (data / "provider.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")

    out = tmp_path / "out"
    run = cli(
        "convert", data, "--plan", "thirdplan", "--kind", "rtf", "--period", "2025-11",
        "--out", out, "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 0, run.err
    _, rows = kit.calamine_sheet(out / "SUNRISE_3P_ECM_RTF_20251203.xlsx")
    at = rows[0].index("ECM Lead Care Manager Name")
    names = [row[at] for row in rows[1:] if row[at]]
    assert names, "the sample enrolls some of these members"
    assert all(name == name.upper() for name in names)  # the plugin's hook ran
    assert len(rows) - 1 == len(moved)


def test_the_console_script_loads_installed_plugins(script, install_plugin, tmp_path):
    site = install_plugin("ecmx_thirdparty_demo", THIRD_PARTY_MODULE.format(plan=THIRD_PLAN))
    run = script("plans", "list", cwd=tmp_path, env={"PYTHONPATH": str(site)})
    assert run.code == 0, run.err
    assert any(line.startswith("│ thirdplan ") for line in run.out.splitlines())
