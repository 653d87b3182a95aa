"""Tags: a page per tag, a ``{tagindex}`` with counts, and tag links on post pages.

Tag pages are not documents (authors write no file per tag): they are generated from the
post store at ``html-collect-pages``, which runs on every HTML build, so they are always
current, incremental builds included.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx.util.osutil import relative_uri

from sourcebook.frontmatter import format_date
from sourcebook.listings import ListingDirective, kb_postlist
from sourcebook.posts import PostRecord, get_domain, is_post
from sourcebook.slugs import slugify

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sphinx.application import Sphinx
    from sphinx.builders import Builder


@dataclass
class Tag:
    """A tag as readers see it: one name, one page, its posts newest first."""

    slug: str
    name: str
    posts: list[PostRecord] = field(default_factory=list)


def tag_slug(name: str) -> str:
    """Tags that differ only in case or punctuation share a page."""
    return slugify(name) or "tag"


def collect_tags(posts: list[PostRecord]) -> list[Tag]:
    """Every tag of ``posts`` (given newest first), sorted by name.

    Spellings of one tag ('QC', 'qc') share a page named by the most used spelling (on a
    tie, the first in plain sort order), so the result does not depend on reading order.
    """
    tags: dict[str, Tag] = {}
    spellings: dict[str, Counter[str]] = {}
    for post in posts:
        for name in post.tags:
            slug = tag_slug(name)
            tag = tags.setdefault(slug, Tag(slug, name))
            spellings.setdefault(slug, Counter())[name] += 1
            if post not in tag.posts:
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


def fill_tag_index(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for placeholder in list(doctree.findall(kb_postlist)):
        if placeholder["kind"] != "tagindex":
            continue
        tags = collect_tags(get_domain(app.env).sorted_posts())
        items = nodes.bullet_list(classes=["kb-tagindex"])
        for tag in tags:
            paragraph = nodes.paragraph()
            label = nodes.Text(tag.name)
            if app.builder.format == "html":
                paragraph += nodes.reference(
                    "", "", label, refuri=tag_uri(app.builder, docname, tag.slug), internal=True
                )
            else:
                paragraph += label
            paragraph += nodes.inline("", f" {len(tag.posts)}", classes=["kb-count"])
            items += nodes.list_item("", paragraph)
        placeholder.replace_self(items if tags else nodes.paragraph("", "No tags yet.", classes=["kb-empty"]))


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


def tag_page_body(builder: Builder, tag: Tag) -> str:
    """The HTML of a tag's page; every value from frontmatter is escaped."""
    page = tag_page(builder, tag.slug)
    items = []
    for post in tag.posts:
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
    count = f"{len(tag.posts)} post" + ("" if len(tag.posts) == 1 else "s")
    return (
        f'<section id="tag-{html.escape(tag.slug)}" class="kb-tag-page">\n'
        f"<h1>{html.escape(tag.name)}</h1>\n"
        f'<p class="kb-tag-count">{count} tagged “{html.escape(tag.name)}”.</p>\n'
        f'<ul class="kb-postlist">\n{"".join(items)}\n</ul>\n'
        f'<p><a class="reference internal" href="{html.escape(index_href)}">All tags</a></p>\n'
        "</section>\n"
    )


def tag_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """One page per tag (html-collect-pages); pages of tags no post carries any more go."""
    tags = collect_tags(get_domain(app.env).sorted_posts())
    current = {f"{tag.slug}{app.builder.out_suffix}" for tag in tags}  # type: ignore[attr-defined]
    tags_dir = app.outdir / app.config.kb_tags_dir
    if tags_dir.is_dir():
        for stale in tags_dir.glob(f"*{app.builder.out_suffix}"):  # type: ignore[attr-defined]
            if stale.name not in current:
                stale.unlink()
    for tag in tags:
        context = {
            "title": html.escape(f"Posts tagged “{tag.name}”"),
            "body": tag_page_body(app.builder, tag),
            "display_toc": False,
        }
        yield tag_page(app.builder, tag.slug), context, "page.html"


def setup_tags(app: Sphinx) -> None:
    app.add_directive("tagindex", TagIndexDirective)
    app.connect("doctree-resolved", fill_tag_index)
    app.connect("doctree-resolved", link_post_tags)
    app.connect("html-collect-pages", tag_pages)
