"""Starting the page: a free port on 127.0.0.1, a new token, uvicorn, and the browser.

uvicorn's access log is off: an address can hold a member's name in a query or a file
name, and member data never goes to a log. Its error log stays (bugs, with no request
data). The port asked for is tried first; when it is taken, the next free one is used
and the printed address says which.
"""

from __future__ import annotations

import socket
import webbrowser
from collections.abc import Callable
from pathlib import Path

import uvicorn

from ecmx.core.errors import OutputError
from ecmx.core.web.app import create_app
from ecmx.core.web.config import WebConfig
from ecmx.core.web.security import new_token

HOST = "127.0.0.1"
DEFAULT_PORT = 8741
TRIES = 20


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1: ``port``, else the next free one (0: any)."""
    last: OSError | None = None
    for candidate in [port] if port == 0 else range(port, port + TRIES):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((HOST, candidate))
            sock.listen(64)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    raise OutputError(
        f"no free port on {HOST} from {port} to {port + TRIES - 1} ({last}): "
        "give another with --port"
    )


def serve(
    workspace: Path,
    plugins: tuple,
    plans_dirs: tuple[Path, ...] = (),
    port: int = DEFAULT_PORT,
    open_browser: bool = True,
    say: Callable[[str], None] = print,
) -> None:
    """Serve until Ctrl+C. ``say`` prints the address (with its token) for the user."""
    sock = bind(port)
    port = sock.getsockname()[1]
    config = WebConfig(workspace, new_token(), plugins, plans_dirs, port)
    app = create_app(config)
    url = f"http://{HOST}:{port}/?token={config.token}"
    server = uvicorn.Server(
        uvicorn.Config(app, access_log=False, log_level="warning", lifespan="off")
    )
    say(f"ecmx serve: the page for workspace {workspace} is at\n    {url}\n"
        "Open that address (it holds this run's secret); press Ctrl+C to stop.")  # fmt: skip
    if open_browser:
        webbrowser.open(url)
    try:
        server.run(sockets=[sock])
    finally:
        app.state.runner.shutdown()
        sock.close()
