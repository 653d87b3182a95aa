"""Parallel builds: reading batches send back their own documents; writers resolve their own
pages where nothing else needs the main process, which otherwise resolves one batch ahead.

The site a ``-j`` build writes equals a serial build's (``tests/test_rebuilds.py``); these tests
check what makes the large builds linear: what each reading batch carries back to the main
process, where pages are resolved, and how many resolved doctrees wait for a writer."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from PIL import Image
from sphinx.errors import SphinxParallelError
from sphinx.testing.util import SphinxTestApp
from sphinx.util import logging as sphinx_logging

from sourcebook import parallel as parallel_module
from sourcebook.navigation import llms_txt, redirects
from sourcebook.parallel import Workers, write_parallel
from sourcebook.posts import image_variants
from sourcebook.posts.store import get_domain
from sourcebook.reporting import warn
from sourcebook.search import indexing

from conftest import clean_copy, html_pages, warnings_of
from test_rebuilds import add_posts, files


def test_each_reading_batch_sends_back_its_own_documents_only(
    site: Callable[[str], Path], make_app: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    srcdir = site("posts")
    add_posts(srcdir, 27)
    app = make_app("html", srcdir=srcdir, parallel=2)
    carried: list[tuple[int, int, int]] = []

    def record(app: Any, env: Any, docnames: set[str], other: Any) -> None:
        others = set(other.all_docs) - set(docnames)
        posts = set(other.domaindata["kb"]["posts"]) - set(docnames)
        carried.append((len(docnames), len(others), len(posts)))

    app.connect("env-merge-info", record)
    app.build()
    assert len(carried) >= 3, "the posts were read in several batches"
    # Sphinx forks each batch from the main process, which held every batch merged so far:
    # the last batches used to carry the whole site back. Now none carries another's posts.
    assert [(others, posts) for _, others, posts in carried] == [(0, 0)] * len(carried)
    assert sum(count for count, _, _ in carried) == len(app.env.all_docs)
    assert warnings_of(app) == []
    app.cleanup()

    serial = make_app("html", srcdir=clean_copy(srcdir, tmp_path / "serial"))
    serial.build()
    assert get_domain(app.env).posts == get_domain(serial.env).posts
    assert html_pages(app.outdir) == html_pages(serial.outdir)
    serial.cleanup()


class FakeBuilder:
    """What ``write_parallel`` uses of a builder: resolving here, writing in the forked children.

    Each written page is a file; each resolved one notes how many pages were written by then."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.config = SimpleNamespace(verbosity=0)
        self.tags = None
        self.phase = None
        self.ahead: list[int] = []
        self.resolved = 0
        self.images: dict[str, str] = {}
        self.env = SimpleNamespace(get_and_resolve_doctree=self.get_and_resolve_doctree)
        self.env._pickled_doctree_cache = {}

    def get_and_resolve_doctree(self, docname: str, builder: Any, tags: Any = None) -> str:
        self.resolved += 1
        self.ahead.append(self.resolved - len(list(self.folder.iterdir())))
        return f"doctree of {docname}"

    def write_doc_serialized(self, docname: str, doctree: str) -> None:
        pass

    def write_doc(self, docname: str, doctree: str) -> None:
        time.sleep(0.01)  # writing is slower than resolving, as in a real build
        (self.folder / docname).write_text(doctree, encoding="utf-8")

    def _write_serial(self, docnames: list[str]) -> None:
        for docname in docnames:
            self.write_doc(docname, f"serially: {docname}")


def test_writing_resolves_one_batch_ahead_of_the_writers(tmp_path: Path) -> None:
    builder = FakeBuilder(tmp_path)
    docnames = [f"page{number:03d}" for number in range(200)]
    write_parallel(cast("Any", builder), docnames, 2)
    assert sorted(path.name for path in tmp_path.iterdir()) == docnames
    assert (tmp_path / "page123").read_text(encoding="utf-8") == "doctree of page123"
    # 199 pages in batches of 31: two batches being written and one ready, never more
    # (Sphinx resolved every batch at once while the writers waited for the processor).
    assert max(builder.ahead) <= 3 * 31 + 1
    assert builder.resolved == 200


def test_a_few_documents_are_written_in_the_main_process(tmp_path: Path) -> None:
    builder = FakeBuilder(tmp_path)
    write_parallel(cast("Any", builder), ["a", "b", "c"], 2)
    assert {path.name: path.read_text(encoding="utf-8") for path in tmp_path.iterdir()} == {
        "a": "serially: a",
        "b": "serially: b",
        "c": "serially: c",
    }


def resolved_in(
    make_app: Callable[..., SphinxTestApp], srcdir: Path, log: Path, **kwargs: Any
) -> tuple[SphinxTestApp, dict[str, list[str]]]:
    """Build with ``-j 2``; the app, and each document's resolving processes: "main" (this one)
    or "writer", as noted in ``log``."""
    app = make_app("html", srcdir=srcdir, parallel=2, **kwargs)

    def note(app: Any, doctree: Any, docname: str) -> None:
        with log.open("a", encoding="utf-8") as file:
            file.write(f"{os.getpid()} {docname}\n")

    app.connect("doctree-resolved", note)
    app.build()
    app.cleanup()
    where: dict[str, list[str]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        pid, docname = line.split(" ", 1)
        where.setdefault(docname, []).append("main" if pid == str(os.getpid()) else "writer")
    return app, where


def processes_of(where: dict[str, list[str]]) -> set[str]:
    return {process for found in where.values() for process in found}


def test_the_writers_resolve_their_own_pages_on_a_website(
    site: Callable[[str], Path],
    make_app: Callable[..., SphinxTestApp],
    build: Callable[..., SphinxTestApp],
    tmp_path: Path,
) -> None:
    srcdir = site("posts")
    add_posts(srcdir, 27)
    serial = build(clean_copy(srcdir, tmp_path / "serial"))
    app, where = resolved_in(make_app, srcdir, tmp_path / "resolved.log")
    assert warnings_of(app) == []
    assert where.keys() == set(app.env.all_docs)
    # One page in the main process, to compile the templates the writers inherit; no other.
    assert sorted(where.values()) == [["main"]] + [["writer"]] * (len(where) - 1)
    # The images the writers' pages show were handed back and copied, as in a serial build.
    assert any(path.startswith("_images/") and path.endswith(".jpg") for path in files(app.outdir))
    assert files(app.outdir) == files(serial.outdir)


def test_a_doctree_read_in_the_main_process_is_let_go_once_a_writer_resolves_it(
    site: Callable[[str], Path],
    make_app: Callable[..., SphinxTestApp],
    build: Callable[..., SphinxTestApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An incremental build reads its few documents in the main process, which keeps their
    doctrees for resolving; a writer that resolves one takes its own copy."""
    # The four pages this edit writes again go to a writer process, as a larger edit's would.
    monkeypatch.setattr(parallel_module, "SERIAL_WRITE_LIMIT", 1)
    srcdir = site("posts")
    add_posts(srcdir, 27)
    build(srcdir, parallel=2)
    post = srcdir / "source" / "posts" / "extra_05.md"
    post.write_text(post.read_text(encoding="utf-8").replace("Extra answer 5", "Retitled answer 5"))
    app = make_app("html", srcdir=srcdir, parallel=2)
    app.build()
    app.cleanup()
    assert "Retitled answer 5" in (app.outdir / "source/posts/extra_06.html").read_text(encoding="utf-8")
    assert " .. " in app.status.getvalue(), "the pages were written in a writer process"
    assert app.env._write_doc_doctree_cache == {}


def test_the_main_process_resolves_the_pages_where_a_converter_adds_images(
    site: Callable[[str], Path],
    make_app: Callable[..., SphinxTestApp],
    build: Callable[..., SphinxTestApp],
    tmp_path: Path,
) -> None:
    """A WebP image becomes a PNG at resolving, named uniquely among the site's images: only
    one process can name them."""
    srcdir = site("posts")
    add_posts(srcdir, 27)
    Image.new("RGB", (64, 48), (20, 120, 200)).save(srcdir / "source/images/blog/plan.webp", "WEBP")
    extra = srcdir / "source/posts/extra_03.md"
    extra.write_text(extra.read_text(encoding="utf-8") + "\n![The plan](../images/blog/plan.webp)\n")
    serial = build(clean_copy(srcdir, tmp_path / "serial"))
    app, where = resolved_in(make_app, srcdir, tmp_path / "resolved.log")
    assert warnings_of(app) == []
    assert processes_of(where) == {"main"}
    written = files(app.outdir)
    assert "_images/plan.png" in written
    assert 'src="../../_images/plan.png"' in html_pages(app.outdir)["source/posts/extra_03.html"]
    assert written == files(serial.outdir)


def test_the_main_process_resolves_the_pages_when_it_feeds_sphinx_search_index(
    site: Callable[[str], Path], make_app: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    srcdir = site("posts")
    add_posts(srcdir, 27)
    app, where = resolved_in(
        make_app, srcdir, tmp_path / "resolved.log", confoverrides={"kb_sphinx_search": True}
    )
    assert processes_of(where) == {"main"}
    index = (app.outdir / "searchindex.js").read_text(encoding="utf-8")
    assert all(f'"{docname}"' in index for docname in app.env.all_docs)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_workers_replay_the_log_and_report_a_failure() -> None:
    results: list[tuple[int, int]] = []
    records = Records()
    logging.getLogger("sphinx").addHandler(records)

    def square(number: int) -> int:
        sphinx_logging.getLogger("sourcebook.test").warning("squaring %d", number)
        return number * number

    workers = Workers(2)
    for number in range(5):
        workers.wait_for_slot()
        assert workers.running < 2
        workers.start(square, number, lambda argument, result: results.append((argument, result)))
    workers.join()
    logging.getLogger("sphinx").removeHandler(records)
    assert sorted(results) == [(number, number * number) for number in range(5)]
    # Logged in the children, handled here (Sphinx then prints warnings with their location).
    assert sorted(records.messages) == [f"WARNING: squaring {number}" for number in range(5)]

    def fail(_: None) -> None:
        raise ValueError("a post could not be read")

    workers.start(fail, None, lambda argument, result: None)
    with pytest.raises(SphinxParallelError, match="a post could not be read"):
        workers.join()
    assert workers.running == 0


def test_the_steps_after_writing_run_beside_the_main_process_when_pages_were_written_in_parallel(
    site: Callable[[str], Path],
    build: Callable[..., SphinxTestApp],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    ran: dict[str, int] = {}

    def recorded(name: str, step: Callable[..., None]) -> Callable[..., None]:
        def run(app: Any, *args: Any) -> None:
            ran[name] = os.getpid()
            (Path(app.outdir) / f"{name}.pid").write_text(str(os.getpid()))
            if name == "redirects":
                warn("redirect", "a message from beside", location="source/posts/extra_00")
            step(app, *args)

        return run

    steps = (
        (redirects, "write_redirects"),
        (llms_txt, "write_llms_txt"),
        (image_variants, "write_variants"),
        (indexing, "write_search_index"),
    )
    for module, name in steps:
        monkeypatch.setattr(module, name, recorded(name.removeprefix("write_"), getattr(module, name)))

    srcdir = site("posts")
    add_posts(srcdir, 12)
    app = build(srcdir, parallel=2)
    names = ("redirects", "llms_txt", "variants", "search_index")
    children = {(Path(app.outdir) / f"{name}.pid").read_text() for name in names}
    assert str(os.getpid()) not in children and len(children) == 4, "each in a process of its own"
    assert ran == {}, "nothing ran in the main process"
    # Their messages reach the main process's log, located, so -W fails the build on them.
    assert [line for line in warnings_of(app) if "from beside" in line] == [
        "source/posts/extra_00.md: WARNING: a message from beside [kb.redirect]"
    ]
    assert (Path(app.outdir) / "blog" / "extra-00" / "index.html").is_file()
    # The search page, made in the main process, waited for the index it describes.
    index = json.loads((Path(app.outdir) / "kb-search" / "index.json").read_text(encoding="utf-8"))
    assert json.dumps(index["digest"]) in (Path(app.outdir) / "search.html").read_text(encoding="utf-8")

    # A few pages written in the main process: the steps run there too, in the build's order.
    serial = build(clean_copy(srcdir, tmp_path / "serial"))
    assert set(ran) == set(names)
    assert set(ran.values()) == {os.getpid()}
    assert serial.statuscode == 0


def test_a_step_beside_that_fails_fails_the_build(
    site: Callable[[str], Path], make_app: Callable[..., SphinxTestApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(app: Any) -> None:
        raise OSError("the disk is full")

    monkeypatch.setattr(redirects, "write_redirects", broken)
    srcdir = site("posts")
    add_posts(srcdir, 12)
    app = make_app("html", srcdir=srcdir, parallel=2)
    with pytest.raises(SphinxParallelError, match="the disk is full"):
        app.build()
    app.cleanup()
