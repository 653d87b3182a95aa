"""The theme's never-empty components are rendered once per page, and the pages are the ones
the theme's own empty-check gives."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.jinja2glue import BuiltinTemplateLoader
from sphinx.testing.util import SphinxTestApp

from sourcebook import theme_components

from conftest import assemble_shipped_site, html_pages, warnings_of

#: The shipped site's sidebar and article header components.
SHIPPED_COMPONENTS = {
    "navbar-logo.html",
    "search-button-field.html",
    "sbt-sidebar-nav.html",
    "toggle-primary-sidebar.html",
    "article-header-buttons.html",
}


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How often each template is rendered on its own (as the theme's empty-check does;
    the layout includes its components without a render call)."""
    counted: Counter[str] = Counter()
    render = BuiltinTemplateLoader.render

    def counting(self: BuiltinTemplateLoader, template: str, context: dict[str, Any]) -> str:
        counted[template] += 1
        return render(self, template, context)

    monkeypatch.setattr(BuiltinTemplateLoader, "render", counting)
    yield counted


def test_components_known_not_empty_skip_the_theme_s_check_and_pages_stay_the_same(
    build: Callable[..., SphinxTestApp],
    renders: Counter[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    app = build(assemble_shipped_site("posts", tmp_path / "known"))
    assert warnings_of(app) == []
    assert SHIPPED_COMPONENTS <= theme_components.NEVER_EMPTY
    assert not renders.keys() & SHIPPED_COMPONENTS
    page_count = renders["page.html"]
    assert page_count > 5

    # With nothing known, the theme renders each component once more per page to check it.
    renders.clear()
    monkeypatch.setattr(theme_components, "NEVER_EMPTY", frozenset())
    checked = build(assemble_shipped_site("posts", tmp_path / "checked"))
    assert renders["page.html"] == page_count
    for component in SHIPPED_COMPONENTS:
        assert renders[component] >= page_count, component  # search, 404 pages have their own
    assert html_pages(checked.outdir) == html_pages(app.outdir)


def test_a_section_with_a_site_s_own_component_still_goes_through_the_check(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp], renders: Counter[str]
) -> None:
    srcdir = shipped_site("posts")
    (srcdir / "_templates").mkdir()
    (srcdir / "_templates" / "nothing-here.html").write_text("{# renders empty #}\n")
    app = build(
        srcdir,
        confoverrides={
            "templates_path": ["_templates"],
            "html_sidebars": {"**": ["navbar-logo.html", "nothing-here.html", "sbt-sidebar-nav.html"]},
        },
    )
    assert warnings_of(app) == []
    assert renders["nothing-here.html"] >= renders["page.html"] > 0
    assert renders["sbt-sidebar-nav.html"] == renders["nothing-here.html"]
    # The empty component was dropped, the others kept.
    page = (app.outdir / "index.html").read_text()
    assert 'class="bd-docs-nav' in page or "bd-links" in page
    assert "navbar-brand" in page


@pytest.fixture
def navigations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The pages whose sidebar navigation Sphinx resolves (the theme asks it for the whole tree)."""
    resolved: list[str] = []
    local_toctree = StandaloneHTMLBuilder._get_local_toctree

    def counting(self: StandaloneHTMLBuilder, docname: str, *args: Any, **kwargs: Any) -> str:
        resolved.append(docname)
        return local_toctree(self, docname, *args, **kwargs)

    monkeypatch.setattr(StandaloneHTMLBuilder, "_get_local_toctree", counting)
    yield resolved


def test_pages_outside_the_contents_tree_share_their_folder_s_navigation(
    build: Callable[..., SphinxTestApp],
    navigations: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    app = build(assemble_shipped_site("posts", tmp_path / "shared"))
    assert warnings_of(app) == []
    posts = [docname for docname in app.env.found_docs if docname.startswith("source/posts/")]
    assert len(posts) == 3
    in_tree = {"index", "source/archive", "source/tags", "source/glossary", "source/about"}
    assert in_tree <= set(navigations)  # pages in the tree, marked current, get their own
    assert sum(docname in posts for docname in navigations) == 1  # one post for all of them

    # Each page resolving the tree for itself gives the same pages.
    navigations.clear()
    monkeypatch.setattr(theme_components, "start_sharing", lambda app, builder: None)
    own = build(assemble_shipped_site("posts", tmp_path / "own"))
    assert set(posts) <= set(navigations)
    assert html_pages(own.outdir) == html_pages(app.outdir)
    # The navigation compared is the site's: the pages in the tree, the current one marked.
    archive = html_pages(app.outdir)["source/archive.html"]
    current = '<li class="toctree-l1 current active"><a class="current reference internal" href="#">Archive'
    assert current in archive
