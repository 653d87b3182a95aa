"""The posts as Atom and RSS 2.0 feeds: ``atom.xml`` and ``rss.xml`` at the site's root.

The feeds are written by feedgen (which escapes every value through lxml) once the build has
finished, from the post store, so an incremental build that re-reads one post still lists every
post. They are generated only when what they show changed: when reading ends
(``env-get-updated``, before Sphinx saves the environment) a fingerprint of the feeds' content
is recorded with the time it last changed, and feeds older than that time are written again.
Feed readers need absolute links, so the feeds are written only when the site's base URL is
known; every page's head then points to them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sourcebook.config import site_url
from sourcebook.output import builds_website, page_url, write_if_changed, written_since
from sourcebook.posts.store import PostRecord, get_domain

if TYPE_CHECKING:
    from docutils import nodes
    from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

ATOM_FILE = "atom.xml"
RSS_FILE = "rss.xml"

#: Characters XML 1.0 cannot hold at all, not even escaped (YAML can: "\x0b").
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Frontmatter text without the control characters that would make lxml refuse the feed."""
    return _NOT_XML.sub("", text)


def post_time(iso_text: str) -> dt.datetime:
    """A post's date as an aware datetime: a bare date is midnight UTC."""
    moment = dt.datetime.fromisoformat(iso_text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def feed_posts(posts: Iterable[PostRecord], size: int = 0) -> list[PostRecord]:
    """The ``size`` newest posts a feed lists (every one for 0): published ones with a date (an
    undated post has no place in a feed, and already has its ``kb.date`` warning).

    Feed readers fetch a feed again and again for what is new: on a site of 10,000 posts a
    feed of every post would be megabytes each time.
    """
    dated = [post for post in posts if not post.draft and post.date]
    newest = sorted(dated, key=lambda post: (post_time(post.date or ""), post.docname), reverse=True)
    return newest[:size] if size > 0 else newest


def build_feed(
    posts: list[PostRecord], *, site: str, title: str, language: str, url_of: Callable[[str], str]
) -> FeedGenerator:
    """A feed of ``posts`` (already in order) whose links are ``url_of(docname)``."""
    # Imported here: feedgen loads lxml, which builds without a base URL (and so without
    # feeds) never need.
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(site)
    feed.title(xml_text(title))
    feed.subtitle(xml_text(f"New and updated answers from {title}"))  # RSS: the description
    feed.author({"name": xml_text(title)})
    feed.language(language)
    feed.generator("Sourcebook")
    # Both dates are fixed by the posts, never the build's clock, so rebuilds are identical.
    newest = max(
        (post_time(post.updated or post.date or "") for post in posts),
        default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
    )
    feed.updated(newest)
    feed.lastBuildDate(newest)
    for post in posts:
        url = url_of(post.docname)
        entry = feed.add_entry(order="append")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(xml_text(post.title))
        entry.link(href=url)
        entry.published(post_time(post.date or ""))
        entry.updated(post_time(post.updated or post.date or ""))
        entry.summary(xml_text(post.description))  # Atom: type "text"
        # RSS readers show <description> as HTML: the text goes there escaped as HTML.
        entry.description(html.escape(xml_text(post.description), quote=False))
        for tag in post.tags:
            entry.category(term=xml_text(tag))
    return feed


def serialise(feed: FeedGenerator, site: str) -> dict[str, bytes]:
    """Both feeds by file name, each naming its own address as ``rel="self"``."""
    documents: dict[str, bytes] = {}
    for name, to_bytes in ((ATOM_FILE, feed.atom_str), (RSS_FILE, feed.rss_str)):
        # The site's address last: feedgen makes the last link RSS's channel <link>.
        feed.link([{"href": site + name, "rel": "self"}, {"href": site, "rel": "alternate"}], replace=True)
        documents[name] = to_bytes(pretty=True)
    return documents


def feeds_fingerprint(app: Sphinx, posts: list[PostRecord]) -> str:
    """A digest of everything the feeds show."""
    shown = [
        (
            post.docname,
            page_url(app, post.docname),
            post.title,
            post.date,
            post.updated,
            post.description,
            *post.tags,
        )
        for post in posts
    ]
    content = repr((site_url(app.config), app.config.project, app.config.language, shown))
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def refresh_feeds(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Record when what the feeds show last changed (env-get-updated; the feeds are no documents)."""
    if not builds_website(app) or not site_url(app.config):
        return []
    domain = get_domain(env)
    fingerprint = feeds_fingerprint(app, feed_posts(domain.posts.values(), app.config.kb_feed_size))
    recorded: tuple[str, float] | None = domain.data["feeds"]
    if recorded is None or recorded[0] != fingerprint:
        domain.data["feeds"] = (fingerprint, time.time())
    return []


def write_feeds(app: Sphinx, exception: Exception | None) -> None:
    """Write both feeds from the post store, once every page is written, if they changed."""
    base = site_url(app.config)
    if exception is not None or not builds_website(app) or not base:
        return
    outdir = Path(app.outdir)
    recorded: tuple[str, float] | None = get_domain(app.env).data["feeds"]
    if recorded is not None and all(
        written_since(outdir / name, recorded[1]) for name in (ATOM_FILE, RSS_FILE)
    ):
        return
    feed = build_feed(
        feed_posts(get_domain(app.env).posts.values(), app.config.kb_feed_size),
        site=base,
        title=app.config.project,
        language=app.config.language,
        url_of=lambda docname: page_url(app, docname),
    )
    for name, content in serialise(feed, base).items():
        path = outdir / name
        write_if_changed(path, content)
        if recorded is not None and not written_since(path, recorded[1]):
            # The same feed as before (after a rebuild from scratch, say): mark it as checked,
            # or every following build would generate it again.
            os.utime(path)


def link_feeds(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Let browsers and feed readers find the feeds from any page."""
    base = site_url(app.config)
    if not base or not builds_website(app):
        return
    title = html.escape(app.config.project, quote=True)
    context["metatags"] = context.get("metatags", "") + (
        f'<link rel="alternate" type="application/atom+xml" title="{title} (Atom)" '
        f'href="{html.escape(base + ATOM_FILE, quote=True)}">\n'
        f'<link rel="alternate" type="application/rss+xml" title="{title} (RSS)" '
        f'href="{html.escape(base + RSS_FILE, quote=True)}">\n'
    )


def setup_feeds(app: Sphinx) -> None:
    # build-finished: the post store then holds every post, read in this build or before it.
    app.connect("env-get-updated", refresh_feeds)
    app.connect("build-finished", write_feeds)
    app.connect("html-page-context", link_feeds)
