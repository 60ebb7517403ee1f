"""The built-in file formats, registered like a plugin's: plan files (xlsx, xlsm, csv)
and claims (837P, invoice).

Readers (``storage/sheets.py``) are chosen by a file's suffix; writers
(``files/write.py``) by a plan file's ``format:``; claim writers
(``billing/claim_writers.py``) by ``ecmx claims --format``. A plugin adds a format
through the same hook, ``ecmx_register_formats`` (docs/plugins.md).
"""

from __future__ import annotations

from ecmx.core.billing.claim_writers import BUILTIN_CLAIM_WRITERS
from ecmx.core.files.write import BUILTIN_WRITERS
from ecmx.core.hookspecs import hookimpl
from ecmx.core.storage.sheets import BUILTIN_READERS


@hookimpl
def ecmx_register_formats(registry) -> None:
    for reader in BUILTIN_READERS:
        registry.add_reader(reader)
    for writer in BUILTIN_WRITERS:
        registry.add_writer(writer)
    for claim_writer in BUILTIN_CLAIM_WRITERS:
        registry.add_claim_writer(claim_writer)
