"""Incremental and parallel builds give the same site as a clean serial build."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from sphinx.testing.util import SphinxTestApp

from sourcebook.posts import get_domain

from conftest import clean_copy, warnings_of


def pages(outdir: Path) -> dict[str, str]:
    """Every HTML page of a build, by path."""
    return {
        path.relative_to(outdir).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(outdir.rglob("*.html"))
    }


def add_posts(srcdir: Path, count: int) -> None:
    for number in range(count):
        (srcdir / "source" / "posts" / f"extra_{number:02d}.md").write_text(
            f"---\ntitle: 'Extra answer {number}'\ndate: '2022-02-{number + 1:02d}'\ntags: [extra]\n---\n\n"
            f"Text of extra answer {number}.\n\n## A section\n\nMore text.\n",
            encoding="utf-8",
        )


def test_parallel_build_equals_serial_build(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    serial_src = site("posts")
    add_posts(serial_src, 12)
    parallel_src = tmp_path / "parallel"
    shutil.copytree(serial_src, parallel_src)
    serial = build(serial_src)
    parallel = build(parallel_src, parallel=2)
    assert " .. " in parallel.status.getvalue(), "Sphinx read and wrote in chunks, in parallel"
    assert warnings_of(serial) == warnings_of(parallel) == []
    assert get_domain(parallel.env).posts == get_domain(serial.env).posts
    assert pages(parallel.outdir) == pages(serial.outdir)


def test_incremental_build_equals_clean_build(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    srcdir = site("posts")
    first = build(srcdir)
    assert warnings_of(first) == []
    posts = srcdir / "source" / "posts"
    # Edit a post's title and date, rename one, delete one, add one.
    seed = posts / "1_defective_goods.md"
    seed.write_text(
        seed.read_text().replace("How can I force", "How do I make").replace("2017-05-17", "2023-06-01")
    )
    (posts / "3_deposits.md").rename(posts / "3_deposit_sizes.md")
    (posts / "2_incoterms.md").unlink()
    add_posts(srcdir, 1)
    incremental = build(srcdir)
    assert warnings_of(incremental) == []

    clean_src = clean_copy(srcdir, tmp_path / "clean")
    clean = build(clean_src)
    assert get_domain(incremental.env).posts == get_domain(clean.env).posts
    assert pages(incremental.outdir).keys() == pages(clean.outdir).keys()
    for name, html in pages(clean.outdir).items():
        assert pages(incremental.outdir)[name] == html, name
    assert "How do I make Chinese manufacturers" in pages(incremental.outdir)["index.html"]


def test_unchanged_rebuild_reads_and_writes_nothing(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = site("posts")
    build(srcdir)
    before = pages(srcdir / "_build" / "html")
    again = build(srcdir)
    assert "0 added, 0 changed, 0 removed" in again.status.getvalue()
    assert (
        "writing output" not in again.status.getvalue()
        or "index" not in again.status.getvalue().split("writing output", 1)[1].split("\n", 1)[0]
    )
    assert pages(again.outdir) == before


def test_incremental_listings_equal_clean_build(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    """Cards, archive, tag pages, tag index and previous/next follow added, re-dated and deleted posts."""
    srcdir = site("listings")
    build(srcdir)
    posts = srcdir / "source" / "posts"
    (posts / "middle.md").write_text(
        "---\ntitle: 'A new answer in the middle'\ndate: '2019-05-05'\n"
        "tags: [inspection, shipping]\n---\n\nNew.\n"
    )
    aql = posts / "aql.md"
    aql.write_text(aql.read_text().replace("2018-04-10", "2022-01-01"))
    (posts / "deposit.md").unlink()
    incremental = build(srcdir)

    clean_src = clean_copy(srcdir, tmp_path / "clean")
    clean = build(clean_src)
    # The undated post was not read again, so only the clean build repeats its warning.
    assert warnings_of(incremental) == []
    assert [line.split(":")[0] for line in warnings_of(clean)] == ["source/posts/undated.md"]
    assert pages(incremental.outdir).keys() == pages(clean.outdir).keys()
    for name, html in pages(clean.outdir).items():
        assert pages(incremental.outdir)[name] == html, name
    assert "A new answer in the middle" in pages(incremental.outdir)["tags/shipping.html"]


def test_unchanged_rebuild_keeps_listings_whole(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = site("listings")
    build(srcdir)
    before = pages(srcdir / "_build" / "html")
    again = build(srcdir)
    assert pages(again.outdir) == before
    assert before["index.html"].count("kb-card ") == 3
