"""Doctree nodes of a post's header and of the lists that link posts, and how each builder writes them.

``kb_time`` is a date: ``<time datetime="…">`` in HTML, plain text everywhere else.
:func:`link_or_text` links a page where the builder has an address for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.errors import NoUri
from sphinx.util.nodes import make_refnode

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.writers.html5 import HTML5Translator


class kb_time(nodes.Inline, nodes.TextElement):  # noqa: N801 - docutils names nodes in lower case
    """A date or datetime shown to people, with its ISO form for machines."""


def link_or_text(
    builder: Builder,
    fromdocname: str,
    todocname: str,
    child: nodes.Node,
    title: str | None = None,
    targetid: str = "",
) -> nodes.Element:
    """A reference to ``todocname`` (at ``targetid``) holding ``child``; ``child`` alone where
    the builder has no address for that page (LaTeX, whose document leaves out the posts: they
    are in no toctree)."""
    try:
        return make_refnode(builder, fromdocname, todocname, targetid, child, title)
    except NoUri:
        return nodes.inline("", "", child)


def translator_writes(app: Sphinx, node_class: type[nodes.Node]) -> bool:
    """Whether the builder's translator has handlers for ``node_class`` (Sphinx picks a node's
    handlers by the builder's name, else by its format)."""
    registry = app.registry.translation_handlers
    handlers = registry.get(app.builder.name)
    if handlers is None:
        handlers = registry.get(app.builder.format, {})
    return node_class.__name__ in handlers


def visit_time_html(self: HTML5Translator, node: kb_time) -> None:
    # starttag escapes attribute values; the text child is escaped by the translator.
    self.body.append(self.starttag(node, "time", "", datetime=node["datetime"]))


def depart_time_html(self: HTML5Translator, node: kb_time) -> None:
    self.body.append("</time>")


def _visit_plain(self: Any, node: nodes.Node) -> None:
    """Other builders write the date's text only."""


def setup_post_nodes(app: Sphinx) -> None:
    plain = (_visit_plain, _visit_plain)
    app.add_node(
        kb_time,
        html=(visit_time_html, depart_time_html),
        latex=plain,
        text=plain,
        man=plain,
        texinfo=plain,
    )
