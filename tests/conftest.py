"""Shared fixtures: fixture sites copied to a temporary folder and built with Sphinx."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, sync_playwright
from sphinx.testing.util import SphinxTestApp

from browser import launch

pytest_plugins = ("sphinx.testing.fixtures",)

ROOTS = Path(__file__).parent / "roots"
PROJECT = Path(__file__).parent.parent
#: The seed photographs belong to their owners: the repository ships stand-ins, and the tests
#: that need the real ones read them from ../shared/seed (or from where SOURCEBOOK_SEED says).
SEED = Path(os.environ.get("SOURCEBOOK_SEED") or PROJECT.parent / "shared" / "seed")


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module.

    Not per session: Playwright keeps a driver and threads alive, and a parallel Sphinx
    build in a later test forks this process, which must not happen with them running.
    """
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def seed() -> Path:
    """The seed photographs' folder. A plain clone has none: the test is skipped, saying why;
    CI (``CI=true``) always provides it, so there a missing folder fails the test."""
    if (SEED / "images").is_dir():
        return SEED
    reason = f"needs the seed photographs in {SEED} (not in the repository: they belong to their owners)"
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason}; CI must provide them")
    pytest.skip(reason)


@pytest.fixture
def site(tmp_path: Path) -> Callable[[str], Path]:
    """Copy ``tests/roots/test-<name>`` into a fresh temporary folder; return its path."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(ROOTS / f"test-{name}", target)
        return target

    return copy


@pytest.fixture
def build(make_app: Callable[..., SphinxTestApp]) -> Callable[..., SphinxTestApp]:
    """Build a site with Sphinx's test application; returns the finished app."""

    def run(srcdir: Path, buildername: str = "html", **kwargs: Any) -> SphinxTestApp:
        app = make_app(buildername, srcdir=srcdir, **kwargs)
        app.build()
        # Undo global registrations now, so that a second app in the same test starts clean.
        app.cleanup()
        return app

    return run


def assemble_shipped_site(name: str, target: Path) -> Path:
    """The shipped site (conf.py, pages, glossary, static files) with the posts and images of
    ``tests/roots/test-<name>`` instead of its own, in ``target``."""
    target.mkdir(parents=True)
    for file in ("conf.py", "index.md"):
        shutil.copy2(PROJECT / file, target / file)
    shutil.copytree(PROJECT / "_static", target / "_static")
    shutil.copytree(PROJECT / "source", target / "source", ignore=shutil.ignore_patterns("posts", "images"))
    shutil.copytree(ROOTS / f"test-{name}" / "source", target / "source", dirs_exist_ok=True)
    return target


@pytest.fixture
def shipped_site(tmp_path: Path) -> Callable[[str], Path]:
    """``assemble_shipped_site`` in a fresh temporary folder."""
    return lambda name: assemble_shipped_site(name, tmp_path / f"shipped-{name}")


def clean_copy(srcdir: Path, target: Path) -> Path:
    """A copy of a site's sources without its build, for a clean build to compare with."""
    shutil.copytree(srcdir, target, ignore=shutil.ignore_patterns("_build"))
    return target


def warnings_of(app: SphinxTestApp) -> list[str]:
    """The build's warnings, one per line, with the source folder made relative."""
    text = app.warning.getvalue().replace(str(app.srcdir) + "/", "")
    return [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in text.splitlines() if line.strip()]


def html_pages(outdir: Path) -> dict[str, str]:
    """Every HTML page of a build, by path, for comparing two builds."""
    return {
        path.relative_to(outdir).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(outdir.rglob("*.html"))
    }


def html_of(app: SphinxTestApp, page: str) -> BeautifulSoup:
    """A built page, parsed."""
    return BeautifulSoup((app.outdir / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
