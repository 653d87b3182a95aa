"""Pages that list posts: ``{postlist}`` (a list or sphinx-design cards) and ``{postarchive}``.

Directives only leave a placeholder while reading, since other posts may not be read yet;
the lists are filled in at ``doctree-resolved`` from the post store. Each page holding a list
records what its lists are (kind and options); when reading ends (``env-get-updated``), a page
whose lists would now show something else is handed back to Sphinx, so an incremental build
refreshes it without ``-E``, and a page whose lists did not change is not written again.

On the website no list grows without bound (``kb_posts_per_page``): the archive goes on over
further pages (:mod:`sourcebook.navigation.pagination`), and a longer ``{postlist}`` ends with
a link to the rest: the tag's page for a list of one tag, the archive otherwise.
"""

from __future__ import annotations

import functools
import hashlib
import html
import time
from itertools import groupby
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri
from sphinx_design.shared import PassthroughTextElement, create_component

from sourcebook.navigation.pagination import (
    Change,
    generated_parts,
    navigation_html,
    neighbour_context,
    note_changes,
    page_frame,
    part_name,
    posts_per_page,
    split,
)
from sourcebook.posts.frontmatter import format_date
from sourcebook.posts.image_variants import thumbnail_for
from sourcebook.posts.nodes import kb_time, link_or_text
from sourcebook.posts.slugs import tag_slug
from sourcebook.posts.store import PostRecord, get_domain
from sourcebook.reporting import warn

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


def year_of(post: PostRecord) -> str:
    return (post.date or "")[:4] or "Undated"


def render_archive(builder: Builder, fromdocname: str, posts: list[PostRecord]) -> list[nodes.Node]:
    """A section per year, newest year first; undated posts last."""
    sections: list[nodes.Node] = []
    for year, group in groupby(posts, key=year_of):
        section = nodes.section(ids=[f"year-{year.lower()}"], classes=["kb-archive-year"])
        section += nodes.title(year, year)
        section += render_list(builder, fromdocname, list(group))
        sections.append(section)
    return sections


def years_html(builder: Builder, pagename: str, parts: list[list[PostRecord]], number: int) -> str:
    """Every year of a split archive, each linked to the part where it starts, with its count."""
    starts: dict[str, int] = {}
    counts: dict[str, int] = {}
    for index, part in enumerate(parts, start=1):
        for post in part:
            starts.setdefault(year_of(post), index)
            counts[year_of(post)] = counts.get(year_of(post), 0) + 1
    here = builder.get_target_uri(part_name(pagename, number))
    links = []
    for year, start in starts.items():
        href = relative_uri(here, builder.get_target_uri(part_name(pagename, start)))
        if start == number:
            href = ""
        links.append(
            f'<li><a href="{html.escape(href)}#year-{html.escape(year.lower())}">{html.escape(year)}</a>'
            f' <span class="kb-count">{counts[year]:,}</span></li>'
        )
    return f'<nav class="kb-archive-years" aria-label="Years"><ul>{"".join(links)}</ul></nav>\n'


def archive_part(
    builder: Builder, pagename: str, parts: list[list[PostRecord]], number: int, fromdocname: str
) -> list[nodes.Node]:
    """Part ``number`` of an archive, with the years and the page links when it has several."""
    listed = render_archive(builder, fromdocname, parts[number - 1])
    if len(parts) == 1:
        return listed
    navigation = navigation_html(builder, pagename, number, len(parts), "Pages of the archive")
    return [
        nodes.raw("", years_html(builder, pagename, parts, number) + navigation, format="html"),
        *listed,
        nodes.raw("", navigation, format="html"),
    ]


def archive_page(app: Sphinx) -> str | None:
    """The first page holding an archive: where a cut list of every post sends readers."""
    for docname, listings in sorted(get_domain(app.env).listing_pages.items()):
        if docname in app.env.all_docs and any(kind == "postarchive" for kind, _options in listings):
            return docname
    return None


def rest_link(app: Sphinx, docname: str, options: dict[str, Any], rest: int) -> nodes.paragraph:
    """'And N more', linked to the tag's page (a list of one tag) or the archive."""
    line = nodes.paragraph(classes=["kb-more"])
    text = nodes.Text(f"{rest:,} more")
    tag = options.get("tag")
    target = f"{app.config.kb_tags_dir}/{tag_slug(tag)}" if tag else archive_page(app)
    if target is None:
        line += text
    else:
        uri = relative_uri(app.builder.get_target_uri(docname), app.builder.get_target_uri(target))
        line += nodes.reference("", "", text, refuri=uri, internal=True)
    return line


def split_archive(app: Sphinx, docname: str, posts: list[PostRecord]) -> list[list[PostRecord]] | None:
    """The parts of the archive on ``docname`` (its first ``{postarchive}``), or None."""
    listings = get_domain(app.env).listing_pages.get(docname, [])
    options = next((options for kind, options in listings if kind == "postarchive"), None)
    if options is None:
        return None
    return split(select_posts(posts, options), posts_per_page(app))


def fill_listings(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace each placeholder with its posts (at doctree-resolved: every post is known)."""
    placeholders = [
        node for node in doctree.findall(kb_postlist) if node["kind"] in ("postlist", "postarchive")
    ]
    if not placeholders:
        return  # most pages list nothing: no need to sort every post for them
    posts = get_domain(app.env).sorted_posts()
    size = posts_per_page(app)
    archives = 0
    first_cards = True
    for placeholder in placeholders:
        options = placeholder["options"]
        chosen = select_posts(posts, options)
        if not chosen:
            placeholder.replace_self(nodes.paragraph("", "No posts yet.", classes=["kb-empty"]))
            continue
        if placeholder["kind"] == "postarchive":
            archives += 1
            if archives == 1:  # the page's archive: it goes on over further pages
                parts = split(chosen, size)
                placeholder.replace_self(archive_part(app.builder, docname, parts, 1, docname))
                continue
            warn(
                "listing",
                "a page holds one {postarchive} that goes on over further pages; this one lists "
                f"its first {size} posts: give it a page of its own",
                location=placeholder,
            )
        shown, rest = (chosen[:size], len(chosen) - size) if size and len(chosen) > size else (chosen, 0)
        if placeholder["kind"] == "postarchive":
            listed: list[nodes.Node] = render_archive(app.builder, docname, shown)
        elif options.get("layout") == "cards":
            listed = [render_cards(app, docname, shown, first=first_cards)]
            first_cards = False
        else:
            listed = [render_list(app.builder, docname, shown)]
        if rest:
            listed.append(rest_link(app, docname, options, rest))
        placeholder.replace_self(listed)


def archive_neighbours(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """A split archive's page links to its second part as "next" (its head and the theme's foot)."""
    if doctree is None or pagename not in get_domain(app.env).listing_pages:
        return
    parts = split_archive(app, pagename, get_domain(app.env).sorted_posts())
    if parts is not None and len(parts) > 1:
        title = app.env.titles[pagename].astext()
        context.update(neighbour_context(app.builder, pagename, 1, len(parts), title))


def archive_part_content(app: Sphinx, pagename: str, parts: list[list[PostRecord]], number: int) -> str:
    """What part ``number`` shows, for its fingerprint: its posts, and every part's first year."""
    title = app.env.titles[pagename].astext() if pagename in app.env.titles else pagename
    shown = [(post.docname, post.title, post.date) for post in parts[number - 1]]
    years = [(year_of(part[0]), year_of(part[-1]), len(part)) for part in parts]
    return repr((title, number, len(parts), shown, years))


def refresh_archive_parts(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Record each generated part's fingerprint and when it changed (written at collect time)."""
    if not posts_per_page(app):
        return []
    domain = get_domain(env)
    posts = domain.sorted_posts()
    frame = page_frame(app, env)
    contents = {}
    for docname in sorted(domain.listing_pages):
        if docname in env.all_docs and (parts := split_archive(app, docname, posts)) is not None:
            for number in range(2, len(parts) + 1):
                content = archive_part_content(app, docname, parts, number)
                contents[part_name(docname, number)] = f"{frame}\x1d{content}"
    previous: dict[str, Change] = domain.data["listing_parts"]
    domain.data["listing_parts"] = note_changes(previous, contents, time.time())
    return []


def archive_part_body(
    app: Sphinx, docname: str, title: str, parts: list[list[PostRecord]], number: int
) -> str:
    """The HTML of a generated part: the page's title, then the part, as the page writes it."""
    section = nodes.section(ids=["archive"], classes=["kb-archive-part"])
    section += nodes.title(title, title)
    section += archive_part(app.builder, docname, parts, number, part_name(docname, number))
    return str(app.builder.render_partial(section)["fragment"])  # type: ignore[attr-defined]


def archive_parts(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    """The archive's further parts that changed (html-collect-pages); parts no longer needed go."""
    if not posts_per_page(app):
        return []
    domain = get_domain(app.env)
    posts = domain.sorted_posts()
    changes: dict[str, Change] = domain.data["listing_parts"]
    pages = []
    for docname in sorted(domain.listing_pages):
        if docname not in app.env.all_docs or (parts := split_archive(app, docname, posts)) is None:
            continue
        title = app.env.titles[docname].astext()
        body = functools.partial(archive_part_body, app, docname, title, parts)
        pages += generated_parts(app, docname, title, len(parts), body, changes)
    return pages


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
    app.connect("env-get-updated", refresh_archive_parts)
    # After Sphinx sets prev/next from the toctree, before the theme draws them.
    app.connect("html-page-context", archive_neighbours)
    app.connect("html-collect-pages", archive_parts)
