"""Posts dated after the build's day are drafts until that day: nowhere in what the build writes.

The shipped site is built with tests/roots/test-book's posts, one of them dated 2099-01-05, on a
day fixed by ``kb_today`` or ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from sourcebook.authoring.cli import main
from sourcebook.posts.store import get_domain

from conftest import html_of, warnings_of

FUTURE = "source/posts/4_future"
TITLE = "An answer written ahead of its day"
#: Words only the scheduled post holds: its title, slug, file name and last sentence.
ITS_TRACES = ("ahead of its day", "next-year-answer", "4_future", "albatross")
PUBLIC = {"html_baseurl": "https://kb.example/"}


def traces_in(outdir: Path) -> dict[str, list[str]]:
    """Every output file that mentions the scheduled post, with what it mentions."""
    found: dict[str, list[str]] = {}
    for path in sorted(outdir.rglob("*")):
        if not path.is_file() or path.suffix in {".png", ".jpg", ".webp", ".woff2", ".pickle", ".doctree"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace").casefold()
        if hits := [trace for trace in ITS_TRACES if trace in text]:
            found[path.relative_to(outdir).as_posix()] = hits
    return found


def test_a_post_dated_after_today_is_nowhere_in_the_site(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(shipped_site("book"), confoverrides={**PUBLIC, "kb_today": "2026-06-01"})
    assert warnings_of(app) == []
    assert FUTURE not in get_domain(app.env).posts
    assert "source/posts/1_rework" in get_domain(app.env).posts
    assert (
        "left out 1 post(s) dated after today (2026-06-01) until their day: "
        "source/posts/4_future.md (2099-01-05) (kb_publish_future = True publishes them now)"
    ) in app.status.getvalue()
    # Listings, tag pages, feeds, sitemap, redirects, search index, related answers: none.
    assert traces_in(app.outdir) == {}
    listed = [link.get_text() for link in html_of(app, "source/archive").select(".kb-archive-year li a")]
    assert "Who owns the mould when the order is finished?" in listed


def test_on_its_day_the_post_is_published(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 2099-01-05T08:00:00Z, as a reproducible build would set it.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "4071283200")
    app = build(shipped_site("book"), confoverrides=PUBLIC)
    assert warnings_of(app) == []
    assert FUTURE in get_domain(app.env).posts
    assert "dated after today" not in app.status.getvalue()
    assert TITLE in (app.outdir / "atom.xml").read_text(encoding="utf-8")
    assert html_of(app, FUTURE).select_one(".kb-scheduled") is None


def test_kb_publish_future_publishes_it_now(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(
        shipped_site("book"), confoverrides={**PUBLIC, "kb_today": "2026-06-01", "kb_publish_future": True}
    )
    assert warnings_of(app) == []
    assert not get_domain(app.env).posts[FUTURE].draft
    assert TITLE in (app.outdir / "atom.xml").read_text(encoding="utf-8")
    listed = [link.get_text() for link in html_of(app, "source/archive").select(".kb-archive-year li a")]
    assert listed[0] == TITLE


def test_a_preview_shows_it_marked_and_keeps_it_out_of_the_feeds(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(shipped_site("book"), confoverrides={**PUBLIC, "kb_today": "2026-06-01", "kb_preview": True})
    assert warnings_of(app) == []
    marker = html_of(app, FUTURE).select_one(".kb-post-header .kb-scheduled")
    assert marker is not None and marker.get_text().strip() == "Scheduled"
    assert TITLE not in (app.outdir / "atom.xml").read_text(encoding="utf-8")
    assert "4_future" not in (app.outdir / "sitemap.xml").read_text(encoding="utf-8")


def test_check_says_when_a_scheduled_post_appears(
    shipped_site: Callable[[str], Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780315200")  # 2026-06-01T12:00:00Z
    assert main(["--site", str(shipped_site("book")), "check"]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if "kb.note.scheduled" in line]
    assert notes == [
        "source/posts/4_future.md:4: NOTE: the post is dated January 5, 2099, after today (June 1, "
        "2026): the published site leaves it out until a build on or after January 5, 2099 "
        "(sourcebook serve shows it); set kb_publish_future = True in conf.py to publish it now "
        "[kb.note.scheduled]"
    ]


def test_a_rebuild_on_its_day_publishes_it_everywhere(
    shipped_site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    """The day comes between two builds of the same folder: the listings and feeds follow."""
    srcdir = shipped_site("book")
    build(srcdir, confoverrides={**PUBLIC, "kb_today": "2099-01-04"})
    app = build(srcdir, confoverrides={**PUBLIC, "kb_today": "2099-01-05"})
    assert warnings_of(app) == []
    assert TITLE in (app.outdir / "atom.xml").read_text(encoding="utf-8")
    listed = [link.get_text() for link in html_of(app, "source/archive").select(".kb-archive-year li a")]
    assert listed[0] == TITLE
    assert "source/posts/4_future.html" in (app.outdir / "sitemap.xml").read_text(encoding="utf-8")
