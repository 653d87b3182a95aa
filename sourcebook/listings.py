"""The ``postlist`` directive: a list of posts that any page can show.

The directive only leaves a placeholder while reading, since other posts may not be read
yet; the list is filled in at ``doctree-resolved`` from the post store. Pages holding a
list are handed back to Sphinx from ``env-get-updated`` whenever the posts changed, so an
incremental build refreshes them without ``-E``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode

from sourcebook.frontmatter import format_date
from sourcebook.post_nodes import kb_time
from sourcebook.posts import PostRecord, get_domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


class kb_postlist(nodes.General, nodes.Element):  # noqa: N801 - docutils names nodes in lower case
    """Placeholder for a post list, replaced once every post is known."""


SORTS = ("newest", "oldest", "title")


class PostListDirective(SphinxDirective):
    """``{postlist}`` with ``:limit:``, ``:tag:``, ``:year:`` and ``:sort:``."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "limit": directives.nonnegative_int,
        "tag": directives.unchanged_required,
        "year": directives.nonnegative_int,
        "sort": lambda argument: directives.choice(argument, SORTS),
    }

    def run(self) -> list[nodes.Node]:
        node = kb_postlist(classes=["kb-postlist"])
        node["options"] = dict(self.options)
        self.set_source_info(node)
        get_domain(self.env).listing_pages[self.env.docname] = True
        return [node]


def select_posts(posts: list[PostRecord], options: dict[str, Any]) -> list[PostRecord]:
    """The posts a list shows, in its order."""
    chosen = [post for post in posts if not post.draft or options.get("include_drafts")]
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


def fill_post_lists(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace each placeholder with links to its posts (at doctree-resolved: all posts known)."""
    domain = get_domain(app.env)
    for placeholder in list(doctree.findall(kb_postlist)):
        posts = select_posts(
            domain.sorted_posts(),
            {
                **placeholder["options"],
                "include_drafts": app.config.kb_preview,
            },
        )
        items = nodes.bullet_list(classes=["kb-postlist"])
        for post in posts:
            paragraph = nodes.paragraph()
            paragraph += make_refnode(
                app.builder, docname, post.docname, "", nodes.inline(post.title, post.title)
            )
            if post.date:
                paragraph += nodes.Text(" ")
                paragraph += kb_time(post.date, format_date(post.date), datetime=post.date)
            items += nodes.list_item("", paragraph)
        placeholder.replace_self(items if posts else nodes.paragraph("", "No posts yet."))


def _posts_digest(posts: dict[str, PostRecord]) -> str:
    listing_fields = [asdict(posts[docname]) for docname in sorted(posts)]
    return hashlib.sha256(json.dumps(listing_fields, sort_keys=True).encode()).hexdigest()


def refresh_listing_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Listing pages to write again: all of them when any post changed, none otherwise."""
    domain = get_domain(env)
    digest = _posts_digest(domain.posts)
    if domain.data["posts_digest"] == digest:
        return []
    domain.data["posts_digest"] = digest
    return sorted(set(domain.listing_pages) & set(env.all_docs))


def setup_listings(app: Sphinx) -> None:
    app.add_node(kb_postlist)
    app.add_directive("postlist", PostListDirective)
    app.connect("doctree-resolved", fill_post_lists)
    app.connect("env-get-updated", refresh_listing_pages)
