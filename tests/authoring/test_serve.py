"""``sourcebook serve`` in a real browser: drafts are shown, an edited post reloads by itself,
and what the preview then holds is what a clean build of the edited site writes.

The server runs as ``python -m sourcebook serve`` in a child process with its own process
group, as an author would run it: it builds once, serves the preview, watches the sources,
rebuilds in the same Sphinx application and tells the open page, through the websocket
script it injects, to reload. Nothing forks this test process, which has Playwright's driver
threads running (the clean build is a child ``python -m sphinx``); the whole group is
stopped after the test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
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
#: The watcher waits for changes to settle (50 ms), then an incremental build runs.
RELOAD_TIMEOUT_MS = 30_000
POST = "source/posts/2_incoterms"
#: Sphinx's messages without colour, whatever CI sets, for the tests that read them.
PLAIN_TEXT = {**{key: value for key, value in os.environ.items() if key != "FORCE_COLOR"}, "NO_COLOR": "1"}
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


def start_serve(srcdir: Path, work: Path) -> tuple[subprocess.Popen[bytes], Preview]:
    """``sourcebook serve`` on ``srcdir`` in its own process group, once it serves a post."""
    port = _free_port()
    log = work / "serve.log"
    # Plain text from Sphinx even where CI=true would colour it; a serial build (Sphinx's
    # default, no -j) suits a two-core machine that also runs the browser.
    env = {**PLAIN_TEXT, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "sourcebook", "--site", str(srcdir), "serve", "--port", str(port)],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
    running = Preview(srcdir, f"http://127.0.0.1:{port}/", log)
    try:
        _wait_until_served(running.base + POST + ".html", server, running)
    except BaseException:
        _stop(server)
        raise
    return server, running


@pytest.fixture
def preview(site: Callable[[str], Path], tmp_path: Path) -> Iterator[Preview]:
    """``sourcebook serve`` on a copy of the posts fixture, stopped after the test."""
    srcdir = site("posts")
    # The shipped site's theme: it writes into every page too (a script per page among others).
    with (srcdir / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nhtml_theme = "sphinx_book_theme"\n')
    server, running = start_serve(srcdir, tmp_path)
    try:
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

        # A second rebuild of the same application: a new title, which the listings, the tag
        # pages and the other posts' "Related answers" show too.
        page.evaluate("window.kbBeforeEdit = true")
        retitled = edited.replace("title: 'Incoterms & you", "title: 'Retitled live: Incoterms & you")
        assert retitled != edited
        source.write_text(retitled, encoding="utf-8")
        try:
            expect(body).to_contain_text("Retitled live: Incoterms", timeout=RELOAD_TIMEOUT_MS)
        except AssertionError as error:
            raise AssertionError(f"{error}\nserver output:\n{preview.output()}") from None
        assert page.evaluate("window.kbBeforeEdit") is None
    finally:
        page.close()
    # A rebuild is done before the page is told to reload: the preview is now the site a
    # clean build of the edited sources writes, with the preview's settings, file for file.
    assert files(preview.site / "_build" / "preview") == files(clean_build(preview.site, preview.site.parent))


def files(folder: Path) -> dict[str, bytes]:
    """Every file a build wrote, by path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def clean_build(site: Path, work: Path) -> Path:
    """A clean serial build of a copy of the site's sources, as the preview builds them."""
    sources = work / "clean-sources"
    shutil.copytree(site, sources, ignore=shutil.ignore_patterns("_build"))
    output = work / "clean-preview"
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-D", "kb_preview=1"]
    done = subprocess.run(
        [*command, "-d", str(work / "clean-doctrees"), str(sources), str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return output


def test_a_preview_stopped_right_after_a_rebuild_saves_it_first(
    site: Callable[[str], Path], tmp_path: Path
) -> None:
    """SIGTERM as soon as a rebuild is done, before its save: the preview saves, then exits
    as stopped by the signal, and the next application goes on from what it saved."""
    srcdir = site("posts")
    server, running = start_serve(srcdir, tmp_path)
    try:
        source = srcdir / (POST + ".md")
        source.write_text(source.read_text(encoding="utf-8").replace("FOB means", "Edited: FOB means"))
        deadline = time.monotonic() + RELOAD_TIMEOUT_MS / 1000
        while "rebuilt in" not in running.output() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert "rebuilt in" in running.output(), running.output()
        os.killpg(server.pid, signal.SIGTERM)
        assert server.wait(timeout=30) == 128 + signal.SIGTERM, running.output()
    finally:
        _stop(server)
    goes_on_from_saved(srcdir, srcdir / "_build" / "preview", srcdir / "_build" / "preview-doctrees")


def goes_on_from_saved(srcdir: Path, output: Path, doctrees: Path) -> None:
    """A new application on the preview's folders (the next ``sourcebook serve``) loads the
    environment the last one saved and reads no document again."""
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-D", "kb_preview=1", "-d", str(doctrees)]
    done = subprocess.run(
        [*command, str(srcdir), str(output)], capture_output=True, text=True, check=False, env=PLAIN_TEXT
    )
    assert done.returncode == 0, done.stderr
    assert "loading pickled environment" in done.stdout and "failed" not in done.stdout
    assert "0 added, 0 changed, 0 removed" in done.stdout
