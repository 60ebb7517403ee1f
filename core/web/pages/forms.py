"""A form with files, read through the CSRF check and closed when the handler is done:
starlette keeps each uploaded file in a temporary file until the form is closed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.datastructures import FormData
from starlette.requests import Request

from ecmx.core.web.security import checked_form


@contextlib.asynccontextmanager
async def upload_form(request: Request) -> AsyncIterator[FormData]:
    form = await checked_form(request)
    try:
        yield form
    finally:
        await form.close()
