"""Drafts stay out of the published site, and show (marked) in a preview."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sphinx.testing.util import SphinxTestApp

from sourcebook.posts.store import get_domain

from conftest import html_of, warnings_of

DRAFT = "source/posts/4_draft"


def test_drafts_are_left_out_and_counted(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("posts"))
    assert warnings_of(app) == []
    assert DRAFT not in get_domain(app.env).posts
    assert not (app.outdir / f"{DRAFT}.html").exists()
    assert "left out 1 draft post(s): source/posts/4_draft.md" in app.status.getvalue()
    listed = [link.get_text() for link in html_of(app, "index").select(".kb-postlist a")]
    assert "Unfinished thoughts on moulds" not in listed


def test_preview_builds_drafts_marked_as_drafts(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("posts"), confoverrides={"kb_preview": True})
    assert warnings_of(app) == []
    assert "left out" not in app.status.getvalue()
    page = html_of(app, DRAFT)
    marker = page.select_one(".kb-post-header .kb-draft")
    assert marker is not None and marker.get_text().strip() == "Draft"
    listed = [link.get_text() for link in html_of(app, "index").select(".kb-postlist a")]
    assert listed[0] == "Unfinished thoughts on moulds"
