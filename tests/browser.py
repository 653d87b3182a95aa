"""Real-browser helpers: Debian's Chromium driven by Playwright, pages served over HTTP.

The browser is the system's ``chromium`` (``make test`` installs it with apt when it is
missing); Playwright never downloads one of its own.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Playwright

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The system Chromium; a clear failure, never a skip, when it is missing."""
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    raise RuntimeError("Chromium is not installed: run 'make test', which installs it with apt")


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    # Connections kept open between requests, as static hosts keep them.
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Keep test output clean."""


def build_html(srcdir: Path, outdir: Path, *extra: str) -> str:
    """Build a site with ``python -m sphinx`` in a child process; return its warnings.

    A separate process keeps the builders' own helper processes (sphinx-sitemap starts a
    multiprocessing manager) from inheriting the Playwright driver's pipes, which would
    keep the browser from shutting down.
    """
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "--no-color", "-q", "-b", "html", *extra, str(srcdir), str(outdir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stderr


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """A page closed while its downloads were under way is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free localhost port, like a static host; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
