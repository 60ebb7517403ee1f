"""Hints: did-you-mean for names a user typed, and how to fix a cell of the user's own file."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[object]) -> str:
    """`` (did you mean 'date'?)`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def own_file_hint(cell: str, field: str | None) -> str:
    """A bad cell of a file the provider makes (RTF, OTF): they fix it, not the plan."""
    behind = f"the dataset's {field} and convert again, or " if field else ""
    return f"correct {behind}the cell {cell}"
