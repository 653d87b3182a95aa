"""The LaTeX document (the PDF): the landing page's opening, then the book's chapters.

Sphinx's LaTeX builder assembles one document from the start document by inlining the
documents its toctrees name. Posts are in no toctree, so this builder, registered under the
same name (``latex``, what Read the Docs runs), puts the book's contents in place of the
landing page's sections and toctrees before Sphinx inlines them: the front pages, one chapter
per year (newest first) holding its posts, then the appendices. Every post in the document is
then a target of internal links (``\\hyperref``), in the posts, the related answers and the
glossary's "Mentioned in" lists alike.

Frontmatter reaches the LaTeX file as text nodes, which Sphinx's writer escapes; what this
module adds as LaTeX holds none of it. Image files keep the names their authors gave them,
which LaTeX would read as markup (``%``, ``#``, ``{``), so each unsafe name is replaced.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.builders.latex import LaTeXBuilder
from sphinx.locale import _
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.nodes import inline_all_toctrees
from sphinx.util.texescape import escape

from sourcebook.books.contents import opening, plan_book, toctree

if TYPE_CHECKING:
    from docutils.nodes import Node
    from sphinx.application import Sphinx
    from sphinx.builders.latex.theming import Theme

#: Image file names LaTeX reads as they are.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
#: Bidirectional controls and marks: a web page applies them, no font of the PDF has a glyph for
#: them, and XeLaTeX logs each as a missing character.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class BookLaTeXBuilder(LaTeXBuilder):
    """Sphinx's LaTeX builder, with the book's contents in the start document."""

    def assemble_doctree(self, indexfile: str, toctree_only: bool, appendices: list[str]) -> nodes.document:
        self._kb_summary = ""
        if toctree_only or indexfile != self.config.root_doc:
            # Another document of latex_documents: Sphinx's own assembly.
            return super().assemble_doctree(indexfile, toctree_only, appendices)
        book = plan_book(self.config, self.env)
        appendices = list(dict.fromkeys([*appendices, *book.appendices]))
        self.docnames = {indexfile, *appendices}
        tree = self.env.get_doctree(indexfile)
        tree["docname"] = indexfile
        top = opening(tree)
        if top is None:
            top = nodes.section("", nodes.title("", ""))
            tree += top
        # The landing page's opening text is the title page's subtitle (update_doc_context).
        self._kb_summary = " ".join(
            child.astext() for child in top.children[1:] if isinstance(child, nodes.paragraph)
        )
        del top.children[1:]
        if book.front:
            top += toctree(indexfile, book.front)
        for year, docnames in book.years:
            chapter = nodes.section("", ids=[f"kb-book-{year.lower()}"], classes=["kb-book-year"])
            chapter += nodes.title(year, year)
            chapter += toctree(indexfile, docnames)
            top += chapter
        largetree = inline_all_toctrees(self, self.docnames, indexfile, tree, str, [indexfile])
        largetree["docname"] = indexfile
        for docname in appendices:
            appendix = self.env.get_doctree(docname)
            appendix["docname"] = docname
            largetree.append(appendix)
        self.env.resolve_references(largetree, indexfile, self)
        # As Sphinx does: a reference to a document outside the book becomes its section's name.
        for pending in list(largetree.findall(addnodes.pending_xref)):
            name = pending["refsectname"]
            pending.replace_self(nodes.emphasis(name, name))
        return largetree

    _kb_summary = ""

    def update_doc_context(self, title: str, author: str, theme: Theme) -> None:
        """The title page: the site's name and the landing page's opening, no release number
        (the site has editions, not releases), on the title page and in the page headers."""
        super().update_doc_context(title, author, theme)
        self.context["release"] = self.context["releasename"] = ""
        if self._kb_summary:
            summary = escape(" ".join(self._kb_summary.split()), self.config.latex_engine)
            subtitle = rf"\setreleaseinfo{{\par\bigskip{{\normalfont\large {summary}\par}}}}"
            self.context["maketitle"] = subtitle + "\n" + self.context["maketitle"]

    def post_process_images(self, doctree: Node) -> None:
        """Pick each image as Sphinx does, then give every unsafe file name a safe one."""
        super().post_process_images(doctree)
        for source, name in list(self.images.items()):
            if not _SAFE_NAME.match(name):
                suffix = PurePosixPath(name).suffix.lower()
                suffix = suffix if re.fullmatch(r"\.[a-z0-9]+", suffix) else ""
                digest = hashlib.sha256(source.encode()).hexdigest()[:16]
                self.images[source] = f"kb-image-{digest}{suffix}"


class SeparateTags(SphinxPostTransform):
    """A post's tags as "Tags: a · b": the web page spaces them with CSS, a book needs words."""

    default_priority = 900
    builders = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for line in list(self.document.findall(nodes.paragraph)):
            if "kb-post-tags" not in line["classes"] or not len(line):
                continue
            tags = list(line.children)
            line.clear()
            line += nodes.inline(_("Tags: "), _("Tags: "), classes=["kb-label"])
            for number, tag in enumerate(tags):
                if number:
                    line += nodes.Text(" · ")
                line += tag


def drop_bidi_controls(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Text without the bidirectional controls that frontmatter may hold (``\u202e``); last at
    doctree-resolved, once the lists that quote titles (glossary mentions…) are filled in."""
    if app.builder.name != "latex":
        return
    for text in list(doctree.findall(nodes.Text)):
        if _BIDI_CONTROLS.search(text):
            text.parent.replace(text, nodes.Text(_BIDI_CONTROLS.sub("", text)))


def setup_latex_book(app: Sphinx) -> None:
    app.add_builder(BookLaTeXBuilder, override=True)
    app.add_post_transform(SeparateTags)
    app.connect("doctree-resolved", drop_bidi_controls, priority=900)
