"""Post lists, cards, the archive, tags and previous/next links, on a small fixture site."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

from conftest import html_of, warnings_of

UNDATED_WARNING = (
    "source/posts/undated.md:1: WARNING: the post has no date; add a line date: 'YYYY-MM-DD' "
    "with the day it was first published [kb.date]"
)
MOULD = 'Who owns the mould after the order? <tooling> & "you"'
DUPRO = "When is a during-production inspection worth it?"
DEPOSIT = "How much deposit should I pay up front?"
AQL = "What AQL level should I ask for?"
UNDATED = "An undated note"


@pytest.fixture
def listings(site: Callable[[str], Path], build: Callable[..., SphinxTestApp]) -> SphinxTestApp:
    app = build(site("listings"))
    assert warnings_of(app) == [UNDATED_WARNING]
    return app


def resolve(app: SphinxTestApp, page: str, href: str) -> Path:
    """The file a relative link on ``page`` points to."""
    return (app.outdir / page).parent.joinpath(href.split("#")[0]).resolve()


def titles(links: list[BeautifulSoup]) -> list[str]:
    return [link.get_text() for link in links]


def test_cards_show_the_newest_posts_as_sphinx_design_cards(listings: SphinxTestApp) -> None:
    page = html_of(listings, "index")
    cards = page.select(".sd-card.kb-card")
    assert len(cards) == 3
    assert titles([card.select_one(".sd-card-title a") for card in cards]) == [MOULD, DUPRO, DEPOSIT]
    first = cards[0]
    link = first.select_one("a.sd-stretched-link")
    assert (
        link is not None
        and resolve(listings, "index.html", link["href"])
        == (listings.outdir / "source/posts/mould.html").resolve()
    )
    time = first.select_one("time")
    assert time is not None and (time["datetime"], time.get_text()) == ("2021-06-30", "June 30, 2021")
    excerpt = first.select_one(".kb-excerpt")
    assert excerpt is not None
    assert excerpt.get_text() == "Write mould ownership into the contract before you pay for the tooling."
    image = first.select_one("img.kb-card-image")
    assert image is not None and resolve(listings, "index.html", image["src"]).is_file()
    # The thumbnail is the smallest resized variant, with its size against layout shift.
    assert image["src"].startswith("_images/variants/") and image["src"].endswith(".webp")
    assert (image["width"], image["height"]) == ("60", "40")
    # The page's first image is what a phone shows largest: fetched at once, first; the others
    # when they come into view.
    assert (image.get("fetchpriority"), image.get("loading")) == ("high", None)
    assert cards[1].select_one("img") is None  # a post without featuredImage has no thumbnail
    by_title = html_of(listings, "source/lists").select("img.kb-card-image")
    assert [(img.get("fetchpriority"), img.get("loading")) for img in by_title] == [
        ("high", None),
        (None, "lazy"),
    ]
    # Sphinx-design markup was rendered, not printed as text.
    assert "{postlist}" not in page.get_text() and ":layout:" not in page.get_text()


def test_postlist_options(listings: SphinxTestApp) -> None:
    page = html_of(listings, "source/lists")
    lists = page.select("ul.kb-postlist")
    assert [titles(ul.select("a")) for ul in lists] == [
        [AQL, DUPRO],  # tag, case-insensitive, oldest first
        [DUPRO, DEPOSIT],  # year 2019, newest first
        [UNDATED, DEPOSIT],  # by title, limit 2
    ]
    assert page.select_one(".kb-empty").get_text() == "No posts yet."


def test_archive_groups_every_post_by_year_newest_first(listings: SphinxTestApp) -> None:
    page = html_of(listings, "source/archive")
    years = page.select("section.kb-archive-year")
    assert [section.find("h2").get_text().rstrip("¶") for section in years] == [
        "2021",
        "2019",
        "2018",
        "Undated",
    ]
    assert titles(years[1].select("a.reference")) == [DUPRO, DEPOSIT]
    assert [time["datetime"] for time in years[1].select("time")] == ["2019-09-15", "2019-02-01"]


def test_tag_pages_list_exactly_their_posts(listings: SphinxTestApp) -> None:
    tag_files = sorted(path.stem for path in (listings.outdir / "tags").glob("*.html"))
    assert tag_files == ["contracts", "deposit", "inspection", "payment", "quality", "tooling"]
    page = html_of(listings, "tags/inspection")
    assert page.find("h1").get_text() == "Inspection"  # the spellings tie: plain sort order decides
    links = page.select(".kb-tag-page ul.kb-postlist a")
    assert titles(links) == [DUPRO, AQL]
    for link in links:
        assert resolve(listings, "tags/inspection.html", link["href"]).is_file()
    assert page.title is not None and page.title.get_text().startswith("Posts tagged “Inspection”")
    escaped = (listings.outdir / "tags/tooling.html").read_text()
    assert "Who owns the mould after the order? &lt;tooling&gt; &amp; &quot;you&quot;" in escaped


def test_tag_index_counts_and_links(listings: SphinxTestApp) -> None:
    page = html_of(listings, "source/tags")
    entries = {
        item.find("a").get_text(): (item.select_one(".kb-count").get_text().strip(), item.find("a")["href"])
        for item in page.select("ul.kb-tagindex li")
    }
    assert entries == {
        "contracts": ("1", "../tags/contracts.html"),
        "deposit": ("1", "../tags/deposit.html"),
        "Inspection": ("2", "../tags/inspection.html"),
        "payment": ("1", "../tags/payment.html"),
        "quality": ("1", "../tags/quality.html"),
        "tooling": ("1", "../tags/tooling.html"),
    }


def test_tags_on_a_post_link_to_their_pages(listings: SphinxTestApp) -> None:
    page = html_of(listings, "source/posts/aql")
    tags = page.select(".kb-post-tags a.kb-tag")
    assert titles(tags) == ["inspection", "quality"]
    assert [resolve(listings, "source/posts/aql.html", tag["href"]).name for tag in tags] == [
        "inspection.html",
        "quality.html",
    ]


def test_previous_and_next_post_by_date(listings: SphinxTestApp) -> None:
    def rel(page: str, kind: str) -> str | None:
        link = html_of(listings, page).find("link", rel=kind)
        return None if link is None else str(link["href"])

    assert rel("source/posts/dupro", "prev") == "deposit.html"
    assert rel("source/posts/dupro", "next") == "mould.html"
    assert rel("source/posts/mould", "next") is None
    assert rel("source/posts/undated", "prev") is None
    assert rel("source/posts/undated", "next") == "aql.html"
    link = html_of(listings, "source/posts/dupro").find("link", rel="next")
    assert link["title"] == MOULD


@pytest.mark.parametrize(
    ("root", "text"),
    [
        ("listings", "How much deposit should I pay up front?"),  # cards, lists, archive
        ("glossary", "How much deposit should I pay?"),  # a term's "Mentioned in" list
        ("crossrefs", "the rework answer"),  # a Gatsby link to a post
    ],
)
def test_a_builder_without_the_posts_names_them_without_a_link(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], root: str, text: str
) -> None:
    """LaTeX's document holds the toctree's pages, not the posts (they are in no toctree):
    lists and links that lead to a post show its text instead of stopping the build."""
    app = build(site(root), "latex")
    (document,) = Path(app.outdir).glob("*.tex")
    assert text in document.read_text(encoding="utf-8")
