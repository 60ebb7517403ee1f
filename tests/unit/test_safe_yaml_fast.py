"""The libyaml path of ``safe_yaml.loads`` builds what the pure-Python path builds, and
leaves every refusal and error to the pure-Python path (same words)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ecmx.core.errors import InputError
from ecmx.core.storage import limits, safe_yaml

PLAN_CONFIGS = sorted((Path(__file__).parents[2] / "plan_configs").glob("*.yaml"))


def _pure(text: str):
    loader = safe_yaml._DepthLimitedLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


@pytest.mark.parametrize("path", PLAN_CONFIGS, ids=lambda p: p.name)
def test_plan_configs_read_the_same_both_ways(path):
    text = path.read_text("utf-8")
    assert safe_yaml._fast_node(text) is not None or safe_yaml._CLoader is None
    assert safe_yaml.loads(text, str(path)) == _pure(text)


@pytest.mark.parametrize(
    "text",
    ["a: 2025-07-01\nb: yes\nc: 0123\nd: 1e5\ne: ~\n", "- &x [1, 2]\n- *x\n", "", "just text"],
)
def test_odd_documents_read_the_same_both_ways(text):
    assert safe_yaml.loads(text, "x") == _pure(text)


def test_deep_nesting_is_refused_with_the_same_words():
    text = "[" * (limits.MAX_YAML_DEPTH + 5) + "]" * (limits.MAX_YAML_DEPTH + 5)
    assert safe_yaml._fast_node(text) is None
    with pytest.raises(InputError, match="nested deeper than"):
        safe_yaml.loads(text, "x")


def test_invalid_yaml_is_worded_by_the_pure_python_reader():
    text = "a: [1, 2\nb: c: d\n"
    with pytest.raises(yaml.YAMLError) as fast:
        safe_yaml.loads(text, "x")
    with pytest.raises(yaml.YAMLError) as pure:
        _pure(text)
    assert str(fast.value) == str(pure.value)


def test_a_control_character_goes_the_pure_python_way():
    text = "a: b\x01\n"
    assert safe_yaml._fast_node(text) is None
    with pytest.raises(yaml.YAMLError):
        safe_yaml.loads(text, "x")
