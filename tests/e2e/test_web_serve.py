"""``ecmx serve`` as a person starts it: a process on 127.0.0.1 that prints its address
with a new token each start, refuses a request without it, logs no request, and stops
on Ctrl+C; and the job runner that keeps long work off the page."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from ecmx.core.errors import InputError
from ecmx.core.web.runner import DONE, FAILED, Runner
from ecmx.core.web.server import bind
from tests.e2e.web import running_server


def _get(url: str, cookie: str | None = None):
    request = urllib.request.Request(url, headers={"cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_serve_prints_a_token_address_and_refuses_requests_without_it(tmp_path):
    with running_server(tmp_path / "ws") as url:
        base = url.split("?")[0]
        assert base.startswith("http://127.0.0.1:")
        status, _, body = _get(base)
        assert status == 403 and "secret" in body
        status, headers, _ = _get(url)
        assert status == 303 and headers["Location"] == "/"
        cookie = headers["Set-Cookie"].split(";")[0]
        status, _, body = _get(base, cookie)
        assert status == 200 and "The month: period" in body
        with running_server(tmp_path / "ws2") as second:
            assert second.split("token=")[1] != url.split("token=")[1]  # new at every start


def test_serve_listens_on_127_0_0_1_only(tmp_path):
    with running_server(tmp_path / "ws") as url:
        port = int(url.split(":")[2].split("/")[0])
        addresses = {
            info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        } - {"127.0.0.1", "127.0.1.1"}
        for address in addresses:  # the machine's other addresses: nothing answers there
            with pytest.raises(OSError), socket.create_connection((address, port), 2):
                pass


def test_serve_logs_no_request_and_stops_on_ctrl_c(tmp_path):
    command = [sys.executable, "-m", "ecmx.core", "serve", "--workspace", str(tmp_path / "ws")]
    subprocess.run([sys.executable, "-m", "ecmx.core", "init", str(tmp_path / "ws")], check=True)
    process = subprocess.Popen(
        [*command, "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = process.stdout.readline() and process.stdout.readline().strip()
    time.sleep(1.5)
    _get(url.replace("/?token=", "/plans?secret-member-name=ALICE&token="))
    process.send_signal(2)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0 and "stopped" in out
    assert "ALICE" not in out + err and "GET /" not in out + err
    assert "Traceback" not in err


def test_serve_without_a_workspace_is_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "ecmx.core", "serve", "--no-browser"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 2
    assert "ecmx init" in done.stderr and "Traceback" not in done.stderr


def test_a_taken_port_moves_to_the_next_free_one():
    first = bind(0)
    try:
        taken = first.getsockname()[1]
        second = bind(taken)
        try:
            assert second.getsockname()[1] != taken
            assert second.getsockname()[0] == "127.0.0.1"
        finally:
            second.close()
    finally:
        first.close()


def test_jobs_run_one_at_a_time_in_order_and_failures_are_one_line():
    runner = Runner()
    order: list[str] = []
    gate = threading.Event()

    def slow(job):
        gate.wait(10)
        order.append("first")
        return 1

    def second(job):
        order.append("second")
        job.progress("counting", 1, 2, "x")
        return 2

    def refused(job):
        raise InputError("dataset.xlsx: no such file")

    def bug(job):
        raise KeyError("a member's name")

    jobs = [runner.submit(name, "test", work) for name, work in
            [("slow", slow), ("second", second), ("refused", refused), ("bug", bug)]]  # fmt: skip
    assert [j.title for j in runner.ahead_of(jobs[1])] == ["slow"]
    gate.set()
    deadline = time.monotonic() + 10
    while not all(j.finished for j in jobs) and time.monotonic() < deadline:
        time.sleep(0.05)
    runner.shutdown()
    assert order == ["first", "second"]
    assert [j.state for j in jobs] == [DONE, DONE, FAILED, FAILED]
    assert jobs[1].result == 2 and jobs[1].percent == 50
    assert jobs[2].error == "dataset.xlsx: no such file"
    assert "internal error (KeyError)" in jobs[3].error and "member" not in jobs[3].error
