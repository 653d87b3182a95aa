"""What crawlers and web servers need besides the pages: sitemap.xml, robots.txt and the 404 page.

The sitemap and robots.txt are written once the build has finished, from the environment, so
they list every page after incremental and parallel builds too; the 404 page is
sphinx-notfound-page's, with its links prefixed by the base URL's path.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sphinx.util import logging

from sourcebook.config import site_url
from sourcebook.output import builds_website, page_url, write_if_changed
from sourcebook.posts.store import get_domain

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config

logger = logging.getLogger(__name__)

SITEMAP_FILE = "sitemap.xml"
SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"

#: Pages that are not documents and that no search engine should list.
_NOT_FOR_SEARCH_ENGINES = frozenset({"genindex", "search"})

#: Where a build keeps the names of the pages it generated (tag pages…): on its own app.
_GENERATED_PAGES = "_kb_generated_pages"


def set_not_found_prefix(app: Sphinx, config: Config) -> None:
    """Prefix the 404 page's links with the base URL's path, unless ``conf.py`` chose a prefix.

    The 404 page is served at any missing address, at any depth, so its links are absolute
    paths: '/en/latest/…' on Read the Docs, '/…' for a site at a domain's root. The extension's
    own default is '/en/latest/' everywhere. Runs after ``validate_config`` settles the base URL.
    """
    if config.notfound_urls_prefix == config.values["notfound_urls_prefix"].default:
        config.notfound_urls_prefix = urlsplit(site_url(config)).path or "/"


def finish_not_found_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Close two gaps sphinx-notfound-page leaves on the 404 page.

    Its ``toctree()`` returns None on a site without a toctree, which sphinx-book-theme cannot
    read (sphinx-notfound-page issue #253); and the page's ``data-content_root`` stays relative,
    so the search script would look for its files beside the missing page.
    """
    if pagename != app.config.notfound_pagename or "toctree" not in context:
        return
    context["content_root"] = app.config.notfound_urls_prefix or "/"
    toctree: Callable[..., str | None] = context["toctree"]
    context["toctree"] = lambda *args, **kwargs: toctree(*args, **kwargs) or ""


def sitemap_xml(pages: list[tuple[str, str | None]]) -> bytes:
    """A sitemap of ``(absolute URL, last modified or None)`` pairs, escaped by ElementTree."""
    urlset = ET.Element("urlset", xmlns=SITEMAP_NAMESPACE)
    for url, modified in pages:
        entry = ET.SubElement(urlset, "url")
        ET.SubElement(entry, "loc").text = url
        if modified:
            ET.SubElement(entry, "lastmod").text = modified
    ET.indent(urlset)
    document: bytes = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def forget_generated_pages(app: Sphinx, builder: Builder) -> None:
    """Start this build's list of generated pages (at ``write-started``: an application
    that builds again, as ``sourcebook serve``'s, starts a new list)."""
    setattr(app, _GENERATED_PAGES, set())


def remember_generated_page(app: Sphinx, pagename: str) -> None:
    """List a page that is not a document in the sitemap, whether this build writes it or not."""
    getattr(app, _GENERATED_PAGES).add(pagename)


def note_generated_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Remember a page that is not a document (the index…) for the sitemap.

    Such pages are written by the main process (``html-collect-pages`` and Sphinx's own), so
    this list is complete even when parallel workers write the documents. Generated pages that
    an incremental build does not write again (unchanged tag pages) are remembered by their
    module with :func:`remember_generated_page`.
    """
    if doctree is None and pagename not in app.env.found_docs:
        remember_generated_page(app, pagename)


def sitemap_pages(app: Sphinx) -> list[tuple[str, str | None]]:
    """Every page for search engines, by URL; posts with their last change.

    Documents come from the environment, so the pages an incremental build did not write again
    are listed too. Left out: the 404 page, the search and index pages, drafts (when previewing).
    """
    posts = get_domain(app.env).posts
    left_out = {app.config.notfound_pagename, *_NOT_FOR_SEARCH_ENGINES}
    left_out |= {docname for docname, post in posts.items() if post.draft}
    names = (app.env.found_docs | getattr(app, _GENERATED_PAGES, set())) - left_out
    pages = []
    for name in names:
        post = posts.get(name)
        pages.append((page_url(app, name), (post.updated or post.date) if post is not None else None))
    return sorted(pages)


def write_sitemap(app: Sphinx, exception: Exception | None) -> None:
    """Write sitemap.xml from the environment, which knows every page, not only those just written."""
    if exception is not None or not builds_website(app) or not site_url(app.config):
        return
    write_if_changed(Path(app.outdir) / SITEMAP_FILE, sitemap_xml(sitemap_pages(app)))


def say_nothing_absolute_is_written(app: Sphinx, exception: Exception | None) -> None:
    """One info line, not a warning: a local build without a base URL is the normal case."""
    if exception is None and builds_website(app) and not site_url(app.config):
        logger.info(
            "sourcebook: no base URL (html_baseurl or READTHEDOCS_CANONICAL_URL), "
            "so no feeds, sitemap.xml or robots.txt"
        )


def ships_robots_txt(app: Sphinx) -> bool:
    """Whether the site copies its own robots.txt into the output (``html_extra_path``)."""
    for extra in app.config.html_extra_path:
        path = Path(app.confdir) / extra
        if (path / "robots.txt").is_file() or (path.name == "robots.txt" and path.is_file()):
            return True
    return False


def write_robots_txt(app: Sphinx, exception: Exception | None) -> None:
    """Write robots.txt naming the absolute sitemap URL, unless the site ships its own."""
    base = site_url(app.config)
    if exception is not None or not builds_website(app) or not base or ships_robots_txt(app):
        return
    text = f"User-agent: *\nDisallow:\n\nSitemap: {base}{SITEMAP_FILE}\n"
    write_if_changed(Path(app.outdir) / "robots.txt", text.encode())


def setup_publishing(app: Sphinx) -> None:
    app.setup_extension("notfound.extension")
    # After validate_config (400) settles html_baseurl; before sphinx-notfound-page checks its
    # prefix (500).
    app.connect("config-inited", set_not_found_prefix, priority=450)
    # After sphinx-notfound-page sets up the 404 page's helpers (400), before the theme uses them.
    app.connect("html-page-context", finish_not_found_page, priority=450)
    app.connect("write-started", forget_generated_pages)
    app.connect("html-page-context", note_generated_page)
    app.connect("build-finished", write_sitemap)
    app.connect("build-finished", write_robots_txt)
    app.connect("build-finished", say_nothing_absolute_is_written)
