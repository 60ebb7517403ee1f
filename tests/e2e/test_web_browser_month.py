"""The month's work in a real browser, as a person who never used ecmx does it from the
page alone: put the sample dataset in, make the month and download every plan's file
(each opens in openpyxl), open a problem and see its row; merge a plan's MIF after its
preview; bill the month and download each plan's 837P. ``ecmx serve`` runs as a process
(tests/e2e/web.py), Chromium drives it (browser.py, pages.py).

With ``ECMX_SCREENSHOTS=1`` the main pages are saved to docs/screenshots/.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
from selenium.webdriver.common.by import By

from ecmx.core.calendar.periods import Period
from ecmx.core.jobs.ingest import IngestRequest, run_ingest
from ecmx.core.jobs.sample_data import SampleDataRequest, run_sample_data

from .browser import click_through, needs_chromium, wait_for_download
from .pages import (
    assert_readable,
    attach,
    choose,
    go,
    h1,
    main_text,
    save_screenshot,
    selected,
    sign_in,
    submit,
    wait_for_job_page,
)
from .web import running_server

pytestmark = needs_chromium

PLAN = "healthnet"
CIN_HEADER = "Member Client Index Number (CIN)"
ADDRESS_HEADER = "Member Residential Address"
NEW_CIN = "99887766Z"
WRONG_CIN = "96247794"  # a digit short, no letter
MARKED = "tr.here"  # a problem's row: the row of its column


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


def made_mif(kit, dataset: Path, period: str, folder: Path) -> Path:
    """Health Net's MIF made from the dataset, then as the plan's next file differs: one
    member's CIN unknown to the dataset (a new member), another's address changed."""
    run = kit.invoke("convert", dataset, "--plan", PLAN, "--kind", "mif", "--period", period,
                     "--out", folder)  # fmt: skip
    assert run.code == 0, run.err
    [path] = list(folder.iterdir())
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index(CIN_HEADER) + 1).value = NEW_CIN
    sheet.cell(3, header.index(ADDRESS_HEADER) + 1).value = "4242 Moved Ave"
    edited = folder / "from the plan" / path.name
    edited.parent.mkdir()
    book.save(edited)
    return edited


def test_a_plan_s_mif_is_previewed_then_accepted_on_your_data(driver, tmp_path, kit):
    workspace = tmp_path / "workspace"
    with running_server(workspace) as url:
        sign_in(driver, url)
        period = start_with_sample(driver)
        [dataset] = (workspace / "uploads").rglob("sample-dataset.xlsx")
        before = dataset.read_bytes()
        mif = made_mif(kit, dataset, period, tmp_path / "mif")
        expected = run_ingest(IngestRequest(mif, PLAN, dataset, tmp_path / "expected.xlsx"))

        choose(driver, "ingest-source", f"{PLAN}:mif")
        attach(driver, "ingest-file", mif)
        submit(driver, "See what it changes")
        preview = wait_for_job_page(driver)
        assert "Nothing has changed yet" in preview
        for what in ("new", "dropped", "changed", "conflict"):
            shown = driver.find_element(By.ID, f"count-{what}").text
            assert int(shown) == expected.merge.count(what), what
        assert int(driver.find_element(By.ID, "count-new").text) >= 1
        assert NEW_CIN not in preview and "***" in preview  # masked
        save_screenshot(driver, "data-preview")
        assert_readable(driver)

        submit(driver, "Accept the merge")
        done = wait_for_job_page(driver)
        assert "Merged." in done and "is now the dataset in use" in done
        go(driver, "Your data")
        assert f"sample-dataset + {mif.stem}.xlsx" in main_text(driver)
        assert dataset.read_bytes() == before  # the dataset it came from, untouched
        go(driver, "Month")
        assert mif.name in main_text(driver)  # received from the plan


def test_bill_the_month_and_download_each_plan_s_837p(driver, downloads, tmp_path):
    workspace = tmp_path / "workspace"
    with running_server(workspace) as url:
        sign_in(driver, url)
        period = start_with_sample(driver)
        go(driver, "Claims")
        assert selected(driver, "claims-period") == period
        assert selected(driver, "claims-format") == "837p"
        save_screenshot(driver, "claims")
        submit(driver, "Bill the month")
        text = wait_for_job_page(driver)
        assert f"Claims for {period}, by plan" in text
        save_screenshot(driver, "claims-result")
        assert_readable(driver)
        rows = driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")
        billed = 0
        for row in rows:
            links = row.find_elements(By.PARTIAL_LINK_TEXT, "Download ")
            if not links:
                continue
            [x12] = download_each(driver, downloads, links)
            body = x12.read_text("ascii")
            assert body.startswith("ISA*") and "ST*837*" in body
            cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
            charges = [float(a) for a in re.findall(r"(?:^|~)\s*CLM\*[^*~]*\*([0-9.]+)", body)]
            assert len(charges) == int(cells[0]), x12.name  # claims (members)
            assert round(sum(charges), 2) == float(cells[2].replace(",", "")), x12.name  # billed
            billed += 1
        assert billed >= 1
        assert h1(driver)


def test_check_a_file_shows_a_damaged_cell_and_hands_back_the_marked_workbook(
    driver, downloads, tmp_path, kit
):
    period = str(last_month())
    sample = tmp_path / "sample" / "clinic data.xlsx"
    run_sample_data(SampleDataRequest(sample, period=last_month()))
    run = kit.invoke("convert", sample, "--plan", PLAN, "--kind", "rtf", "--period", period,
                     "--out", tmp_path / "made")  # fmt: skip
    assert run.code == 0, run.err
    [rtf] = list((tmp_path / "made").glob("*RTF*.xlsx"))
    book = openpyxl.load_workbook(rtf)
    header = [c.value for c in book.worksheets[0][1]]
    column = header.index(CIN_HEADER) + 1
    book.worksheets[0].cell(2, column).value = WRONG_CIN  # edited by hand, wrongly
    damaged = tmp_path / "edited" / rtf.name
    damaged.parent.mkdir()
    book.save(damaged)
    sent = damaged.read_bytes()
    workspace = tmp_path / "workspace"
    with running_server(workspace) as url:
        sign_in(driver, url)
        go(driver, "Check a file")
        attach(driver, "file", damaged)
        choose(driver, "plan", PLAN)
        choose(driver, "kind", "rtf")
        choose(driver, "period", period)
        save_screenshot(driver, "check")
        submit(driver, "Check the file")
        text = wait_for_job_page(driver)
        cell = f"{book.worksheets[0].title}!{openpyxl.utils.get_column_letter(column)}2"
        assert re.search(r"\d+ problems? found", text) and cell in text, text
        assert WRONG_CIN not in text  # masked
        save_screenshot(driver, "check-result")
        assert_readable(driver)
        driver.find_element(By.PARTIAL_LINK_TEXT, "Download the workbook").click()
        marked = openpyxl.load_workbook(wait_for_download(downloads, ".xlsx"))
        at = marked.worksheets[0][cell.split("!")[1]]
        assert at.value == WRONG_CIN and "CIN" in at.comment.text  # marked at its cell
    assert damaged.read_bytes() == sent  # the person's file, untouched
    assert (workspace / "uploads" / damaged.name).read_bytes() == sent  # kept as sent
