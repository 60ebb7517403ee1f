"""Plan configs: the shipped plans load, and a broken YAML says exactly what and where."""

from __future__ import annotations

import textwrap

import pytest

from ecmx.core.calendar.periods import Period
from ecmx.core.errors import ConfigError, EcmxError

CONCRETE = {"healthnet", "calviva", "chpiv", "chwp", "partnership"}
ABSTRACT = {"dhcs_base", "healthnet_family"}

# A complete plan of its own (no extends), small enough to break one piece at a time.
SOLO = """\
id: solo
name: Solo Plan
codes:
  ecm_status:
    values:
      enrolled: {code: "E", assumed: true}
      pending_outreach: {code: "P", source: "my-plan-guide: solo status codes"}
  yes_no:
    values:
      "true": {code: "Y", assumed: true}
      "false": {code: "N", assumed: true}
files:
  rtf:
    format: csv
    sheet: {value: RTF, assumed: true}
    naming: {template: "solo_{kind}_{period:%Y%m}", assumed: true}
    versions:
      - version: "1"
        effective: "2024-01-01"
        assumed: true
        columns:
          - {header: CIN, field: cin, source: "my-plan-guide: solo status codes"}
          - {header: Status, field: ecm_status, assumed: true}
          - {header: Start, field: enrollment_start, type: date, assumed: true}
"""


def only(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


# ------------------------------------------------------------------ the shipped plans


def test_builtin_plans_load(plugins):
    _, registry = plugins
    assert {p.id for p in registry.concrete_plans()} == CONCRETE
    assert {p.id for p in registry.plans.values() if p.abstract} == ABSTRACT
    for plan_id in CONCRETE:
        plan = registry.plan(plan_id)
        # what the provider sends, then what the plan sends: a mini-MIF in the Health Net
        # family (seed 001), a TEL at Partnership (seeds 003, 004), a CSASF at Health Net,
        # CalViva and CHPIV (seed 002; CHWP's pages name none); Partnership's referral
        # file is the provider's too (seed 003, Reporting File Templates)
        inbound = {"mif", "tel"} if plan_id == "partnership" else {"mif", "mini_mif"}
        if plan_id in ("healthnet", "calviva", "chpiv"):
            inbound.add("csasf")
        # the CSPRTF: Health Net, CalViva and CHPIV only (seed 002); CHWP drops the family's
        cs = {"csprtf"} if plan_id in ("healthnet", "calviva", "chpiv") else set()
        sent = {"rtf", "otf"} | ({"referral"} if plan_id == "partnership" else set())
        assert set(plan.files) == sent | inbound | cs
        assert plan.mcp("name")
        for kind in inbound:
            file = plan.files[kind]
            assert registry.file_kinds[kind].direction == "from_plan"
            layout = file.layout_for(Period(2025, 11))
            assert next(c.field for c in layout.columns if c.required) == "cin"


def test_builtin_families(plugins):
    _, registry = plugins
    families = {p.id: p.family for p in registry.concrete_plans()}
    assert families == {
        "healthnet": "healthnet_family",
        "calviva": "healthnet_family",
        "chpiv": "healthnet_family",
        "chwp": "healthnet_family",
        "partnership": "partnership",
    }


@pytest.mark.parametrize("plan_id", sorted(ABSTRACT))
def test_abstract_plans_cannot_be_chosen(plugins, plan_id):
    _, registry = plugins
    with pytest.raises(EcmxError, match="unknown plan"):
        registry.plan(plan_id)


def test_unknown_plan_suggests_the_closest(plugins):
    _, registry = plugins
    with pytest.raises(EcmxError, match=r"did you mean 'healthnet'\?"):
        registry.plan("helthnet")


@pytest.mark.parametrize(("name", "kind"), [("RTF", "rtf"), ("otf", "otf"), ("IOT", "otf")])
def test_file_kind_names_and_aliases(plugins, name, kind):
    _, registry = plugins
    assert registry.kind(name).name == kind


def test_unknown_file_kind(plugins):
    _, registry = plugins
    with pytest.raises(EcmxError, match="did you mean 'otf'"):
        registry.kind("OTFF")


@pytest.mark.parametrize(
    ("period", "version"),
    [
        (Period(2022, 1), "2022.1"),
        (Period(2025, 6), "2022.1"),
        (Period(2025, 7), "2025.7"),
        (Period(2031, 1), "2025.7"),
    ],
)
def test_rtf_layout_in_force_for_the_period(plugins, period, version):
    _, registry = plugins
    layout = registry.plan("healthnet").files["rtf"].layout_for(period)
    assert layout.version == version


def test_newer_layout_keeps_the_older_columns_first(plugins):
    _, registry = plugins
    rtf = registry.plan("healthnet").files["rtf"]
    old, new = rtf.layout_for(Period(2025, 6)), rtf.layout_for(Period(2025, 7))
    assert new.headers[: len(old.headers)] == old.headers
    assert "Referral Status" in new.headers and "Referral Status" not in old.headers


def test_period_before_every_layout_is_a_config_error(plugins):
    _, registry = plugins
    with pytest.raises(ConfigError, match="no rtf layout is in force for 2021-12"):
        registry.plan("healthnet").files["rtf"].layout_for(Period(2021, 12))


def test_partnership_overrides_names_and_sheets(plugins):
    _, registry = plugins
    plan = registry.plan("partnership")
    assert plan.files["otf"].sheet == "IOT"
    assert plan.files["otf"].naming == "{facility_name}_ECM - IOT_{production_date:%m%d%Y}"
    assert registry.plan("healthnet").files["otf"].naming.startswith("{file_prefix}")


def _needs_provenance(data):
    """(path, node) of every fact, code, default, naming, version and column in a plan."""
    for key, fact in (data.get("mcp") or {}).items():
        yield f"mcp.{key}", fact
    for name, code_list in (data.get("codes") or {}).items():
        for key, code in code_list["values"].items():
            yield f"codes.{name}.values.{key}", code
        if "default" in code_list:
            yield f"codes.{name}.default", code_list["default"]
    for kind, file in (data.get("files") or {}).items():
        for key in ("sheet", "date_format", "naming"):
            if key in file:
                yield f"files.{kind}.{key}", file[key]
        for name, rule in (file.get("rules") or {}).items():
            yield f"files.{kind}.rules.{name}", rule
        for v, version in enumerate(file["versions"]):
            yield f"files.{kind}.versions[{v}]", version
            for c, column in enumerate(version["columns"]):
                yield f"files.{kind}.versions[{v}].columns[{c}]", column


def test_every_shipped_entry_says_where_it_comes_from(plugins):
    _, registry = plugins
    checked = 0
    missing = []
    for plan in registry.plans.values():
        for path, node in _needs_provenance(plan.data):
            checked += 1
            source = node.get("source")
            if (
                not (isinstance(source, str) and len(source) >= 3)
                and node.get("assumed") is not True
            ):
                missing.append(f"{plan.id}: {path}")
    assert missing == []
    assert checked > 500  # the walk really covered the layouts


def test_assumptions_are_listed_for_a_plan(plugins):
    _, registry = plugins
    assumptions = dict(registry.plan("healthnet").assumptions())
    assert "mcp.identifier" in assumptions
    assert "codes.ecm_status.values.enrolled" in assumptions
    # a sourced, not assumed code is not an assumption
    assert "codes.ecm_status.values.declined" not in assumptions


# ------------------------------------------------------------------ YAML-only plans


def test_yaml_only_plan_inherits_its_parent(plugins_with):
    _, registry = plugins_with({"myplan.yaml": "{id: myplan, name: My Plan, extends: healthnet}\n"})
    mine, healthnet = registry.plan("myplan"), registry.plan("healthnet")
    assert mine.name == "My Plan"
    assert mine.family == "healthnet_family"
    assert set(mine.files) == {"rtf", "otf", "mif", "mini_mif", "csasf", "csprtf"}
    for kind in mine.files:
        for period in (Period(2025, 6), Period(2025, 7)):
            assert (
                mine.files[kind].layout_for(period).headers
                == healthnet.files[kind].layout_for(period).headers
            )
    assert mine.files["otf"].rules == healthnet.files["otf"].rules
    assert mine in registry.concrete_plans()


def test_solo_plan_loads(plugins_with):
    _, registry = plugins_with({"solo.yaml": SOLO})
    plan = registry.plan("solo")
    layout = plan.files["rtf"].layout_for(Period(2025, 1))
    assert layout.headers == ["CIN", "Status", "Start"]
    assert plan.codes["ecm_status"].mapping() == {"enrolled": "E", "pending_outreach": "P"}
    assert plan.family == ""


def test_yaml_override_merges_into_the_parent(plugins_with):
    text = """\
    id: myplan
    name: My Plan
    extends: healthnet
    files:
      rtf:
        naming: {template: "MY_{period:%Y%m}", source: "my-plan-guide: file names"}
    """
    _, registry = plugins_with({"myplan.yaml": textwrap.dedent(text)})
    rtf = registry.plan("myplan").files["rtf"]
    assert rtf.naming == "MY_{period:%Y%m}"
    assert rtf.format == "xlsx"  # the rest of files.rtf is inherited
    assert len(rtf.versions) == 2


# ------------------------------------------------------------------ broken configs


def test_misspelt_column_type(config_problems):
    problem = only(config_problems({"solo.yaml": SOLO.replace("type: date", "type: dat")}))
    assert "solo.yaml: files.rtf.versions[0].columns[2].type: 'dat' is not one of" in problem
    assert "(did you mean 'date'?)" in problem


def test_misspelt_key(config_problems):
    text = SOLO.replace("{header: CIN,", "{heder: CIN,")
    problem = only(config_problems({"solo.yaml": text}))
    assert (
        "files.rtf.versions[0].columns[0]: unknown key 'heder' (did you mean 'header'?)" in problem
    )


def test_misspelt_file_key(config_problems):
    text = SOLO.replace("    format: csv\n", "    format: csv\n    titel: RTF\n")
    problem = only(config_problems({"solo.yaml": text}))
    assert "files.rtf: unknown key 'titel' (did you mean 'title'?)" in problem


def test_column_without_provenance_needs_source(config_problems):
    text = SOLO.replace(
        "{header: Status, field: ecm_status, assumed: true}", "{header: Status, field: ecm_status}"
    )
    problem = only(config_problems({"solo.yaml": text}))
    assert "files.rtf.versions[0].columns[1]: needs source" in problem


def test_code_without_provenance_needs_source(config_problems):
    text = SOLO.replace('enrolled: {code: "E", assumed: true}', 'enrolled: {code: "E"}')
    problem = only(config_problems({"solo.yaml": text}))
    assert "codes.ecm_status.values.enrolled: needs source" in problem


def test_unknown_field_name(config_problems):
    text = SOLO.replace("field: enrollment_start", "field: enrolment_start")
    problem = only(config_problems({"solo.yaml": text}))
    assert "files.rtf.versions[0].columns[2].field: 'enrolment_start' is not a rtf field" in problem
    assert "(did you mean 'enrollment_start'?)" in problem


def test_column_with_neither_field_nor_value(config_problems):
    text = SOLO.replace("{header: CIN, field: cin,", "{header: CIN,")
    problem = only(config_problems({"solo.yaml": text}))
    assert "files.rtf.versions[0].columns[0]: give field:" in problem


def test_column_with_both_field_and_value(config_problems):
    text = SOLO.replace("{header: CIN, field: cin,", "{header: CIN, field: cin, value: X,")
    problem = only(config_problems({"solo.yaml": text}))
    assert "files.rtf.versions[0].columns[0]: give either field: or value:, not both" in problem


def test_unknown_naming_placeholder(config_problems):
    text = SOLO.replace("solo_{kind}_{period:%Y%m}", "solo_{kind}_{perod:%Y%m}")
    problem = only(config_problems({"solo.yaml": text}))
    assert (
        "files.rtf.naming.template: unknown placeholder {perod} (did you mean 'period'?)" in problem
    )


def test_format_on_a_text_placeholder(config_problems):
    text = SOLO.replace("solo_{kind}_{period:%Y%m}", "solo_{kind:%Y}")
    problem = only(config_problems({"solo.yaml": text}))
    assert "{kind} is text and takes no format" in problem


def test_unknown_code_list(config_problems):
    text = SOLO.replace(
        "{header: Status, field: ecm_status,",
        "{header: Status, field: ecm_status, codes: ecm_stats,",
    )
    problem = only(config_problems({"solo.yaml": text}))
    assert (
        "columns[1].codes: no code list 'ecm_stats' in this plan (did you mean 'ecm_status'?)"
        in problem
    )


def test_default_key_not_in_its_list(config_problems):
    text = SOLO.replace(
        '      pending_outreach: {code: "P", source: "my-plan-guide: solo status codes"}\n',
        '      pending_outreach: {code: "P", source: "my-plan-guide: solo status codes"}\n'
        "    default: {key: pending_outreech, assumed: true}\n",
    )
    problem = only(config_problems({"solo.yaml": text}))
    assert "codes.ecm_status.default.key: 'pending_outreech' is not a key of the list" in problem
    assert "did you mean 'pending_outreach'" in problem


def test_extends_unknown_plan(config_problems):
    problem = only(config_problems({"p.yaml": "{id: myplan, name: Mine, extends: helthnet}"}))
    assert problem.endswith(
        "p.yaml: extends: no plan or family base 'helthnet' (did you mean 'healthnet'?)"
    )


def test_extends_cycle(config_problems):
    problems = config_problems(
        {
            "a.yaml": "{id: aaa, name: A, extends: bbb}",
            "b.yaml": "{id: bbb, name: B, extends: aaa}",
        },
    )
    assert problems
    assert all("is a cycle" in p for p in problems)
    assert any("aaa -> bbb -> aaa" in p or "bbb -> aaa -> bbb" in p for p in problems)


def test_duplicate_plan_id(config_problems):
    problems = config_problems(
        {"one.yaml": SOLO, "two.yaml": SOLO.replace("name: Solo Plan", "name: Solo Again")},
    )
    problem = only(problems)
    assert "plan 'solo' is defined twice" in problem
    assert "one.yaml" in problem and "two.yaml" in problem


def test_a_plans_dir_reusing_a_builtin_id_is_blamed_on_its_file(config_problems):
    """Built-ins register first (tryfirst), the plans dir last (trylast): the duplicate
    is the folder's, and the built-in plan is not the one reported."""
    problem = only(config_problems({"mine.yaml": SOLO.replace("id: solo", "id: healthnet")}))
    assert problem.endswith(
        "mine.yaml: id: plan 'healthnet' is defined twice (also in healthnet.yaml); "
        "rename one or remove the duplicate --plans-dir"
    )


def test_plan_without_files(config_problems):
    problem = only(config_problems({"p.yaml": "{id: bare, name: Bare}"}))
    assert "(top level): 'files' is required" in problem


def test_bad_yaml_syntax_gives_the_line(config_problems):
    problem = only(config_problems({"p.yaml": "id: x\nname: [unclosed\n"}))
    assert "p.yaml line" in problem and "not valid YAML" in problem


def test_several_errors_in_one_file_are_reported_at_once(config_problems):
    text = (
        SOLO.replace("type: date", "type: dat")
        .replace("field: cin,", "field: cinn,")
        .replace("{period:%Y%m}", "{perod:%Y%m}")
        .replace("    format: csv\n", "    format: csv\n    titel: RTF\n")
    )
    problems = config_problems({"solo.yaml": text})
    joined = "\n".join(problems)
    assert "'dat' is not one of" in joined
    assert "unknown key 'titel'" in joined
    assert "'cinn' is not a rtf field" in joined
    assert "unknown placeholder {perod}" in joined
    assert len(problems) == 4


def test_errors_in_several_files_are_reported_together(config_problems):
    problems = config_problems(
        {
            "a.yaml": SOLO.replace("type: date", "type: dat"),
            "b.yaml": "{id: other, name: Other, extends: helthnet}",
        },
    )
    assert len(problems) == 2
    assert any("a.yaml" in p and "'dat'" in p for p in problems)
    assert any("b.yaml" in p and "helthnet" in p for p in problems)


def test_a_bad_plans_dir_plan_does_not_hide_behind_the_builtins(config_problems):
    # A plans-dir plan that reuses a built-in id is reported, never silently merged.
    problems = config_problems({"hn.yaml": SOLO.replace("id: solo", "id: healthnet")})
    assert any("'healthnet' is defined twice" in p for p in problems)


# ------------------------------------------------------------------ hostile plan configs


def test_extends_given_as_a_list_is_a_config_problem(config_problems):
    problems = config_problems({"p.yaml": "{id: myplan, name: Mine, extends: [healthnet]}"})
    assert any("p.yaml: extends: ['healthnet'] is not of type 'string'" in p for p in problems)


@pytest.mark.parametrize("row", [0, 31, 2_000_000])
def test_header_row_must_be_within_the_rows_validate_reads(config_problems, row):
    text = SOLO.replace("    format: csv\n", f"    format: csv\n    header_row: {row}\n")
    problems = config_problems({"solo.yaml": text})
    assert any(f"files.rtf.header_row: {row} is not a row from 1 to 30" in p for p in problems)


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("", "with nothing before the extension"),
        (".", "with nothing before the extension"),
        ("  ", "with nothing before the extension"),
        ("solo/{kind}", "holds a folder separator"),
        ("solo_{production_date:%D}", "holds a folder separator"),
        ("solo_{production_date:" + "%Y" * 200 + "}", "file systems allow 255"),
        ("solo_{period!z}", "cannot be filled in"),
    ],
)
def test_naming_template_must_make_one_plain_file_name(config_problems, template, says):
    text = SOLO.replace("solo_{kind}_{period:%Y%m}", template.replace('"', '\\"'))
    problems = config_problems({"solo.yaml": text})
    assert any("files.rtf.naming.template" in p and says in p for p in problems), problems


@pytest.mark.parametrize(
    ("text", "says"),
    [
        # billion laughs: nine aliases per level, nine levels
        (
            'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
                for i in range(8)
            ),
            "expands to more than 200,000 values through aliases",
        ),
        ("id: deep\nname: " + "[" * 10_000 + "]" * 10_000 + "\n", "nested deeper than 64 levels"),
        ("id: loop\nname: &a [*a]\n", "an alias refers to itself"),
    ],
)
def test_hostile_yaml_is_refused_before_it_is_expanded(plugins_with, text, says):
    _, registry = plugins_with({"bomb.yaml": text})
    with pytest.raises(EcmxError) as caught:
        registry.plans  # noqa: B018 - loading is what is tested
    assert caught.value.exit_code == 2
    assert "bomb.yaml" in str(caught.value) and says in str(caught.value)


def test_a_file_not_exchanged_drops_the_file_the_parent_declares(plugins_with):
    """CHWP follows the Health Net family but has no CSASF: ``exchanged: {value: false}``."""
    text = ("{id: noncs, name: No CS, extends: healthnet, files: {csasf: {exchanged: "
            "{value: false, assumed: true, note: no CS}}}}\n")  # fmt: skip
    _, registry = plugins_with({"noncs.yaml": text})
    assert "csasf" not in registry.plan("noncs").files
    assert "csasf" in registry.plan("healthnet").files
    assert "csasf" not in registry.plan("chwp").files
    # and the calendar's dates for the file go with it: CHWP gets no CSASF on the 15th
    files_dated = {e.file for e in registry.plan("noncs").calendar.events}
    assert "csasf" not in files_dated and "csasf" in {
        e.file for e in registry.plan("healthnet").calendar.events
    }
    assert not {"csasf", "csprtf"} & {e.file for e in registry.plan("chwp").calendar.events}
