"""What a book holds: the landing page's opening, front pages, posts by year, appendices.

Posts are orphans on the web site (no toctree lists them, see docs/decisions.md); a book needs
them in a reading order. The order is made here, once, from the post store, and handed to each
book builder as Sphinx toctree nodes, which both the LaTeX builder (it inlines the documents a
toctree names) and the EPUB builder (its spine and contents follow the root's toctrees) read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

from sourcebook.config import KbConfig
from sourcebook.posts.store import PostRecord, get_domain
from sourcebook.reporting import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

#: Builders that write a book, read in order.
BOOK_BUILDERS = frozenset({"latex", "epub"})

UNDATED = "Undated"


@dataclass(frozen=True)
class Book:
    """The documents of a book, in reading order."""

    front: list[str] = field(default_factory=list)
    years: list[tuple[str, list[str]]] = field(default_factory=list)
    appendices: list[str] = field(default_factory=list)

    @property
    def posts(self) -> list[str]:
        return [docname for _year, docnames in self.years for docname in docnames]


def select_posts(posts: Iterable[PostRecord], *, limit: int, tags: Sequence[str]) -> list[PostRecord]:
    """The published posts a book holds, newest first: those with one of ``tags`` (any case;
    all posts when empty), then the ``limit`` newest (all when 0)."""
    wanted = {tag.casefold() for tag in tags}
    chosen = [
        post
        for post in posts
        if not post.draft and (not wanted or wanted & {tag.casefold() for tag in post.tags})
    ]
    chosen.sort(key=lambda post: post.sort_key, reverse=True)
    return chosen[:limit] if limit > 0 else chosen


def by_year(posts: list[PostRecord]) -> list[tuple[str, list[str]]]:
    """Posts (newest first) grouped by the year of their date, undated ones last."""
    return [
        (year, [post.docname for post in group])
        for year, group in groupby(posts, key=lambda post: (post.date or "")[:4] or UNDATED)
    ]


def plan_book(config: Config, env: BuildEnvironment) -> Book:
    """The book of this build, from the post store and the ``kb_book_*`` options."""
    options = KbConfig.from_sphinx(config)
    found = env.found_docs
    posts = select_posts(get_domain(env).posts.values(), limit=options.book_posts, tags=options.book_tags)
    return Book(
        front=[docname for docname in options.book_front if docname in found],
        years=by_year(posts),
        appendices=[docname for docname in options.book_appendices if docname in found],
    )


def toctree(parent: str, docnames: list[str], caption: str | None = None) -> nodes.compound:
    """A toctree naming ``docnames``, as the ``toctree`` directive would write it in ``parent``."""
    node = addnodes.toctree()
    node["parent"] = parent
    node["entries"] = [(None, docname) for docname in docnames]
    node["includefiles"] = list(docnames)
    node["maxdepth"] = -1
    node["caption"] = caption
    node["rawcaption"] = caption or ""
    node["glob"] = False
    node["hidden"] = False
    node["includehidden"] = False
    node["numbered"] = 0
    node["titlesonly"] = False
    return nodes.compound("", node, classes=["toctree-wrapper", "kb-book-contents"])


def opening(root: nodes.document) -> nodes.section | None:
    """The landing page's first section without what only the web site needs: its subsections
    (lists of posts), its toctrees (the site's navigation) and forms. What is left is the
    opening text, which a book prints before its first chapter."""
    section = next(iter(root.findall(nodes.section)), None)
    if section is None:
        return None
    for child in list(section.children):
        if isinstance(child, nodes.section) or (
            isinstance(child, nodes.compound) and "toctree-wrapper" in child["classes"]
        ):
            section.remove(child)
    return section


def check_book_pages(app: Sphinx, env: BuildEnvironment) -> None:
    """A page that kb_book_front or kb_book_appendices names but the site does not have: one
    warning (the book is still made, without it)."""
    if app.builder.name not in BOOK_BUILDERS:
        return
    options = KbConfig.from_sphinx(app.config)
    for option, docnames in (
        ("kb_book_front", options.book_front),
        ("kb_book_appendices", options.book_appendices),
    ):
        for docname in docnames:
            if docname not in env.found_docs:
                warn(
                    "config",
                    f"{option} names '{docname}', which is no page of the site; name a page by "
                    "its path without suffix, such as 'source/about', or remove it",
                    location=None,
                )


def setup_book_contents(app: Sphinx) -> None:
    app.connect("env-check-consistency", check_book_pages)
