"""What Sphinx repeated for every page is done once, and the pages stay the same: debug
records are made only when shown, templates are checked once a build (an edited one still
shows in the next preview rebuild), and asset links are made once per folder."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

import sourcebook.extension
from sourcebook import page_overheads
from sourcebook.authoring.serve import PreviewBuilds

from conftest import assemble_shipped_site, html_pages, warnings_of


def test_pages_are_those_sphinx_writes_without_the_shortcuts(
    build: Callable[..., SphinxTestApp], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = build(assemble_shipped_site("posts", tmp_path / "shortcuts"))
    assert warnings_of(app) == []
    monkeypatch.setattr(sourcebook.extension, "setup_page_overheads", lambda app: None)
    plain = build(assemble_shipped_site("posts", tmp_path / "plain"))
    assert warnings_of(plain) == []
    assert len(html_pages(app.outdir)) > 10
    assert html_pages(app.outdir) == html_pages(plain.outdir)


def test_every_asset_link_reaches_its_file_with_one_checksum_on_every_page(
    build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    app = build(assemble_shipped_site("posts", tmp_path / "site"))
    outdir = Path(app.outdir)
    checksums: dict[Path, set[str]] = {}
    folders: set[Path] = set()
    for page in sorted(outdir.rglob("*.html")):
        if page.parent.name == "_static":
            continue  # a theme's template file, copied as it is
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = [tag["href"] for tag in soup.find_all("link", rel="stylesheet")]
        links += [tag["src"] for tag in soup.find_all("script", src=True)]
        for link in links:
            address = urlsplit(str(link))
            if address.scheme:
                continue
            # The 404 page links from the site's root, as it is served at any address.
            base = outdir if address.path.startswith("/") else page.parent
            target = (base / address.path.lstrip("/")).resolve()
            assert target.is_file(), (page.relative_to(outdir), link)
            if address.query.startswith("v="):
                checksums.setdefault(target, set()).add(address.query)
                folders.add(page.parent)
    assert len(folders) >= 3  # pages at several depths link the same files
    assert checksums and all(len(found) == 1 for found in checksums.values()), checksums


def test_an_asset_tag_is_made_once_per_folder() -> None:
    made: list[object] = []

    def make_tag(asset: object) -> str:
        made.append(asset)
        return f"<tag {asset}>"

    links: dict[object, str] = {}
    first = page_overheads.remembered(make_tag, links, "source/posts")
    second = page_overheads.remembered(make_tag, links, "source/posts")
    elsewhere = page_overheads.remembered(make_tag, links, "")
    assert [first("a.css"), second("a.css"), elsewhere("a.css")] == ["<tag a.css>"] * 3
    assert made == ["a.css", "a.css"]
    unhashable = ["b.js"]
    assert [first(unhashable), first(unhashable)] == ["<tag ['b.js']>"] * 2
    assert made[2:] == [unhashable, unhashable]


@pytest.mark.parametrize(("verbosity", "shown"), [(0, False), (1, False), (2, True)])
def test_debug_records_are_made_only_when_shown(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], verbosity: int, shown: bool
) -> None:
    app = build(site("posts"), verbosity=verbosity)
    assert warnings_of(app) == []
    assert logging.getLogger("sphinx").isEnabledFor(logging.DEBUG) is shown
    assert ("[app] emitting event: 'doctree-read'" in app.status.getvalue()) is shown


def test_a_preview_rebuild_shows_an_edited_template(site: Callable[[str], Path]) -> None:
    srcdir = site("posts")
    with (srcdir / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('\ntemplates_path = ["_templates"]\n')
    template = srcdir / "_templates" / "relations.html"
    template.parent.mkdir()
    template.write_text('<p class="kb-test-marker">first</p>\n', encoding="utf-8")
    output = srcdir / "_build" / "preview"
    builds = PreviewBuilds(
        srcdir, output, srcdir / "_build" / "doctrees", 1, status=io.StringIO(), warning=io.StringIO()
    )
    page = output / "source/posts/2_incoterms.html"
    try:
        assert builds.build()
        assert '<p class="kb-test-marker">first</p>' in page.read_text(encoding="utf-8")
        template.write_text('<p class="kb-test-marker">second</p>\n', encoding="utf-8")
        assert builds.build([template])
        assert '<p class="kb-test-marker">second</p>' in page.read_text(encoding="utf-8")
    finally:
        builds.docutils.close()
