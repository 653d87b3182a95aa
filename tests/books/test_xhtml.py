"""Raw HTML written into an e-book's XHTML: well-formed, without what only the web runs, with
every word kept; Sphinx's own markup unchanged."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest
from docutils import nodes

from sourcebook.books.xhtml import RAW_END, RAW_START, book_xhtml, mark_raw_html

#: Sphinx's markup around the raw HTML: already XHTML, and passed as it is.
SPHINX = (
    '<section id="s"><h1>Title</h1>'
    '<p class="x">By <a class="reference internal" href="other.xhtml">Sphinx</a></p>'
)
IN_BOOK = {"../../_images/photo.jpg", "other.xhtml"}


def convert(raw: str) -> str:
    return book_xhtml(SPHINX + RAW_START + raw + RAW_END + "<p>After</p></section>", IN_BOOK.__contains__)


def parsed(xhtml: str) -> ElementTree.Element:
    """The XHTML as an e-reader reads it: XML, or an error."""
    return ElementTree.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{xhtml}</div>')


def test_sphinx_markup_passes_unchanged() -> None:
    assert convert("<p>Raw</p>") == SPHINX + "<p>Raw</p><p>After</p></section>"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A line<br>broken", "A line<br />broken"),
        ("<p>unclosed<p>twice", "<p>unclosed</p><p>twice</p>"),
        ("&nbsp;&copy;&amp;", "\xa0©&amp;"),
        ('<span style="color: red" onclick="steal()">red</span>', '<span style="color: red">red</span>'),
        (
            "<table><tr><td colspan=2>a<td>b</table>",
            '<table><tbody><tr><td colspan="2">a</td><td>b</td></tr></tbody></table>',
        ),
        (
            "<details open><summary>More</summary>text</details>",
            '<details open="open"><summary>More</summary>text</details>',
        ),
        ('<div align="center" class="note">centred</div>', '<div class="note">centred</div>'),
        ("<font color=red>old</font> <center>style</center>", "old style"),
        ("<!-- a -- comment -->kept", "kept"),
        ("text\x0bwith a control", "textwith a control"),
        (
            '<img src="../../_images/photo.jpg" alt="A photo">',
            '<img src="../../_images/photo.jpg" alt="A photo" />',
        ),
        ('<img src="../../_images/photo.jpg">', '<img src="../../_images/photo.jpg" alt="" />'),
        (
            '<img src="https://example.com/a.png" alt="Remote">',
            '<a href="https://example.com/a.png">Remote</a>',
        ),
        ('<img src="../images/missing.png" alt="Missing">', "Missing"),
        (
            '<iframe src="https://www.youtube.com/embed/x"></iframe>',
            '<a href="https://www.youtube.com/embed/x">https://www.youtube.com/embed/x</a>',
        ),
        (
            '<video src="https://example.com/v.mp4" title="The video">no</video>',
            '<a href="https://example.com/v.mp4">The video</a>',
        ),
        ('<a href="javascript:steal()">here</a>', "<a>here</a>"),
        (
            '<a href="/contact">root</a> <a href="other.xhtml#x">in</a>',
            '<a>root</a> <a href="other.xhtml#x">in</a>',
        ),
        (
            '<a href="https://example.com" target="_blank" rel="x">web</a>',
            '<a href="https://example.com">web</a>',
        ),
        ("<script>steal()</script><style>p{}</style>gone", "gone"),
        ('<form action="/x"><label>Name <input name="q"></label><button>Go</button></form>', "Name "),
        ("<svg><text>drawn</text></svg>words", "words"),
    ],
)
def test_raw_html_becomes_well_formed_xhtml(raw: str, expected: str) -> None:
    result = convert(raw)
    assert result.removeprefix(SPHINX).removesuffix("<p>After</p></section>") == expected
    parsed(result)


def test_an_unclosed_element_closes_where_a_browser_closes_it() -> None:
    # A browser nests what follows an unclosed <div> inside it, until its parent closes.
    result = convert("<div><p>open")
    assert result == SPHINX + "<div><p>open</p><p>After</p></div></section>"
    parsed(result)


def test_inline_raw_html_split_across_nodes_is_one_element() -> None:
    """MyST gives each inline tag its own raw node: the page's raw HTML is parsed as a whole."""
    paragraph = nodes.paragraph()
    paragraph += [nodes.Text("a "), nodes.raw("", "<span>", format="html")]
    paragraph += [
        nodes.Text("word"),
        nodes.raw("", "</span>", format="html"),
        nodes.raw("", "<br>", format="html"),
    ]
    other = nodes.raw("", "<p>LaTeX</p>", format="latex")
    document = nodes.section("", paragraph, other)
    mark_raw_html(document)
    assert other.astext() == "<p>LaTeX</p>"
    body = "<p>" + "".join(child.astext() for child in paragraph.children) + "</p>"
    assert book_xhtml(body, IN_BOOK.__contains__) == "<p>a <span>word</span><br /></p>"
