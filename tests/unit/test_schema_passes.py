"""A schema pass that found nothing is remembered by digest; anything else is checked."""

from __future__ import annotations

import pytest

from ecmx.core.plans import check, schema_passes

PLAN = {"id": "kin", "name": "Kin Health Plan"}


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(schema_passes.CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(schema_passes, "_added", [])
    schema_passes._known.cache_clear()
    yield tmp_path
    schema_passes._known.cache_clear()


def _count_runs(monkeypatch) -> list[str]:
    runs: list[str] = []
    real = check.schema_problems

    def counted(validator, data, origin, *, only_required=False):
        runs.append(origin)
        return real(validator, data, origin, only_required=only_required)

    monkeypatch.setattr(check, "schema_problems", counted)
    return runs


def _new_start():
    schema_passes._known.cache_clear()  # what a new process reads from the file


def test_a_pass_is_remembered_across_starts(cache_dir, monkeypatch):
    runs = _count_runs(monkeypatch)
    assert schema_passes.schema_problems("partial", PLAN, "kin.yaml") == []
    _new_start()
    assert schema_passes.schema_problems("partial", PLAN, "kin.yaml") == []
    assert runs == ["kin.yaml"]
    assert (cache_dir / schema_passes.FILE_NAME).is_file()


def test_a_changed_plan_is_checked_again(cache_dir, monkeypatch):
    runs = _count_runs(monkeypatch)
    schema_passes.schema_problems("partial", PLAN, "kin.yaml")
    _new_start()
    schema_passes.schema_problems("partial", {**PLAN, "name": "Kin Health"}, "kin.yaml")
    schema_passes.schema_problems("partial", {**PLAN, "id": 1}, "kin.yaml")  # same text, not a str
    schema_passes.schema_problems("full", PLAN, "kin.yaml")  # another pass
    assert len(runs) == 4


def test_a_problem_is_reported_every_time(cache_dir, monkeypatch):
    runs = _count_runs(monkeypatch)
    bad = {**PLAN, "no_such_key": 1}
    first = schema_passes.schema_problems("partial", bad, "kin.yaml")
    _new_start()
    assert first and schema_passes.schema_problems("partial", bad, "kin.yaml") == first
    assert len(runs) == 2


def test_turned_off_or_unreadable_the_record_is_ignored(cache_dir, monkeypatch):
    runs = _count_runs(monkeypatch)
    (cache_dir / schema_passes.FILE_NAME).write_text("{not json", "utf-8")
    schema_passes.schema_problems("partial", PLAN, "kin.yaml")
    monkeypatch.setenv(schema_passes.CACHE_DIR_ENV, "")
    _new_start()
    schema_passes.schema_problems("partial", PLAN, "kin.yaml")
    assert len(runs) == 2
