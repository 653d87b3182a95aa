"""The shipped knowledge base builds strictly, with its theme, and its seed post is whole."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

from conftest import PROJECT

SITE_FILES = ("conf.py", "index.md", "source", "_static")


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's own site, built once with -W into a temporary folder."""
    root = tmp_path_factory.mktemp("shipped")
    for name in SITE_FILES:
        source = PROJECT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "--no-color",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(root),
            str(root / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return root / "out"


def test_seed_post_is_on_the_site(shipped_site: Path) -> None:
    page = BeautifulSoup((shipped_site / "source/posts/1_defective_goods.html").read_text(), "html.parser")
    [heading] = page.select("article section > h1")
    assert heading.get_text().strip().rstrip("#¶") == (
        "How can I force Chinese manufacturers to accept rework of defective goods?"
    )
    time = page.select_one("article time.kb-published")
    assert time is not None and (time["datetime"], time.get_text()) == ("2017-05-17", "May 17, 2017")
    image = page.select_one("article img.kb-featured-image")
    assert image is not None and (shipped_site / "source/posts" / image["src"]).resolve().is_file()
    assert page.find("meta", property="og:type")["content"] == "article"
    assert page.find("script", type="application/ld+json") is not None


def test_only_site_content_is_read(shipped_site: Path) -> None:
    pages = {path.relative_to(shipped_site).as_posix() for path in shipped_site.rglob("*.html")}
    assert "index.html" in pages
    assert not any(page.startswith(("README", "tests/", "docs/", "benchmarks/")) for page in pages)


def test_sidebar_does_not_list_every_post(shipped_site: Path) -> None:
    page = BeautifulSoup((shipped_site / "index.html").read_text(), "html.parser")
    sidebar = page.select_one(".bd-sidebar-primary")
    assert sidebar is not None
    assert "defective goods" not in sidebar.get_text()


def test_the_command_line_answers_questions_about_the_seed_post(
    shipped_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a site of one post, most words are in "most posts": questions must still find it."""
    from sourcebook.search.command import run_search

    title = "How can I force Chinese manufacturers to accept rework of defective goods?"
    for question in ("how do I make the factory fix defective goods", "返工", "PSI", "depositt"):
        assert run_search(shipped_site, question, limit=1) == 0, question
        assert f"1. {title}" in capsys.readouterr().out, question


def test_pages_leave_out_the_icon_script_unless_asked(
    shipped_site: Path, site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    """Font Awesome's script is 540 KB compressed on every first visit; the theme's CSS and
    web font already draw its icons (the browser test checks they are drawn)."""
    for name in ("index.html", "source/posts/1_defective_goods.html", "search.html"):
        page = BeautifulSoup((shipped_site / name).read_text(), "html.parser")
        assert page.select_one("link[href*='pydata-sphinx-theme.css']") is not None, name
        assert not [tag for tag in page.select("script[src]") if "fontawesome" in tag["src"]], name
    app = build(site("posts"), confoverrides={"html_theme": "sphinx_book_theme", "kb_icon_script": True})
    page = BeautifulSoup((Path(app.outdir) / "index.html").read_text(), "html.parser")
    assert [tag for tag in page.select("script[src]") if "fontawesome" in tag["src"]]
