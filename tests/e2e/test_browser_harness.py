"""The real-browser harness (browser.py) on a tiny page served by ``http.server`` on
127.0.0.1: a form filled and submitted, a download found on disk, zoom that reflows, a
screenshot. If these fail, the web page's browser tests would fail for the harness's
sake, not the page's."""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from selenium.webdriver.common.by import By

from .browser import (
    accessibility_problems,
    click_through,
    focus_is_visible,
    needs_chromium,
    press_tab,
    screenshot,
    scrolls_sideways,
    unreachable_by_tab,
    wait_for_download,
    zoom,
)

pytestmark = needs_chromium

CSV = "plan,members\nhealthnet,3\n"
_BAD = """<!doctype html><style>:focus { outline: none }</style><h1>One</h1><h1>Two</h1><input name="q">
<table><tr><th>Plan</th></tr><tr><td>healthnet</td></tr></table>"""
_FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Form</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<h1>Say hello</h1>
<form method="post" action="/hello"><label for="name">Your name</label>
<input id="name" name="name"><label>Show values <input type="checkbox" name="show"></label>
<fieldset><legend>Plan</legend><label>Health Net <input type="radio" name="plan" value="hn"></label>
<label>CalViva <input type="radio" name="plan" value="cv" checked></label></fieldset>
<button type="submit">Send</button></form>
<p><a id="file" href="/members.csv" download>Members (CSV)</a></p>
<p><a id="wide" href="/wide">A page wider than the window</a></p></body></html>"""


class _Page(BaseHTTPRequestHandler):
    def _send(self, body: str | bytes, kind: str = "text/html; charset=utf-8", **headers):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/members.csv":
            self._send(CSV, "text/csv", Content_Disposition='attachment; filename="members.csv"')
        elif self.path == "/bad":
            self._send(_BAD)
        elif self.path == "/wide":
            self._send('<!doctype html><h1>Wide</h1><div style="width:1000px">x</div>')
        else:
            self._send(_FORM)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        name = parse_qs(self.rfile.read(length).decode()).get("name", [""])[0]
        self._send(f'<!doctype html><h1 id="greeting">Hello, {html.escape(name)}</h1>')

    def log_message(self, *args):  # quiet: pytest shows stderr of failing tests
        pass


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_form_is_filled_submitted_and_its_answer_read(driver, site):
    driver.get(site)
    field = driver.find_element(By.ID, "name")
    field.send_keys("Ana <b>")
    click_through(driver, driver.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert driver.find_element(By.ID, "greeting").text == "Hello, Ana <b>"


def test_a_download_link_saves_the_file_without_asking(driver, downloads, site):
    driver.get(site)
    driver.find_element(By.ID, "file").click()
    saved = wait_for_download(downloads, ".csv")
    assert saved.name == "members.csv" and saved.read_text() == CSV


def test_zoom_narrows_the_layout_as_the_browser_zoom_does(driver, site):
    driver.get(site)
    assert driver.execute_script("return window.innerWidth") == 1280
    zoom(driver, 200)
    assert driver.execute_script("return window.innerWidth") == 640
    assert not scrolls_sideways(driver)  # the form reflows
    driver.get(f"{site}/wide")
    assert scrolls_sideways(driver)  # 1000 px of fixed width does not fit 640
    zoom(driver, 100)
    assert not scrolls_sideways(driver)


def test_a_screenshot_is_a_png_as_wide_as_the_window(driver, site, tmp_path):
    driver.get(site)
    shot = screenshot(driver, tmp_path / "page.png").read_bytes()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(shot[16:20], "big") == 1280  # IHDR width


def test_the_page_checks_find_what_a_screen_reader_user_trips_on(driver, site):
    driver.get(site)
    assert accessibility_problems(driver) == []
    driver.get(f"{site}/bad")
    problems = accessibility_problems(driver)
    assert problems[0] == "2 <h1> on the page (one expected)"
    assert any("no label" in problem and 'name="q"' in problem for problem in problems)
    assert any("<th> without scope" in problem for problem in problems)


def test_tab_moves_the_focus_as_a_keyboard_does_and_it_shows(driver, site):
    driver.get(site)
    field = press_tab(driver)
    assert field.get_attribute("id") == "name" and focus_is_visible(driver, field)
    assert press_tab(driver).get_attribute("name") == "show"
    driver.get(f"{site}/bad")
    field = press_tab(driver)
    assert field.get_attribute("name") == "q" and not focus_is_visible(driver, field)


def test_every_control_is_checked_for_a_tab_stop_with_its_focus_shown(driver, site):
    driver.get(site)
    assert unreachable_by_tab(driver) == []
    driver.get(f"{site}/bad")  # :focus { outline: none }
    assert unreachable_by_tab(driver) == ['focus not shown: <input name="q">']
