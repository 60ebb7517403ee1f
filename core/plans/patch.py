"""A plan's changes to the layout it inherits, by column key (``files.<kind>.columns_patch``),
and a layout version written as the changes to an earlier one (``from:`` and its own
``columns_patch``), added after the inherited versions with ``add_versions``.

A column's key is its ``key:``, or else its ``field:``. When plans load (``plans.load``),
each plan's own ``columns_patch`` is applied to every version of the file it inherits, in
this order: ``change`` (new attribute values), ``remove``, ``insert`` (``before:`` or
``after:`` a key) and ``order`` (the listed columns take the places they held, in the
order listed). Each mistake is one line, e.g. a key no column has, with a did-you-mean.
"""

from __future__ import annotations

import copy
from typing import Any

from ecmx.core.hints import did_you_mean

PATCH = "columns_patch"
ADD_VERSIONS = "add_versions"
PROVENANCE = ("source", "assumed", "note")


def column_key(column: object) -> str | None:
    """The column's stable key: ``key:``, or else its ``field:`` (None: it has neither)."""
    if not isinstance(column, dict):
        return None
    key = column.get("key", column.get("field"))
    return key if isinstance(key, str) else None


def apply_patches(merged: dict[str, Any], origin: str, problems: list[str]) -> set[tuple[str, str]]:
    """Apply (and drop) each file's ``columns_patch`` in ``merged``, and build each version
    given as ``from:`` another version; the (kind, key) of every column changed or
    inserted, which this plan's file now answers for."""
    touched: set[tuple[str, str]] = set()
    files = merged.get("files")
    if not isinstance(files, dict):
        return touched
    for kind, file in files.items():
        if not isinstance(file, dict):
            continue
        at = f"{origin}: files.{kind}"
        _append_versions(file)
        touched |= {(kind, key) for key in _derived_versions(file, at, problems)}
        patch = file.pop(PATCH, None)
        versions = [
            v
            for v in file.get("versions") or []
            if isinstance(v, dict) and isinstance(v.get("columns"), list)
        ]
        if isinstance(patch, dict):
            touched |= {(kind, key) for key in _patch(patch, versions, f"{at}.{PATCH}", problems)}
    return touched


def _append_versions(file: dict[str, Any]) -> None:
    """``add_versions`` go after the versions the plan inherits (or lists itself)."""
    added = file.pop(ADD_VERSIONS, None)
    if isinstance(added, list):
        file["versions"] = [*(file.get("versions") or []), *added]


def _derived_versions(file: dict[str, Any], at: str, problems: list[str]) -> set[str]:
    """Each version written as ``from: VERSION`` plus its own ``columns_patch``: the named
    version's columns (an earlier entry of the list), changed by the patch."""
    touched: set[str] = set()
    versions = file.get("versions")
    done: dict[str, dict[str, Any]] = {}
    for index, version in enumerate(versions if isinstance(versions, list) else []):
        if not isinstance(version, dict):
            continue
        v_at = f"{at}.versions[{index}]"
        based = "from" not in version or _from_version(version, done, v_at, problems)
        patch = version.pop(PATCH, None)
        if based and isinstance(patch, dict) and isinstance(version.get("columns"), list):
            touched |= _patch(patch, [version], f"{v_at}.{PATCH}", problems)
        if isinstance(version.get("columns"), list):
            done[str(version.get("version"))] = version
    return touched


def _from_version(
    version: dict[str, Any], done: dict[str, dict[str, Any]], v_at: str, problems: list[str]
) -> bool:
    """The version's columns copied from the earlier version its ``from:`` names."""
    name = str(version.pop("from"))
    if "columns" in version:
        problems.append(f"{v_at}: give columns: or from: (a version it changes), not both")
        return False
    if name not in done:
        problems.append(
            f"{v_at}.from: no earlier version {name!r} of this file{did_you_mean(name, done)}"
        )
        version["columns"] = []  # said once: not again as a layout without columns
        return False
    version["columns"] = copy.deepcopy(done[name]["columns"])
    return True


def _patch(
    patch: dict[str, Any], versions: list[dict[str, Any]], at: str, problems: list[str]
) -> set[str]:
    if not versions:
        problems.append(f"{at}: the file has no layout to change (give versions:)")
        return set()
    touched = _change(patch.get("change") or {}, versions, at, problems)
    _remove(patch.get("remove") or [], versions, at, problems)
    touched |= _insert(patch.get("insert") or [], versions, at, problems)
    _order(patch.get("order") or [], versions, at, problems)
    return touched


def _keys(versions: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for v in versions for c in v["columns"] if (k := column_key(c))))


def _unknown(key: object, versions: list[dict[str, Any]], where: str) -> str | None:
    known = _keys(versions)
    if isinstance(key, str) and key in known:
        return None
    return f"{where}: no column has the key {key!r}{did_you_mean(str(key), known)} (see ecmx plans show PLAN --explain)"


def _change(
    change: object, versions: list[dict[str, Any]], at: str, problems: list[str]
) -> set[str]:
    touched: set[str] = set()
    if not isinstance(change, dict):
        return touched
    for key, attrs in change.items():
        problem = _unknown(key, versions, f"{at}.change.{key}")
        if problem or not isinstance(attrs, dict):
            problems.extend([problem] if problem else [])
            continue
        touched.add(key)
        for version in versions:
            version["columns"] = [
                _changed(c, key, attrs) if column_key(c) == key else c for c in version["columns"]
            ]
    return touched


def _changed(column: dict[str, Any], key: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """The column with ``attrs`` set: its key stays, and the inherited provenance (and a
    ``field:`` or ``value:`` that the change replaces) goes."""
    dropped = set(PROVENANCE) | ({"value"} if "field" in attrs else set())
    dropped |= {"field"} if "value" in attrs else set()
    out = {k: v for k, v in column.items() if k not in dropped}
    if "key" not in out and column.get("field") != attrs.get("field", column.get("field")):
        out["key"] = key
    out.update(attrs)
    return out


def _remove(remove: object, versions: list[dict[str, Any]], at: str, problems: list[str]) -> None:
    for index, key in enumerate(remove if isinstance(remove, list) else []):
        problem = _unknown(key, versions, f"{at}.remove[{index}]")
        if problem:
            problems.append(problem)
            continue
        for version in versions:
            version["columns"] = [c for c in version["columns"] if column_key(c) != key]


def _insert(
    insert: object, versions: list[dict[str, Any]], at: str, problems: list[str]
) -> set[str]:
    touched: set[str] = set()
    for index, item in enumerate(insert if isinstance(insert, list) else []):
        where = f"{at}.insert[{index}]"
        if not isinstance(item, dict):
            continue
        problem = _insert_problem(item, versions, where)
        if problem:
            problems.append(problem)
            continue
        anchor = item.get("before", item.get("after"))
        column = {k: v for k, v in item.items() if k not in ("before", "after")}
        for version in versions:
            keys = [column_key(c) for c in version["columns"]]
            if anchor in keys:
                place = keys.index(anchor) + (0 if "before" in item else 1)
                version["columns"].insert(place, dict(column))
        touched.add(str(column_key(column)))
    return touched


def _insert_problem(item: dict[str, Any], versions: list[dict[str, Any]], where: str) -> str | None:
    if ("before" in item) == ("after" in item):
        return (
            f"{where}: give before: or after: (the key of the column it goes next to), one of them"
        )
    if "header" not in item:
        return f"{where}: a new column needs header:"
    key = column_key(item)
    if key is None:
        return f"{where}: a column with no field: needs key: (a name to change it by)"
    if key in _keys(versions):
        return f"{where}: a column with the key {key!r} is in the layout already: give this one its own key:"
    side = "before" if "before" in item else "after"
    return _unknown(item[side], versions, f"{where}.{side}")


def _order(order: object, versions: list[dict[str, Any]], at: str, problems: list[str]) -> None:
    listed = order if isinstance(order, list) else []
    found = [
        p
        for index, key in enumerate(listed)
        if (p := _unknown(key, versions, f"{at}.order[{index}]"))
    ]
    problems.extend(found)
    if found:
        return
    rank = {key: index for index, key in enumerate(listed)}
    for version in versions:
        columns = version["columns"]
        slots = [i for i, c in enumerate(columns) if column_key(c) in rank]
        moved = sorted((columns[i] for i in slots), key=lambda c: rank[str(column_key(c))])
        for slot, column in zip(slots, moved, strict=True):
            columns[slot] = column
