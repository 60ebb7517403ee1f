"""The web app: the pages' routes behind the gate (security.py), the static files, and
how an error becomes a page (one line, never a traceback)."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ecmx.core.errors import EcmxError
from ecmx.core.web.config import WebConfig
from ecmx.core.web.pages import (
    board,
    calendar,
    capacity,
    check,
    claims,
    claims_status,
    data,
    jobs,
    make,
    outputs,
    plans,
)
from ecmx.core.web.runner import Runner
from ecmx.core.web.security import CsrfRefused, Gate
from ecmx.core.web.templating import render

PAGES = (
    board, data, make, check, outputs, claims, claims_status, capacity, calendar, plans, jobs,
)  # fmt: skip


def create_app(config: WebConfig) -> Starlette:
    routes = [route for page in PAGES for route in page.routes]
    routes.append(Mount("/static", StaticFiles(directory=Path(__file__).parent / "static")))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Gate, token=config.token, port_of=lambda: config.port)],
        exception_handlers={
            EcmxError: _ecmx_error,
            CsrfRefused: _csrf_refused,
            404: _not_found,
            405: _not_found,
        },
    )
    app.state.config = config
    app.state.runner = Runner()
    return app


async def _ecmx_error(request: Request, exc: Exception):
    # One line, as the command line prints it (400: the request could not be done as asked).
    return render(
        request, "error.html", status_code=400, heading="That did not work",
        message=str(exc), back=request.url.path if request.method == "POST" else "/",
    )  # fmt: skip


async def _csrf_refused(request: Request, exc: Exception):
    return render(
        request,
        "error.html",
        status_code=403,
        heading="Not allowed",
        message="This form is out of date or did not come from this page: reload the page and "
        "try again.",
        back=None,
    )


async def _not_found(request: Request, exc: Exception):
    return render(
        request,
        "error.html",
        status_code=404,
        heading="No such page",
        message=f"{request.url.path}: there is no such page here.",
        back="/",
    )
