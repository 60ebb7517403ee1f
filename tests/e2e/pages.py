"""Driving ecmx's own pages in the browser (browser.py is the browser itself): signing in
with the printed address, reading a page, waiting for a job's progress page to finish,
choosing and uploading, and the screenshots for docs/screenshots/."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from ecmx.core.calendar.periods import Period

from .browser import (
    accessibility_problems,
    click_through,
    screenshot,
    scrolls_sideways,
    wait_for_download,
    zoom,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_screenshot(driver, name: str) -> None:
    """docs/screenshots/NAME.png, when ECMX_SCREENSHOTS=1 (at 100% zoom, 1280 wide)."""
    if os.environ.get("ECMX_SCREENSHOTS") == "1":
        screenshot(driver, SCREENSHOTS / f"{name}.png")


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def h1(driver) -> str:
    return driver.find_element(By.TAG_NAME, "h1").text


def main_text(driver) -> str:
    return driver.find_element(By.ID, "main").text


def sign_in(driver, url: str) -> str:
    """Open the printed address, as the person does; the page's origin."""
    driver.get(url)
    # The first address answers with a redirect that drops the token; get() was seen to
    # return before the page it leads to had loaded.
    WebDriverWait(driver, 30).until(
        lambda d: "token=" not in d.current_url and d.find_elements(By.CSS_SELECTOR, "nav a")
    )
    return origin(url)


def nav_links(driver) -> list[tuple[str, str]]:
    return [
        (link.text, link.get_attribute("href"))
        for link in driver.find_elements(By.CSS_SELECTOR, "nav a")
    ]


def go(driver, label: str) -> None:
    """Follow the navigation link ``label`` (Month, Your data, Make the month, ...)."""
    click_through(driver, driver.find_element(By.CSS_SELECTOR, "nav").find_element(
        By.LINK_TEXT, label))  # fmt: skip


def status_of(driver, path: str, method: str = "GET", form: dict | None = None) -> int:
    """The HTTP status the page's own origin gets for ``path`` (what the browser sent
    with it: its cookie, or none)."""
    return driver.execute_async_script(
        """const [path, method, form, done] = arguments;
        const body = form ? new URLSearchParams(form) : undefined;
        fetch(path, {method, body, redirect: 'manual'}).then(r => done(r.status));""",
        path,
        method,
        form,
    )


def choose(driver, select_id: str, value: str) -> None:
    Select(driver.find_element(By.ID, select_id)).select_by_value(value)


def selected(driver, select_id: str) -> str:
    return Select(driver.find_element(By.ID, select_id)).first_selected_option.get_attribute(
        "value"
    )


def attach(driver, input_id: str, *files: Path) -> None:
    """Pick files in a file field, as the file dialog would."""
    driver.find_element(By.ID, input_id).send_keys("\n".join(str(f) for f in files))


def submit(driver, button_text: str) -> None:
    """Press the button labelled ``button_text`` and wait for the next page."""
    button = driver.find_element(By.XPATH, f'//main//button[normalize-space()="{button_text}"]')
    click_through(driver, button)


def wait_for_job_page(driver, timeout: float = 180) -> str:
    """Wait while the job's page refreshes itself (it holds a meta refresh until the job
    is done); the finished page's text. Saw the progress page at least once or not: a
    short job may finish before the first look."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            waiting = driver.execute_script(
                "return document.readyState !== 'complete'"
                " || !!document.querySelector('meta[http-equiv=refresh]');"
            )
            if not waiting:
                return main_text(driver)
        except (StaleElementReferenceException, WebDriverException):
            pass  # the page was replaced while it was read
        time.sleep(0.25)
    raise AssertionError(f"the job at {driver.current_url} did not finish in {timeout} s")


def assert_readable(driver) -> None:
    """The page as it is now: one h1, labels, table headers with scope, and no sideways
    scrolling at 100% nor at 200% zoom (the layout changes without a reload)."""
    assert accessibility_problems(driver) == [], driver.current_url
    try:
        for percent in (100, 200):
            zoom(driver, percent)
            wider = scrolls_sideways(driver)
            assert not wider, (f"{driver.current_url} at {percent}%", wider)
    finally:
        zoom(driver, 100)


def last_month() -> Period:
    """The month the page offers first (the sample's, the claims')."""
    return Period.containing(date.today()).shift(-1)


def download_each(driver, downloads: Path, links) -> list[Path]:
    """Click each download link; the files, once saved."""
    saved = []
    for link in links:
        name = link.text.removeprefix("Download ").strip()
        link.click()
        saved.append(wait_for_download(downloads, name))
    return saved


def start_with_sample(driver) -> str:
    """Your data: "Start with the sample dataset", for the month offered; that month."""
    go(driver, "Your data")
    period = selected(driver, "sample-period")
    submit(driver, "Start with the sample dataset")
    assert "sample-dataset.xlsx" in main_text(driver)
    return period
