"""What Sourcebook hands the theme: a page layout, and a context that is markup.

``templates/layout.html`` is the theme's layout without what no page uses (Sphinx's search
index in every page's head, Font Awesome's script, preloads that delay the first view), with
the colour mode settled before the page shows: see its own comment.

The page context is markup: what handlers put there as plain text is escaped, once. A theme
prints context values as they are (Sphinx's template environment does not escape), so every
value it gets must already be markup. Sphinx's own values are (``title``, ``body``,
``toc`` are rendered HTML), but theme handlers add some as plain text taken from the page:
sphinx-book-theme's ``pagetitle`` (printed raw in its print-only header), ``root_title``,
``page_description`` and ``author``; and ``meta`` holds the page's frontmatter as written.
Frontmatter is untrusted, so one handler, after all the others, escapes those values for
every page and every template, instead of each template escaping its own.

A page's head has one viewport tag, Sphinx's basic layout's (outside any block): docutils'
HTML5 writer adds one more to ``metatags``, which is left out here, and the theme's extrahead
block a third, which ``templates/layout.html`` leaves out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.config import Config

TEMPLATES = Path(__file__).parent / "templates"

#: Context values that handlers add as text from the page (sphinx-book-theme's, by name).
TEXT_VALUES = ("pagetitle", "root_title", "page_description", "author")

#: The theme's colour mode when a site sets none: the reader's system setting.
DEFAULT_MODE = "auto"

#: After every other ``html-page-context`` handler (the theme's run at the default 500).
LAST = 999

#: The viewport tag docutils' HTML5 writer puts in every document's ``metatags``, after the
#: one Sphinx's layout writes.
DOCUTILS_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'


def escape_text_values(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Make the context's text values markup; values already markup are left as they are."""
    for key in TEXT_VALUES:
        if key in context:
            context[key] = as_markup(context[key])
    if isinstance(meta := context.get("meta"), dict):
        context["meta"] = {key: as_markup(value) for key, value in meta.items()}


def drop_second_viewport(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Leave docutils' viewport tag out of ``metatags``: the layout already has one."""
    if isinstance(metatags := context.get("metatags"), str):
        context["metatags"] = metatags.replace(DOCUTILS_VIEWPORT, "", 1)


def as_markup(value: Any) -> Any:
    """Text escaped into markup; markup, and what is not text, unchanged."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return escape(value)
    return value


def add_layout(app: Sphinx, config: Config) -> None:
    """The layout: after the project's own templates, before the theme's.

    Also the colour mode pydata-sphinx-theme starts from, unless ``html_context`` sets one:
    the reader's system setting ("auto"). Without one its script logs "Got invalid theme
    mode" on every page, and the page shows unstyled until that script has run.
    """
    config.templates_path = [*config.templates_path, str(TEMPLATES)]
    config.html_context = {"default_mode": DEFAULT_MODE, **config.html_context}


def setup_theme(app: Sphinx) -> None:
    app.connect("config-inited", add_layout)
    app.connect("html-page-context", escape_text_values, priority=LAST)
    app.connect("html-page-context", drop_second_viewport)
