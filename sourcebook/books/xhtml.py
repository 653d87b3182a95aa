"""Raw HTML in an e-book: well-formed XHTML, without what only the web runs.

A post may hold raw HTML, as Gatsby posts often do (``<br>``, ``&nbsp;``, an unclosed
``<p>``, a YouTube ``<iframe>``). A browser reads it leniently; an EPUB's pages are XHTML,
which e-readers read as XML, and one such tag makes the whole page unreadable there (EPUBCheck:
fatal). So, for the EPUB only, a page that holds raw HTML is parsed as a browser parses it
(html5lib, the HTML standard's parsing algorithm: the same elements the web page has) and
written back as XHTML: every element closed, attributes quoted, entities as characters,
comments left out.

What the raw HTML itself brought is also made fit for a book without scripts, and nothing
readable is lost: elements an e-book's XHTML does not have (``font``, ``center``, ``form``,
unknown ones) give way to their content; scripts, styles and form controls are left out;
an embedded frame, video or a remote image becomes a link to it, an image the book does not
hold its alternative text; attributes are kept when XHTML has them (``href``, ``src``,
``alt``, ``colspan``, ``class``, ``style``…), never event handlers or ``javascript:``
addresses; links to files the book does not hold keep their text. Sphinx's own markup
around the raw HTML is already XHTML and passes unchanged. Raw HTML is found through two
comments put around each raw node's text before the page is written.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: Builders whose pages are XHTML.
XHTML_BUILDERS = frozenset({"epub"})

#: Comments around each raw node's text, so the page's raw HTML is known after parsing.
RAW_START = "<!--kb-raw-html-->"
RAW_END = "<!--/kb-raw-html-->"
RAW_START_TEXT = RAW_START[4:-3]
RAW_END_TEXT = RAW_END[4:-3]
XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"

#: Elements kept from raw HTML: HTML's text and structure elements that an EPUB page holds.
KEPT = frozenset(
    """a abbr address article aside b bdi bdo blockquote br caption cite code col colgroup dd
    del details dfn div dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins
    kbd li mark ol p pre q rp rt ruby s samp section small span strong sub summary sup table
    tbody td tfoot th thead time tr u ul var wbr""".split()  # noqa: SIM905
)
#: Left out with everything in them: what runs, styles or asks for input on the web.
DROPPED = frozenset(
    """script style template noframes link meta base title head input button select option
    optgroup textarea datalist output progress meter canvas map area svg math param source
    track dialog""".split()  # noqa: SIM905
)
#: Embedded content, replaced by a link to where it is.
EMBEDDED = {"iframe": "src", "embed": "src", "object": "data", "video": "src", "audio": "src", "frame": "src"}
#: Attributes any kept element may carry, and those of some elements.
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "style", "role"})
ELEMENT_ATTRIBUTES = {
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "details": {"open"},
}
#: Attributes whose value must be a number.
NUMBERS = frozenset({"width", "height", "colspan", "rowspan", "span", "start", "value"})
#: Boolean attributes, written the XHTML way.
BOOLEANS = frozenset({"reversed", "open"})
#: Addresses a link may lead to outside the book.
WEB_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp"})

_XML_NAME = re.compile(r"[A-Za-z_][\w.\-]*\Z")
#: Characters XML 1.0 cannot hold (C0 controls but tab and newlines, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def mark_raw_html(doctree: nodes.Node) -> None:
    """Put the comments around each raw HTML node's text."""
    for raw in doctree.findall(nodes.raw):
        if "html" in raw.get("format", "").split():
            raw.children = [nodes.Text(RAW_START + raw.astext() + RAW_END)]


def book_xhtml(body: str, in_book: Callable[[str], bool]) -> str:
    """A page's body, with raw HTML marked by :func:`mark_raw_html`, as an e-book's XHTML.

    ``in_book(address)`` says whether a page-relative address (no query or fragment) is a
    file of the book.
    """
    import html5lib  # only EPUB builds of pages with raw HTML need it
    from html5lib.serializer import HTMLSerializer

    fragment = html5lib.parseFragment(body, treebuilder="etree", namespaceHTMLElements=False)
    tokens = html5lib.getTreeWalker("etree")(fragment)
    serializer = HTMLSerializer(
        quote_attr_values="always",
        quote_char='"',
        use_best_quote_char=False,
        minimize_boolean_attributes=False,
        use_trailing_solidus=True,
        space_before_trailing_solidus=True,
        escape_lt_in_attrs=True,
        escape_rcdata=True,
        resolve_entities=True,
        omit_optional_tags=False,
    )
    return str(serializer.render(_BookFilter(tokens, in_book)))


class _BookFilter:
    """html5lib tokens in, the tokens of the book's XHTML out (see the module's docstring)."""

    def __init__(self, source: Iterator[dict[str, Any]], in_book: Callable[[str], bool]) -> None:
        self.source = source
        self.in_book = in_book

    def __iter__(self) -> Iterator[dict[str, Any]]:
        raw = False  # between the comments around raw HTML
        skipping = 0  # inside an element left out with its content: how deep
        written: list[bool] = []  # for each open element, whether its end tag is written
        for token in self.source:
            kind = token["type"]
            if kind == "Comment":
                # Comments are invisible, and XML forbids some ("--"): none is written.
                raw = {RAW_START_TEXT: True, RAW_END_TEXT: False}.get(token["data"], raw)
            elif kind in ("Characters", "SpaceCharacters"):
                if not skipping:
                    yield {"type": kind, "data": _NOT_XML.sub("", token["data"])}
            elif kind == "EndTag":
                if skipping:
                    skipping -= 1
                elif written.pop():
                    yield token
            elif kind in ("StartTag", "EmptyTag"):
                if skipping:
                    skipping += kind == "StartTag"
                    continue
                # Sphinx's markup passes; raw HTML's foreign content (SVG, MathML) is left out.
                tokens, drop = self.from_raw(token) if raw else ([token], False)
                yield from tokens
                if kind == "StartTag":
                    if drop:
                        skipping = 1
                    else:
                        written.append(bool(tokens))

    def from_raw(self, token: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
        """What an element of raw HTML becomes: the tokens written, and whether what it holds
        is left out."""
        name = token["name"]
        attributes = {attribute: value for (_, attribute), value in token["data"].items()}
        if token.get("namespace") not in (None, XHTML_NAMESPACE):
            return [], True
        if name in EMBEDDED:
            return self.link(attributes.get(EMBEDDED[name], ""), attributes.get("title", "")), True
        if name in DROPPED:
            return [], True
        if name not in KEPT:
            return [], False  # its content stays, in its parent
        if name == "img":
            src = attributes.get("src", "")
            alt = attributes.get("alt", "")
            if not self.local_in_book(src):
                if urlsplit(src).scheme in ("http", "https"):
                    return self.link(src, alt), False
                return ([{"type": "Characters", "data": alt}] if alt else []), False
            attributes.setdefault("alt", "")
        if name == "a" and "href" in attributes:
            href = attributes["href"]
            scheme = urlsplit(href).scheme
            if not (
                href.startswith("#") or scheme in WEB_SCHEMES or (not scheme and self.local_in_book(href))
            ):
                del attributes["href"]
        kept = {
            (None, attribute): (attribute if attribute in BOOLEANS else _NOT_XML.sub("", value))
            for attribute, value in attributes.items()
            if _allowed(name, attribute, value)
        }
        return [{**token, "data": kept}], False

    def local_in_book(self, address: str) -> bool:
        parts = urlsplit(address)
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            return False
        return self.in_book(posixpath.normpath(parts.path))

    @staticmethod
    def link(address: str, text: str) -> list[dict[str, Any]]:
        """A link to something the web shows embedded, or nothing when it is not on the web."""
        if urlsplit(address).scheme not in ("http", "https"):
            return [{"type": "Characters", "data": text}] if text else []
        return [
            {"type": "StartTag", "name": "a", "namespace": None, "data": {(None, "href"): address}},
            {"type": "Characters", "data": text or address},
            {"type": "EndTag", "name": "a", "namespace": None},
        ]


def _allowed(element: str, attribute: str, value: str) -> bool:
    if not _XML_NAME.match(attribute):
        return False
    if attribute.startswith(("data-", "aria-")):
        return True
    if attribute not in GLOBAL_ATTRIBUTES and attribute not in ELEMENT_ATTRIBUTES.get(element, ()):
        return False
    return attribute not in NUMBERS or value.strip().isdigit()


def mark_epub_raw_html(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Before an EPUB page is written: mark its raw HTML, to rewrite it once written."""
    if app.builder.name in XHTML_BUILDERS:
        mark_raw_html(doctree)


def rewrite_epub_body(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """An EPUB page that holds raw HTML gets its body as the book's XHTML."""
    body = context.get("body")
    if app.builder.name not in XHTML_BUILDERS or not isinstance(body, str) or RAW_START not in body:
        return
    folder = posixpath.dirname(app.builder.get_target_uri(pagename))
    images = {f"{app.builder.imagedir}/{name}" for name in app.builder.images.values()}
    documents = {app.builder.get_target_uri(docname) for docname in app.env.found_docs}

    def in_book(address: str) -> bool:
        path = posixpath.normpath(posixpath.join(folder, address))
        return path in images or path in documents or (app.builder.outdir / path).is_file()

    context["body"] = book_xhtml(body, in_book)


def setup_xhtml(app: Sphinx) -> None:
    # doctree-resolved: the page's tree as it is about to be written, this builder's copy.
    app.connect("doctree-resolved", mark_epub_raw_html)
    app.connect("html-page-context", rewrite_epub_body)
