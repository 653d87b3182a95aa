"""Long lists go on over further pages: the archive, the tag index, each tag's page.

The fixture site lists at most four entries a page (``kb_posts_per_page = 4``) and the test
writes enough posts for several parts; the real theme draws the pages.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

from sourcebook.navigation.pagination import navigation_html, shown_numbers, split

from conftest import clean_copy, html_pages, warnings_of

SIZE = 4


def write_posts(srcdir: Path, numbers: range) -> None:
    """Posts ``n`` of two a year from 2016, newest the highest number; all tagged 'common',
    the even ones 'even', each its own tag 'own-n' too."""
    for number in numbers:
        year, half = 2016 + number // 2, number % 2
        tags = ["common", f"own-{number:02d}"] + (["even"] if number % 2 == 0 else [])
        (srcdir / "source" / "posts" / f"post_{number:02d}.md").write_text(
            f"---\ntitle: 'Answer {number:02d}'\ndate: '{year}-{3 + 6 * half:02d}-01'\n"
            f"tags: [{', '.join(tags)}]\n---\n\nThe text of answer {number:02d}.\n",
            encoding="utf-8",
        )


@pytest.fixture
def parts_site(site: Callable[[str], Path]) -> Path:
    srcdir = site("parts")
    write_posts(srcdir, range(1, 11))  # with the seed post: 11 posts, 3 parts of the archive
    return srcdir


def page(outdir: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / name).read_text(encoding="utf-8"), "html.parser")


def resolve(outdir: Path, name: str, href: str) -> str:
    """The page (relative to ``outdir``) a link on page ``name`` points at."""
    if href.startswith("#"):
        return name
    target = (outdir / name).parent.joinpath(href.split("#")[0]).resolve()
    return target.relative_to(outdir.resolve()).as_posix()


def follow(outdir: Path, first: str, entries: str) -> list[tuple[str, list[str]]]:
    """Every part of a list from its first page, by ``<link rel="next">``: each page's name
    and the texts of its entries (``entries`` selects them). Checks each part's links."""
    parts: list[tuple[str, list[str]]] = []
    name: str | None = first
    previous: str | None = None
    while name is not None:
        html = page(outdir, name)
        parts.append((name, [entry.get_text() for entry in html.select(entries)]))
        prev_link = html.head.find("link", rel="prev")
        if previous is None:
            assert prev_link is None, name
        else:
            assert resolve(outdir, name, prev_link["href"]) == previous, name
        # The visible row of page links, above and below the list, says where this part is.
        rows = html.select("nav.kb-pages")
        assert len(rows) == 2, name
        for row in rows:
            assert row.select_one("[aria-current=page]").get_text() == str(len(parts))
            for link in row.select("a[href]"):
                assert (outdir / resolve(outdir, name, link["href"])).is_file(), (name, link)
        # The theme's own buttons at the foot of the page follow the same links.
        buttons = html.select(".prev-next-area a")
        assert len(buttons) == (previous is not None) + (html.head.find("link", rel="next") is not None)
        next_link = html.head.find("link", rel="next")
        previous, name = name, resolve(outdir, name, next_link["href"]) if next_link else None
    return parts


def test_the_archive_lists_every_post_once_in_order_over_its_parts(
    parts_site: Path, build: Callable[..., SphinxTestApp]
) -> None:
    app = build(parts_site)
    assert warnings_of(app) == []
    outdir = app.outdir
    parts = follow(outdir, "source/archive.html", "section.kb-archive-year li a.reference")
    assert [name for name, _ in parts] == [
        "source/archive.html",
        "source/archive/page-2.html",
        "source/archive/page-3.html",
    ]
    assert not (outdir / "source/archive/page-4.html").exists()
    listed = [title for _, titles in parts for title in titles]
    expected = [f"Answer {number:02d}" for number in range(10, 0, -1)] + ["The first answer"]
    assert listed == expected  # every post, once, newest first
    assert [len(titles) for _, titles in parts] == [4, 4, 3]
    # The first part is the page itself, with its own text; the others have its title.
    first = page(outdir, "source/archive.html")
    assert "Every answer, newest first." in first.get_text()
    second = page(outdir, "source/archive/page-2.html")
    assert second.title.get_text().startswith("Archive (page 2 of 3)")
    assert second.select_one("section.kb-archive-part h1").get_text().rstrip("#¶") == "Archive"
    # A year split between two parts heads both; the years' index links each year where it starts.
    years = {
        link.get_text(): resolve(outdir, "source/archive/page-2.html", link["href"])
        + "#"
        + link["href"].split("#")[1]
        for link in second.select("nav.kb-archive-years a")
    }
    assert years["2021"] == "source/archive.html#year-2021"
    assert years["2019"] == "source/archive.html#year-2019"  # where it starts
    assert years["2018"] == "source/archive/page-2.html#year-2018"
    assert years["2015"] == "source/archive/page-3.html#year-2015"
    assert second.find(id="year-2019") is not None  # and where it goes on
    for target in years.values():
        name, anchor = target.split("#")
        assert page(outdir, name).find(id=anchor) is not None, target


def test_each_tag_page_goes_on_over_parts(parts_site: Path, build: Callable[..., SphinxTestApp]) -> None:
    app = build(parts_site)
    outdir = app.outdir
    common = follow(outdir, "tags/common.html", ".kb-tag-page ul.kb-postlist a")
    assert [name for name, _ in common] == [
        "tags/common.html",
        "tags/common/page-2.html",
        "tags/common/page-3.html",
    ]
    assert [title for _, titles in common for title in titles] == [
        *(f"Answer {number:02d}" for number in range(10, 0, -1)),
        "The first answer",
    ]
    assert (
        page(outdir, "tags/common/page-2.html")
        .title.get_text()
        .startswith("Posts tagged “common” (page 2 of 3)")
    )
    even = follow(outdir, "tags/even.html", ".kb-tag-page ul.kb-postlist a")
    assert [titles for _, titles in even] == [
        ["Answer 10", "Answer 08", "Answer 06", "Answer 04"],
        ["Answer 02"],
    ]
    # A tag of one post is one page, with no page links.
    single = page(outdir, "tags/own-03.html")
    assert single.select("nav.kb-pages") == [] and single.head.find("link", rel="next") is None
    assert not (outdir / "tags/own-03").exists()


def test_the_tag_index_goes_on_over_parts(parts_site: Path, build: Callable[..., SphinxTestApp]) -> None:
    app = build(parts_site)
    parts = follow(app.outdir, "source/tags.html", "ul.kb-tagindex li a")
    names = [name for _, names in parts for name in names]
    assert names == sorted(names, key=str.casefold) and len(names) == len(set(names)) == 13
    assert [len(names) for _, names in parts] == [4, 4, 4, 1]
    # Links from a further part reach the tag pages.
    second = page(app.outdir, "source/tags/page-2.html")
    for link in second.select("ul.kb-tagindex a"):
        assert resolve(app.outdir, "source/tags/page-2.html", link["href"]).startswith("tags/")


def test_a_long_postlist_ends_with_a_link_to_the_rest(
    parts_site: Path, build: Callable[..., SphinxTestApp]
) -> None:
    app = build(parts_site)
    lists = page(app.outdir, "source/lists.html")
    tagged, everything = lists.select("ul.kb-postlist")
    assert len(tagged.select("li")) == len(everything.select("li")) == SIZE
    tagged_more, all_more = lists.select("p.kb-more")
    assert tagged_more.get_text() == "7 more" and all_more.get_text() == "7 more"
    assert resolve(app.outdir, "source/lists.html", tagged_more.a["href"]) == "tags/common.html"
    assert resolve(app.outdir, "source/lists.html", all_more.a["href"]) == "source/archive.html"
    # The landing page's list has a limit under the page size: nothing more to say.
    assert page(app.outdir, "index.html").select("p.kb-more") == []


def test_a_second_archive_on_a_page_is_cut_with_a_warning(
    parts_site: Path, build: Callable[..., SphinxTestApp]
) -> None:
    (parts_site / "source" / "twice.md").write_text(
        "---\norphan: true\n---\n# Twice\n\n```{postarchive}\n```\n\n```{postarchive}\n```\n",
        encoding="utf-8",
    )
    app = build(parts_site)
    assert warnings_of(app) == [
        "source/twice.md:9: WARNING: a page holds one {postarchive} that goes on over further pages; "
        "this one lists its first 4 posts: give it a page of its own [kb.listing]"
    ]
    html = page(app.outdir, "source/twice.html")
    assert len(html.select("section.kb-archive-year li")) == 2 * SIZE
    assert html.select_one("p.kb-more").get_text() == "7 more"
    assert (app.outdir / "source/twice/page-3.html").is_file()  # the first one's parts


def test_the_sitemap_lists_every_part(parts_site: Path, build: Callable[..., SphinxTestApp]) -> None:
    app = build(parts_site)
    tree = ET.parse(app.outdir / "sitemap.xml")
    urls = {element.text for element in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    for name in (
        "source/archive.html",
        "source/archive/page-2.html",
        "source/archive/page-3.html",
        "source/tags/page-4.html",
        "tags/common/page-3.html",
        "tags/even/page-2.html",
    ):
        assert f"https://kb.example.com/{name}" in urls, name


def test_a_book_lists_every_post_where_the_list_stands(
    parts_site: Path, build: Callable[..., SphinxTestApp]
) -> None:
    app = build(parts_site, "text")
    archive = (app.outdir / "source" / "archive.txt").read_text(encoding="utf-8")
    assert all(f"Answer {number:02d}" in archive for number in range(1, 11))
    assert "page 2" not in archive
    assert not (app.outdir / "source" / "archive").exists()


def test_incremental_parts_equal_a_clean_build(
    parts_site: Path, build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    """Posts added, deleted and re-dated shift every part; the rebuilt site is the clean one."""
    build(parts_site)
    posts = parts_site / "source" / "posts"
    write_posts(parts_site, range(11, 15))  # four more: the archive grows to four parts
    (posts / "post_05.md").unlink()
    redated = posts / "post_02.md"
    redated.write_text(
        redated.read_text(encoding="utf-8").replace("2017-03-01", "2031-01-01"), encoding="utf-8"
    )
    grown = build(parts_site)
    assert warnings_of(grown) == []
    clean = build(clean_copy(parts_site, tmp_path / "clean-grown"))
    assert html_pages(grown.outdir) == html_pages(clean.outdir)
    assert (grown.outdir / "source/archive/page-4.html").is_file()

    # Fewer posts: the parts no longer needed go, as in a clean build.
    for number in range(6, 15):
        (posts / f"post_{number:02d}.md").unlink(missing_ok=True)
    shrunk = build(parts_site)
    clean = build(clean_copy(parts_site, tmp_path / "clean-shrunk"))
    assert html_pages(shrunk.outdir) == html_pages(clean.outdir)
    assert not (shrunk.outdir / "source/archive/page-3.html").exists()
    assert not (shrunk.outdir / "tags/common/page-3.html").exists()


def test_a_parallel_build_gives_the_serial_parts(
    parts_site: Path, build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    parallel_src = tmp_path / "parallel"
    shutil.copytree(parts_site, parallel_src)
    serial = build(parts_site)
    parallel = build(parallel_src, parallel=2)
    assert warnings_of(parallel) == []
    assert html_pages(parallel.outdir) == html_pages(serial.outdir)
    assert "source/archive/page-3.html" in html_pages(parallel.outdir)


def test_parts_split_and_number_as_readers_expect() -> None:
    assert split([], 4) == [[]]
    assert split(list(range(9)), 4) == [[0, 1, 2, 3], [4, 5, 6, 7], [8]]
    assert split(list(range(9)), 0) == [list(range(9))]
    assert shown_numbers(2, 5) == [1, 2, 3, 4, 5]
    assert shown_numbers(10, 40) == [1, None, 8, 9, 10, 11, 12, None, 40]
    assert shown_numbers(1, 40) == [1, 2, 3, None, 40]


def test_page_links_are_escaped() -> None:
    class Builder:
        def get_target_uri(self, name: str) -> str:
            return f"{name}.html"

    row = navigation_html(Builder(), 'tags/a"b', 2, 3, 'Pages of "<x>"')  # type: ignore[arg-type]
    html = BeautifulSoup(row, "html.parser")
    assert html.nav["aria-label"] == 'Pages of "<x>"'
    assert [link["href"] for link in html.select("a[href]")] == [
        '../a"b.html',
        '../a"b.html',
        "page-3.html",
        "page-3.html",
    ]
