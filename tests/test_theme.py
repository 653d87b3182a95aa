"""What the build hands a theme is markup: the theme's text values arrive escaped, once."""

from __future__ import annotations

from markupsafe import Markup

from sourcebook.theme import as_markup, escape_text_values


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
