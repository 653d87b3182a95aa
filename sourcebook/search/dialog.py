"""The search dialog: Ctrl+K, "/" and the theme's search buttons search as you type.

Every page of the website gets the dialog's markup (``templates/kb-search-dialog.html``, in
place of the theme's own search pop-up, by ``sourcebook/templates/layout.html``) and a small
deferred script, ``static/kb-search-dialog-loader.js``, which opens it. Only when the dialog
first opens does the loader fetch the dialog's script and style, which start the search
page's engine (``static/kb-search-engine.js``) as a worker: the same index, reading of
queries and ranking as ``search.html``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sourcebook.output import builds_website

if TYPE_CHECKING:
    from sphinx.application import Sphinx

LOADER = "kb-search-dialog-loader.js"


def add_loader(app: Sphinx) -> None:
    """The loader on every page of the website (not of an EPUB, which has no search)."""
    if builds_website(app):
        app.add_js_file(LOADER, loading_method="defer")


def mark_dialog(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Tell the layout to put the dialog where the theme's search pop-up would be."""
    context["kb_search_dialog"] = builds_website(app)


def setup_search_dialog(app: Sphinx) -> None:
    app.connect("builder-inited", add_loader)
    app.connect("html-page-context", mark_dialog)
