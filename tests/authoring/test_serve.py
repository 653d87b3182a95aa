"""``sourcebook serve`` in a real browser: drafts are shown, and an edited post reloads by itself.

The server runs as ``python -m sourcebook serve`` in a child process with its own process
group, as an author would run it: sphinx-autobuild builds once, serves the preview, watches the
sources, rebuilds (each build is its own ``python -m sphinx`` process) and tells the open page,
through the websocket script it injects, to reload. Nothing forks this test process, which
has Playwright's driver threads running; the whole group is stopped after the test.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

#: The first build of the fixture site takes a few seconds; CI's two cores may be busy.
FIRST_BUILD_TIMEOUT = 60.0
#: The watcher waits for changes to settle (1.6 s), then an incremental build runs.
RELOAD_TIMEOUT_MS = 30_000
POST = "source/posts/2_incoterms"
DRAFT = "source/posts/4_draft"


@dataclass(frozen=True)
class Preview:
    """A running ``sourcebook serve``: the site it previews, its address and its log."""

    site: Path
    base: str
    log: Path

    def output(self) -> str:
        """The server's output so far, for failure messages."""
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]


def _free_port() -> int:
    """A port nobody listens on now (the server takes it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_served(url: str, server: subprocess.Popen[bytes], preview: Preview) -> None:
    """Poll ``url`` until it answers: the initial build runs before the server listens."""
    deadline = time.monotonic() + FIRST_BUILD_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"sourcebook serve exited with code {server.returncode}:\n{preview.output()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"sourcebook serve did not serve {url} in {FIRST_BUILD_TIMEOUT:.0f} s:\n{preview.output()}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and everything it started (Sphinx builds, the watcher's worker)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    # Children that outlived the server (a build started just before SIGTERM) go too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)


@pytest.fixture
def preview(site: Callable[[str], Path], tmp_path: Path) -> Iterator[Preview]:
    """``sourcebook serve`` on a copy of the posts fixture, stopped after the test."""
    srcdir = site("posts")
    port = _free_port()
    log = tmp_path / "serve.log"
    # Plain text from Sphinx even where CI=true would colour it; a serial build (Sphinx's
    # default, no -j) suits a two-core machine that also runs the browser.
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("FORCE_COLOR", None)
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "sourcebook", "--site", str(srcdir), "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
    running = Preview(srcdir, f"http://127.0.0.1:{port}/", log)
    try:
        _wait_until_served(running.base + POST + ".html", server, running)
        yield running
    finally:
        _stop(server)


def test_serve_shows_drafts_and_reloads_an_edited_post(browser: Browser, preview: Preview) -> None:
    page = browser.new_page()
    try:
        # Drafts are left out of a published build, but the preview shows them, marked.
        page.goto(preview.base + DRAFT + ".html")
        expect(page.locator(".kb-draft")).to_have_text("Draft")
        expect(page.locator("body")).to_contain_text("Not ready yet.")

        page.goto(preview.base + POST + ".html")
        body = page.locator("body")
        expect(body).to_contain_text("FOB means the seller delivers the goods")
        # Gone after any reload: proves the page reloaded itself rather than being refreshed.
        page.evaluate("window.kbBeforeEdit = true")

        source = preview.site / (POST + ".md")
        text = source.read_text(encoding="utf-8")
        edited = text.replace("FOB means the seller", "Edited live: FOB means the seller")
        assert edited != text
        source.write_text(edited, encoding="utf-8")

        try:
            expect(body).to_contain_text("Edited live: FOB means the seller", timeout=RELOAD_TIMEOUT_MS)
        except AssertionError as error:
            raise AssertionError(f"{error}\nserver output:\n{preview.output()}") from None
        assert page.evaluate("window.kbBeforeEdit") is None
        assert page.url == preview.base + POST + ".html"
    finally:
        page.close()
