"""The theme's page components, each rendered once per page, not twice.

pydata-sphinx-theme renders every component of a page's sections (sidebars, article header,
footer…) once to learn whether it comes out empty, drops the empty ones, and the layout then
renders the rest again: each component costs two renders on every page. For the components
Sourcebook configures, the answer is known without rendering: the sidebar's logo, search field
and site navigation and the article header's buttons always have something to show. Such a
section is set aside before the theme's check (which skips a section it finds empty) and put
back, named as the theme names them, right after; a section holding any other component (a
site's own, which may come out empty) goes through the theme's check as before. At 300 posts
that was about 5 % of a serial build's processor time.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx

#: Components that render something on every page of a Sourcebook site.
NEVER_EMPTY = frozenset(
    {
        "navbar-logo.html",
        "search-button-field.html",
        "sbt-sidebar-nav.html",
        "toggle-primary-sidebar.html",
        "article-header-buttons.html",
    }
)
#: The sections pydata-sphinx-theme checks for empty components (its update_and_remove_templates).
CHECKED_SECTIONS = (
    "theme_navbar_start",
    "theme_navbar_center",
    "theme_navbar_persistent",
    "theme_navbar_end",
    "theme_article_header_start",
    "theme_article_header_end",
    "theme_article_footer_items",
    "theme_content_footer_items",
    "theme_footer_start",
    "theme_footer_center",
    "theme_footer_end",
    "theme_primary_sidebar_end",
    "sidebars",
)
#: The theme's check runs at the default priority, 500.
BEFORE_THE_CHECK = 499
AFTER_THE_CHECK = 501
SET_ASIDE = "kb_sections_known_not_empty"


def component_names(templates: Any) -> list[str] | None:
    """The section's components as the theme names them (comma-separated text split, ``.html``
    added), or None for a value the theme's check should see for itself."""
    if isinstance(templates, str):
        templates = [name.strip() for name in templates.split(",")]
    if not isinstance(templates, list) or not all(isinstance(name, str) for name in templates):
        return None
    return [name if PurePosixPath(name).suffix else f"{name}.html" for name in templates if name]


def set_aside_known_sections(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Before the theme's check: sections made only of never-empty components leave the context."""
    known: dict[str, list[str]] = {}
    for section in CHECKED_SECTIONS:
        names = component_names(context.get(section))
        if names and all(name in NEVER_EMPTY for name in names):
            known[section] = names
            context[section] = []
    context[SET_ASIDE] = known


def put_back_known_sections(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """After the theme's check: the sections set aside come back whole."""
    context.update(context.pop(SET_ASIDE, {}))


def setup_theme_components(app: Sphinx) -> None:
    app.connect("html-page-context", set_aside_known_sections, priority=BEFORE_THE_CHECK)
    app.connect("html-page-context", put_back_known_sections, priority=AFTER_THE_CHECK)
