"""The EPUB: its reading order and contents page are the book's (see ``contents.py``).

Sphinx's EPUB builder writes every document, and takes the reading order (the spine, as
linear items) and the contents (``nav.xhtml``, ``toc.ncx``) from the root document's
toctrees; a page no toctree names is only reachable through links. For EPUB builds the root
document's toctrees (the web site's navigation) are replaced by the book's: the front pages,
a toctree per year, newest first, captioned with the year, then the appendices. A post
transform does it, once Sphinx has resolved the root's references and before it resolves its
toctrees, every time the builder reads the root (for the spine, the contents and the page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from sourcebook.books.contents import plan_book, toctree

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


class BookContents(SphinxPostTransform):
    """The root document's toctrees, replaced by the book's contents (EPUB only)."""

    default_priority = 900
    builders = ("epub",)

    def run(self, **kwargs: Any) -> None:
        root = self.config.root_doc
        if self.env.docname != root:
            return
        book = plan_book(self.config, self.env)
        for wrapper in list(self.document.findall(nodes.compound)):
            if "toctree-wrapper" in wrapper["classes"]:
                wrapper.parent.remove(wrapper)
        section = next(iter(self.document.findall(nodes.section)), self.document)
        if book.front:
            section.append(toctree(root, book.front))
        for year, docnames in book.years:
            section.append(toctree(root, docnames, caption=year))
        if book.appendices:
            section.append(toctree(root, book.appendices, caption="Appendix"))


def rewrite_root_page(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """The root page shows the book's contents, which any post can change: an EPUB build
    writes it every time (one page), so that an incremental build matches a clean one."""
    if app.builder.name == "epub" and app.config.root_doc in env.found_docs:
        return [app.config.root_doc]
    return []


def setup_epub_book(app: Sphinx) -> None:
    app.add_post_transform(BookContents)
    app.connect("env-get-updated", rewrite_root_page)
