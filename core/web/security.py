"""Who may use the page, and how it refuses everyone else.

- The server binds 127.0.0.1 only; a request whose Host is not 127.0.0.1 or localhost at
  the server's port is refused (DNS rebinding: a web page elsewhere that points its own
  name at 127.0.0.1 gets nothing).
- A secret token, made anew at every start, is in the URL the server prints and opens (as
  Jupyter does). The first request with ``?token=`` sets it as an HttpOnly, SameSite=Strict
  cookie and redirects to the same address without it, so the token leaves the address bar
  and the history; later requests carry the cookie. Other users of the machine, who can
  reach 127.0.0.1 too, have neither.
- Every form carries a CSRF field derived from the token; ``checked_form`` refuses a POST
  without it. SameSite=Strict already keeps other sites' forms from sending the cookie;
  the field is the second lock the issue asks for.
- Every answer gets headers that forbid framing, inline scripts and caching of member data.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "ecmx_token"
CSRF_FIELD = "csrf"

HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
}

REFUSED = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>ecmx: not allowed</title></head><body><main><h1>Not allowed</h1>
<p>{why}</p></main></body></html>"""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_for(token: str) -> str:
    """The forms' CSRF value: derived from the token, so it needs no server-side state."""
    return hmac.new(token.encode(), b"ecmx csrf", hashlib.sha256).hexdigest()


class CsrfRefused(Exception):
    """A POST without the right CSRF field (turned into a 403 page by the app)."""


async def checked_form(request: Request, **limits) -> FormData:
    """The request's form, once its CSRF field is the page's; else ``CsrfRefused``.
    Every POST handler reads its form through this (tests/e2e/test_web.py checks each)."""
    form = await request.form(**limits)
    sent = form.get(CSRF_FIELD)
    expected = csrf_for(request.app.state.config.token)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        await form.close()
        raise CsrfRefused()
    return form


class Gate:
    """ASGI middleware: the Host check, the token (query once, then cookie) and the headers."""

    def __init__(self, app: ASGIApp, token: str, port_of=lambda: None) -> None:
        self.app, self.token, self.port_of = app, token, port_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        response = self._refusal(request)
        if response is None:
            response = self._token_from_query(request)
        if response is not None:
            await _with_headers(response)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, request: Request) -> Response | None:
        host = request.headers.get("host", "")
        name, _, port = host.partition(":")
        expected_port = self.port_of()
        if name not in ("127.0.0.1", "localhost") or (
            expected_port is not None and port != str(expected_port)
        ):
            return _refused("This page answers only at the address ecmx serve printed.", 400)
        sent = request.query_params.get("token") or request.cookies.get(COOKIE) or ""
        if not hmac.compare_digest(sent, self.token):
            return _refused(
                "Open the page with the address ecmx serve printed when it started "
                "(it holds a secret token; a restarted server has a new one).",
                403,
            )
        return None

    def _token_from_query(self, request: Request) -> Response | None:
        """A first visit with ``?token=``: set the cookie and drop the token from the URL."""
        if "token" not in request.query_params:
            return None
        rest = [(k, v) for k, v in parse_qsl(request.url.query) if k != "token"]
        target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
        return response


def _refused(why: str, status: int) -> Response:
    return HTMLResponse(REFUSED.format(why=why), status_code=status)


def _with_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
