"""The Your data page through starlette's TestClient: the sample dataset, an upload, and a
plan's MIF merged after a preview (what it shows is what ``ingest`` says; accepting
records it and changes nothing of the original dataset)."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from ecmx.core.dataset.read import read_dataset
from ecmx.core.jobs.ingest import IngestRequest, run_ingest
from ecmx.core.ledger.records import listing
from ecmx.core.web.current import current_dataset
from tests.e2e.web import csrf, wait_for_job, web_client

PLAN = "healthnet"
CIN_HEADER = "Member Client Index Number (CIN)"
ADDRESS_HEADER = "Member Residential Address"
NEW_CIN = "99887766Z"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def start_with_sample(client) -> Path:
    page = client.post("/data/sample", data={**csrf(), "period": "2025-11"})
    assert page.status_code == 303 and page.headers["location"] == "/data"
    return client.app.state.config.workspace


def test_the_sample_dataset_button_makes_it_the_dataset_in_use(tmp_path):
    with web_client(tmp_path / "ws") as client:
        assert "No dataset chosen yet" in client.get("/data").text
        workspace = start_with_sample(client)
        dataset = current_dataset(workspace)
        assert dataset == workspace / "uploads" / "sample" / "sample-dataset.xlsx"
        assert (dataset.parent / "provider.yaml").is_file()
        page = client.get("/data").text
        assert "uploads/sample/sample-dataset.xlsx" in page
        assert re.search(r"<th scope=\"row\">Health Net</th><td>\d+</td>", page)
        # a second sample never replaces the first: a folder of its own
        start_with_sample(client)
        assert current_dataset(workspace).parent.name == "sample (2)"
        assert (workspace / "uploads" / "sample" / "sample-dataset.xlsx").is_file()


def test_an_uploaded_workbook_becomes_the_dataset_in_use_and_can_be_chosen_back(tmp_path):
    with web_client(tmp_path / "ws") as client:
        workspace = start_with_sample(client)
        sample = current_dataset(workspace)
        body = sample.read_bytes()
        files = {"dataset": ("clinic data.xlsx", body, XLSX)}
        assert client.post("/data/upload", data=csrf(), files=files).status_code == 303
        uploaded = workspace / "uploads" / "clinic data.xlsx"
        assert current_dataset(workspace) == uploaded and uploaded.read_bytes() == body
        client.post("/data/upload", data=csrf(), files=files)
        assert current_dataset(workspace).name == "clinic data (2).xlsx"  # no clobber
        page = client.get("/data").text
        assert "uploads/clinic data (2).xlsx" in page and "uploads/clinic data.xlsx" in page
        chosen = client.post("/data/choose", data={**csrf(), "dataset": "uploads/clinic data.xlsx"})
        assert chosen.status_code == 303 and current_dataset(workspace) == uploaded
        away = client.post("/data/choose", data={**csrf(), "dataset": "../../etc/passwd"})
        assert away.status_code == 400 and current_dataset(workspace) == uploaded


def test_a_dataset_of_csv_files_gets_a_folder_of_its_own(tmp_path):
    with web_client(tmp_path / "ws") as client:
        files = [
            ("dataset", ("members.csv", b"member_id,cin,plan\n", "text/csv")),
            ("dataset", ("enrollments.csv", b"member_id,status\n", "text/csv")),
        ]
        assert client.post("/data/upload", data=csrf(), files=files).status_code == 303
        workspace = client.app.state.config.workspace
        folder = current_dataset(workspace)
        assert folder == workspace / "uploads" / "dataset"
        assert sorted(p.name for p in folder.iterdir()) == ["enrollments.csv", "members.csv"]
        one = [("dataset", ("enrollments.csv", b"member_id,status\n", "text/csv"))]
        refused = client.post("/data/upload", data=csrf(), files=one)
        assert refused.status_code == 400 and "needs members.csv" in refused.text


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"dataset": ("notes.txt", b"hello", "text/plain")}, "ecmx takes .xlsx or .xlsm here"),
        ({"dataset": ("fake.xlsx", b"not a zip", XLSX)}, "not an Excel workbook"),
        (None, "choose a dataset to upload first"),
    ],
)
def test_an_upload_is_refused_in_one_line(tmp_path, files, says):
    with web_client(tmp_path / "ws") as client:
        page = client.post("/data/upload", data=csrf(), files=files or {"x": ("", b"", "")})
        assert page.status_code == 400 and says in page.text
        assert "Traceback" not in page.text
        assert current_dataset(client.app.state.config.workspace) is None


# ------------------------------------------------------------------ a plan's MIF, merged


def made_mif(kit, dataset: Path, folder: Path) -> Path:
    """Health Net's MIF from the dataset, then as the plan's next file differs: one member's
    CIN unknown to the dataset (a new member) and another's address changed."""
    run = kit.invoke(
        "convert", dataset, "--plan", PLAN, "--kind", "mif", "--period", "2025-11",
        "--out", folder, "--production-date", "2025-12-03",
    )  # fmt: skip
    assert run.code == 0, run.err
    [path] = list(folder.iterdir())
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    cin_at, address_at = header.index(CIN_HEADER) + 1, header.index(ADDRESS_HEADER) + 1
    sheet.cell(2, cin_at).value = NEW_CIN
    sheet.cell(3, address_at).value = "4242 Moved Ave"
    edited = folder / "plan" / path.name
    edited.parent.mkdir()
    book.save(edited)
    return edited


def drop_mif(client, mif: Path):
    files = {"file": (mif.name, mif.read_bytes(), XLSX)}
    page = client.post("/data/ingest", data={**csrf(), "source": f"{PLAN}:mif"}, files=files)
    assert page.status_code == 303, page.text
    return page.headers["location"], wait_for_job(client, page.headers["location"])


def count(page: str, what: str) -> int:
    return int(re.search(rf'id="count-{what}">(\d+)<', page).group(1))


def test_a_mif_is_previewed_then_merged_into_a_new_dataset(tmp_path, kit):
    with web_client(tmp_path / "ws") as client:
        workspace = start_with_sample(client)
        dataset = current_dataset(workspace)
        before = dataset.read_bytes()
        mif = made_mif(kit, dataset, tmp_path / "mif")
        expected = run_ingest(
            IngestRequest(mif, PLAN, dataset, tmp_path / "expected.xlsx")
        ).merge  # fmt: skip
        location, preview = drop_mif(client, mif)
        assert "Nothing has changed yet" in preview.text
        for what in ("new", "dropped", "changed", "conflict"):
            assert count(preview.text, what) == expected.count(what), what
        assert count(preview.text, "new") >= 1 and count(preview.text, "changed") >= 1
        assert NEW_CIN not in preview.text and "***" in preview.text  # masked
        [previewed] = list((workspace / "uploads" / "previews").iterdir())
        assert listing(workspace) == []  # a preview records nothing
        job = location.rsplit("/", 1)[1]

        accepted = client.post(f"/data/ingest/{job}/accept", data=csrf())
        assert accepted.status_code == 303
        done = wait_for_job(client, accepted.headers["location"])
        assert "Merged." in done.text and "is now the dataset in use" in done.text
        merged = current_dataset(workspace)
        assert merged == dataset.parent / f"sample-dataset + {mif.stem}.xlsx"
        assert NEW_CIN in set(read_dataset(merged).members["cin"])
        assert not previewed.exists()
        assert dataset.read_bytes() == before  # the original, untouched
        [received] = listing(workspace)
        assert received["direction"].startswith("received") and received["plan"] == PLAN
        assert received["kind"] == "mif" and received["findings"].startswith("ingested")
        # a second click is the same merge, not a second one
        again = client.post(f"/data/ingest/{job}/accept", data=csrf())
        assert again.headers["location"] == accepted.headers["location"]


def test_a_discarded_preview_leaves_nothing_behind_and_cannot_be_accepted(tmp_path, kit):
    with web_client(tmp_path / "ws") as client:
        workspace = start_with_sample(client)
        dataset = current_dataset(workspace)
        location, _ = drop_mif(client, made_mif(kit, dataset, tmp_path / "mif"))
        job = location.rsplit("/", 1)[1]
        assert client.post(f"/data/ingest/{job}/discard", data={}).status_code == 403
        assert client.post(f"/data/ingest/{job}/accept", data={}).status_code == 403
        assert client.post(f"/data/ingest/{job}/discard", data=csrf()).status_code == 303
        assert list((workspace / "uploads" / "previews").iterdir()) == []
        late = client.post(f"/data/ingest/{job}/accept", data=csrf())
        assert late.status_code == 400 and "discarded" in late.text
        assert current_dataset(workspace) == dataset and listing(workspace) == []


def test_accepting_after_the_dataset_changed_is_refused(tmp_path, kit):
    with web_client(tmp_path / "ws") as client:
        workspace = start_with_sample(client)
        dataset = current_dataset(workspace)
        location, _ = drop_mif(client, made_mif(kit, dataset, tmp_path / "mif"))
        shutil.copy(dataset, tmp_path / "keep.xlsx")
        dataset.write_bytes(dataset.read_bytes() + b"\0")  # changed by someone meanwhile
        page = client.post(f"{location.replace('/jobs/', '/data/ingest/')}/accept", data=csrf())
        assert page.status_code == 400 and "changed since the preview" in page.text


def test_dropping_a_plan_file_is_refused_without_a_dataset_or_a_file(tmp_path):
    with web_client(tmp_path / "ws") as client:
        body = {**csrf(), "source": f"{PLAN}:mif"}
        files = {"file": ("mif.xlsx", b"PK\x03\x04", XLSX)}
        page = client.post("/data/ingest", data=body, files=files)
        assert page.status_code == 400 and "choose or upload your dataset first" in page.text
        start_with_sample(client)
        none = client.post("/data/ingest", data=body, files={"x": ("", b"", "")})
        assert none.status_code == 400
        assert "choose a plan's file to upload first" in html.unescape(none.text)
        wrong = client.post("/data/ingest", data=body, files={"file": ("mif.pdf", b"%PDF", "x")})
        assert wrong.status_code == 400 and "not .pdf" in wrong.text


def test_a_cell_that_cannot_be_read_merges_nothing_and_links_its_row(tmp_path, kit):
    with web_client(tmp_path / "ws") as client:
        workspace = start_with_sample(client)
        mif = made_mif(kit, current_dataset(workspace), tmp_path / "mif")
        book = openpyxl.load_workbook(mif)
        header = [c.value for c in book.worksheets[0][1]]
        book.worksheets[0].cell(4, header.index("Member Date of Birth") + 1).value = "soon"
        book.save(mif)
        _, page = drop_mif(client, mif)
        assert "Nothing was merged: 1 cell could not be read" in page.text
        assert "Accept the merge" not in page.text
        assert "Must be fixed:</span> not a date" in page.text
        link = re.search(r'href="(/jobs/\d+/findings/\d+)">([^<]+)<', page.text)
        assert link.group(2) == f"MIF!{header_letter(header.index('Member Date of Birth'))}4"
        row = client.get(link.group(1)).text
        assert "Member Date of Birth <strong>(this problem)</strong>" in row
        assert "soon" not in row and "***" in row
        client.post("/settings/values", data={**csrf(), "show": "yes", "back": "/"})
        assert "<td>soon</td>" in client.get(link.group(1)).text


def header_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def test_only_datasets_are_offered_not_plan_files_kept_beside_them(tmp_path):
    with web_client(tmp_path / "ws") as client:
        workspace = start_with_sample(client)
        book = openpyxl.Workbook()
        book.active.title = "MIF"
        book.save(workspace / "uploads" / "SUNRISE_HN_ECM_RTF_20251203.xlsx")
        page = client.get("/data").text
        assert "uploads/sample/sample-dataset.xlsx" in page and "SUNRISE_HN" not in page


# ------------------------------------------------------------------ a plan's CSASF, merged

CSASF_HEADERS = ("Member CIN", "CS Service", "Authorization Status", "Authorization Number")


def test_the_csasf_is_offered_for_the_plans_that_send_it_only(tmp_path):
    with web_client(tmp_path / "ws") as client:
        start_with_sample(client)
        page = html.unescape(client.get("/data").text)
        offered = set(re.findall(r'<option value="([a-z_]+:[a-z_]+)">', page))
        assert {"healthnet:csasf", "calviva:csasf", "chpiv:csasf"} <= offered
        assert "chwp:csasf" not in offered and "partnership:csasf" not in offered
        assert "Health Net: Community Supports Authorization Status File" in page


def test_a_csasf_is_previewed_pair_by_pair_with_the_service_masked(tmp_path):
    with web_client(tmp_path / "ws") as client:
        workspace = start_with_sample(client)
        dataset = current_dataset(workspace)
        members = read_dataset(dataset).members
        cin = members.loc[members["plan"] == PLAN, "cin"].iloc[0]
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "CSASF"
        sheet.append(CSASF_HEADERS)
        sheet.append((cin, "Housing Deposits", "Authorized", "000321"))
        sheet.append((cin, "Sobering Centers", "New Potential Member", None))
        csasf = tmp_path / "SUNRISE_HN_CS_CSASF_20251129.xlsx"
        book.save(csasf)
        files = {"file": (csasf.name, csasf.read_bytes(), XLSX)}
        page = client.post("/data/ingest", data={**csrf(), "source": f"{PLAN}:csasf"}, files=files)
        assert page.status_code == 303, page.text
        preview = wait_for_job(client, page.headers["location"])
        assert "Nothing has changed yet" in preview.text
        assert count(preview.text, "new") == 2 and count(preview.text, "dropped") == 0
        assert "CS service</th>" in preview.text
        assert cin not in preview.text and "Sobering" not in preview.text
