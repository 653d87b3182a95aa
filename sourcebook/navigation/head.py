"""A page's ``<head>``: a post's description, Open Graph, Twitter card and JSON-LD, and a
description for every page that has none.

Post values come from frontmatter, which is untrusted text, so this module builds the
post's tags itself and escapes every value fully (sphinxext-opengraph, which serves every
other document, escapes only ``"``). JSON-LD is JSON inside ``<script>``: ``<``, ``>`` and
``&`` are escaped too, so a title holding ``</script>`` cannot close the element.

Pages that are not documents (tag pages, the search page, the 404 page, the index) have no
text for sphinxext-opengraph to describe, and search engines then make up a snippet: they get
the description their generator hands over as ``kb_description`` (a tag page names its
answers), or one said of the page's kind.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any

from sourcebook.config import site_url
from sourcebook.navigation.social_cards import social_image
from sourcebook.output import builds_website
from sourcebook.posts.store import PostRecord, get_domain

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx


def meta_tag(attribute: str, name: str, content: str) -> str:
    """One ``<meta>`` tag with both values escaped for a quoted attribute."""
    return f'<meta {attribute}="{html.escape(name)}" content="{html.escape(content, quote=True)}">'


def script_json(data: dict[str, Any]) -> str:
    """JSON that is safe inside ``<script>``: no character can end the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return f'<script type="application/ld+json">{text}</script>'


def post_head(
    post: PostRecord,
    *,
    page_url: str,
    image_url: str | None,
    site_name: str,
    image_size: tuple[int, int, str] | None = None,
) -> str:
    """Every tag a post adds to its page's ``<head>``; ``image_size`` is the image's width,
    height and media type, when known."""
    modified = post.updated or post.date
    tags = [
        meta_tag("name", "description", post.description),
        meta_tag("property", "og:title", post.title),
        meta_tag("property", "og:type", "article"),
        meta_tag("property", "og:description", post.description),
        meta_tag("property", "og:site_name", site_name),
        meta_tag("name", "twitter:card", "summary_large_image" if image_url else "summary"),
        meta_tag("name", "twitter:title", post.title),
        meta_tag("name", "twitter:description", post.description),
    ]
    if page_url:
        tags.append(meta_tag("property", "og:url", page_url))
    if image_url:
        tags += [
            meta_tag("property", "og:image", image_url),
            meta_tag("property", "og:image:alt", post.title),
        ]
        if image_size is not None:
            width, height, media_type = image_size
            tags += [
                meta_tag("property", "og:image:width", str(width)),
                meta_tag("property", "og:image:height", str(height)),
                meta_tag("property", "og:image:type", media_type),
            ]
        tags += [
            meta_tag("name", "twitter:image", image_url),
            meta_tag("name", "twitter:image:alt", post.title),
        ]
    if post.date:
        tags.append(meta_tag("property", "article:published_time", post.date))
    if modified:
        tags.append(meta_tag("property", "article:modified_time", modified))
    tags += [meta_tag("property", "article:tag", tag) for tag in post.tags]
    linked_data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.description,
        "publisher": {"@type": "Organization", "name": site_name},
    }
    if post.date:
        linked_data["datePublished"] = post.date
    if modified:
        linked_data["dateModified"] = modified
    if image_url:
        linked_data["image"] = [image_url]
    if page_url:
        linked_data["mainEntityOfPage"] = {"@type": "WebPage", "@id": page_url}
        linked_data["url"] = page_url
    if post.tags:
        linked_data["keywords"] = post.tags
    linked_data["timeRequired"] = f"PT{post.reading_minutes}M"
    tags.append(script_json(linked_data))
    return "\n".join(tags) + "\n"


def add_post_head(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Add a post's tags, and keep sphinxext-opengraph from adding a second, weaker set."""
    post = get_domain(app.env).posts.get(pagename)
    # Only web pages: an EPUB's pages are XHTML, where none of these tags belongs.
    if post is None or not builds_website(app):
        return
    base = site_url(app.config)
    page_url = base + app.builder.get_target_uri(pagename) if base else ""
    # The social card (social_cards.py): a 1200 by 630 crop of the featured image, or a drawn card.
    image = social_image(app, post)
    image_url = image_size = None
    if image is not None:
        address, width, height, media_type = image
        image_url = address if "://" in address else base + address if base else context["pathto"](address, 1)
        image_size = (width, height, media_type) if width else None
    context["metatags"] += post_head(
        post, page_url=page_url, image_url=image_url, site_name=app.config.project, image_size=image_size
    )
    # A copy: sphinxext-opengraph pops keys from the dict it is given.
    context["meta"] = {**(context.get("meta") or {}), "ogp_disable": ""}


#: What a generator hands over as the description of the page it makes (plain text).
DESCRIPTION = "kb_description"
#: Search engines show about this many characters of a description.
DESCRIPTION_LENGTH = 160
_TAGS = re.compile(r"<[^>]*>")


def generated_description(app: Sphinx, pagename: str, context: dict[str, Any]) -> str:
    """A sensible description for a page without text of its own to describe it."""
    site = str(app.config.project)
    if pagename == "search":
        return f"Search the answers of {site} by question, word, tag or year."
    if pagename == getattr(app.config, "notfound_pagename", "404"):
        return f"This page is not on {site}: search its answers, or start from its home page."
    if pagename == "genindex":
        return f"The index of {site}: its terms and pages, A to Z."
    title = html.unescape(_TAGS.sub("", str(context.get("title") or ""))).strip()
    return f"{title}, on {site}." if title else f"A page of {site}."


def shorten(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    """``text`` cut at a word to at most ``length`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def add_missing_description(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Give a web page without a description one (``kb_description``, or one of its kind)."""
    metatags = str(context.get("metatags") or "")
    if not builds_website(app) or 'name="description"' in metatags:
        return
    text = str(context.get(DESCRIPTION) or generated_description(app, pagename, context))
    context["metatags"] = metatags + meta_tag("name", "description", shorten(text)) + "\n"


def setup_head(app: Sphinx) -> None:
    # Before sphinxext-opengraph's handler (default priority 500) reads ``meta``.
    app.connect("html-page-context", add_post_head, priority=400)
    # After it (and sphinx-notfound-page's), once every other description is written.
    app.connect("html-page-context", add_missing_description, priority=600)
