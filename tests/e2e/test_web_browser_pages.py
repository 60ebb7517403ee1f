"""Your data, Claims, Capacity and Check a file in a real browser: a plan's MIF merged
after its preview; the month billed and each plan's 837P downloaded; the capacity figures
read and their .xlsx downloaded; a hand-damaged plan file checked and its marked workbook
downloaded. ``ecmx serve`` runs as a process
(tests/e2e/web.py), Chromium drives it (browser.py, pages.py). With
``ECMX_SCREENSHOTS=1`` the pages are saved to docs/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from selenium.webdriver.common.by import By

from ecmx.core.jobs.ingest import IngestRequest, run_ingest
from ecmx.core.jobs.sample_data import SampleDataRequest, run_sample_data

from .browser import needs_chromium, wait_for_download
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
    selected,
    sign_in,
    start_with_sample,
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


def test_capacity_shows_the_samples_figures_and_downloads_them_as_xlsx(driver, downloads, tmp_path):
    with running_server(tmp_path / "workspace") as url:
        sign_in(driver, url)
        period = start_with_sample(driver)
        go(driver, "Capacity")
        assert selected(driver, "capacity-period") == period
        assert h1(driver) == f"Capacity: period {period}"
        rows = driver.find_elements(By.CSS_SELECTOR, "main tr[data-plan]")
        shown = {row.get_attribute("data-plan"): row for row in rows}
        assert set(shown) == {"healthnet", "calviva", "chpiv", "chwp", "partnership"}
        save_screenshot(driver, "capacity")
        assert_readable(driver)
        driver.find_element(By.PARTIAL_LINK_TEXT, "Download the capacity report").click()
        book = openpyxl.load_workbook(wait_for_download(downloads, ".xlsx"), read_only=True)
        header, *body = list(book["plans"].values)
        book.close()
        for values in body:
            row = dict(zip(header, values, strict=True))
            cells = [c.text for c in shown[row["plan"]].find_elements(By.TAG_NAME, "td")]
            assert cells[0] == str(row["enrolled"]) and cells[6] == row["ratio"], row["plan"]


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
