"""What the pages share: reading a period from a form or query, and the page's config."""

from __future__ import annotations

from starlette.requests import Request

from ecmx.core.calendar.periods import Period
from ecmx.core.errors import EcmxError, InputError
from ecmx.core.web.config import WebConfig


def config_of(request: Request) -> WebConfig:
    return request.app.state.config


def period_from(value, what: str = "period") -> Period | None:
    """A YYYY-MM value from a form or the address; blank is None; bad is one line."""
    if value is None or not str(value).strip():
        return None
    try:
        return Period.parse(str(value).strip())
    except EcmxError as exc:
        raise InputError(f"{what}: {exc}") from None


def recent_periods(center: Period, before: int = 6, after: int = 2) -> list[Period]:
    """The periods a person picks from: a few months around ``center``."""
    return [center.shift(n) for n in range(-before, after + 1)]
