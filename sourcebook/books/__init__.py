"""The books: what the PDF (LaTeX) and the EPUB hold, and how their builders assemble them.

The web site reaches posts through listings; a book is read in order. Both books hold the
same contents (:mod:`sourcebook.books.contents`): the landing page's opening text, the front
pages, the published posts grouped by year, newest first, and the appendices (the glossary).
:mod:`sourcebook.books.latex` assembles the LaTeX document, :mod:`sourcebook.books.epub` the
EPUB's reading order and contents, :mod:`sourcebook.books.images` the images their formats
cannot hold, :mod:`sourcebook.books.xhtml` the raw HTML of the EPUB's pages. The rest of
Sourcebook uses only their ``setup_*`` functions.
"""
