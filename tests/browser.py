"""Real-browser helpers: Debian's Chromium driven by Playwright, pages served over HTTP.

The browser is the system's ``chromium`` (``make test`` installs it with apt when it is
missing); Playwright never downloads one of its own.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import shutil
import socket
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


class _GzipHandler(_QuietHandler):
    """Text files compressed with gzip when the client accepts it, as Read the Docs serves them."""

    COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        kind = self.guess_type(str(path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and kind.startswith(self.COMPRESSED_TYPES)):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """A page closed while its downloads were under way is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve(folder: Path, *, compress: bool = False, port: int = 0) -> Iterator[str]:
    """Serve ``folder`` on a localhost port (a free one by default), like a static host (with
    gzip when ``compress``); yield its base URL."""
    handler = functools.partial(_GzipHandler if compress else _QuietHandler, directory=str(folder))
    server = _QuietServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    """A localhost port free now, for a site that must know its address before it is served."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
