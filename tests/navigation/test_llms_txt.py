"""/llms.txt and each post's Markdown: the list a language model reads, escaped for Markdown."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from sphinx.testing.util import SphinxTestApp

from sourcebook.navigation import llms_txt as llms
from sourcebook.navigation.llms_txt import llms_txt, markdown_text
from sourcebook.posts.frontmatter import decode

from conftest import ROOTS, clean_copy, warnings_of

PUBLIC = {"html_baseurl": "https://kb.example/", "kb_today": "2026-06-01"}


def parsed(text: str) -> list[Token]:
    """Every token CommonMark makes of ``text``, inline ones included."""
    tokens: list[Token] = []
    for token in MarkdownIt("commonmark").parse(text):
        tokens.append(token)
        tokens.extend(token.children or [])
    return tokens


def answers(text: str) -> list[tuple[str, str, str]]:
    """Each list item of the Answers section: its link's text and address, and the rest."""
    items: list[tuple[str, str, str]] = []
    section = text.split("## Answers\n", 1)[1]
    for token in MarkdownIt("commonmark").parse(section):
        if token.type != "inline":
            continue
        children = token.children or []
        opens = [child for child in children if child.type == "link_open"]
        assert len(opens) == 1, token.content
        start = children.index(opens[0])
        end = next(i for i, child in enumerate(children) if child.type == "link_close")
        label = "".join(child.content for child in children[start + 1 : end])
        rest = "".join(child.content for child in children[end + 1 :])
        items.append((label, str(opens[0].attrs["href"]), rest))
    return items


@pytest.mark.parametrize(
    "hostile",
    [
        "Rework](https://evil.example) [click",
        "Deposits\n- [fake item](https://evil.example)",
        "<img src=x onerror=alert(1)> <b>bold</b> &amp;",
        "![image](https://evil.example/x.png) `code` *em* _em_ ~~gone~~ | a | b |",
        "see https://evil.example and www.evil.example or mail me@evil.example",
        "back\\slash \\[ escaped \\] # not a heading",
    ],
)
def test_frontmatter_cannot_break_the_list_or_add_a_link(hostile: str) -> None:
    text = llms_txt(
        name="KB [x](y)",
        summary="> quote <b>",
        posts=[(hostile, "source/posts/a b(1).html.md", hostile), ("Second", "source/posts/b.html.md", "")],
    )
    tokens = parsed(text)
    assert [token.type for token in tokens if token.type.startswith("html") or token.type == "image"] == []
    assert [item[:2] for item in answers(text)] == [
        (" ".join(hostile.split()), "source/posts/a%20b%281%29.html.md"),
        ("Second", "source/posts/b.html.md"),
    ]
    assert answers(text)[0][2] == ": " + " ".join(hostile.split())
    assert "://" not in text.replace("https://", "").replace("\\://", "")  # no bare autolink


def test_markdown_text_escapes_only_what_markdown_reads() -> None:
    assert (
        markdown_text("定金 or 订金? 30 %, “quotes”, it's fine.")
        == "定金 or 订金? 30 %, “quotes”, it's fine."
    )
    assert markdown_text("a_b*c") == "a\\_b\\*c"


def build_book(site: Path, build: Callable[..., SphinxTestApp], **overrides: object) -> SphinxTestApp:
    return build(site, confoverrides={**PUBLIC, **overrides})


def test_llms_txt_lists_every_published_post_with_its_markdown(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build_book(shipped_site("book"), build)
    assert warnings_of(app) == []
    text = (app.outdir / "llms.txt").read_text(encoding="utf-8")
    assert text.startswith("# Sourcebook\n\n> Answers for importers who buy from Chinese manufacturers")
    items = answers(text)
    assert [(label, href) for label, href, _rest in items] == [
        (
            "定金 or 订金? How much deposit should I pay up front",
            "https://kb.example/source/posts/2_deposit.html.md",
        ),
        (
            "Who owns the mould when the order is finished?",
            "https://kb.example/source/posts/3_moulds.html.md",
        ),
        (
            "How do I make a factory rework defective goods before shipment?",
            "https://kb.example/source/posts/1_rework.html.md",
        ),
    ]
    assert items[0][2] == ": Thirty percent is usual; the word on the contract matters in Chinese law."
    for name in ("1_rework", "2_deposit", "3_moulds"):
        copy = app.outdir / f"source/posts/{name}.html.md"
        assert copy.read_bytes() == (app.srcdir / f"source/posts/{name}.md").read_bytes()
    # Scheduled posts and drafts have neither an entry nor a copy.
    assert not list(app.outdir.glob("source/posts/[45]_*.md"))


def test_a_removed_post_loses_its_entry_and_its_copy(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = shipped_site("book")
    build_book(srcdir, build)
    (srcdir / "source/posts/3_moulds.md").unlink()
    app = build_book(srcdir, build)
    assert "3_moulds" not in (app.outdir / "llms.txt").read_text(encoding="utf-8")
    assert not (app.outdir / "source/posts/3_moulds.html.md").exists()
    assert (app.outdir / "source/posts/1_rework.html.md").exists()


def test_without_a_base_url_the_links_are_relative_and_other_builders_write_none(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    app = build(site("posts"))
    hrefs = [href for _label, href, _rest in answers((app.outdir / "llms.txt").read_text(encoding="utf-8"))]
    assert hrefs[0] == "source/posts/3_deposits.html.md"
    srcdir = tmp_path / "singlehtml"
    shutil.copytree(ROOTS / "test-posts", srcdir)
    other = build(srcdir, buildername="singlehtml")
    assert not (other.outdir / "llms.txt").exists()


def test_a_rebuild_reads_only_the_changed_post_and_restores_a_lost_copy(
    shipped_site: Callable[[str], Path],
    build: Callable[..., SphinxTestApp],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    srcdir = shipped_site("book")
    build_book(srcdir, build)
    read: list[bytes] = []

    def counted(data: bytes) -> tuple[str | None, str | None]:
        read.append(data)
        return decode(data)

    monkeypatch.setattr(llms, "decode", counted)
    build_book(srcdir, build)
    assert read == []  # nothing changed: no post file is read for its copy

    rework = srcdir / "source/posts/1_rework.md"
    rework.write_text(rework.read_text(encoding="utf-8") + "\nAsk for photographs of the rework.\n", "utf-8")
    outdir = build_book(srcdir, build).outdir
    (outdir / "source/posts/3_moulds.html.md").unlink()
    app = build_book(srcdir, build)
    assert [data.startswith(b"---") for data in read] == [True, True]  # the edited post, the lost copy
    for name in ("1_rework", "2_deposit", "3_moulds"):
        copy = app.outdir / f"source/posts/{name}.html.md"
        assert copy.read_bytes() == (srcdir / f"source/posts/{name}.md").read_bytes()
    clean = build_book(clean_copy(srcdir, tmp_path / "clean"), build)
    assert (clean.outdir / "llms.txt").read_bytes() == (app.outdir / "llms.txt").read_bytes()
