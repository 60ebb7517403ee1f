"""The web page in a real browser: ``ecmx serve`` started as a person starts it (a
process on a free port, its address with the token read from what it prints), driven by
headless Chromium (browser.py). What is checked is what a person notices: the refusal
page, the pages and their links, files that land in the downloads folder and open.

With ``ECMX_SCREENSHOTS=1`` the tests also save the main pages to docs/screenshots/.
"""

from __future__ import annotations

import shutil

import icalendar
import pytest
from selenium.webdriver.common.by import By

from .browser import (
    accessibility_problems,
    click_through,
    focus_is_visible,
    needs_chromium,
    press_tab,
    scrolls_sideways,
    unreachable_by_tab,
    wait_for_download,
    zoom,
)
from .pages import go, h1, nav_links, origin, save_screenshot, sign_in, status_of, submit
from .web import running_server

pytestmark = needs_chromium


@pytest.fixture
def workspace(tmp_path, samples):
    """A workspace with the sample's provider profile: the board shows its plans."""
    folder = tmp_path / "workspace"
    folder.mkdir()
    shutil.copy(samples["xlsx"].parent / "provider.yaml", folder / "provider.yaml")
    return folder


@pytest.fixture
def served(workspace):
    """The address ``ecmx serve`` printed, with its token."""
    with running_server(workspace) as url:
        yield url


def test_without_the_token_the_page_refuses_and_with_it_a_cookie_carries_on(driver, served):
    base = origin(served)
    driver.get(f"{base}/")
    assert h1(driver) == "Not allowed"
    assert "secret" in driver.find_element(By.TAG_NAME, "body").text
    assert status_of(driver, "/") == 403
    driver.get(f"{base}/calendar?token=not-the-one")
    assert h1(driver) == "Not allowed"

    sign_in(driver, served)
    assert driver.current_url == f"{base}/"  # the token left the address bar
    assert h1(driver).startswith("The month")
    cookie = driver.get_cookie("ecmx_token")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    click_through(driver, driver.find_element(By.LINK_TEXT, "Plans"))
    assert h1(driver) == "Plans" and "token" not in driver.current_url
    driver.get(f"{base}/calendar")
    assert h1(driver).startswith("Calendar")
    assert status_of(driver, "/plans") == 200


@pytest.mark.parametrize("how", ["emptied", "removed"])
def test_a_form_without_its_csrf_field_is_refused_and_changes_nothing(driver, served, how):
    sign_in(driver, served)
    form = driver.find_element(By.CSS_SELECTOR, "form.values")
    assert form.find_element(By.TAG_NAME, "button").text == "Show member values"
    driver.execute_script(
        "const f = arguments[0].querySelector('input[name=csrf]');"
        "if (arguments[1] === 'removed') f.remove(); else f.value = '';",
        form,
        how,
    )
    click_through(driver, form.find_element(By.TAG_NAME, "button"))
    assert h1(driver) == "Not allowed"
    assert "did not come from this page" in driver.find_element(By.ID, "main").text
    assert status_of(driver, "/settings/values", "POST", {"show": "yes", "back": "/"}) == 403
    driver.get(origin(served) + "/")
    button = driver.find_element(By.CSS_SELECTOR, "form.values button")
    assert button.text == "Show member values"  # still masked
    click_through(driver, button)  # the page's own form, field intact, is accepted
    assert driver.find_element(By.CSS_SELECTOR, "form.values button").text == ("Hide member values")


def test_the_calendar_downloads_an_ics_a_calendar_program_reads(driver, downloads, served):
    sign_in(driver, served)
    click_through(driver, driver.find_element(By.LINK_TEXT, "Calendar"))
    shown = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "main tbody tr")]
    assert shown
    save_screenshot(driver, "calendar")
    driver.find_element(By.PARTIAL_LINK_TEXT, "Download for your calendar").click()
    ics = wait_for_download(downloads, ".ics")
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(shown)
    assert all(event.get("DTSTART") and event.get("SUMMARY") for event in events)


def test_every_page_has_one_heading_labelled_controls_and_reflows_at_200_percent(driver, served):
    base = sign_in(driver, served)
    pages = [href for _, href in nav_links(driver)]
    assert len(pages) >= 4 and all(href.startswith(base) for href in pages)
    click_through(driver, driver.find_element(By.LINK_TEXT, "Plans"))
    pages.append(driver.find_element(By.CSS_SELECTOR, "main tbody a").get_attribute("href"))
    pages.append(f"{base}/claims/status")  # Claims after sending, linked from Claims
    for href in pages:
        zoom(driver, 100)
        driver.get(href)
        assert "Traceback" not in driver.page_source, href
        assert accessibility_problems(driver) == [], href
        assert not (wider := scrolls_sideways(driver)), (href, wider)
        if href.endswith("/plans"):  # the other main pages are saved by the month's tests
            save_screenshot(driver, "plans")
        zoom(driver, 200)
        driver.get(href)
        assert not (wider := scrolls_sideways(driver)), (f"{href} at 200%", wider)
        assert accessibility_problems(driver) == [], href


def test_tab_from_the_top_reaches_the_first_nav_link_with_the_focus_shown(driver, served):
    sign_in(driver, served)
    focused = press_tab(driver)
    assert focused.text == "Skip to the page's content" and focus_is_visible(driver, focused)
    for _ in range(3):  # the skip link, then the navigation
        if focused.get_attribute("href") == nav_links(driver)[0][1]:
            break
        focused = press_tab(driver)
    assert focused.text == nav_links(driver)[0][0] == "Month"
    assert focus_is_visible(driver, focused)
    save_screenshot(driver, "month")


def test_every_control_on_every_page_is_reached_by_tab_with_its_focus_shown(driver, served):
    base = sign_in(driver, served)
    go(driver, "Your data")
    submit(driver, "Start with the sample dataset")  # so every form is on its page
    for href in [href for _, href in nav_links(driver)] + [f"{base}/claims/status"]:
        driver.get(href)
        assert unreachable_by_tab(driver) == [], href
