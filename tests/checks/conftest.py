"""One realistic site for every checker: the shipped site, its seed post and 149 generated posts.

It is built once per test run, as Read the Docs builds it (a public address, here the local
server's, so canonical links, feeds and the sitemap are written), and served with gzip, as Read
the Docs serves it. The checkers are installed by ``make checkers`` (``make test`` runs it):
npm's packages into ``tests/checks/node_modules``, Java with apt when it is missing.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser import free_port, serve
from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "benchmarks"))

from make_corpus import make_corpus

CHECKERS = Path(__file__).parent
NODE_MODULES = CHECKERS / "node_modules"
#: Generated posts besides the seed post: enough for 17 tags over ten years, as a real blog has.
GENERATED_POSTS = 149

#: Each kind of page, by the address a reader opens.
PAGE_KINDS = {
    "landing": "index.html",
    "post": "source/posts/1_defective_goods.html",
    "tag page": "tags/inspection.html",
    "tags index": "source/tags.html",
    "archive": "source/archive.html",
    "glossary": "source/glossary.html",
    "search with results": "search.html?q=how+much+deposit+should+I+pay",
    "404": "404.html",
}


@dataclass(frozen=True)
class CheckedSite:
    srcdir: Path
    html: Path
    base: str

    def page_file(self, kind: str) -> Path:
        return self.html / PAGE_KINDS[kind].split("?", 1)[0]


def node_tool(*parts: str) -> Path:
    """A file of an installed npm package; a clear failure, never a skip, when it is missing."""
    path = NODE_MODULES.joinpath(*parts)
    if not path.exists():
        raise RuntimeError(f"{path} is missing: run 'make test', which installs the checkers")
    return path


@pytest.fixture(scope="session")
def checked_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedSite]:
    root = tmp_path_factory.mktemp("checked")
    srcdir = root / "site"
    make_corpus(GENERATED_POSTS, srcdir, seed=1, keep_shipped_posts=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-q",
            "--no-color",
            "-b",
            "html",
            "-j",
            "2",
            "-d",
            str(root / "doctrees"),
            "-D",
            f"html_baseurl={base}",
            str(srcdir),
            str(root / "html"),
        ],
        check=True,
    )
    with serve(root / "html", compress=True, port=port) as served:
        assert served == base
        yield CheckedSite(srcdir, root / "html", base)
