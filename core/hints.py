"""Did-you-mean hints for names a user typed."""

from __future__ import annotations

import difflib


def did_you_mean(word: str, choices) -> str:
    """`` (did you mean 'date'?)`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
