"""Sphinx's own search index (``searchindex.js``): written only when ``kb_sphinx_search`` asks.

The site's search reads ``kb-search/``; Sphinx's index was loaded only by the search page's
fallback, where ours cannot run (a page opened from disk), and Read the Docs' server-side
search parses the HTML pages, not this file (docs/decisions.md). Left on, the HTML builder
feeds every page to it in Sphinx's main process and writes it whole after each build: 1.8 MB
at 1,000 posts, 13.6 MB at 5,000. The HTML builders are therefore Sphinx's own with three
steps skipped unless the option is on. Their indexer is still made, since the page's stemmer
(``language_data.js``) is rendered from its context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx.builders.dirhtml import DirectoryHTMLBuilder
from sphinx.builders.html import StandaloneHTMLBuilder

if TYPE_CHECKING:
    from collections.abc import Set

    from docutils import nodes
    from sphinx.application import Sphinx


class _SphinxIndexOnRequest(StandaloneHTMLBuilder):
    """Sphinx's HTML builder, with its search index loaded, fed and written only on request."""

    def _writes_sphinx_index(self) -> bool:
        return bool(self.config.kb_sphinx_search)

    def feeds_sphinx_search(self) -> bool:
        """Whether writing a page feeds the index (:mod:`sourcebook.parallel` asks)."""
        return self._writes_sphinx_index() and self.indexer is not None

    def load_indexer(self, docnames: Set[str]) -> None:
        if self._writes_sphinx_index():
            super().load_indexer(docnames)

    def index_page(self, pagename: str, doctree: nodes.document, title: str) -> None:
        if self._writes_sphinx_index():
            super().index_page(pagename, doctree, title)

    def dump_search_index(self) -> None:
        if self._writes_sphinx_index():
            super().dump_search_index()
        else:  # one written while the option was on: no page loads it now
            (self.outdir / self.searchindex_filename).unlink(missing_ok=True)


class SourcebookHTMLBuilder(_SphinxIndexOnRequest):
    """``-b html``."""


class SourcebookDirectoryHTMLBuilder(_SphinxIndexOnRequest, DirectoryHTMLBuilder):
    """``-b dirhtml`` (its name and addresses are DirectoryHTMLBuilder's)."""


def setup_sphinx_index(app: Sphinx) -> None:
    app.add_builder(SourcebookHTMLBuilder, override=True)
    app.add_builder(SourcebookDirectoryHTMLBuilder, override=True)
