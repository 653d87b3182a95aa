"""Files a build writes besides Sphinx's pages: for which builders, at which address, and how.

Feeds, redirects, the sitemap and the search index are written by Sourcebook itself; each is
written only when its content changes and replaced at once, so deploy tools see real changes
and a server never serves half a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sourcebook.config import site_url

if TYPE_CHECKING:
    from pathlib import Path

    from sphinx.application import Sphinx

#: Builders that write a browsable website, where feeds, redirects and robots.txt belong
#: (not singlehtml, epub or text, whose pages are not at these addresses).
WEBSITE_BUILDERS = frozenset({"html", "dirhtml"})


def builds_website(app: Sphinx) -> bool:
    """Whether this build writes the website, so that its addresses mean something."""
    return app.builder.name in WEBSITE_BUILDERS


def page_url(app: Sphinx, docname: str) -> str:
    """The absolute URL of a page, or '' when the site's base URL is unknown."""
    base = site_url(app.config)
    return base + app.builder.get_target_uri(docname) if base else ""


def write_if_changed(path: Path, content: bytes) -> None:
    """Write a generated file only when its content changes, so deploy tools see real changes.

    The new content replaces the old file at once (written beside it, then renamed), so a
    server or a second command reading the file never sees half of it.
    """
    if path.is_file() and path.read_bytes() == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(content)
    temporary.replace(path)


def file_stamp(path: Path) -> tuple[int, int] | None:
    """A file's modification time (ns) and size, or ``None`` when there is no such file: a
    rewritten file gets a new stamp, so a cache keyed by stamps sees every change."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def written_since(path: Path, moment: float) -> bool:
    """Whether ``path`` exists and was written at or after ``moment`` (a ``time.time()``).

    Generated files whose content changed at a recorded moment are written again when their
    file is older: the rule Sphinx applies to documents and their sources.
    """
    try:
        return path.stat().st_mtime >= moment
    except OSError:
        return False
