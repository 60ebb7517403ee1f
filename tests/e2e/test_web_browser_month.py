"""Making the month in a real browser, as a person who never used ecmx does it from the
page alone: upload a workbook with a CIN typed wrong, make the month, see the problem at
its row, fix it, make again and download every plan's file (each opens in openpyxl) and
the zip; send a plan's files to its sFTP server (a real sshd) from the result page.
``ecmx serve`` runs as a process (tests/e2e/web.py), Chromium drives it (browser.py,
pages.py). With ``ECMX_SCREENSHOTS=1`` the pages are saved to docs/screenshots/.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import yaml
from selenium.webdriver.common.by import By

from ecmx.core.calendar.periods import Period
from ecmx.core.jobs.sample_data import SampleDataRequest, run_sample_data

from .browser import click_through, needs_chromium, wait_for_download
from .pages import (
    assert_readable,
    attach,
    choose,
    download_each,
    go,
    h1,
    last_month,
    main_text,
    save_screenshot,
    sign_in,
    submit,
    wait_for_job_page,
)
from .sshd import needs_sshd
from .web import running_server

pytestmark = needs_chromium

PLAN = "healthnet"
WRONG_CIN = "96247794"  # a digit short, no letter
MARKED = "tr.here"  # a problem's row: the row of its column


def with_a_wrong_cin(sample: Path, out: Path) -> Path:
    """The sample as a clerk might have typed it: member row 2's CIN a digit short."""
    book = openpyxl.load_workbook(sample)
    book["members"]["B2"] = WRONG_CIN
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def make_the_month(driver, period: Period, replace: bool = False) -> str:
    go(driver, "Make the month")
    choose(driver, "period", str(period))
    if replace:
        driver.find_element(By.ID, "force").click()
    save_screenshot(driver, "make")
    submit(driver, "Make the files")
    assert re.search(r"/jobs/\d+$", driver.current_url)
    return wait_for_job_page(driver)


def test_make_the_month_see_a_problem_s_row_fix_it_and_download_every_file(
    driver, downloads, tmp_path
):
    period = last_month()
    sample = tmp_path / "sample" / "clinic data.xlsx"
    run_sample_data(SampleDataRequest(sample, period=period))
    typed = with_a_wrong_cin(sample, tmp_path / "typed" / "clinic data.xlsx")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.copy(sample.parent / "provider.yaml", workspace / "provider.yaml")
    with running_server(workspace) as url:
        sign_in(driver, url)
        go(driver, "Your data")
        attach(driver, "dataset-file", typed)
        submit(driver, "Upload")
        assert "clinic data.xlsx" in main_text(driver)
        save_screenshot(driver, "data")

        # the wrong CIN holds Health Net's files back, and is shown at its cell
        text = make_the_month(driver, period)
        assert "Some files were held back" in text and "Make anyway" in text
        save_screenshot(driver, "make-result")
        assert_readable(driver)
        place = driver.find_element(By.PARTIAL_LINK_TEXT, "members!B2")
        click_through(driver, place)
        assert "CIN" in h1(driver) and "members!B2" in main_text(driver)
        marked = driver.find_element(By.CSS_SELECTOR, MARKED)
        assert "(this problem)" in marked.text and "***" in marked.text
        assert WRONG_CIN not in driver.page_source  # masked
        save_screenshot(driver, "problem")
        assert_readable(driver)
        click_through(driver, driver.find_element(By.CSS_SELECTOR, "form.values button"))
        assert WRONG_CIN in driver.find_element(By.CSS_SELECTOR, MARKED).text
        click_through(driver, driver.find_element(By.CSS_SELECTOR, "form.values button"))
        click_through(driver, driver.find_element(By.LINK_TEXT, "Back to the results"))
        assert "Problems found" in main_text(driver)

        # fixed in the workbook and uploaded again: every plan's files made
        go(driver, "Your data")
        attach(driver, "dataset-file", sample)
        submit(driver, "Upload")
        assert "clinic data (2).xlsx" in main_text(driver)  # the first one kept
        text = make_the_month(driver, period, replace=True)
        assert re.search(r"Made \d+ files from \S*clinic data \(2\)\.xlsx", text), text
        assert "held back" not in text

        links = driver.find_elements(By.CSS_SELECTOR, "main table a[href*='/files/']")
        made = download_each(driver, downloads, links)
        assert len(made) >= 10 and len({p.name for p in made}) == len(made)
        for path in made:
            book = openpyxl.load_workbook(path, read_only=True)
            assert max(sheet.max_row or 0 for sheet in book.worksheets) >= 2, path.name
            book.close()
        driver.find_element(By.LINK_TEXT, "Download all as a zip").click()
        with zipfile.ZipFile(wait_for_download(downloads, ".zip")) as archive:
            assert {p.name for p in made} <= set(archive.namelist())

        go(driver, "Month")
        choose(driver, "period", str(period))
        submit(driver, "Show")
        board = main_text(driver)
        assert sum(path.name in board for path in made) >= 1
        save_screenshot(driver, "month")


@needs_sshd
def test_the_month_made_is_sent_to_a_plan_s_sftp_from_the_result_page(driver, tmp_path, sshd):
    from ecmx.core.jobs.sftp import SftpTrustRequest, run_sftp_trust

    period = last_month()
    sample = tmp_path / "sample" / "clinic data.xlsx"
    run_sample_data(SampleDataRequest(sample, period=period))
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    remote = tmp_path / "the plan's server"
    remote.mkdir()
    profile = yaml.safe_load((sample.parent / "provider.yaml").read_text("utf-8"))
    profile["plans"][PLAN]["sftp"] = {
        "host": sshd.host, "port": sshd.port, "user": sshd.user, "path": str(remote),
        "key": str(sshd.client_key), "known_hosts": str(tmp_path / "known_hosts"),
    }  # fmt: skip
    provider = workspace / "provider.yaml"
    provider.write_text(yaml.safe_dump(profile), "utf-8")
    run_sftp_trust(SftpTrustRequest(PLAN, provider=provider, yes=True))
    with running_server(workspace) as url:
        sign_in(driver, url)
        go(driver, "Your data")
        attach(driver, "dataset-file", sample)
        submit(driver, "Upload")
        text = make_the_month(driver, period)
        assert "send its files by the plan's secure email" in text  # the others
        submit(driver, "Send to Health Net")
        sent = wait_for_job_page(driver)
        assert "Sent 3 files to Health Net" in sent, sent  # RTF, OTF, CSPRTF
        assert_readable(driver)
        on_server = sorted(path.name for path in remote.iterdir())
        assert on_server == sorted(
            path.name for path in (workspace / "outbox" / str(period)).glob("*_HN_*")
        )
        assert all(name in sent for name in on_server)
        click_through(driver, driver.find_element(By.LINK_TEXT, "See the month"))
        rows = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "main tbody tr")]
        assert [r for r in rows if r.startswith("Health Net")] and all(
            "not sent" not in r for r in rows if r.startswith("Health Net")
        ), rows
