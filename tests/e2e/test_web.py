"""The web page's gate and read-only pages, through starlette's TestClient: what a person
(or another user of the machine) gets without the token, without the CSRF field, from
another Host; and that the board, calendar and plans show what the jobs say."""

from __future__ import annotations

import icalendar
import pytest
from starlette.routing import Route

from ecmx.core.web.security import COOKIE, HEADERS
from tests.e2e.web import TOKEN, csrf, make_app, web_client


def test_without_the_token_every_page_is_refused(tmp_path):
    with web_client(tmp_path / "ws", signed_in=False) as client:
        for path in ("/", "/calendar", "/plans", "/plans/healthnet", "/static/style.css"):
            page = client.get(path)
            assert page.status_code == 403, path
            assert "secret" in page.text and "Traceback" not in page.text
        assert client.get("/?token=wrong").status_code == 403


def test_the_token_in_the_address_becomes_a_cookie_and_leaves_the_address(tmp_path):
    with web_client(tmp_path / "ws", signed_in=False) as client:
        first = client.get(f"/calendar?year=2026&token={TOKEN}")
        assert first.status_code == 303
        assert first.headers["location"] == "/calendar?year=2026"
        cookie = first.headers["set-cookie"]
        assert f"{COOKIE}={TOKEN}" in cookie
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
        assert client.get("/calendar?year=2026").status_code == 200


def test_another_host_name_is_refused_even_with_the_token(tmp_path):
    """DNS rebinding: a page elsewhere whose name resolves to 127.0.0.1 gets nothing."""
    with web_client(tmp_path / "ws") as client:
        page = client.get("/", headers={"host": "evil.example:8741"})
        assert page.status_code == 400


def test_every_answer_has_the_security_headers(tmp_path):
    with web_client(tmp_path / "ws") as client:
        for path in ("/", "/nope", "/static/style.css"):
            page = client.get(path)
            for name, value in HEADERS.items():
                assert page.headers[name] == value, (path, name)


def test_every_form_post_is_refused_without_its_csrf_field(tmp_path):
    """Each POST route of the app: no field, or a wrong one, is a 403 and changes nothing."""
    app = make_app(tmp_path / "ws")
    posts = [
        r.path
        for r in app.routes
        if isinstance(r, Route) and "POST" in (r.methods or ()) and "{" not in r.path
    ]
    assert "/settings/values" in posts
    with web_client(tmp_path / "ws") as client:
        for path in posts:
            for data in ({}, {"csrf": "0" * 64}):
                page = client.post(path, data={**data, "show": "yes"})
                assert page.status_code == 403, (path, data)
                assert "did not come from this page" in page.text
        assert "Show member values" in client.get("/").text  # nothing changed


def test_member_values_switch_needs_csrf_and_returns_to_the_page(tmp_path):
    with web_client(tmp_path / "ws") as client:
        page = client.post("/settings/values", data={**csrf(), "show": "yes", "back": "/plans"})
        assert page.status_code == 303 and page.headers["location"] == "/plans"
        assert "Hide member values" in client.get("/plans").text
        away = client.post("/settings/values", data={**csrf(), "show": "no", "back": "//evil"})
        assert away.headers["location"] == "/"


def test_the_board_lists_each_plans_files_with_due_dates(tmp_path):
    with web_client(tmp_path / "ws") as client:
        page = client.get("/?period=2025-11")
        assert page.status_code == 200
        assert "The month: period 2025-11" in page.text
        for plan in ("Health Net", "CalViva Health", "Partnership HealthPlan of California"):
            assert f"<td>{plan}</td>" in page.text  # by name, as staff know them
        assert "<td>IOT</td>" in page.text and "not made" in page.text


def test_a_bad_period_is_one_line_not_a_traceback(tmp_path):
    with web_client(tmp_path / "ws") as client:
        page = client.get("/?period=2025-13")
        assert page.status_code == 400
        assert "YYYY-MM" in page.text and "Traceback" not in page.text


@pytest.mark.parametrize("plan", ["healthnet", "partnership"])
def test_the_calendar_and_its_ics_hold_the_plans_dates(tmp_path, plan):
    with web_client(tmp_path / "ws") as client:
        page = client.get(f"/calendar?year=2026&plan={plan}")
        assert page.status_code == 200 and "2026-" in page.text
        ics = client.get(f"/calendar.ics?year=2026&plan={plan}")
        assert ics.headers["content-type"].startswith("text/calendar")
        assert f"ecmx-{plan}-2026.ics" in ics.headers["content-disposition"]
        events = [c for c in icalendar.Calendar.from_ical(ics.content).walk("VEVENT")]
        assert len(events) >= 12  # at least one file date a month


def test_the_plans_page_links_each_plan_and_shows_its_assumptions(tmp_path):
    with web_client(tmp_path / "ws") as client:
        listing = client.get("/plans").text
        assert 'href="/plans/healthnet"' in listing and 'href="/plans/partnership"' in listing
        plan = client.get("/plans/partnership").text
        assert "To confirm with the plan" in plan and "<caption>partnership" in plan
        assert client.get("/plans/nosuch").status_code == 400
