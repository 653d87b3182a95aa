"""Tags: a page per tag, a ``{tagindex}`` with counts, and tag links on post pages.

Tag pages are not documents (authors write no file per tag): they are generated from the
post store at ``html-collect-pages``, which runs on every HTML build. Only the pages whose
content changed are written again: when reading ends (``env-get-updated``, before Sphinx saves
the environment) each tag page gets a fingerprint of everything it shows, and the time that
fingerprint last changed; a page is written when its file is older than that time or than the
newest template, the rule Sphinx applies to documents. So incremental builds give the pages of
a clean build without rendering every tag page each time.

On the website a tag's page and the tag index list at most ``kb_posts_per_page`` entries and
go on over further pages (``tags/<tag>/page-2.html``…, :mod:`sourcebook.navigation.pagination`).
"""

from __future__ import annotations

import functools
import html
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx.util.osutil import relative_uri

from sourcebook.navigation.head import DESCRIPTION
from sourcebook.navigation.listings import ListingDirective, kb_postlist
from sourcebook.navigation.pagination import (
    Change,
    generated_parts,
    is_current,
    navigation_html,
    neighbour_context,
    note_changes,
    page_frame,
    part_name,
    part_title,
    posts_per_page,
    remove_parts_after,
    split,
)
from sourcebook.navigation.publishing import remember_generated_page
from sourcebook.posts.frontmatter import format_date
from sourcebook.posts.slugs import tag_slug
from sourcebook.posts.store import PostRecord, get_domain, is_post

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment


@dataclass
class Tag:
    """A tag as readers see it: one name, one page, its posts newest first."""

    slug: str
    name: str
    posts: list[PostRecord] = field(default_factory=list)


def collect_tags(posts: list[PostRecord]) -> list[Tag]:
    """Every tag of ``posts`` (given newest first), sorted by name.

    Spellings of one tag ('QC', 'qc') share a page named by the most used spelling (on a
    tie, the first in plain sort order), so the result does not depend on reading order.
    """
    tags: dict[str, Tag] = {}
    spellings: dict[str, Counter[str]] = {}
    listed: set[tuple[str, str]] = set()  # (tag slug, docname): a post once per tag
    for post in posts:
        for name in post.tags:
            slug = tag_slug(name)
            tag = tags.setdefault(slug, Tag(slug, name))
            spellings.setdefault(slug, Counter())[name] += 1
            if (slug, post.docname) not in listed:
                listed.add((slug, post.docname))
                tag.posts.append(post)
    for slug, tag in tags.items():
        tag.name = min(spellings[slug].items(), key=lambda item: (-item[1], item[0]))[0]
    return sorted(tags.values(), key=lambda tag: tag.name.casefold())


def tag_page(builder: Builder, slug: str) -> str:
    """The page name of a tag's page, e.g. ``tags/incoterms``."""
    return f"{builder.config.kb_tags_dir}/{slug}"


def tag_uri(builder: Builder, fromdocname: str, slug: str) -> str:
    return relative_uri(builder.get_target_uri(fromdocname), builder.get_target_uri(tag_page(builder, slug)))


class TagIndexDirective(ListingDirective):
    """``{tagindex}``: every tag with the number of its posts, linked to its page."""

    kind = "tagindex"
    option_spec: ClassVar[dict[str, Any]] = {}


def render_tag_index(app: Sphinx, fromdocname: str, tags: list[Tag]) -> nodes.bullet_list:
    """Each tag, linked to its page, with its number of posts."""
    items = nodes.bullet_list(classes=["kb-tagindex"])
    for tag in tags:
        paragraph = nodes.paragraph()
        label = nodes.Text(tag.name)
        if app.builder.format == "html":
            paragraph += nodes.reference(
                "", "", label, refuri=tag_uri(app.builder, fromdocname, tag.slug), internal=True
            )
        else:
            paragraph += label
        paragraph += nodes.inline("", f" {len(tag.posts)}", classes=["kb-count"])
        items += nodes.list_item("", paragraph)
    return items


def tag_index_part(app: Sphinx, pagename: str, parts: list[list[Tag]], number: int) -> list[nodes.Node]:
    """Part ``number`` of the tag index on ``pagename``, with the page links when it has several."""
    listed = render_tag_index(app, part_name(pagename, number), parts[number - 1])
    if len(parts) == 1:
        return [listed]
    navigation = nodes.raw(
        "", navigation_html(app.builder, pagename, number, len(parts), "Pages of the tags"), format="html"
    )
    return [navigation, listed, navigation.deepcopy()]


def tag_index_parts(app: Sphinx, tags: list[Tag]) -> list[list[Tag]]:
    return split(tags, posts_per_page(app))


def tag_index_pages(app: Sphinx) -> list[str]:
    """The documents holding a ``{tagindex}``."""
    listing_pages = get_domain(app.env).listing_pages
    return sorted(
        docname
        for docname, listings in listing_pages.items()
        if docname in app.env.all_docs and any(kind == "tagindex" for kind, _options in listings)
    )


def fill_tag_index(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for placeholder in list(doctree.findall(kb_postlist)):
        if placeholder["kind"] != "tagindex":
            continue
        tags = collect_tags(get_domain(app.env).sorted_posts())
        if not tags:
            placeholder.replace_self(nodes.paragraph("", "No tags yet.", classes=["kb-empty"]))
            continue
        placeholder.replace_self(tag_index_part(app, docname, tag_index_parts(app, tags), 1))


def tag_index_neighbours(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """A split tag index links its second part as "next" (its head and the theme's foot)."""
    if doctree is None or pagename not in tag_index_pages(app):
        return
    parts = tag_index_parts(app, collect_tags(get_domain(app.env).sorted_posts()))
    if len(parts) > 1:
        title = app.env.titles[pagename].astext()
        context.update(neighbour_context(app.builder, pagename, 1, len(parts), title))


def link_post_tags(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Turn the tags under a post's title into links to their pages (HTML only)."""
    if app.builder.format != "html" or not is_post(docname, app.config):
        return
    for tag in list(doctree.findall(nodes.inline)):
        if "kb-tag" in tag["classes"]:
            name = tag.astext()
            tag.replace_self(
                nodes.reference(
                    "",
                    "",
                    nodes.Text(name),
                    refuri=tag_uri(app.builder, docname, tag_slug(name)),
                    internal=True,
                    classes=["kb-tag"],
                )
            )


def tag_parts(app: Sphinx, tag: Tag) -> list[list[PostRecord]]:
    return split(tag.posts, posts_per_page(app))


def tag_page_body(
    builder: Builder, tag: Tag, parts: list[list[PostRecord]] | None = None, number: int = 1
) -> str:
    """The HTML of (part ``number`` of) a tag's page; every value from frontmatter is escaped."""
    parts = parts or [tag.posts]
    pagename = tag_page(builder, tag.slug)
    page = part_name(pagename, number)
    items = []
    for post in parts[number - 1]:
        href = relative_uri(builder.get_target_uri(page), builder.get_target_uri(post.docname))
        date = ""
        if post.date:
            date = (
                f' · <time datetime="{html.escape(post.date)}">{html.escape(format_date(post.date))}</time>'
            )
        items.append(
            f'<li><p><a class="reference internal" href="{html.escape(href)}">'
            f"{html.escape(post.title)}</a>{date}</p></li>"
        )
    index_href = relative_uri(
        builder.get_target_uri(page), builder.get_target_uri(builder.config.kb_tags_page)
    )
    count = f"{len(tag.posts):,} post" + ("" if len(tag.posts) == 1 else "s")
    navigation = ""
    if len(parts) > 1:
        label = f"Pages of the posts tagged “{tag.name}”"
        navigation = navigation_html(builder, pagename, number, len(parts), label)
    return (
        f'<section id="tag-{html.escape(tag.slug)}" class="kb-tag-page">\n'
        f"<h1>{html.escape(tag.name)}</h1>\n"
        f'<p class="kb-tag-count">{count} tagged “{html.escape(tag.name)}”.</p>\n'
        f"{navigation}"
        f'<ul class="kb-postlist">\n{"".join(items)}\n</ul>\n'
        f"{navigation}"
        f'<p><a class="reference internal" href="{html.escape(index_href)}">All tags</a></p>\n'
        "</section>\n"
    )


def tag_title(tag: Tag) -> str:
    return f"Posts tagged “{tag.name}”"


def tag_description(tag: Tag, site: str) -> str:
    """What a tag page says of itself to search engines: how many answers, and the newest ones."""
    count = f"{len(tag.posts)} answer" + ("" if len(tag.posts) == 1 else "s")
    titles = "; ".join(post.title for post in tag.posts[:3])
    return f"{count} tagged “{tag.name}” on {site}: {titles}"


def refresh_tag_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Record each tag page's (and part's) fingerprint, and when it changed (env-get-updated).

    This runs before Sphinx saves the environment; the pages are written later, at
    ``html-collect-pages``, when their files are older than the recorded time. Tag pages are
    not documents, so there is nothing to hand back to Sphinx. The tag index's further parts
    are recorded here too.
    """
    if app.builder.format != "html":
        return []
    domain = get_domain(env)
    frame = page_frame(app, env)
    contents: dict[str, str] = {}
    tags = collect_tags(domain.sorted_posts())
    for tag in tags:
        parts = tag_parts(app, tag)
        for number in range(1, len(parts) + 1):
            body = tag_page_body(app.builder, tag, parts, number)
            contents[part_name(tag.slug, number)] = f"{frame}\x1d{tag.name}\x1d{body}"
    index_parts = tag_index_parts(app, tags)
    for docname in tag_index_pages(app):
        title = env.titles[docname].astext()
        for number in range(2, len(index_parts) + 1):
            shown = [(tag.slug, tag.name, len(tag.posts)) for tag in index_parts[number - 1]]
            content = repr((title, number, len(index_parts), shown))
            contents[part_name(index_key(docname), number)] = f"{frame}\x1d{content}"
    previous: dict[str, Change] = domain.data["tag_pages"]
    domain.data["tag_pages"] = note_changes(previous, contents, time.time())
    return []


def tag_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """The tag pages that changed (html-collect-pages); pages of tags no post carries any more go."""
    tags = collect_tags(get_domain(app.env).sorted_posts())
    suffix: str = app.builder.out_suffix  # type: ignore[attr-defined]
    current = {f"{tag.slug}{suffix}" for tag in tags}
    tags_dir = app.outdir / app.config.kb_tags_dir
    if tags_dir.is_dir():
        for stale in tags_dir.glob(f"*{suffix}"):
            if stale.name not in current:
                stale.unlink()
                remove_parts_after(app, tag_page(app.builder, stale.stem), 1)
    changes: dict[str, Change] = get_domain(app.env).data["tag_pages"]
    for tag in tags:
        pagename = tag_page(app.builder, tag.slug)
        parts = tag_parts(app, tag)
        title = tag_title(tag)
        # Listed in the sitemap whether it is written again or not.
        remember_generated_page(app, pagename)
        if not is_current(app, pagename, changes, tag.slug):
            context = {
                "title": html.escape(part_title(title, 1, len(parts))),
                "body": tag_page_body(app.builder, tag, parts, 1),
                "display_toc": False,
                DESCRIPTION: tag_description(tag, app.config.project),
                **(neighbour_context(app.builder, pagename, 1, len(parts), title) if len(parts) > 1 else {}),
            }
            yield pagename, context, "page.html"
        body = functools.partial(tag_page_body, app.builder, tag, parts)
        yield from generated_parts(app, pagename, title, len(parts), body, changes, tag.slug)
    index_parts = tag_index_parts(app, tags)
    for docname in tag_index_pages(app):
        title = app.env.titles[docname].astext()
        index_body = functools.partial(tag_index_body, app, docname, title, index_parts)
        key = index_key(docname)
        yield from generated_parts(app, docname, title, len(index_parts), index_body, changes, key)


def index_key(docname: str) -> str:
    """How the tag index's parts are recorded beside the tag pages (no tag's name holds ':')."""
    return f"index:{docname}"


def tag_index_body(app: Sphinx, docname: str, title: str, parts: list[list[Tag]], number: int) -> str:
    """The HTML of a generated part of the tag index: the page's title, then the part."""
    section = nodes.section(ids=["tags"], classes=["kb-tagindex-part"])
    section += nodes.title(title, title)
    section += tag_index_part(app, docname, parts, number)
    return str(app.builder.render_partial(section)["fragment"])  # type: ignore[attr-defined]


def setup_tags(app: Sphinx) -> None:
    app.add_directive("tagindex", TagIndexDirective)
    app.connect("doctree-resolved", fill_tag_index)
    app.connect("doctree-resolved", link_post_tags)
    app.connect("env-get-updated", refresh_tag_pages)
    # After Sphinx sets prev/next from the toctree, before the theme draws them.
    app.connect("html-page-context", tag_index_neighbours)
    app.connect("html-collect-pages", tag_pages)
