"""The old Gatsby addresses: ``blog/<slug>/index.html`` sends the reader to the post's page.

A post's canonical URL is its Sphinx page (``source/posts/<file>.html``); the address the Gatsby
site served it at, ``/blog/<slug>``, becomes a small page with a meta refresh, a plain link and,
when the base URL is known, ``<link rel="canonical">`` to the post. The pages are written from
the post store once the build has finished, so incremental and parallel builds write them all.
See docs/decisions.md for why this is not sphinx-reredirects.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sourcebook.output import builds_website, page_url, write_if_changed
from sourcebook.parallel import run_beside
from sourcebook.posts.store import get_domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The folder the Gatsby site served its posts from.
OLD_PREFIX = "blog"

#: Marks the pages this module writes, so that only they are ever removed.
MARKER = '<meta name="generator" content="Sourcebook redirect">'


def redirect_path(slug: str) -> str:
    """Where the old address of ``slug`` lives in the output: a folder's index page."""
    return f"{OLD_PREFIX}/{slug}/index.html"


def redirect_page(*, title: str, target: str, canonical: str, language: str) -> str:
    """A page that forwards to ``target`` (relative), every value escaped."""
    title = html.escape(title, quote=True)
    target = html.escape(target, quote=True)
    canonical_link = (
        f'<link rel="canonical" href="{html.escape(canonical, quote=True)}">\n' if canonical else ""
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(language, quote=True)}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"{MARKER}\n"
        f"<title>{title}</title>\n"
        f"{canonical_link}"
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        "</head>\n"
        "<body>\n"
        f'<p>This page has moved: <a href="{target}">{title}</a></p>\n'
        "</body>\n"
        "</html>\n"
    )


def redirect_pages(app: Sphinx) -> dict[str, str]:
    """Each redirect page's output path to its HTML: one per published post, for the slug it owns."""
    pages: dict[str, str] = {}
    for post in get_domain(app.env).slug_owners().values():
        if post.draft:
            continue
        path = redirect_path(post.slug)
        # Relative, so the redirect also works in a local build and on preview hosts.
        up = "../" * path.count("/")
        pages[path] = redirect_page(
            title=post.title,
            target=up + app.builder.get_target_uri(post.docname),
            canonical=page_url(app, post.docname),
            language=app.config.language,
        )
    return pages


def remove_stale_redirects(outdir: Path, wanted: set[str]) -> None:
    """Delete our redirect pages for slugs no post owns any more (a deleted post, a new slug),
    and the folders they leave empty, so an incremental build matches a clean one."""
    root = outdir / OLD_PREFIX
    # os.walk, not Path.rglob: this runs on every build, over one folder per post.
    found = [
        Path(folder, "index.html") for folder, _subfolders, files in os.walk(root) if "index.html" in files
    ]
    for path in sorted(found, reverse=True):
        if path.relative_to(outdir).as_posix() not in wanted and MARKER in path.read_text("utf-8"):
            path.unlink()
            for folder in path.parents:
                if folder == outdir or any(folder.iterdir()):
                    break
                folder.rmdir()


def write_redirects(app: Sphinx) -> None:
    """Write the redirect page of every published post and remove those of no post."""
    outdir = Path(app.outdir)
    pages = redirect_pages(app)
    remove_stale_redirects(outdir, set(pages))
    for path, text in sorted(pages.items()):
        write_if_changed(outdir / path, text.encode())


def start_writing_redirects(app: Sphinx) -> list[tuple[str, dict[str, object], str]]:
    """Once the pages are written, beside the main process's steps (no page of Sphinx's)."""
    if builds_website(app):
        run_beside(app, lambda: write_redirects(app))
    return []


def setup_redirects(app: Sphinx) -> None:
    # The post store holds every post, read in this build or before it, once pages are written.
    app.connect("html-collect-pages", start_writing_redirects)
