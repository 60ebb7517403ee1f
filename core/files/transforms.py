"""Built-in named transforms a YAML column can apply (``transform: digits_only``).

Each takes and returns a pandas Series; blanks (None, NaN, pd.NA, NaT) stay blank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecmx.core.hookspecs import hookimpl


def _on_text(series: pd.Series, func) -> pd.Series:
    # Every missing marker (None, NaN, pd.NA, NaT) stays blank: ``str(pd.NA)`` is "<NA>".
    return map_distinct(series, lambda v: None if _missing(v) else func(str(v)))


def map_distinct(series: pd.Series, func) -> pd.Series:
    """``series.map(func)``, calling ``func`` once per distinct value (names, ZIPs and codes
    repeat), for a ``func`` that turns every missing marker into None.

    Only text is grouped: elsewhere ``1 == 1.0 == True`` would share one result. The
    distinct results are mapped by pandas itself, so the column's dtype is what
    ``series.map`` would have inferred from the same values.
    """
    if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
        return series.map(func)
    slots, distinct = pd.factorize(series, use_na_sentinel=True)
    blank = len(distinct)  # slot -1 (a missing marker) reads the None appended last
    distinct_values = pd.Series([*distinct, None], dtype=object)
    results = distinct_values.map(func).take(np.where(slots < 0, blank, slots))
    return results.set_axis(series.index)


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def digits_only(series: pd.Series) -> pd.Series:
    """Keep digits only: ``(555) 010-1234`` -> ``5550101234``."""
    return _on_text(series, lambda s: "".join(ch for ch in s if ch.isdigit()) or None)


def zip5(series: pd.Series) -> pd.Series:
    """The first five digits of a ZIP or ZIP+4, left-padded with zeros."""

    def five(text: str) -> str | None:
        digits = "".join(ch for ch in text if ch.isdigit())[:5]
        return digits.zfill(5) if digits else None

    return _on_text(series, five)


def upper(series: pd.Series) -> pd.Series:
    return _on_text(series, str.upper)


def strip_dashes(series: pd.Series) -> pd.Series:
    """A TIN without dashes: ``12-3456789`` -> ``123456789``."""
    return _on_text(series, lambda s: s.replace("-", ""))


BUILTIN_TRANSFORMS = {
    "digits_only": digits_only,
    "zip5": zip5,
    "upper": upper,
    "strip_dashes": strip_dashes,
}


@hookimpl
def ecmx_register_transforms(registry) -> None:
    for name, func in BUILTIN_TRANSFORMS.items():
        registry.add_transform(name, func)
