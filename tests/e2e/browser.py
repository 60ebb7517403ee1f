"""A real browser for the web page's tests: Debian's Chromium (``/usr/bin/chromium``)
driven by selenium through Debian's ``/usr/bin/chromedriver``, headless, 1280x900.

Nothing is downloaded while tests run: the driver and browser paths are given, and
``SE_OFFLINE=true`` stops Selenium Manager from fetching a driver or a browser (it would
otherwise look for a newer Chrome). Skipped off CI when Chromium or its driver is not
installed (``apt-get install --no-install-recommends chromium chromium-driver``, as
.ci/run does); on CI it must run.

``chrome(download_dir)`` makes the driver (files the page hands back land in
``download_dir`` without a prompt); ``wait_for_download``, ``zoom`` and ``screenshot``
are what the tests do with it. Works with selenium 4.20 (the oldest allowed) and newer.
"""

from __future__ import annotations

import base64
import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WIDTH, HEIGHT = 1280, 900

needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()) and not os.environ.get("CI"),
    reason="Chromium is not installed: apt-get install chromium chromium-driver",
)


@contextlib.contextmanager
def chrome(download_dir: Path) -> Iterator:
    """A headless Chromium that saves downloads to ``download_dir`` without asking."""
    # Before selenium is imported and the driver made: Selenium Manager reads it.
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    download_dir = Path(download_dir).resolve()
    download_dir.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start;
    # --disable-dev-shm-usage: containers give /dev/shm 64 MB, too little for a tab.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     f"--window-size={WIDTH},{HEIGHT}", "--disable-gpu",
                     "--no-first-run", "--no-default-browser-check",
                     "--disable-search-engine-choice-screen"):  # fmt: skip
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(download_dir),
        "download.prompt_for_download": False,
        "download.directory_upgrade": True,
        "safebrowsing.enabled": False,
        # a page handing back several files (each plan's) must not ask "allow multiple?"
        "profile.default_content_setting_values.automatic_downloads": 1,
    })  # fmt: skip
    service = Service(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_window_size(WIDTH, HEIGHT)
        # Headless Chromium has not always honoured the download preference: say it again
        # through the DevTools protocol, for the whole browser.
        driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(download_dir),
                                "eventsEnabled": False})  # fmt: skip
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()


def click_through(driver, element, timeout: float = 30) -> None:
    """Click a link or a form's button and wait until the next page has loaded: a click
    returns before a form's answer arrives, and reading the page then reads the old one."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    old = driver.find_element("tag name", "html")
    element.click()
    wait = WebDriverWait(driver, timeout)
    wait.until(expected_conditions.staleness_of(old))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def wait_for_download(folder: Path, suffix: str, timeout: float = 30) -> Path:
    """The one file ending in ``suffix`` that appears in ``folder``, once Chromium has
    finished writing it (no ``.crdownload`` left and its size steady)."""
    deadline = time.monotonic() + timeout
    last: dict[Path, int] = {}
    while time.monotonic() < deadline:
        partial = list(Path(folder).glob("*.crdownload"))
        done = sorted(path for path in Path(folder).glob(f"*{suffix}") if path.is_file())
        if done and not partial:
            sizes = {path: path.stat().st_size for path in done}
            if sizes == last:
                if len(done) > 1:
                    raise AssertionError(f"more than one {suffix} downloaded: {done}")
                return done[0]
            last = sizes
        time.sleep(0.2)
    found = sorted(path.name for path in Path(folder).iterdir()) if Path(folder).exists() else []
    raise AssertionError(f"no {suffix} downloaded to {folder} within {timeout} s: {found}")


def zoom(driver, percent: int) -> None:
    """What the browser's own zoom does to layout: at 200% a 1280 px window lays the page
    out in 640 CSS pixels, each drawn twice as large. (CSS ``zoom`` or a page scale factor
    magnify without narrowing the viewport, so they would hide a page that does not
    reflow.) ``zoom(driver, 100)`` goes back to normal."""
    if percent == 100:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        return
    width, height = int(WIDTH * 100 / percent), int(HEIGHT * 100 / percent)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height,
                            "deviceScaleFactor": percent / 100, "mobile": False})  # fmt: skip


_WIDER = """const e = document.documentElement;
if (e.scrollWidth <= e.clientWidth + 1) return '';
const wide = [...document.querySelectorAll('body *')]
    .filter((x) => x.getBoundingClientRect().right > e.clientWidth + 1).slice(-3);
return `${e.scrollWidth} px wide in ${e.clientWidth}: `
    + wide.map((x) => x.outerHTML.slice(0, 100)).join(' | ');"""


def scrolls_sideways(driver, settle: float = 3.0) -> str:
    """What makes the page wider than the window (a horizontal scroll bar): its width
    and the innermost elements that stick out; empty (false) when it fits. A page that
    does not fit is asked again for ``settle`` seconds: on a loaded machine a page just
    loaded was seen laid out wider for a moment (a page that does not reflow stays wide)."""
    deadline = time.monotonic() + settle
    while (wider := driver.execute_script(_WIDER)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return wider


def screenshot(driver, path: Path, max_height: int = 1600) -> Path:
    """A PNG of the whole page (not only the window), at most ``max_height`` tall, at the
    window's width: small enough to commit under docs/screenshots."""
    # the window's width (1280), not the page's (less its scroll bar): a capture beyond
    # the viewport has no scroll bar
    width, height = driver.execute_script(
        "return [window.innerWidth, document.documentElement.scrollHeight];"
    )
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(height, max_height), "scale": 1},
    })  # fmt: skip
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


# Every control a person fills or picks, and whether something names it for a screen
# reader: a <label for>, a wrapping <label>, aria-label or aria-labelledby.
_UNLABELLED = """
const named = (e) => (e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`))
    || e.closest('label') || (e.getAttribute('aria-label') || '').trim()
    || (e.getAttribute('aria-labelledby') || '').trim();
return [...document.querySelectorAll('input, select, textarea')]
    .filter((e) => !['hidden', 'submit', 'button', 'reset', 'image'].includes(e.type))
    .filter((e) => !named(e)).map((e) => e.outerHTML.slice(0, 120));
"""


def accessibility_problems(driver) -> list[str]:
    """What a person with a screen reader or a keyboard would trip on, on the current
    page: not exactly one <h1>, a control without a label, a table header cell without
    ``scope``. Empty when the page is fine."""
    problems = []
    h1 = len(driver.find_elements("css selector", "h1"))
    if h1 != 1:
        problems.append(f"{h1} <h1> on the page (one expected)")
    problems += [f"no label: {control}" for control in driver.execute_script(_UNLABELLED)]
    unscoped = driver.execute_script(
        "return [...document.querySelectorAll('table th:not([scope])')].map(e => e.outerHTML)"
    )
    problems += [f"<th> without scope: {cell[:120]}" for cell in unscoped]
    return problems


def press_tab(driver, times: int = 1):
    """Press Tab as a keyboard user does; the element that has the focus then."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    # Keys go to the focused window; a headless window just loaded may not have the focus
    # yet, and a Tab pressed then is lost (seen: the body stayed focused).
    deadline = time.monotonic() + 10
    while not driver.execute_script(
        "window.focus(); return document.readyState === 'complete' && document.hasFocus();"
    ):
        if time.monotonic() > deadline:
            raise AssertionError("the page never had the keyboard focus")
        time.sleep(0.05)
    for _ in range(times):
        ActionChains(driver).send_keys(Keys.TAB).perform()
    return driver.switch_to.active_element


def focus_is_visible(driver, element) -> bool:
    """True when the focused ``element`` is drawn differently from its unfocused self:
    an outline or a box shadow (what :focus-visible styles give a keyboard user)."""
    return bool(driver.execute_script("""
        const e = arguments[0], s = getComputedStyle(e);
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
        return e === document.activeElement && e.matches(':focus-visible')
            && (outline || (s.boxShadow && s.boxShadow !== 'none'));
    """, element))  # fmt: skip


# The controls a keyboard user must reach with Tab: one stop per radio group (the arrow
# keys move within it), nothing hidden or disabled.
_TAB_STOPS = """
const seen = new Set();
return [...document.querySelectorAll('a[href], button, input, select, textarea')]
    .filter((e) => !e.disabled && e.type !== 'hidden' && e.getClientRects().length
        && getComputedStyle(e).visibility !== 'hidden')
    .filter((e) => {
        if (e.type !== 'radio') return true;
        if (seen.has(e.name)) return false;
        seen.add(e.name); return true;
    });
"""


def unreachable_by_tab(driver) -> list[str]:
    """The controls of the current page that Tab from the top never reaches, or reaches
    without drawing the focus (a radio group counts once); empty when all are fine."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    stops = driver.execute_script(_TAB_STOPS)
    wanted = {stop.id: stop for stop in stops}
    driver.execute_script("document.activeElement && document.activeElement.blur();"
                          "window.scrollTo(0, 0);")  # fmt: skip
    # A control may hold several stops (a date field: month, day, year, its picker);
    # its focus counts as shown when any of them showed it.
    reached, shown = set(), set()
    focused = press_tab(driver)  # waits for the window to have the focus first
    for _ in range(len(stops) + 5):
        here = {focused.id}
        if focused.get_attribute("type") == "radio":  # the group's one stop
            name = focused.get_attribute("name")
            here |= {s.id for s in stops if s.get_attribute("name") == name}
        reached |= here
        if here & wanted.keys() and focus_is_visible(driver, focused):
            shown |= here
        if shown >= wanted.keys() or not driver.execute_script("return document.hasFocus()"):
            break  # all reached, or Tab went past the page's last control to the browser
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focused = driver.switch_to.active_element

    def html(element) -> str:
        return element.get_attribute("outerHTML")[:100]

    return [f"not reached by Tab: {html(s)}" for i, s in wanted.items() if i not in reached] + [
        f"focus not shown: {html(s)}" for i, s in wanted.items() if i in reached - shown
    ]
