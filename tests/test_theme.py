"""What the build hands a theme: text values escaped once into markup, one viewport tag."""

from __future__ import annotations

from docutils.core import publish_parts
from markupsafe import Markup

from sourcebook.theme import DOCUTILS_VIEWPORT, as_markup, drop_second_viewport, escape_text_values


def test_text_values_are_escaped_and_markup_is_left_alone() -> None:
    context = {
        "pagetitle": 'Rework <img src=x onerror="x()">',
        "root_title": Markup("<b>already markup</b>"),
        "title": "Sphinx's own <em>rendered</em> title",
        "meta": {"author": "<script>", "count": 3},
    }
    escape_text_values(None, "p", "page.html", context, None)  # type: ignore[arg-type]
    assert context["pagetitle"] == "Rework &lt;img src=x onerror=&#34;x()&#34;&gt;"
    assert context["root_title"] == "<b>already markup</b>"
    assert context["title"] == "Sphinx's own <em>rendered</em> title"  # Sphinx's: already HTML
    assert context["meta"] == {"author": "&lt;script&gt;", "count": 3}
    assert "author" not in context  # absent values are not made up


def test_escaping_twice_changes_nothing() -> None:
    once = as_markup("a & b")
    assert as_markup(once) == once == "a &amp; b"


def test_docutils_viewport_tag_is_left_out_of_metatags() -> None:
    # The very tag docutils' HTML5 writer (Sphinx's translator's base) writes: if docutils
    # changes it, this fails instead of a second viewport tag coming back unnoticed.
    assert DOCUTILS_VIEWPORT in publish_parts("text", writer="html5")["meta"]
    description = '<meta name="description" content="d" />\n'
    context = {"metatags": DOCUTILS_VIEWPORT + description}
    drop_second_viewport(None, "p", "page.html", context, None)  # type: ignore[arg-type]
    assert context["metatags"] == description
