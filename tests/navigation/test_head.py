"""A post page's head: description, Open Graph, Twitter card and JSON-LD, escaped everywhere."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

from sourcebook.navigation.head import meta_tag, script_json, shorten

from conftest import html_of, warnings_of

NASTY = "Deposits </script><script>alert('x')</script> & \"quotes\""


def meta(page: BeautifulSoup, key: str) -> list[str]:
    tags = page.find_all("meta", attrs={"property": key}) + page.find_all("meta", attrs={"name": key})
    return [tag["content"] for tag in tags]


def linked_data(page: BeautifulSoup) -> dict[str, object]:
    [script] = page.find_all("script", type="application/ld+json")
    data: dict[str, object] = json.loads(script.string)
    return data


@pytest.fixture
def built(site: Callable[[str], Path], build: Callable[..., SphinxTestApp]) -> SphinxTestApp:
    return build(site("posts"), confoverrides={"html_baseurl": "https://kb.example.com/docs"})


def test_post_head_with_base_url(built: SphinxTestApp) -> None:
    assert warnings_of(built) == []
    page = html_of(built, "source/posts/2_incoterms")
    title = 'Incoterms & you: what "FOB" <really> means'
    description = 'Who pays for what, and when the <risk> passes to "you" & your forwarder.'
    assert meta(page, "description") == [description]
    assert meta(page, "og:title") == [title]
    assert meta(page, "og:type") == ["article"]
    assert meta(page, "og:description") == [description]
    assert meta(page, "og:url") == ["https://kb.example.com/docs/source/posts/2_incoterms.html"]
    [image] = meta(page, "og:image")
    assert re.fullmatch(r"https://kb\.example\.com/docs/_images/social/[0-9a-f]{16}\.jpg", image)
    assert meta(page, "og:image:width") == ["1200"]
    assert meta(page, "og:image:height") == ["630"]
    assert meta(page, "og:image:type") == ["image/jpeg"]
    assert meta(page, "twitter:image") == [image]
    assert meta(page, "article:published_time") == ["2019-03-01"]
    assert meta(page, "article:modified_time") == ["2019-03-05T08:30:00+08:00"]
    assert meta(page, "article:tag") == ["Incoterms", "shipping", "FOB"]
    assert meta(page, "twitter:card") == ["summary_large_image"]
    assert meta(page, "twitter:title") == [title]
    assert linked_data(page) == {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": title,
        "description": description,
        "publisher": {"@type": "Organization", "name": "Fixture KB"},
        "datePublished": "2019-03-01",
        "dateModified": "2019-03-05T08:30:00+08:00",
        "image": [image],
        "mainEntityOfPage": {
            "@type": "WebPage",
            "@id": "https://kb.example.com/docs/source/posts/2_incoterms.html",
        },
        "url": "https://kb.example.com/docs/source/posts/2_incoterms.html",
        "keywords": ["Incoterms", "shipping", "FOB"],
        "timeRequired": "PT1M",
    }


def test_hostile_title_cannot_break_out(built: SphinxTestApp) -> None:
    raw = (built.outdir / "source/posts/3_deposits.html").read_text()
    # Exactly one script element of ours, and no injected one anywhere.
    assert "<script>alert" not in raw
    page = BeautifulSoup(raw, "html.parser")
    assert meta(page, "og:title") == [NASTY]
    assert linked_data(page)["headline"] == NASTY
    assert linked_data(page)["dateModified"] == "2020-11-02T09:15:00+00:00"
    [heading] = page.find_all("h1")
    assert heading.get_text().rstrip("#¶") == NASTY
    assert page.title is not None and page.title.get_text().startswith(NASTY)


def test_post_head_without_base_url_has_no_absolute_urls(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("posts"))
    page = html_of(app, "source/posts/1_defective_goods")
    assert meta(page, "og:url") == []
    [image] = meta(page, "og:image")
    assert re.fullmatch(r"\.\./\.\./_images/social/[0-9a-f]{16}\.jpg", image)
    description = meta(page, "description")
    assert len(description) == 1
    assert description[0].startswith("This question occurs very often and I don’t see many importers")
    assert len(description[0]) <= 161 and description[0].endswith("\u2026")


def test_pages_that_are_not_posts_keep_sphinxext_opengraph(built: SphinxTestApp) -> None:
    page = html_of(built, "index")
    assert meta(page, "og:type") == ["website"]
    assert meta(page, "og:url") == ["https://kb.example.com/docs/index.html"]
    assert page.find_all("script", type="application/ld+json") == []


@pytest.mark.parametrize("value", ['"', "&", "<", "</script>", "'\"><img src=x onerror=alert(1)>"])
def test_meta_tag_escapes_fully(value: str) -> None:
    tag = BeautifulSoup(meta_tag("property", "og:title", value), "html.parser").find("meta")
    assert tag is not None and tag["content"] == value
    assert "<" not in meta_tag("property", "og:title", value).split("content=", 1)[1].rstrip(">")


def test_script_json_cannot_close_its_element() -> None:
    text = script_json({"headline": "</script><script>alert(1)</script> & <!--"})
    inner = text.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner) == {"headline": "</script><script>alert(1)</script> & <!--"}


def test_every_page_has_one_description(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    """Pages that are not documents get one too: search engines would make one up."""
    app = build(site("listings"))
    [undated] = warnings_of(app)  # the fixture's post without a date
    assert undated.startswith("source/posts/undated.md:1: WARNING: the post has no date")
    descriptions = {
        page: meta(html_of(app, page), "description")
        for page in (
            "tags/inspection",
            "tags/tooling",
            "search",
            "genindex",
            "404",
            "index",
            "source/posts/aql",
        )
    }
    assert descriptions == {
        # A tag page names its newest answers (titles are frontmatter: escaped, as text).
        "tags/inspection": [
            "2 answers tagged “Inspection” on Listings KB: "
            "When is a during-production inspection worth it?; What AQL level should I ask for?"
        ],
        "tags/tooling": [
            '1 answer tagged “tooling” on Listings KB: Who owns the mould after the order? <tooling> & "you"'
        ],
        "search": ["Search the answers of Listings KB by question, word, tag or year."],
        "genindex": ["The index of Listings KB: its terms and pages, A to Z."],
        "404": ["This page is not on Listings KB: search its answers, or start from its home page."],
        # Documents keep theirs: sphinxext-opengraph's from the text, a post's from frontmatter.
        "index": descriptions["index"],
        "source/posts/aql": descriptions["source/posts/aql"],
    }
    assert len(descriptions["index"]) == len(descriptions["source/posts/aql"]) == 1
    raw = (app.outdir / "tags/tooling.html").read_text()
    assert "<tooling>" not in raw


def test_a_long_description_is_cut_at_a_word() -> None:
    assert shorten("word " * 50) == ("word " * 31).strip() + "…"
    assert len(shorten("word " * 50)) <= 160
    assert shorten("  a  short\ntext ") == "a short text"
