"""Make the month on the web page (TestClient): the sample month's files listed and
downloaded (one by one and as a zip), a problem's row shown masked then with its values,
a second make refused unless it replaces, held-back files made anyway, failures and
refused uploads in one line; and the files sent to a real sshd from the result page."""

from __future__ import annotations

import io
import re
import shutil
import threading
import zipfile
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
import yaml

from ecmx.core.calendar.periods import Period
from ecmx.core.jobs.sample_data import SampleDataRequest, run_sample_data
from ecmx.core.ledger.workspace import init_workspace
from ecmx.core.web.current import set_current_dataset
from tests.e2e.web import csrf, wait_for_job, web_client

from .sshd import needs_sshd

PERIOD = "2025-11"
DAY = "2025-12-03"  # on time for every plan's 2025-11 files: no lateness warnings
PLANS = (
    "CalViva Health",
    "Imperial Valley",
    "Wellness Plan",
    "Health Net",
    "Partnership HealthPlan",
)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The sample dataset for PERIOD (its provider.yaml beside it), made once."""
    folder = tmp_path_factory.mktemp("sample")
    run_sample_data(SampleDataRequest(out=folder / "sample.xlsx", period=Period.parse(PERIOD)))
    return folder


def workspace_with(tmp_path: Path, sample: Path, damage: dict | None = None) -> Path:
    """A workspace whose current dataset is the sample (with ``damage``: {cell: value} set
    in its members sheet)."""
    workspace = tmp_path / "ws"
    init_workspace(workspace)
    uploads = workspace / "uploads"
    uploads.mkdir(parents=True)
    for name in ("sample.xlsx", "provider.yaml"):
        shutil.copy(sample / name, uploads / name)
    if damage:
        book = openpyxl.load_workbook(uploads / "sample.xlsx")
        for cell, value in damage.items():
            book["members"][cell] = value
        book.save(uploads / "sample.xlsx")
    set_current_dataset(workspace, uploads / "sample.xlsx")
    return workspace


def make(client, **fields):
    data = {**csrf(), "period": PERIOD, "plan": "all", "production_date": DAY, **fields}
    posted = client.post("/make", data=data)
    assert posted.status_code == 303, posted.text
    return wait_for_job(client, posted.headers["location"]), posted.headers["location"]


def filename(response) -> str:
    """The name a download is saved under (``filename*=utf-8''...`` for a name with spaces)."""
    found = re.search(
        r"filename\*=utf-8''(.+)|filename=\"([^\"]+)\"", response.headers["content-disposition"]
    )
    assert found, response.headers["content-disposition"]
    return unquote(found[1] or found[2])


def links(page, pattern: str) -> list[str]:
    return list(dict.fromkeys(re.findall(pattern, page.text)))


def test_the_form_shows_the_current_dataset_and_the_boards_period(tmp_path, sample):
    with web_client(workspace_with(tmp_path, sample)) as client:
        page = client.get("/make")
        assert page.status_code == 200
        assert "Using <strong>sample.xlsx</strong>" in page.text
        for control in ("upload", "period", "plan", "production_date", "force"):
            assert f'<label for="{control}"' in page.text or f'for="{control}"' in page.text
        assert client.get(f"/make?period={PERIOD}").text.count(f'value="{PERIOD}" selected') == 1


def test_the_sample_month_every_plans_files_listed_downloaded_and_zipped(tmp_path, sample):
    workspace = workspace_with(tmp_path, sample)
    with web_client(workspace) as client:
        page, location = make(client)
        assert page.status_code == 200 and "No file was made" not in page.text
        for plan in PLANS:
            assert plan in page.text
        files = links(page, rf'href="({location}/files/\d+)" download>[^<]*ECM')
        assert len(files) == 10  # two ECM files for each of the five plans (and 3 CSPRTFs)
        names = set()
        for href in files:
            got = client.get(href)
            assert got.status_code == 200
            assert got.headers["content-disposition"].startswith("attachment")
            book = openpyxl.load_workbook(io.BytesIO(got.content), read_only=True)
            assert book.active.max_row > 1, href  # a header and rows of members
            names.add(filename(got))
        archive = client.get(f"{location}/zip")
        assert archive.headers["content-disposition"].startswith("attachment")
        inside = set(zipfile.ZipFile(io.BytesIO(archive.content)).namelist())
        assert names <= inside
        assert set(p.name for p in (workspace / "outbox" / PERIOD).iterdir()) == inside
        assert client.get(f"{location}/files/99").status_code == 400  # only the job's own


def test_a_problems_row_is_masked_until_values_are_shown(tmp_path, sample):
    with web_client(workspace_with(tmp_path, sample, {"B2": "12"})) as client:
        page, location = make(client)
        assert "Must be fixed" in page.text and "What to do:" in page.text
        rows = links(page, rf'href="({location}/findings/\d+)">members!B2<')
        assert rows, "the dataset's bad CIN links to its row"
        row = client.get(rows[0]).text
        assert "CIN is not 9 characters" in row and 'class="here"' in row
        here = re.search(r'<tr class="here"><th scope="row">cin.*?<td>(.*?)</td>', row)
        assert here and here[1] == "***"
        assert "Miguel" not in row and "Pseudon" not in row
        client.post("/settings/values", data={**csrf(), "show": "yes", "back": rows[0]})
        shown = client.get(rows[0]).text
        here = re.search(r'<tr class="here"><th scope="row">cin.*?<td>(.*?)</td>', shown)
        assert here and here[1] == "12" and "Pseudon" in shown


def test_held_back_files_are_said_and_made_anyway_on_request(tmp_path, sample):
    workspace = workspace_with(tmp_path, sample, {"B2": "12"})  # a Health Net member
    with web_client(workspace) as client:
        page, _ = make(client)
        assert "held back: it has problems that must be fixed" in page.text
        assert not list((workspace / "outbox" / PERIOD).glob("*_HN_*"))
        form = re.search(r'<form method="post" action="/make">(.*?)</form>', page.text, re.S)[1]
        assert "Make anyway" in form
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
        again, _ = make(client, **fields)
        assert "held back" not in again.text
        assert len(list((workspace / "outbox" / PERIOD).glob("*_HN_*"))) == 3  # RTF OTF CSPRTF


def test_a_second_make_is_refused_in_one_line_unless_it_replaces(tmp_path, sample):
    workspace = workspace_with(tmp_path, sample)
    with web_client(workspace) as client:
        make(client)
        second, _ = make(client)
        refusal = re.findall(r'<p class="error" role="alert">(.*?)</p>', second.text)
        assert len(refusal) == 1 and "exists already" in refusal[0]
        assert "Traceback" not in second.text
        form = re.search(r'<form method="post" action="/make">(.*?)</form>', second.text, re.S)[1]
        assert "Make again, replacing them" in form
        third, _ = make(client, **dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form)))
        assert "exists already" not in third.text and "Made 13 files" in third.text


def test_a_broken_dataset_upload_fails_in_one_line(tmp_path, sample):
    workspace = tmp_path / "ws"
    with web_client(workspace) as client:
        assert "No dataset chosen yet" in client.get("/make").text
        broken = b"PK\x03\x04" + b"not really a workbook" * 10
        posted = client.post(
            "/make",
            data={**csrf(), "period": PERIOD, "plan": "all", "production_date": DAY},
            files={"upload": ("our data.xlsx", broken)},
        )
        page = wait_for_job(client, posted.headers["location"])
        assert '<p class="error" role="alert">' in page.text
        assert "Traceback" not in page.text and "internal error" not in page.text
        assert "replacing them" not in page.text  # offered only when files exist already
        assert (workspace / "uploads" / "our data.xlsx").read_bytes() == broken


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("members.txt", b"cin,plan\n", "ecmx takes .xlsx or .xlsm here, not .txt"),
        ("members.xlsx", b"cin,plan\n", "not an Excel workbook"),
    ],
)
def test_an_upload_is_refused_for_its_type(tmp_path, name, content, words):
    workspace = tmp_path / "ws"
    with web_client(workspace) as client:
        page = client.post(
            "/make", data={**csrf(), "period": PERIOD}, files={"upload": (name, content)}
        )
        assert page.status_code == 400 and words in page.text
        assert "Traceback" not in page.text
        assert not list((workspace / "uploads").glob("members*"))
        assert client.get("/jobs/1").status_code == 400  # no job was started


def test_without_a_dataset_the_make_is_refused_in_one_line(tmp_path):
    with web_client(tmp_path / "ws") as client:
        page = client.post("/make", data={**csrf(), "period": PERIOD})
        assert page.status_code == 400 and "no dataset yet" in page.text


@needs_sshd
def test_a_plan_with_sftp_gets_a_send_button_and_its_files_are_sent(tmp_path, sample, sshd):
    from ecmx.core.jobs.sftp import SftpTrustRequest, run_sftp_trust

    workspace = workspace_with(tmp_path, sample)
    remote = tmp_path / "remote"
    remote.mkdir()
    provider = workspace / "uploads" / "provider.yaml"
    profile = yaml.safe_load(provider.read_text("utf-8"))
    profile["plans"]["healthnet"]["sftp"] = {
        "host": sshd.host, "port": sshd.port, "user": sshd.user, "path": str(remote),
        "key": str(sshd.client_key), "known_hosts": str(tmp_path / "known_hosts"),
    }  # fmt: skip
    provider.write_text(yaml.safe_dump(profile), "utf-8")
    run_sftp_trust(SftpTrustRequest("healthnet", provider=provider, yes=True))
    with web_client(workspace) as client:
        page, _ = make(client)
        assert "Send to Health Net" in page.text
        assert "Send to CalViva" not in page.text
        assert "send its files by the plan's secure email" in page.text
        form = re.search(r'<form method="post" action="/make/send">(.*?)</form>', page.text, re.S)[
            1
        ]
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
        assert fields["plan"] == "healthnet"
        posted = client.post("/make/send", data=fields)
        sent = wait_for_job(client, posted.headers["location"])
        assert "Sent 3 files to Health Net" in sent.text  # RTF, OTF and CSPRTF
        assert sorted(p.name for p in remote.iterdir()) == sorted(
            p.name for p in (workspace / "outbox" / PERIOD).glob("*_HN_*")
        )
        again = wait_for_job(client, client.post("/make/send", data=fields).headers["location"])
        assert "Nothing was sent to Health Net" in again.text and "already sent" in again.text


def test_a_make_behind_another_job_says_it_is_waiting_then_runs(tmp_path, sample):
    release = threading.Event()
    with web_client(workspace_with(tmp_path, sample)) as client:
        runner = client.app.state.runner  # type: ignore[attr-defined]
        first = runner.submit("Make the month (earlier)", "make", lambda job: release.wait(60))
        posted = client.post(
            "/make", data={**csrf(), "period": PERIOD, "plan": "all", "production_date": DAY}
        )
        waiting = client.get(posted.headers["location"]).text
        assert "Waiting for 1 earlier job to finish" in waiting
        assert f'href="/jobs/{first.id}"' in waiting and 'http-equiv="refresh"' in waiting
        release.set()
        page = wait_for_job(client, posted.headers["location"])
        assert "Made 13 files" in page.text
