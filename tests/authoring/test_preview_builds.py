"""The preview's rebuilds in one application: Sphinx's walk of the sources for documents is
skipped after edits of existing files, what a rebuild pickles is saved once the page is on
screen, and every rebuild still writes a clean build's files."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sphinx.project

from authoring.test_serve import clean_build, files, goes_on_from_saved
from sourcebook.authoring.serve import PreviewBuilds, Requests


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Each walk of a source folder for documents (Sphinx's ``get_matching_files``)."""
    walked: list[Path] = []
    walk = sphinx.project.get_matching_files

    def counted(dirname: Path, *args: object, **kwargs: object) -> Iterator[str]:
        walked.append(Path(dirname))
        return walk(dirname, *args, **kwargs)

    monkeypatch.setattr(sphinx.project, "get_matching_files", counted)
    return walked


def test_edits_skip_the_walk_for_documents_and_a_new_or_removed_post_walks_again(
    site: Callable[[str], Path], tmp_path: Path, walks: list[Path]
) -> None:
    srcdir = site("posts")
    output = srcdir / "_build" / "preview"
    builds = PreviewBuilds(
        srcdir, output, srcdir / "_build" / "doctrees", 1, status=io.StringIO(), warning=io.StringIO()
    )
    posts = srcdir / "source" / "posts"
    try:
        assert builds.build()
        first = len(walks)  # making the application walks too
        assert first >= 1

        # An edited post and an edited image: the same documents, no walk.
        post = posts / "2_incoterms.md"
        post.write_text(post.read_text(encoding="utf-8").replace("FOB means", "Edited: FOB means"))
        image = srcdir / "source" / "images" / "blog" / "2_ship.png"
        image.write_bytes(image.read_bytes())
        assert builds.build([post, image])
        assert len(walks) == first
        assert "Edited: FOB means" in (output / "source/posts/2_incoterms.html").read_text(encoding="utf-8")

        # A new post is found, a removed one is gone: each walks the sources again.
        added = posts / "5_samples.md"
        added.write_text("---\ntitle: 'Samples'\ndate: '2021-03-04'\n---\n\nPay for samples.\n")
        assert builds.build([added])
        assert len(walks) == first + 1 and (output / "source/posts/5_samples.html").is_file()
        removed = posts / "3_deposits.md"
        removed.unlink()
        assert builds.build([removed])
        assert len(walks) == first + 2 and not (output / "source/posts/3_deposits.html").exists()
        # A second file for a known document (another suffix) walks again too, as Sphinx warns of it.
        documents = builds.documents
        assert documents is not None
        assert not documents.edits_only([posts / "2_incoterms.rst"])
        assert not documents.edits_only([])  # nothing said to have changed: walk
    finally:
        builds.docutils.close()
    assert files(output) == files(clean_build(srcdir, tmp_path))


def test_a_rebuild_saves_what_it_pickles_when_told_and_a_new_application_goes_on_from_it(
    site: Callable[[str], Path], tmp_path: Path
) -> None:
    srcdir = site("posts")
    output, doctrees = srcdir / "_build" / "preview", srcdir / "_build" / "doctrees"
    builds = PreviewBuilds(srcdir, output, doctrees, 1, status=io.StringIO(), warning=io.StringIO())
    environment = doctrees / "environment.pickle"
    ranking = doctrees / "kb-related-ranking.pickle"
    post = srcdir / "source" / "posts" / "2_incoterms.md"
    try:
        assert builds.build()
        builds.save()
        saved = ranking.stat().st_mtime_ns
        post.write_text(post.read_text(encoding="utf-8").replace("FOB means", "Edited: FOB means"))
        assert builds.build([post])
        # The page is written; what the next build reads waits (Sphinx opened its file).
        assert "Edited: FOB means" in (output / "source/posts/2_incoterms.html").read_text(encoding="utf-8")
        assert environment.stat().st_size == 0
        assert ranking.stat().st_mtime_ns == saved
        builds.save()
        assert environment.stat().st_size > 0 and ranking.stat().st_mtime_ns != saved
    finally:
        builds.docutils.close()
    # A new application on the same folders reads nothing again and writes a clean build's site.
    goes_on_from_saved(srcdir, output, doctrees)
    assert files(output) == files(clean_build(srcdir, tmp_path))


def test_the_save_waits_for_the_reloaded_page_s_requests() -> None:
    """What a rebuild pickles is saved once the preview's HTTP requests have gone quiet."""
    requests = Requests(None)
    requests.QUIET_SECONDS = 0.1

    async def scenario() -> list[float]:
        finished = asyncio.Event()

        async def page(scope: object, receive: object, send: object) -> None:
            await finished.wait()  # a page being served

        start = time.monotonic()
        requests.application = page
        serving = asyncio.create_task(requests({"type": "http"}, None, None))
        await asyncio.sleep(0.05)
        waiting = asyncio.create_task(requests.quiet(since=start))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # a request is open
        served = time.monotonic()
        finished.set()
        await serving
        await waiting
        return [served - start, time.monotonic() - served]

    served_after, saved_after = asyncio.run(scenario())
    assert served_after >= 0.3
    assert saved_after >= requests.QUIET_SECONDS
    # No request at all: the wait ends a moment after it began, not at the longest.
    started = time.monotonic()
    asyncio.run(requests.quiet(since=time.monotonic()))
    assert requests.QUIET_SECONDS <= time.monotonic() - started < requests.LONGEST_SECONDS
