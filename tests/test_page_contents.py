"""The page's contents beside the article are the theme's own, made without BeautifulSoup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydata_sphinx_theme.toctree import add_toctree_functions
from sphinx.testing.util import SphinxTestApp

from sourcebook import page_contents

from conftest import assemble_shipped_site, html_pages, warnings_of


def themes_contents(toc: str, show_toc_level: int) -> str:
    """What pydata-sphinx-theme's ``generate_toc_html()`` gives for a page's rendered contents."""
    context: dict[str, Any] = {"toc": toc, "theme_show_toc_level": show_toc_level}
    add_toctree_functions(None, "page", "page.html", context, None)  # type: ignore[arg-type]
    return str(context["generate_toc_html"]())


def item(href: str, text: str, *inner: str) -> str:
    """A list item as Sphinx renders a page's contents, with its sections' list."""
    link = f'<a class="reference internal" href="{href}">{text}</a>'
    return f"<li>{link}" + (f"<ul>\n{''.join(inner)}</ul>\n" if inner else "") + "</li>\n"


def contents(*items: str) -> str:
    return f"<ul>\n{''.join(items)}</ul>\n"


DEEP = contents(
    item(
        "#",
        "Deposits &amp; balance: 30&#64;70 &lt;or&gt; &quot;LC&quot; – it’s 信用证",
        item("#a", "Before the deposit", item("#a-1", "The pro forma", item("#a-1-x", "Its 4th level"))),
        item("#b", "A &amp; B &lt;script&gt;"),
        item("#c", "Après l’inspection"),
    )
)


@pytest.mark.parametrize(
    "toc",
    [
        DEEP,
        contents(item("#", "A title alone")),  # no sections: no contents
        contents(item("#", "One"), item("#two", "Two", item("#two-a", "Two a"))),  # two first-level items
        contents(item("#", "Quotes", item("#q", "It&#x27;s &quot;this&quot; or 'that'"))),
        contents(item("#", "Odd anchor", item("#a&quot;b", "x"), item("#a'b&amp;c&quot;d", "y"))),
    ],
)
@pytest.mark.parametrize("show_toc_level", [1, 2, 3])
def test_the_contents_are_the_theme_s_character_for_character(toc: str, show_toc_level: int) -> None:
    made = page_contents.page_contents(toc, show_toc_level)
    assert made == themes_contents(toc, show_toc_level)


@pytest.mark.parametrize(
    "toc",
    [
        contents(item("#", "Title", item("#a", "The <code>FOB</code> price"))),  # inline markup
        contents(item("#", "Title")).replace("<ul>", '<ul class="simple">', 1),  # attributes
        "<p>not a list</p>",
        "",
        '<ul>\n<li><a class="reference internal" href="#">Unclosed</a>\n</ul>\n',
        contents(item("#", "One")) + contents(item("#", "Two")),  # two lists
    ],
)
def test_other_contents_are_left_to_the_theme(toc: str) -> None:
    assert page_contents.page_contents(toc, 2) is None


POST = """---
slug: 'odd-headings'
title: 'Headings with <markup> & "quotes"'
date: '2024-03-01'
---

A post whose headings hold the characters HTML escapes.

## Deposits & balance: 30@70 \\<or\\> "LC"

Text.

### It's the `FOB` price

Text.

## Après l'inspection

Text.
"""

SHORT_POST = """---
slug: 'no-sections'
title: 'A post without sections'
date: '2024-03-02'
---

Only a paragraph, so no contents beside it.
"""


def test_a_site_s_pages_are_the_ones_the_theme_s_contents_give(
    build: Callable[..., SphinxTestApp], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def site(name: str) -> Path:
        srcdir = assemble_shipped_site("posts", tmp_path / name)
        (srcdir / "source" / "posts" / "odd-headings.md").write_text(POST, encoding="utf-8")
        (srcdir / "source" / "posts" / "no-sections.md").write_text(SHORT_POST, encoding="utf-8")
        return srcdir

    made: list[str | None] = []
    fast = page_contents.page_contents

    def counted(toc: str, show_toc_level: int) -> str | None:
        made.append(result := fast(toc, show_toc_level))
        return result

    monkeypatch.setattr(page_contents, "page_contents", counted)
    app = build(site("fast"))
    assert warnings_of(app) == []
    assert sum(result is not None for result in made) > 5
    assert None in made  # the heading with inline code: the theme's own function
    fast_pages = html_pages(app.outdir)
    odd = fast_pages["source/posts/odd-headings.html"]
    assert '>Deposits &amp; balance: 30@70 &lt;or&gt; "LC"</a>' in odd
    assert "pst-page-toc-nav" not in fast_pages["source/posts/no-sections.html"]

    # Every page the same when the theme makes every page's contents.
    monkeypatch.setattr(page_contents, "page_contents", lambda toc, show_toc_level: None)
    theme = build(site("theme"))
    assert html_pages(theme.outdir) == fast_pages
