"""The page's own table of contents ("Contents" beside the article), made without BeautifulSoup.

pydata-sphinx-theme makes it (``generate_toc_html``) by parsing the contents Sphinx rendered
for the page with BeautifulSoup and adding its classes, and renders the sidebar's component
once more to learn whether it comes out empty: together about 1.5 ms a page. Sphinx renders
those contents in one shape, nested lists of links and their text, so the classes can be
added in one pass over its tags; the result is the theme's own, character for character (the
tests compare both on every page of a build and on headings full of markup characters). Any
other shape (a heading with inline markup, whose link holds more than text) is left to the
theme's function. Whether the sidebar's only component, ``page-toc.html``, is empty is then
known without rendering it: it shows the contents when they are not empty. (So the
component's heading now gets the theme's first id, ``pst-page-navigation-heading``, which the
check's render used to take.)
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from sourcebook.theme_components import AFTER_THE_CHECK, BEFORE_THE_CHECK, component_names

if TYPE_CHECKING:
    from collections.abc import Callable

    from docutils import nodes
    from sphinx.application import Sphinx

#: The secondary sidebar this module knows the emptiness of: the page's contents alone.
PAGE_TOC = ["page-toc.html"]
SET_ASIDE = "kb_secondary_sidebar_items"

#: A tag of the contents Sphinx renders, or the text between two tags.
_PART = re.compile(r"<(/?)(ul|li|a)(\s[^>]*)?>|([^<]+)|(<)")
_LINK = re.compile(r'\s+class="reference internal"\s+href="([^"<>]*)"')


def _text(text: str) -> str:
    """Text as BeautifulSoup writes it back: entities read, then ``&``, ``<`` and ``>`` escaped."""
    return html.unescape(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    """An attribute's value, quoted, as BeautifulSoup writes it back."""
    value = _text(value)
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


def page_contents(toc: str, show_toc_level: int) -> str | None:
    """The theme's ``generate_toc_html()`` of a page whose rendered contents are ``toc``, or
    None when they hold anything but nested lists of links with text."""
    out: list[str] = []
    levels: list[int] = []  # the level of each open list's items
    open_items: list[bool] = []  # whether each open item has its link yet
    in_link = False
    top_items: list[int] = []  # where each first-level item starts in ``out``
    # For the first first-level item: where its first list starts and ends.
    first_list: list[int] = []
    lists = 0  # first-level lists
    sections = 0  # second-level items in the first first-level item
    for match in _PART.finditer(toc):
        closing, tag, attributes, text, stray = match.groups()
        if stray:
            return None
        if text is not None:
            out.append(_text(text))
            continue
        if closing:
            if attributes:
                return None
            if tag == "a" and in_link:
                in_link = False
            elif tag == "li" and open_items and not in_link and len(open_items) == len(levels):
                open_items.pop()
            elif tag == "ul" and levels and len(open_items) == len(levels) - 1 and not in_link:
                levels.pop()
                if len(top_items) == 1 and len(first_list) == 1 and len(levels) == 1:
                    first_list.append(len(out) + 1)
            else:
                return None
            out.append(f"</{tag}>")
            continue
        if tag == "ul":
            if attributes or in_link or len(open_items) != len(levels) or (levels and not open_items[-1]):
                return None
            level = len(levels) + 1
            lists += level == 1
            if lists > 1:
                return None
            levels.append(level)
            if level == 2 and len(top_items) == 1 and not first_list:
                first_list.append(len(out))
            classes = "pst-show_toc_level " if level <= show_toc_level + 1 else ""
            out.append(f'<ul class="{classes}nav section-nav flex-column">')
        elif tag == "li":
            if attributes or in_link or not levels or len(open_items) != len(levels) - 1:
                return None
            open_items.append(False)
            if levels[-1] == 1:
                top_items.append(len(out))
            elif levels[-1] == 2 and len(top_items) == 1:
                sections += 1
            out.append(f'<li class="toc-h{levels[-1]} nav-item toc-entry">')
        else:
            link = _LINK.fullmatch(attributes or "")
            if link is None or in_link or not open_items or open_items[-1] or len(open_items) != len(levels):
                return None
            in_link = True
            open_items[-1] = True
            out.append(f'<a class="reference internal nav-link" href={_attribute(link.group(1))}>')
    if levels or open_items or in_link or not top_items:
        return None
    if len(top_items) != 1:
        return "".join(out)
    # One first-level item: the page's title, whose sections are the contents.
    if not sections:
        return ""
    return "".join(out[first_list[0] : first_list[1]])


def fast_page_contents(context: dict[str, Any], original: Callable[..., Any]) -> Callable[..., Any]:
    """``generate_toc_html`` for this page: the contents made here once, else the theme's."""
    made: list[Any] = []

    def generate_toc_html(kind: str = "html") -> Any:
        if kind != "html":
            return original(kind)
        if not made:
            toc = context.get("toc")
            contents = (
                page_contents(toc, int(context["theme_show_toc_level"])) if isinstance(toc, str) else None
            )
            made.append(Markup(contents) if contents is not None else original(kind))
        return made[0]

    return generate_toc_html


def set_aside_page_toc(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Before the theme's check: a secondary sidebar of the page's contents alone is judged here."""
    items = context.get("theme_secondary_sidebar_items")
    if "toc" in context and component_names(items) == PAGE_TOC:
        context[SET_ASIDE] = context.pop("theme_secondary_sidebar_items")


def use_page_contents(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """After the theme added its functions: its page contents made here, and the secondary
    sidebar's component kept when they are not empty."""
    original = context.get("generate_toc_html")
    if original is None:
        return
    generate = context["generate_toc_html"] = fast_page_contents(context, original)
    if SET_ASIDE in context:
        context["theme_secondary_sidebar_items"] = context.pop(SET_ASIDE)
        context["secondary_sidebar_items"] = list(PAGE_TOC) if len(generate()) >= 1 else []


def setup_page_contents(app: Sphinx) -> None:
    app.connect("html-page-context", set_aside_page_toc, priority=BEFORE_THE_CHECK)
    app.connect("html-page-context", use_page_contents, priority=AFTER_THE_CHECK)
