"""Incremental and parallel builds give the same site as a clean serial build."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import pytest
from sphinx.testing.util import SphinxTestApp

from sourcebook.incremental import (
    BUILD_GC_THRESHOLDS,
    SERIAL_READ_LIMIT,
    TEMPLATE_CACHE_DIR,
    raise_gc_thresholds,
    read_few_serially,
    restore_gc_thresholds,
    restore_parallel,
)
from sourcebook.posts.store import get_domain

from conftest import clean_copy, html_pages, warnings_of

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


def files(outdir: Path) -> dict[str, bytes]:
    """Every file of a build (pages, copies, variants, stylesheets…), by path."""
    paths = sorted(path for path in outdir.rglob("*") if path.is_file())
    return {path.relative_to(outdir).as_posix(): path.read_bytes() for path in paths}


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
    assert html_pages(parallel.outdir) == html_pages(serial.outdir)
    # The files written beside the main process once the pages are written, and the rest.
    written = files(parallel.outdir)
    assert {"llms.txt", "source/posts/extra_00.html.md", "blog/extra-00/index.html"} <= written.keys()
    assert any(path.startswith("_images/variants/") for path in written)
    assert written == files(serial.outdir)


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
    assert html_pages(incremental.outdir).keys() == html_pages(clean.outdir).keys()
    for name, html in html_pages(clean.outdir).items():
        assert html_pages(incremental.outdir)[name] == html, name
    assert "How do I make Chinese manufacturers" in html_pages(incremental.outdir)["index.html"]


@pytest.mark.parametrize(("link_suffix", "copy"), [(".txt", "3_deposits.md.txt"), (".md", "3_deposits.md")])
def test_a_removed_post_takes_its_source_copy_with_it(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], link_suffix: str, copy: str
) -> None:
    """Under Sphinx's name for the copy, also when the link's suffix is the source's own."""
    srcdir = site("posts")
    settings = {"html_sourcelink_suffix": link_suffix}
    copies = srcdir / "_build" / "html" / "_sources" / "source" / "posts"
    assert (build(srcdir, confoverrides=settings).outdir / "_sources/source/posts") == copies
    assert (copies / copy).is_file()
    (srcdir / "source" / "posts" / "3_deposits.md").unlink()
    build(srcdir, confoverrides=settings)
    assert not (copies / copy).exists()
    assert (copies / copy.replace("3_deposits", "2_incoterms")).is_file()


def test_unchanged_rebuild_reads_and_writes_nothing(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = site("posts")
    build(srcdir)
    before = html_pages(srcdir / "_build" / "html")
    again = build(srcdir)
    assert "0 added, 0 changed, 0 removed" in again.status.getvalue()
    assert (
        "writing output" not in again.status.getvalue()
        or "index" not in again.status.getvalue().split("writing output", 1)[1].split("\n", 1)[0]
    )
    assert html_pages(again.outdir) == before


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
    assert html_pages(incremental.outdir).keys() == html_pages(clean.outdir).keys()
    for name, html in html_pages(clean.outdir).items():
        assert html_pages(incremental.outdir)[name] == html, name
    assert "A new answer in the middle" in html_pages(incremental.outdir)["tags/shipping.html"]


def test_unchanged_rebuild_keeps_listings_whole(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = site("listings")
    build(srcdir)
    before = html_pages(srcdir / "_build" / "html")
    again = build(srcdir)
    assert html_pages(again.outdir) == before
    assert before["index.html"].count("kb-card ") == 3


def written_since(outdir: Path, times: dict[str, int]) -> set[str]:
    """The pages whose file was written after ``times`` (path to st_mtime_ns) was taken."""
    return {
        path.relative_to(outdir).as_posix()
        for path in outdir.rglob("*.html")
        if times.get(path.relative_to(outdir).as_posix()) != path.stat().st_mtime_ns
    }


def test_an_edit_writes_only_the_pages_that_change(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    """A new sentence in a post changes its page and the cards showing its excerpt: nothing else
    (no archive, no tag page, no neighbour), and the site is still the one a clean build makes."""
    srcdir = site("listings")
    first = build(srcdir, parallel=2)
    outdir = first.outdir
    times = {path.relative_to(outdir).as_posix(): path.stat().st_mtime_ns for path in outdir.rglob("*.html")}
    deposit = srcdir / "source" / "posts" / "deposit.md"
    deposit.write_text(deposit.read_text().replace("starts.", "starts. Some pay forty."))
    again = build(srcdir, parallel=2)
    assert "0 added, 1 changed, 0 removed" in again.status.getvalue()
    assert again.parallel == 2, "read in the main process, then back to parallel"
    assert written_since(outdir, times) == {
        "source/posts/deposit.html",
        "index.html",  # its cards show the post's excerpt
        "source/lists.html",  # so do these
        # Sphinx and sphinx-notfound-page write these in every build.
        "genindex.html",
        "search.html",
        "404.html",
    }
    clean = build(clean_copy(srcdir, tmp_path / "clean"))
    assert html_pages(again.outdir) == html_pages(clean.outdir)


def test_a_new_title_writes_the_pages_that_show_it(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    srcdir = site("listings")
    first = build(srcdir)
    outdir = first.outdir
    times = {path.relative_to(outdir).as_posix(): path.stat().st_mtime_ns for path in outdir.rglob("*.html")}
    dupro = srcdir / "source" / "posts" / "dupro.md"
    dupro.write_text(dupro.read_text().replace("When is a", "When is a mid-production check, a"))
    again = build(srcdir)
    assert written_since(outdir, times) == {
        "source/posts/dupro.html",
        "index.html",
        "source/archive.html",
        "source/lists.html",
        "tags/inspection.html",  # not the tag pages of other posts, nor the tag index
        "source/posts/deposit.html",  # the neighbours: their previous/next link
        "source/posts/mould.html",
        "source/posts/aql.html",  # its related answers
        "blog/dupro/index.html",  # the old address's redirect page, titled by the post
        "genindex.html",
        "search.html",
        "404.html",
    }
    clean = build(clean_copy(srcdir, tmp_path / "clean"))
    assert html_pages(again.outdir) == html_pages(clean.outdir)


def test_a_few_changed_documents_are_read_in_the_main_process() -> None:
    """Not in a worker that would send the whole environment back; writing stays parallel."""
    app = cast("Sphinx", SimpleNamespace(parallel=3))
    env = cast("BuildEnvironment", None)
    read_few_serially(app, env, ["source/posts/one"])
    assert app.parallel == 1
    assert restore_parallel(app, env) == []
    assert app.parallel == 3
    read_few_serially(app, env, [f"source/posts/{number}" for number in range(SERIAL_READ_LIMIT + 1)])
    assert app.parallel == 3
    restore_parallel(app, env)
    assert app.parallel == 3


def test_a_build_puts_the_garbage_collector_back_and_keeps_compiled_templates(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    before = gc.get_threshold()
    app = build(site("posts"))
    assert gc.get_threshold() == before
    # The build's objects are out of the collector's walks (and of the one at exit)...
    assert gc.get_freeze_count() > 0
    # ...until the next build in the process starts.
    raise_gc_thresholds(app, app.config)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == BUILD_GC_THRESHOLDS
    restore_gc_thresholds(app, None)
    assert gc.get_threshold() == before
    gc.unfreeze()
    assert any((Path(app.doctreedir) / TEMPLATE_CACHE_DIR).iterdir())


def test_tag_pages_follow_the_site_s_static_files(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    """Pages link to their stylesheets with a checksum: a changed stylesheet writes tag pages again."""
    srcdir = site("listings")
    (srcdir / "_static").mkdir()
    (srcdir / "_static" / "site.css").write_text("body { color: black; }\n")
    styled = {"confoverrides": {"html_static_path": ["_static"], "html_css_files": ["site.css"]}}
    first = build(srcdir, **styled)
    tag_page = first.outdir / "tags" / "inspection.html"
    written = tag_page.stat().st_mtime_ns
    build(srcdir, **styled)
    assert tag_page.stat().st_mtime_ns == written
    (srcdir / "_static" / "site.css").write_text("body { color: navy; }\n")
    build(srcdir, **styled)
    assert tag_page.stat().st_mtime_ns != written
