"""pyx12, the independent HIPAA X12 validator, as every test that checks an X12 file runs
it: its log output silenced (it logs every error it finds), its verdict returned."""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path

import pyx12.params
import pyx12.x12n_document


def pyx12_report(text: str) -> str | None:
    """None when pyx12 accepts the interchange, else its 999 acknowledgment (the errors)."""
    ack = io.StringIO()
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            ok = pyx12.x12n_document.x12n_document(
                pyx12.params.params(), io.StringIO(text), ack, None, None
            )
    finally:
        logging.disable(previous)
    return None if ok else ack.getvalue()


def pyx12_accepts(source: str | Path) -> bool:
    """pyx12's verdict on an interchange: a file's path, or the text itself."""
    text = Path(source).read_text(encoding="ascii") if isinstance(source, Path) else source
    return pyx12_report(text) is None
