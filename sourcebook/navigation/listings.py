"""Pages that list posts: ``{postlist}`` (a list or sphinx-design cards) and ``{postarchive}``.

Directives only leave a placeholder while reading, since other posts may not be read yet;
the lists are filled in at ``doctree-resolved`` from the post store. Each page holding a list
records what its lists are (kind and options); when reading ends (``env-get-updated``), a page
whose lists would now show something else is handed back to Sphinx, so an incremental build
refreshes it without ``-E``, and a page whose lists did not change is not written again.
"""

from __future__ import annotations

import hashlib
import html
from itertools import groupby
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri
from sphinx_design.shared import PassthroughTextElement, create_component

from sourcebook.posts.frontmatter import format_date
from sourcebook.posts.image_variants import thumbnail_for
from sourcebook.posts.nodes import kb_time, link_or_text
from sourcebook.posts.store import PostRecord, get_domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment


class kb_postlist(nodes.General, nodes.Element):  # noqa: N801 - docutils names nodes in lower case
    """Placeholder for a list of posts, replaced once every post is known."""


SORTS = ("newest", "oldest", "title")
LAYOUTS = ("list", "cards")


class ListingDirective(SphinxDirective):
    """Base for directives that leave a placeholder and mark their page as a listing."""

    kind: ClassVar[str] = "list"
    has_content = False

    def run(self) -> list[nodes.Node]:
        options = dict(self.options)
        node = kb_postlist(classes=[f"kb-{self.kind}"], kind=self.kind, options=options)
        self.set_source_info(node)
        get_domain(self.env).listing_pages.setdefault(self.env.docname, []).append((self.kind, options))
        return [node]


class PostListDirective(ListingDirective):
    """``{postlist}``: ``:limit:``, ``:tag:``, ``:year:``, ``:sort:`` and ``:layout: cards|list``."""

    kind = "postlist"
    option_spec: ClassVar[dict[str, Any]] = {
        "limit": directives.nonnegative_int,
        "tag": directives.unchanged_required,
        "year": directives.nonnegative_int,
        "sort": lambda argument: directives.choice(argument, SORTS),
        "layout": lambda argument: directives.choice(argument, LAYOUTS),
    }


class PostArchiveDirective(ListingDirective):
    """``{postarchive}``: every post, grouped by year, newest first."""

    kind = "postarchive"


def select_posts(posts: list[PostRecord], options: dict[str, Any]) -> list[PostRecord]:
    """The posts a list shows, in its order."""
    chosen = list(posts)
    if tag := options.get("tag"):
        chosen = [post for post in chosen if tag.casefold() in (t.casefold() for t in post.tags)]
    if year := options.get("year"):
        chosen = [post for post in chosen if (post.date or "").startswith(f"{year:04d}")]
    sort = options.get("sort", "newest")
    if sort == "title":
        chosen.sort(key=lambda post: post.title.casefold())
    else:
        chosen.sort(key=lambda post: post.sort_key, reverse=sort == "newest")
    if (limit := options.get("limit")) is not None:
        chosen = chosen[:limit]
    return chosen


def post_link(builder: Builder, fromdocname: str, post: PostRecord) -> nodes.Element:
    """A reference to a post, with its title as plain text."""
    return link_or_text(builder, fromdocname, post.docname, nodes.Text(post.title))


def date_node(post: PostRecord) -> kb_time | nodes.Text:
    return kb_time(post.date, format_date(post.date), datetime=post.date) if post.date else nodes.Text("")


def render_list(builder: Builder, fromdocname: str, posts: list[PostRecord]) -> nodes.Element:
    items = nodes.bullet_list(classes=["kb-postlist"])
    for post in posts:
        paragraph = nodes.paragraph()
        paragraph += post_link(builder, fromdocname, post)
        if post.date:
            paragraph += nodes.Text(" · ")
            paragraph += date_node(post)
        items += nodes.list_item("", paragraph)
    return items


def card_image(app: Sphinx, fromdocname: str, image: str, *, first: bool = False) -> nodes.Node:
    """The card's thumbnail: the smallest resized variant where there is one.

    The page's first one is the largest thing a phone shows of the landing page: it is
    fetched at once and first (``fetchpriority``); the others load when they come into view.
    """
    thumbnail = thumbnail_for(app, image)
    if thumbnail is None:
        # The featured image is already collected for the post's own page, so Sphinx
        # maps this node to the same file in _images/.
        candidates = {"?": image} if "://" in image else {"*": image}
        return nodes.image(
            uri=image, candidates=candidates, alt="", classes=["sd-card-img-top", "kb-card-image"]
        )
    url, width, height = thumbnail
    src = relative_uri(app.builder.get_target_uri(fromdocname), url)
    loading = 'fetchpriority="high"' if first else 'loading="lazy"'
    tag = (
        f'<img class="sd-card-img-top kb-card-image" src="{html.escape(src)}" width="{width}" '
        f'height="{height}" alt="" {loading} decoding="async">'
    )
    return nodes.raw("", tag, format="html")


def render_cards(
    app: Sphinx, fromdocname: str, posts: list[PostRecord], *, first: bool = False
) -> nodes.Element:
    """sphinx-design cards: thumbnail, title, date, two-line excerpt, the whole card a link.

    ``first``: the page's first cards, whose first image is fetched at once."""
    builder = app.builder
    grid = create_component("grid-container", ["sd-container-fluid", "sd-sphinx-override", "sd-mb-4"])
    row = create_component(
        "grid-row",
        ["sd-row", "sd-row-cols-1", "sd-row-cols-sm-2", "sd-row-cols-md-3", "sd-g-3", "kb-cards"],
    )
    grid += row
    for post in posts:
        card = create_component(
            "card",
            ["sd-card", "sd-sphinx-override", "sd-w-100", "sd-shadow-sm", "sd-card-hover", "kb-card"],
        )
        if post.image:
            card += card_image(app, fromdocname, post.image, first=first)
            first = False
        body = create_component("card-body", ["sd-card-body"])
        title = create_component("card-title", ["sd-card-title", "sd-font-weight-bold", "kb-card-title"])
        link = post_link(builder, fromdocname, post)
        link["classes"] += ["sd-stretched-link"]
        title += PassthroughTextElement("", "", link)
        body += title
        if post.date:
            body += nodes.paragraph("", "", date_node(post), classes=["sd-card-text", "kb-card-date"])
        body += nodes.paragraph(post.description, post.description, classes=["sd-card-text", "kb-excerpt"])
        card += body
        row += create_component("grid-item", ["sd-col", "sd-d-flex-row"], children=[card])
    return grid


def render_archive(builder: Builder, fromdocname: str, posts: list[PostRecord]) -> list[nodes.Node]:
    """A section per year, newest year first; undated posts last."""
    sections: list[nodes.Node] = []
    for year, group in groupby(posts, key=lambda post: (post.date or "")[:4] or "Undated"):
        section = nodes.section(ids=[f"year-{year.lower()}"], classes=["kb-archive-year"])
        section += nodes.title(year, year)
        section += render_list(builder, fromdocname, list(group))
        sections.append(section)
    return sections


def fill_listings(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace each placeholder with its posts (at doctree-resolved: every post is known)."""
    placeholders = [
        node for node in doctree.findall(kb_postlist) if node["kind"] in ("postlist", "postarchive")
    ]
    if not placeholders:
        return  # most pages list nothing: no need to sort every post for them
    posts = get_domain(app.env).sorted_posts()
    first_cards = True
    for placeholder in placeholders:
        options = placeholder["options"]
        chosen = select_posts(posts, options)
        if not chosen:
            placeholder.replace_self(nodes.paragraph("", "No posts yet.", classes=["kb-empty"]))
        elif placeholder["kind"] == "postarchive":
            placeholder.replace_self(render_archive(app.builder, docname, chosen))
        elif options.get("layout") == "cards":
            placeholder.replace_self(render_cards(app, docname, chosen, first=first_cards))
            first_cards = False
        else:
            placeholder.replace_self(render_list(app.builder, docname, chosen))


def shown(app: Sphinx, kind: str, options: dict[str, Any], posts: list[PostRecord]) -> list[tuple[Any, ...]]:
    """What one list shows of the posts (given newest first): it changes when the list does."""
    if kind == "tagindex":  # tags.py's: every tag and its count
        return [(post.docname, *post.tags) for post in posts]
    chosen = select_posts(posts, options)
    if kind == "postlist" and options.get("layout") == "cards":
        # The thumbnail's name carries the image's content hash.
        return [
            (post.docname, post.title, post.date, post.description, post.image)
            + ((thumbnail_for(app, post.image),) if post.image else ())
            for post in chosen
        ]
    return [(post.docname, post.title, post.date) for post in chosen]


def listing_fingerprint(
    app: Sphinx, listings: list[tuple[str, dict[str, Any]]], posts: list[PostRecord]
) -> str:
    """A digest of every list on a page."""
    shows = [(kind, sorted(options.items()), shown(app, kind, options, posts)) for kind, options in listings]
    return hashlib.sha256(repr(shows).encode()).hexdigest()[:32]


def refresh_listing_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Listing pages to write again: those whose lists now show something else."""
    domain = get_domain(env)
    posts = domain.sorted_posts()
    previous: dict[str, str] = domain.data["listing_digests"]
    current = {
        docname: listing_fingerprint(app, listings, posts)
        for docname, listings in domain.listing_pages.items()
        if docname in env.all_docs
    }
    domain.data["listing_digests"] = current
    return sorted(docname for docname, digest in current.items() if previous.get(docname) != digest)


def setup_listings(app: Sphinx) -> None:
    app.add_node(kb_postlist)
    app.add_directive("postlist", PostListDirective)
    app.add_directive("postarchive", PostArchiveDirective)
    app.connect("doctree-resolved", fill_listings)
    app.connect("env-get-updated", refresh_listing_pages)
