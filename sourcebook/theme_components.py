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

The sidebar's site navigation is also made once per folder, not once per page, for the pages
outside the contents tree (the posts, which no toctree lists, and the generated pages): the
theme resolves the whole contents tree for every page, then parses and rewrites it with
BeautifulSoup, about 2 ms a page. Such a page is no entry of the tree, so nothing in it is
marked current, and its links are relative to its folder alone: every page of a folder gets
the same navigation. Pages in the contents tree get their own, as before.
"""

from __future__ import annotations

import posixpath
import weakref
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

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


#: The module of the ``toctree`` function Sphinx's HTML builder puts in every page's context.
SPHINX_TOCTREE = "sphinx.builders.html"


class SharedNavigation:
    """One build's site navigation for pages outside the contents tree, by folder and arguments."""

    def __init__(self, env: BuildEnvironment) -> None:
        included = {docname for docnames in env.toctree_includes.values() for docname in docnames}
        #: Every page the contents tree may list, and so mark current: never shared.
        self.in_contents_tree = frozenset(included | set(env.toctree_includes) | {env.config.root_doc})
        self.by_key: dict[tuple[Any, ...], str] = {}


#: Each builder's navigation of its current build (a forked writer extends its own copy).
_shared: weakref.WeakKeyDictionary[Builder, SharedNavigation] = weakref.WeakKeyDictionary()


def start_sharing(app: Sphinx, builder: Builder) -> None:
    """At write-started: a new build's contents tree, and nothing made from an older one."""
    _shared[builder] = SharedNavigation(builder.env)


def share_site_navigation(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """After the theme has added its functions: a page outside the contents tree gets the
    sidebar navigation its folder's first page got (the whole tree, ``startdepth=0``)."""
    shared = _shared.get(app.builder)
    generate = context.get("generate_toctree_html")
    if shared is None or generate is None or pagename in shared.in_contents_tree:
        return
    # Only the tree Sphinx resolves: a page whose ``toctree`` an extension replaced (the 404
    # page's, whose links are absolute) makes its own.
    if getattr(context.get("toctree"), "__module__", None) != SPHINX_TOCTREE:
        return
    folder = posixpath.dirname(app.builder.get_target_uri(pagename))

    def generate_shared(kind: str, startdepth: int = 1, show_nav_level: int = 1, **kwargs: Any) -> Any:
        if kind != "sidebar" or startdepth != 0:
            return generate(kind, startdepth, show_nav_level, **kwargs)
        key = (folder, show_nav_level, *sorted(kwargs.items()))
        try:
            return shared.by_key[key]
        except KeyError:
            made = shared.by_key[key] = str(generate(kind, startdepth, show_nav_level, **kwargs))
            return made
        except TypeError:  # an argument that cannot be a key: made for this page alone
            return generate(kind, startdepth, show_nav_level, **kwargs)

    context["generate_toctree_html"] = generate_shared


def setup_theme_components(app: Sphinx) -> None:
    app.connect("html-page-context", set_aside_known_sections, priority=BEFORE_THE_CHECK)
    app.connect("html-page-context", put_back_known_sections, priority=AFTER_THE_CHECK)
    app.connect("write-started", start_sharing)
    # After pydata-sphinx-theme's add_toctree_functions (the default priority, 500).
    app.connect("html-page-context", share_site_navigation, priority=AFTER_THE_CHECK)
