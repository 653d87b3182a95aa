"""End-to-end: Gatsby posts become pages with their frontmatter as title, dates, image, metadata."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from docutils import nodes
from sphinx.testing.util import SphinxTestApp

from sourcebook.posts.store import get_domain

from conftest import html_of, warnings_of

SEED = "source/posts/1_defective_goods"
SEED_TITLE = "How can I force Chinese manufacturers to accept rework of defective goods?"


def test_posts_become_pages_without_any_toctree(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("posts"))
    assert warnings_of(app) == []
    assert sorted(get_domain(app.env).posts) == [
        "source/posts/1_defective_goods",
        "source/posts/2_incoterms",
        "source/posts/3_deposits",
    ]
    for name in ("1_defective_goods", "2_incoterms", "3_deposits"):
        assert (app.outdir / "source" / "posts" / f"{name}.html").is_file()


def test_seed_post_page_shows_title_date_and_featured_image(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("posts"))
    page = html_of(app, SEED)
    [heading] = page.find_all("h1")
    assert heading.get_text(strip=True).rstrip("#¶") == SEED_TITLE
    assert page.title is not None and page.title.get_text().startswith(SEED_TITLE)
    time = page.select_one(".kb-post-header time.kb-published")
    assert time is not None
    assert time["datetime"] == "2017-05-17"
    assert time.get_text() == "May 17, 2017"
    image = page.select_one(".kb-post-header img.kb-featured-image")
    assert image is not None
    assert image["src"] == "../../_images/1_thumbnail.jpg"
    assert (app.outdir / "_images" / "1_thumbnail.jpg").is_file()
    # In the doctree, the image is placed at its frontmatter line, for messages about it.
    [featured] = [
        node
        for node in app.env.get_doctree(SEED).findall(nodes.image)
        if "kb-featured-image" in node["classes"]
    ]
    assert (featured.source, featured.line) == (str(app.srcdir / f"{SEED}.md"), 5)
    # The body keeps its own sections and images, under the title.
    sections = [h2.get_text().rstrip("#¶") for h2 in page.find_all("h2")]
    assert sections[0] == "Firstly, you need to understand how the manufacturer thinks!"
    assert page.find("img", alt="Handshake") is not None


def test_title_is_plain_text_never_markup(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("posts"))
    page = html_of(app, "source/posts/2_incoterms")
    [heading] = page.find_all("h1")
    assert heading.get_text().rstrip("#¶") == 'Incoterms & you: what "FOB" <really> means'
    assert heading.find("really") is None
    raw = (app.outdir / "source/posts/2_incoterms.html").read_text()
    assert "Incoterms &amp; you: what &quot;FOB&quot; &lt;really&gt; means" in raw
    assert page.title is not None
    assert page.title.get_text().startswith('Incoterms & you: what "FOB" <really> means')


def test_dates_updated_and_tags(site: Callable[[str], Path], build: Callable[..., SphinxTestApp]) -> None:
    app = build(site("posts"))
    page = html_of(app, "source/posts/2_incoterms")
    published = page.select_one("time.kb-published")
    updated = page.select_one("time.kb-updated")
    assert published is not None and updated is not None
    assert (published["datetime"], published.get_text()) == ("2019-03-01", "March 1, 2019")
    assert (updated["datetime"], updated.get_text()) == ("2019-03-05T08:30:00+08:00", "March 5, 2019")
    assert [tag.get_text() for tag in page.select(".kb-post-tags .kb-tag")] == [
        "Incoterms",
        "shipping",
        "FOB",
    ]
    datetime_post = html_of(app, "source/posts/3_deposits").select_one("time.kb-published")
    assert datetime_post is not None
    assert datetime_post["datetime"] == "2020-11-02T09:15:00+00:00"


def test_every_key_is_page_metadata(site: Callable[[str], Path], build: Callable[..., SphinxTestApp]) -> None:
    app = build(site("posts"))
    metadata = app.env.metadata["source/posts/2_incoterms"]
    assert metadata["title"] == 'Incoterms & you: what "FOB" <really> means'
    assert metadata["slug"] == "Incoterms-And-You"
    assert metadata["date"] == "2019-03-01"
    assert metadata["updated"] == "2019-03-05T08:30:00+08:00"
    assert json.loads(metadata["tags"]) == ["Incoterms", "shipping", "FOB"]
    assert metadata["author"] == "Li Wei"
    assert json.loads(metadata["series"]) == {"name": "Trade terms", "part": 2}
    assert metadata["featuredImage"] == "../images/blog/2_ship.png"
    post = get_domain(app.env).posts["source/posts/2_incoterms"]
    assert post.description == 'Who pays for what, and when the <risk> passes to "you" & your forwarder.'
    assert post.image == "source/images/blog/2_ship.png"
    # A post without a slug gets one from its file name; without a description, its first words.
    deposits = get_domain(app.env).posts["source/posts/3_deposits"]
    assert deposits.slug == "3-deposits"
    assert deposits.description == "How much deposit should you pay up front? Most factories ask for 30%."


def test_pages_that_are_not_posts_are_plain_myst(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("posts"))
    assert "index" not in get_domain(app.env).posts
    assert html_of(app, "index").find("h1").get_text().rstrip("#¶") == "Fixture knowledge base"


def test_other_builders_write_dates_as_text(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("posts"), "text")
    text = (app.outdir / "source/posts/1_defective_goods.txt").read_text()
    assert "May 17, 2017" in text
    assert warnings_of(app) == []
