"""Previous and next post, by date, at the foot of each post page.

Posts are not in a toctree, so Sphinx's own previous/next links are empty for them; this
module fills the theme's ``prev``/``next`` context instead. When a post is added, removed
or re-dated, its neighbours' pages change too: ``env-get-updated`` hands them back to
Sphinx so an incremental build writes them again.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from sourcebook.posts.store import get_domain

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

Neighbour = tuple[str, str] | None
"""A neighbouring post's docname and title."""


def neighbours(env: BuildEnvironment) -> dict[str, tuple[Neighbour, Neighbour]]:
    """Each post's older and newer neighbour."""
    posts = list(reversed(get_domain(env).sorted_posts()))  # oldest first
    links: dict[str, tuple[Neighbour, Neighbour]] = {}
    for index, post in enumerate(posts):
        older = posts[index - 1] if index > 0 else None
        newer = posts[index + 1] if index + 1 < len(posts) else None
        links[post.docname] = (
            (older.docname, older.title) if older else None,
            (newer.docname, newer.title) if newer else None,
        )
    return links


def refresh_neighbours(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Posts whose previous or next link changed since the last build."""
    domain = get_domain(env)
    current = neighbours(env)
    previous: dict[str, Any] = domain.data["neighbours"]
    changed = [docname for docname, links in current.items() if previous.get(docname) != links]
    domain.data["neighbours"] = current
    return sorted(changed)


def add_prev_next(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Older post as "previous", newer post as "next"; titles escaped for the theme."""
    links = get_domain(app.env).data["neighbours"].get(pagename)
    if links is None:
        return
    for key, neighbour in zip(("prev", "next"), links, strict=True):
        if neighbour is None:
            context[key] = None
        else:
            docname, title = neighbour
            context[key] = {"link": context["pathto"](docname), "title": html.escape(title)}


def setup_previous_next(app: Sphinx) -> None:
    app.connect("env-get-updated", refresh_neighbours)
    app.connect("html-page-context", add_prev_next)
