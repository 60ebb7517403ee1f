"""Rendering a page: the templates, and what every page's template is given."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from ecmx.core.web.security import CSRF_FIELD, csrf_for

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

# The navigation, in the order of the month's work: (path, label).
NAV = (
    ("/", "Month"),
    ("/data", "Your data"),
    ("/make", "Make the month"),
    ("/check", "Check a file"),
    ("/claims", "Claims"),
    ("/capacity", "Capacity"),
    ("/calendar", "Calendar"),
    ("/plans", "Plans"),
)


def render(request: Request, template: str, status_code: int = 200, **context):
    config = request.app.state.config
    path = request.url.path
    active = context.pop("active", None) or max(
        (p for p, _ in NAV if path == p or (p != "/" and path.startswith(p))), key=len, default="/"
    )
    base = {
        "nav": NAV,
        "active": active,
        "csrf_field": CSRF_FIELD,
        "csrf": csrf_for(config.token),
        # every form's hidden CSRF field: {{ csrf_input }}
        "csrf_input": Markup(
            f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_for(config.token))}">'
        ),
        "workspace": config.workspace,
        "show_values": config.show_values,
    }
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
