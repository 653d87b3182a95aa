"""The preview's rebuilds in one application: Sphinx's walk of the sources for documents is
skipped after edits of existing files, and every rebuild still writes a clean build's files."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sphinx.project

from authoring.test_serve import clean_build, files
from sourcebook.authoring.serve import PreviewBuilds


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
