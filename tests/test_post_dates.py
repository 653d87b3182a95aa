"""Each post's "Updated" date from git when its file changed after its date, and its reading time.

The shipped site with tests/roots/test-book's posts is made a git repository: every post added
on 2022-01-01, the rework answer edited on 2023-05-06, the deposit answer (whose frontmatter
says updated: 2021-10-01) edited too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

from bs4 import BeautifulSoup
from posts.test_git_history import git
from sphinx.testing.util import SphinxTestApp

from conftest import html_of, warnings_of

PUBLIC = {"html_baseurl": "https://kb.example/", "kb_today": "2026-06-01"}
EDITED = "2023-05-06T09:30:00+08:00"
ATOM = "{http://www.w3.org/2005/Atom}"


def in_git(srcdir: Path) -> Path:
    git(srcdir, "init", "-q", "-b", "main")
    git(srcdir, "add", ".")
    git(srcdir, "commit", "-q", "-m", "import the blog", date="2022-01-01T10:00:00+00:00")
    for name in ("1_rework", "2_deposit"):
        path = srcdir / f"source/posts/{name}.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    git(srcdir, "commit", "-q", "-am", "edit two answers", date=EDITED)
    return srcdir


def header(page: BeautifulSoup) -> str:
    line = page.select_one(".kb-post-header .kb-post-dates")
    assert line is not None
    return " ".join(line.get_text().split())


def linked_data(page: BeautifulSoup) -> dict[str, object]:
    script = page.find("script", type="application/ld+json")
    assert script is not None and script.string is not None
    data: dict[str, object] = json.loads(script.string)
    return data


def test_updated_comes_from_git_unless_the_frontmatter_says(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(in_git(shipped_site("book")), confoverrides=PUBLIC)
    assert warnings_of(app) == []
    rework = html_of(app, "source/posts/1_rework")
    assert header(rework) == "April 2, 2019 · Updated May 6, 2023 · 1 min read"
    updated = rework.select_one(".kb-post-header time.kb-updated")
    assert updated is not None and updated["datetime"] == EDITED
    assert linked_data(rework)["dateModified"] == EDITED
    assert rework.find("meta", property="article:modified_time")["content"] == EDITED
    # The frontmatter's updated wins over git; a post never edited since it was added has none.
    assert header(html_of(app, "source/posts/2_deposit")) == (
        "September 14, 2021 · Updated October 1, 2021 · 1 min read"
    )
    assert header(html_of(app, "source/posts/3_moulds")) == "March 8, 2021 · 1 min read"
    assert linked_data(html_of(app, "source/posts/3_moulds"))["dateModified"] == "2021-03-08"
    # The feeds and the sitemap follow.
    atom = ElementTree.parse(app.outdir / "atom.xml").getroot()
    entries = {
        entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}updated")
        for entry in atom.iter(f"{ATOM}entry")
    }
    assert entries["How do I make a factory rework defective goods before shipment?"] == EDITED
    sitemap = (app.outdir / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<lastmod>{EDITED}</lastmod>" in sitemap


def test_a_commit_after_the_last_build_updates_the_post(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    """Edit, build, then commit: the file is unchanged, git's date is new, the header follows."""
    srcdir = in_git(shipped_site("book"))
    moulds = srcdir / "source/posts/3_moulds.md"
    moulds.write_text(moulds.read_text(encoding="utf-8") + "\nAsk for photos of it.\n", encoding="utf-8")
    build(srcdir, confoverrides=PUBLIC)
    git(srcdir, "commit", "-q", "-am", "moulds: photos", date="2024-02-02T12:00:00+00:00")
    app = build(srcdir, confoverrides=PUBLIC)
    assert (
        header(html_of(app, "source/posts/3_moulds"))
        == "March 8, 2021 · Updated February 2, 2024 · 1 min read"
    )


def test_reading_time_counts_chinese_characters(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = shipped_site("book")
    chinese = "合同写清楚定金和尾款的支付时间。" * 40  # 640 characters: 2.5 minutes
    english = "Write the deposit and the balance into the contract. " * 33  # 297 words: 1.3 minutes
    (srcdir / "source/posts/6_long.md").write_text(
        f"---\ntitle: 'A long answer'\ndate: '2020-02-02'\n---\n\n{chinese}\n\n{english}\n", encoding="utf-8"
    )
    app = build(srcdir, confoverrides=PUBLIC)
    assert header(html_of(app, "source/posts/6_long")) == "February 2, 2020 · 4 min read"
    assert linked_data(html_of(app, "source/posts/6_long"))["timeRequired"] == "PT4M"
