"""The web page under test: an app on a workspace, driven by starlette's TestClient with
the token cookie set (``web_client``), or the real ``ecmx serve`` process on a free port
(``running_server``), whose printed address a browser test opens."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from starlette.testclient import TestClient

from ecmx.core.hooks.manager import make_plugin_manager
from ecmx.core.ledger.workspace import init_workspace
from ecmx.core.web.app import create_app
from ecmx.core.web.config import WebConfig
from ecmx.core.web.security import COOKIE, CSRF_FIELD, csrf_for

TOKEN = "test-token-" + "x" * 32
BASE = "http://127.0.0.1"


def make_app(workspace: Path, plans_dirs=()):
    init_workspace(workspace)
    config = WebConfig(workspace, TOKEN, make_plugin_manager(list(plans_dirs)), tuple(plans_dirs))
    return create_app(config)


@contextlib.contextmanager
def web_client(workspace: Path, *, signed_in: bool = True, plans_dirs=()) -> Iterator[TestClient]:
    """A client of a fresh app on ``workspace`` (made a workspace if it is not one)."""
    app = make_app(workspace, plans_dirs)
    with TestClient(app, base_url=BASE, follow_redirects=False) as client:
        if signed_in:
            client.cookies.set(COOKIE, TOKEN)
        try:
            yield client
        finally:
            app.state.runner.shutdown()


def csrf() -> dict:
    """The hidden field every form posts."""
    return {CSRF_FIELD: csrf_for(TOKEN)}


def wait_for_job(client: TestClient, location: str, timeout: float = 120.0):
    """Follow a job page (/jobs/N) until it is finished; its last response."""
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(location)
        if 'http-equiv="refresh"' not in page.text or time.monotonic() > deadline:
            return page
        time.sleep(0.2)


@contextlib.contextmanager
def running_server(workspace: Path, *extra: str) -> Iterator[str]:
    """``ecmx serve --no-browser --port 0`` as a process; yields the address it printed
    (with its token). Stopped with SIGINT, as Ctrl+C does, then killed if it lingers."""
    init_workspace(workspace)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "ecmx.core", *extra, "serve", "--workspace", str(workspace)]
    process = subprocess.Popen(
        [*command, "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        url = None
        deadline = time.monotonic() + 60
        assert process.stdout is not None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                raise AssertionError(f"ecmx serve stopped: {process.stderr.read()}")  # type: ignore[union-attr]
            found = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", line)
            url = found.group(0) if found else None
        assert url, "ecmx serve printed no address"
        _wait_listening(url)
        yield url
    finally:
        process.send_signal(2)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _wait_listening(url: str) -> None:
    import socket

    port = int(url.split(":")[2].split("/")[0])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens at {url.split('?')[0]}")
