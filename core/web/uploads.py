"""Files people drop on the page: checked, then kept in WORKSPACE/uploads/ under a new name.

What is refused, each with one line: a request larger than ``MAX_UPLOAD_BYTES`` (read from
Content-Length before the body is parsed, and counted while copying), a name whose
extension the page does not take, and a workbook that is not a zip. A name that exists
is never replaced: the new file gets "name (2).xlsx", "name (3).xlsx", ... The copy is
written to a temporary name and moved into place (storage/atomic.py).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from ecmx.core.errors import InputError
from ecmx.core.storage.atomic import atomic_file
from ecmx.core.storage.limits import MAX_WORKBOOK_BYTES, mib
from ecmx.core.web.security import checked_form

MAX_UPLOAD_BYTES = MAX_WORKBOOK_BYTES  # what ecmx would read from disk anyway
WORKBOOKS = (".xlsx", ".xlsm")
TABLES = (*WORKBOOKS, ".csv")
_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()-]+")
_CHUNK = 1024 * 1024


def check_size(request: Request) -> None:
    """Before parsing: a body larger than the limit is refused without reading it."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_UPLOAD_BYTES:
        raise InputError(
            f"the file is larger than {mib(MAX_UPLOAD_BYTES)}, the most ecmx reads: "
            "check it is the right file"
        )


@contextlib.asynccontextmanager
async def upload_form(request: Request) -> AsyncIterator[FormData]:
    """A form with files: its size checked first, then its CSRF field; closed when the
    handler is done (starlette keeps each uploaded file in a temporary file until then),
    even when the handler refuses it."""
    check_size(request)
    form = await checked_form(request)
    try:
        yield form
    finally:
        await form.close()


def uploads_dir(workspace: Path) -> Path:
    folder = workspace / "uploads"
    folder.mkdir(exist_ok=True)
    return folder


def safe_name(name: str) -> str:
    """The file's own name, without folders or characters a file system may refuse."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    return cleaned[:200] or "upload"


def free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or the first "stem (N)suffix" that does not exist."""
    path = folder / name
    stem, suffix = path.stem, path.suffix
    number = 2
    while path.exists():
        path = folder / f"{stem} ({number}){suffix}"
        number += 1
    return path


async def save_upload(
    upload: UploadFile | str | None, folder: Path, allowed=TABLES, what: str = "file"
) -> Path:
    """Keep ``upload`` in ``folder`` (never replacing a file); the path it was kept at."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InputError(f"choose a {what} to upload first")
    name = safe_name(upload.filename)
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise InputError(
            f"{upload.filename}: ecmx takes {' or '.join(allowed)} here, not "
            f"{suffix or 'a file without an extension'}; save it in one of those and try again"
        )
    head = await upload.read(4)
    if suffix in WORKBOOKS and head != b"PK\x03\x04":
        raise InputError(
            f"{upload.filename}: not an Excel workbook (it has the .xlsx name but not its "
            "content); open it in Excel and save it as a workbook (.xlsx)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    target = free_name(folder, name)
    written = len(head)
    with atomic_file(target) as tmp, open(tmp, "wb") as out:
        out.write(head)
        while chunk := await upload.read(_CHUNK):
            written += len(chunk)
            if written > MAX_UPLOAD_BYTES:
                raise InputError(f"{upload.filename}: larger than {mib(MAX_UPLOAD_BYTES)}")
            out.write(chunk)
    return target
