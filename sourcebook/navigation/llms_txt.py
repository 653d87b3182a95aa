"""``/llms.txt`` and each post's Markdown: the site as language models read it.

The llms.txt convention (llmstxt.org): a Markdown file at the site's root with the site's name
as its H1, a blockquote summary, then lists of links with a short note each; every page it
lists also offers its Markdown at the page's address plus ``.md``
(``source/posts/x.html.md``). Sourcebook lists every published post, newest first, with its
description, linking to its Markdown: the post's file as its author wrote it.

Both are written once the build has finished, from the post store, for website builders
only, and only when their content changed; a post that is deleted or no longer published
loses its Markdown copy, as in a clean build. Only the posts the build read again (their
files changed) and those without a copy are read for it: in the preview's rebuild after one
edit, one file, not every post's. Frontmatter is untrusted: titles and
descriptions are escaped for Markdown, so none can end its list item, start another, or add
a link, an image or HTML; addresses are percent-encoded.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote
from weakref import WeakKeyDictionary

from docutils import nodes

from sourcebook.config import site_url
from sourcebook.output import builds_website, write_if_changed
from sourcebook.parallel import run_beside
from sourcebook.posts.frontmatter import decode
from sourcebook.posts.store import PostRecord, get_domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

LLMS_FILE = "llms.txt"
MARKDOWN_SUFFIX = ".md"

#: The documents each running build reads (a clean build: all of them). Held for one build,
#: from ``env-before-read-docs`` to ``build-finished``, so it is not the environment's.
_read_in_build: WeakKeyDictionary[Sphinx, frozenset[str]] = WeakKeyDictionary()

#: ASCII punctuation that can start Markdown markup inside a line (emphasis, code, links,
#: images, HTML, entities, tables, strike-through) or an e-mail autolink (``a@b``).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~&@])")
#: What starts GitHub's other autolinks: ``https://…`` and ``www.…``.
_AUTOLINK = re.compile(r"(?i)(:)(?=//)|\b(www)(\.)")


def markdown_text(text: str) -> str:
    """Text that Markdown (CommonMark and GitHub's autolinks) shows exactly as it is, on one line."""
    one_line = " ".join(text.split())
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", one_line)
    return _AUTOLINK.sub(lambda match: "\\:" if match.group(1) else f"{match.group(2)}\\.", escaped)


def markdown_url(url: str) -> str:
    """An address that stays one link destination: no space, parenthesis or angle bracket."""
    return quote(url, safe="/:#?&=~.-_")


def llms_txt(*, name: str, summary: str, posts: list[tuple[str, str, str]]) -> str:
    """The llms.txt file: ``posts`` are (title, Markdown address, description), in order."""
    lines = [f"# {markdown_text(name)}", ""]
    if summary:
        lines += [f"> {markdown_text(summary)}", ""]
    lines += [
        "Each answer below links to its Markdown source, as its author wrote it: YAML "
        "frontmatter (title, date, tags), then the text.",
        "",
        "## Answers",
        "",
    ]
    for title, url, description in posts:
        entry = f"- [{markdown_text(title)}]({markdown_url(url)})"
        lines.append(f"{entry}: {markdown_text(description)}" if description.strip() else entry)
    return "\n".join(lines) + "\n"


def markdown_address(app: Sphinx, docname: str) -> str:
    """Where a page's Markdown is, relative to the output folder: the page's own address + .md."""
    uri = app.builder.get_target_uri(docname)
    if not uri or uri.endswith("/"):
        uri += "index.html"
    return uri + MARKDOWN_SUFFIX


def site_summary(app: Sphinx) -> str:
    """The landing page's first paragraph: what the site is for, in its own words."""
    doctree = app.env.get_doctree(app.config.root_doc)
    first = next(iter(doctree.findall(nodes.paragraph)), None)
    return first.astext() if first is not None else ""


def published_posts(app: Sphinx) -> list[PostRecord]:
    return [post for post in get_domain(app.env).sorted_posts() if not post.draft]


def remove_stale_copies(outdir: Path, posts_dir: str, wanted: set[str]) -> None:
    """Delete the Markdown copies of posts no longer published (deleted, made drafts)."""
    # os.walk, not Path.rglob: this runs on every build, over every post's folder.
    for folder, _subfolders, files in os.walk(outdir / posts_dir):
        for name in files:
            path = Path(folder, name)
            if name.endswith(".html" + MARKDOWN_SUFFIX) and path.relative_to(outdir).as_posix() not in wanted:
                path.unlink()


def note_documents_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """The build's documents to read: the posts whose files changed since the last build."""
    _read_in_build[app] = frozenset(docnames)


def start_writing_llms_txt(app: Sphinx) -> list[tuple[str, dict[str, object], str]]:
    """Once the pages are written (every post is known), beside the main process's steps."""
    read = _read_in_build.pop(app, None)
    if builds_website(app) and app.config.kb_llms_txt:
        run_beside(app, lambda: write_llms_txt(app, read))
    return []


def write_llms_txt(app: Sphinx, read: frozenset[str] | None) -> None:
    """Write llms.txt and each published post's Markdown: the copies of the posts in ``read``
    (this build's), and of any other whose copy is missing."""
    outdir = Path(app.outdir)
    base = site_url(app.config)
    entries: list[tuple[str, str, str]] = []
    wanted: set[str] = set()
    copies: dict[str, bytes] = {}
    for post in published_posts(app):
        address = markdown_address(app, post.docname)
        wanted.add(address)
        entries.append((post.title, base + address if base else address, post.description))
        if read is not None and post.docname not in read and (outdir / address).is_file():
            continue  # the file is as it was when its copy was written
        text, _problem = decode(Path(app.env.doc2path(post.docname)).read_bytes())
        copies[address] = (text or "").encode("utf-8")
    remove_stale_copies(outdir, app.config.kb_posts_dir, wanted)
    for address, content in copies.items():
        write_if_changed(outdir / address, content)
    text = llms_txt(name=app.config.project, summary=site_summary(app), posts=entries)
    write_if_changed(outdir / LLMS_FILE, text.encode("utf-8"))


def setup_llms_txt(app: Sphinx) -> None:
    app.connect("env-before-read-docs", note_documents_read)
    app.connect("html-collect-pages", start_writing_llms_txt)
