"""The PDF and the EPUB hold the book: every published post whole, by year, and the glossary.

The shipped site is built with tests/roots/test-book's posts (one with a Chinese title, one
dated after the build's day, one draft) as Read the Docs builds its downloads: the PDF with
Sphinx's LaTeX builder and latexmk (XeLaTeX, xeCJK, Noto CJK), read back with pdftotext.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from sphinx.testing.util import SphinxTestApp

from conftest import ROOTS, assemble_shipped_site, warnings_of
from latex import Pdf, build_pdf, squashed

TODAY = ("-D", "kb_today=2026-06-01")
POSTS = ROOTS / "test-book" / "source" / "posts"
#: The published posts, in the book's order (2021 newest first, then 2019), and each one's
#: title and last paragraph as written.
PUBLISHED = [
    (
        "2_deposit",
        "定金 or 订金? How much deposit should I pay up front",
        "A factory that asks for more than half up front is financing its other orders with your "
        "money. The last paragraph of the deposit answer ends with a heron.",
    ),
    (
        "3_moulds",
        "Who owns the mould when the order is finished?",
        "The last paragraph of the mould answer ends with a cormorant.",
    ),
    (
        "1_rework",
        "How do I make a factory rework defective goods before shipment?",
        "Book a second inspection once the factory says the rework is done; pay the balance only "
        "when it passes. The last paragraph of the rework answer ends with a kingfisher.",
    ),
]
#: What only the scheduled post and the draft hold.
LEFT_OUT = ("An answer written ahead of its day", "albatross", "Unfinished notes on packaging", "sparrow")
CHINESE = "合同写清楚定金和尾款的支付时间。"


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Pdf:
    root = tmp_path_factory.mktemp("book-pdf")
    return build_pdf(assemble_shipped_site("book", root / "site"), root / "out", *TODAY)


@pytest.fixture(scope="module")
def epub(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("book-epub")
    srcdir = assemble_shipped_site("book", root / "site")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "--no-color",
            "-b",
            "epub",
            "-d",
            str(root / "doctrees"),
            *TODAY,
            str(srcdir),
            str(root / "epub"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    (book,) = (root / "epub").glob("*.epub")
    return book, result.stderr


def test_the_pdf_builds_without_a_warning_or_a_tex_error(pdf: Pdf) -> None:
    assert "WARNING" not in pdf.sphinx_output
    assert pdf.latexmk_returncode == 0
    assert pdf.errors() == []
    assert pdf.pdf.stat().st_size > 10_000


def test_every_published_post_is_in_the_pdf_whole(pdf: Pdf) -> None:
    text = squashed(pdf.text())
    for _name, title, last_paragraph in PUBLISHED:
        assert squashed(title) in text
        assert squashed(last_paragraph) in text
    assert squashed(CHINESE) in text


def test_posts_come_by_year_newest_first_with_date_tags_and_image(pdf: Pdf) -> None:
    text = pdf.text()
    contents_end = text.index("About", text.index("Contents") + 10)
    body = squashed(text[contents_end:])
    positions = [body.index(squashed(title)) for _name, title, _last in PUBLISHED]
    assert positions == sorted(positions)
    assert body.index("2021") < positions[0] < body.index("2019") < positions[2]
    assert squashed("September 14, 2021 · Updated October 1, 2021") in body
    assert squashed("Tags: inspection · rework") in body
    images = subprocess.run(["pdfimages", "-list", str(pdf.pdf)], capture_output=True, text=True, check=True)
    assert len(images.stdout.splitlines()) - 2 == 2  # the two featured images


def test_links_between_posts_are_links_inside_the_pdf(pdf: Pdf) -> None:
    rework = pdf.tex.split(r"\section{How do I make a factory rework", 1)[1].split(r"\section{", 1)[0]
    assert r"\hyperref[\detokenize{source/posts/2_deposit::doc}]" in rework
    deposit = pdf.tex.split(r"\section{定金 or 订金?", 1)[1].split(r"\section{", 1)[0]
    assert r"\hyperref[\detokenize{source/posts/1_rework::doc}]" in deposit


def test_the_glossary_is_an_appendix_with_abbreviations_and_chinese_names(pdf: Pdf) -> None:
    text = pdf.text()
    glossary = text[text.index("ends with a kingfisher") :]  # after the last post
    assert "Letter of credit" in glossary and "L/C" in glossary and "信用证" in glossary
    assert "xìn yòng zhèng" in glossary
    assert r"\appendix" in pdf.tex.split(r"\chapter{Glossary}")[0][-200:]


def test_scheduled_posts_and_drafts_are_not_in_the_pdf(pdf: Pdf) -> None:
    text = pdf.text()
    assert [left_out for left_out in LEFT_OUT if left_out in text] == []


def spine(book: Path) -> list[tuple[str, bool]]:
    """The EPUB's reading order: each page and whether it is linear (read in order)."""
    with zipfile.ZipFile(book) as archive:
        opf = ElementTree.fromstring(archive.read("content.opf"))
    ns = {"opf": "http://www.idpf.org/2007/opf"}
    hrefs = {item.get("id"): item.get("href") for item in opf.iterfind(".//opf:manifest/opf:item", ns)}
    return [
        (hrefs[ref.get("idref")], ref.get("linear") != "no")
        for ref in opf.iterfind(".//opf:spine/opf:itemref", ns)
    ]


def test_the_epub_reads_posts_by_year_then_the_glossary(epub: tuple[Path, str]) -> None:
    book, warnings = epub
    assert "WARNING" not in warnings
    linear = [href for href, is_linear in spine(book) if is_linear]
    assert (
        linear[:6]
        == [
            "index.xhtml",
            "source/about.xhtml",
            *[f"source/posts/{name}.xhtml" for name, _title, _last in PUBLISHED],
            "source/glossary.xhtml",
        ][:6]
    )
    assert "source/glossary.xhtml" in linear


def test_every_published_post_is_in_the_epub_whole(epub: tuple[Path, str]) -> None:
    book, _warnings = epub
    with zipfile.ZipFile(book) as archive:
        names = archive.namelist()
        for name, title, last_paragraph in PUBLISHED:
            page = BeautifulSoup(archive.read(f"source/posts/{name}.xhtml"), "html.parser")
            assert page.h1 is not None and title in page.h1.get_text()
            paragraphs = [" ".join(p.get_text().split()) for p in page.find_all("p")]
            assert " ".join(last_paragraph.split()) in paragraphs
        glossary = BeautifulSoup(archive.read("source/glossary.xhtml"), "html.parser").get_text()
        assert "L/C" in glossary and "信用证" in glossary
        nav = BeautifulSoup(archive.read("nav.xhtml"), "html.parser").get_text()
        everything = "".join(
            archive.read(name).decode("utf-8", "replace")
            for name in names
            if name.endswith((".xhtml", ".opf", ".ncx"))
        )
    assert all(title in nav for _name, title, _last in PUBLISHED)
    assert not any(re.search("4_future|5_draft", name) for name in names)
    assert [left_out for left_out in LEFT_OUT if left_out in everything] == []


def test_a_selection_at_scale_holds_the_newest_posts_with_a_tag(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    """kb_book_tags, then kb_book_posts: the LaTeX document holds only those posts; links to
    the others are their text."""
    app = build(
        shipped_site("book"),
        buildername="latex",
        confoverrides={
            "kb_today": "2026-06-01",
            "kb_book_tags": ["payment", "inspection"],
            "kb_book_posts": 1,
        },
    )
    assert warnings_of(app) == []
    tex = (app.outdir / "sourcebook.tex").read_text(encoding="utf-8")
    assert r"\section{定金 or 订金? How much deposit should I pay up front}" in tex
    assert r"\section{Who owns the mould" not in tex and r"\section{How do I make" not in tex
    assert r"\hyperref[\detokenize{source/posts/1_rework::doc}]" not in tex
    assert "reworked goods" in tex  # the link's text stays


def test_a_book_page_the_site_lacks_is_one_warning(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(
        shipped_site("book"),
        buildername="latex",
        confoverrides={"kb_today": "2026-06-01", "kb_book_front": ("source/about", "source/preface")},
    )
    assert warnings_of(app) == [
        "WARNING: kb_book_front names 'source/preface', which is no page of the site; name a page by its "
        "path without suffix, such as 'source/about', or remove it [kb.config]"
    ]
    assert r"\chapter{About}" in (app.outdir / "sourcebook.tex").read_text(encoding="utf-8")


def test_an_incremental_epub_lists_a_new_post_on_its_contents_page(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = shipped_site("book")
    overrides = {"kb_today": "2026-06-01"}
    build(srcdir, buildername="epub", confoverrides=overrides)
    (srcdir / "source/posts/6_new.md").write_text(
        "---\ntitle: 'A newer answer'\ndate: '2022-02-02'\n---\n\nNew.\n", encoding="utf-8"
    )
    app = build(srcdir, buildername="epub", confoverrides=overrides)
    contents = BeautifulSoup((app.outdir / "index.xhtml").read_text(encoding="utf-8"), "html.parser")
    captions = [caption.get_text() for caption in contents.select(".kb-book-contents .caption")]
    assert captions == ["2022", "2021", "2019", "Appendix"]
    assert "A newer answer" in contents.select(".kb-book-contents")[1].get_text()


def test_images_the_formats_cannot_hold_are_converted_or_shown_as_text(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    """A WebP featured image and a GIF become PNGs in both books; an SVG is its text in the PDF."""
    srcdir = shipped_site("book")
    images = srcdir / "source/images/blog"
    Image.new("RGB", (320, 200), (20, 120, 200)).save(images / "photo.webp", "WEBP")
    Image.new("P", (40, 40)).save(images / "anim.gif", "GIF")
    (images / "plan.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    )
    (srcdir / "source/posts/6_images.md").write_text(
        "---\ntitle: 'Images of every kind'\ndate: '2020-05-05'\nfeaturedImage: '../images/blog/photo.webp'\n"
        "---\n\nA plan: ![The factory floor plan](../images/blog/plan.svg) and "
        "![a loop](../images/blog/anim.gif)\n",
        encoding="utf-8",
    )
    latex = build(srcdir, buildername="latex", confoverrides={"kb_today": "2026-06-01"})
    assert warnings_of(latex) == []
    tex = (latex.outdir / "sourcebook.tex").read_text(encoding="utf-8")
    included = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{([^}]*)\}(\.\w+)\}", tex)
    assert {suffix for _name, suffix in included} <= {".png", ".jpg"}
    assert any(name.startswith("photo") for name, _suffix in included)
    assert r"\sphinxstyleemphasis{The factory floor plan}" in tex
    assert "the PDF shows the text of" in latex.status.getvalue()
    epub = build(
        shipped_site_copy(srcdir, tmp_path), buildername="epub", confoverrides={"kb_today": "2026-06-01"}
    )
    assert warnings_of(epub) == []
    page = (epub.outdir / "source/posts/6_images.xhtml").read_text(encoding="utf-8")
    assert "photo.png" in page and "plan.svg" in page


def shipped_site_copy(srcdir: Path, tmp_path: Path) -> Path:
    """The same site in another folder, for a second builder's clean build."""
    target = tmp_path / "epub-site"
    shutil.copytree(srcdir, target, ignore=shutil.ignore_patterns("_build"))
    return target


def test_the_epub_contents_are_the_same_from_the_first_contents_tree(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    """conf.py's ``epub_tocscope = "includehidden"`` saves resolving the contents twice more; the
    book's toctrees hide nothing, so nav.xhtml and toc.ncx are those of Sphinx's default."""
    overrides = {"kb_today": "2026-06-01"}
    shipped = build(shipped_site("book"), buildername="epub", confoverrides=overrides)
    assert shipped.config.epub_tocscope == "includehidden"
    default = build(
        shipped_site_copy(shipped.srcdir, tmp_path),
        buildername="epub",
        confoverrides={**overrides, "epub_tocscope": "default"},
    )
    for name in ("nav.xhtml", "toc.ncx"):
        contents = (shipped.outdir / name).read_text(encoding="utf-8")
        assert contents == (default.outdir / name).read_text(encoding="utf-8")
    assert "source/posts/2_deposit.xhtml#what-to-write" in contents  # a post's sections too
