"""How large an input ecmx reads, and the one check that an input path is a plain file.

Every limit is checked before the content is parsed, so a hostile or broken file
(a zip bomb, a sheet that claims the whole Excel grid, a YAML alias bomb, a FIFO)
is refused with one line (exit 2) instead of exhausting memory or hanging.
The defaults are far above what a real provider's month needs (docs/dataset.md,
"Limits"); the benchmark's 100,000 members use about a tenth of them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ecmx.core.errors import InputError

# Excel's own grid: a workbook cannot hold more.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
# A plan file's header row: validate and ingest look for the header this far down,
# so a plan config cannot write it lower (and a title block needs a few rows at most).
MAX_HEADER_ROW = 30
# A file name (without folder), in bytes: what Linux, macOS and Windows file systems allow.
MAX_FILE_NAME_BYTES = 255
# A workbook file on disk, and what its zip may unpack to (sum of every member).
MAX_WORKBOOK_BYTES = 512 * 1024 * 1024
MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
# Sheet XML compresses about 10:1; a member that claims more than this is a zip bomb.
MAX_COMPRESSION_RATIO = 200
# A sheet's used rectangle (rows x columns): the reader allocates all of it at once.
MAX_SHEET_CELLS = 64 * 1024 * 1024
# Rows of one CSV file (a CSV has no grid of its own), and its size on disk.
MAX_CSV_ROWS = 2_000_000
MAX_CSV_BYTES = 2 * 1024 * 1024 * 1024
# provider.yaml and plan configs: small documents written by hand.
MAX_YAML_BYTES = 4 * 1024 * 1024
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 200_000  # aliases expanded; the largest built-in plan config has < 2,000

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def regular_file(path: Path, what: str) -> Path:
    """``path`` if it is a regular file (symlinks followed); else one line, exit 2.

    Checked before opening: opening a named pipe waits forever for a writer.
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); give the {what}") from None
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise InputError(f"{path}: is {kind}, not a regular file; give the {what}")
    return path


def size_of(path: Path) -> int:
    return os.stat(path).st_size


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"
