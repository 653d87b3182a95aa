"""Tags: a page per tag, a ``{tagindex}`` with counts, and tag links on post pages.

Tag pages are not documents (authors write no file per tag): they are generated from the
post store at ``html-collect-pages``, which runs on every HTML build. Only the pages whose
content changed are written again: when reading ends (``env-get-updated``, before Sphinx saves
the environment) each tag page gets a fingerprint of everything it shows, and the time that
fingerprint last changed; a page is written when its file is older than that time or than the
newest template, the rule Sphinx applies to documents. So incremental builds give the pages of
a clean build without rendering every tag page each time.
"""

from __future__ import annotations

import hashlib
import html
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx.util.osutil import relative_uri

from sourcebook.navigation.head import DESCRIPTION
from sourcebook.navigation.listings import ListingDirective, kb_postlist
from sourcebook.navigation.publishing import remember_generated_page
from sourcebook.output import written_since
from sourcebook.posts.frontmatter import format_date
from sourcebook.posts.slugs import slugify
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


def tag_description(tag: Tag, site: str) -> str:
    """What a tag page says of itself to search engines: how many answers, and the newest ones."""
    count = f"{len(tag.posts)} answer" + ("" if len(tag.posts) == 1 else "s")
    titles = "; ".join(post.title for post in tag.posts[:3])
    return f"{count} tagged “{tag.name}” on {site}: {titles}"


def page_frame(app: Sphinx, env: BuildEnvironment) -> str:
    """What a generated page shows besides its body: the configuration (as Sphinx's
    ``.buildinfo`` records it), the site's static files (pages link to their CSS and scripts
    with a checksum) and the sidebar's navigation (every toctree and its titles)."""
    build_info = getattr(app.builder, "build_info", None)
    parts = [app.builder.name, getattr(build_info, "config_hash", ""), getattr(build_info, "tags_hash", "")]
    for entry in app.config.html_static_path:  # folders, or single files
        root = app.confdir / entry
        for path in [root] if root.is_file() else sorted(root.rglob("*")):
            if path.is_file():
                stat = path.stat()
                parts.append(f"{path}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}")
    root_doc = app.config.root_doc
    for docname, included in sorted(env.toctree_includes.items()):
        for name in (docname, *included):
            title = env.titles.get(name)
            parts.append(f"{name}\x1f{title.astext() if title is not None else ''}")
    if root_doc in env.titles:
        parts.append(f"{root_doc}\x1f{env.titles[root_doc].astext()}")
    return "\x1e".join(parts)


def refresh_tag_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Record each tag page's fingerprint, and when it changed (env-get-updated).

    This runs before Sphinx saves the environment; the pages are written later, at
    ``html-collect-pages``, when their files are older than the recorded time. Tag pages are
    not documents, so there is nothing to hand back to Sphinx.
    """
    if app.builder.format != "html":
        return []
    domain = get_domain(env)
    previous: dict[str, tuple[str, float]] = domain.data["tag_pages"]
    frame = page_frame(app, env)
    now = time.time()
    current: dict[str, tuple[str, float]] = {}
    for tag in collect_tags(domain.sorted_posts()):
        content = f"{frame}\x1d{tag.name}\x1d{tag_page_body(app.builder, tag)}"
        fingerprint = hashlib.sha256(content.encode()).hexdigest()[:32]
        before = previous.get(tag.slug)
        current[tag.slug] = before if before is not None and before[0] == fingerprint else (fingerprint, now)
    domain.data["tag_pages"] = current
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
    changes: dict[str, tuple[str, float]] = get_domain(app.env).data["tag_pages"]
    templates = getattr(app.builder, "templates", None)
    template_time = templates.newest_template_mtime() if templates is not None else 0.0
    for tag in tags:
        pagename = tag_page(app.builder, tag.slug)
        # Listed in the sitemap whether it is written again or not.
        remember_generated_page(app, pagename)
        _fingerprint, changed = changes.get(tag.slug, ("", float("inf")))
        if written_since(tags_dir / f"{tag.slug}{suffix}", max(changed, template_time)):
            continue
        context = {
            "title": html.escape(f"Posts tagged “{tag.name}”"),
            "body": tag_page_body(app.builder, tag),
            "display_toc": False,
            DESCRIPTION: tag_description(tag, app.config.project),
        }
        yield pagename, context, "page.html"


def setup_tags(app: Sphinx) -> None:
    app.add_directive("tagindex", TagIndexDirective)
    app.connect("doctree-resolved", fill_tag_index)
    app.connect("doctree-resolved", link_post_tags)
    app.connect("env-get-updated", refresh_tag_pages)
    app.connect("html-collect-pages", tag_pages)
