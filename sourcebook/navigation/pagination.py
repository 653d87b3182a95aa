"""Long lists split into pages: the archive, the tag index and each tag's page, at any size.

A list longer than ``kb_posts_per_page`` is cut into *parts* of that many entries. The first
part is the page itself (the document, or ``tags/<tag>.html``); part ``n`` is the page named
``<page>/page-<n>``, generated at ``html-collect-pages``. Every part carries the same
navigation: ``<link rel="prev">``/``<link rel="next">`` in its head (through the theme's
``prev``/``next`` context, which also draws the theme's buttons at the foot of the page) and a
visible row of page links above and below the list. Only builders that write a website split
lists: an EPUB or a PDF holds every entry where the list stands.

Generated parts are written again only when what they show changed, as tag pages are: at
``env-get-updated`` each part gets a fingerprint of its content and the time that fingerprint
last changed; at ``html-collect-pages`` a part whose file is older is written again.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from weakref import WeakKeyDictionary

from sphinx.util.osutil import relative_uri

from sourcebook.navigation.publishing import remember_generated_page
from sourcebook.output import builds_website, written_since

if TYPE_CHECKING:
    from pathlib import Path

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

Item = TypeVar("Item")

#: A part's fingerprint and the time it last changed (a ``time.time()``).
Change = tuple[str, float]

#: Pages with this many parts or fewer show a link to each; longer runs are shortened.
ALL_NUMBERS_UP_TO = 12
#: Around the current part, this many neighbours on each side keep their links.
NEARBY = 2


def split(items: Sequence[Item], size: int) -> list[list[Item]]:
    """``items`` in parts of ``size`` (the last may be shorter); one empty part when empty."""
    if size <= 0 or len(items) <= size:
        return [list(items)]
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def posts_per_page(app: Sphinx) -> int:
    """How many entries one page lists, or 0 for no limit (builders that are not websites)."""
    return int(app.config.kb_posts_per_page) if builds_website(app) else 0


def part_name(pagename: str, number: int) -> str:
    """The page of part ``number`` (from 1) of the list on ``pagename``."""
    return pagename if number == 1 else f"{pagename}/page-{number}"


def part_title(title: str, number: int, total: int) -> str:
    """A part's title, as text: the page's own for a list of one part."""
    return title if total == 1 else f"{title} (page {number} of {total})"


def shown_numbers(number: int, total: int) -> list[int | None]:
    """The part numbers the navigation links, ``None`` where a run of them is left out."""
    if total <= ALL_NUMBERS_UP_TO:
        return list(range(1, total + 1))
    kept = {1, total, *range(number - NEARBY, number + NEARBY + 1)}
    numbers: list[int | None] = []
    for candidate in range(1, total + 1):
        if candidate in kept:
            numbers.append(candidate)
        elif numbers and numbers[-1] is not None:
            numbers.append(None)
    return numbers


def _href(builder: Builder, fromname: str, pagename: str) -> str:
    return relative_uri(builder.get_target_uri(fromname), builder.get_target_uri(pagename))


def navigation_html(builder: Builder, pagename: str, number: int, total: int, label: str) -> str:
    """The row of page links shown above and below part ``number`` of the list on ``pagename``."""
    here = part_name(pagename, number)

    def link(target: int, text: str, classes: str, rel: str = "") -> str:
        href = html.escape(_href(builder, here, part_name(pagename, target)))
        rel_attribute = f' rel="{rel}"' if rel else ""
        return f'<a class="{classes}" href="{href}"{rel_attribute}>{text}</a>'

    items = []
    for shown in shown_numbers(number, total):
        if shown is None:
            items.append('<li class="kb-pages-gap" aria-hidden="true">…</li>')
        elif shown == number:
            items.append(f'<li><a class="kb-pages-current" aria-current="page">{shown}</a></li>')
        else:
            items.append(f"<li>{link(shown, str(shown), 'kb-pages-number')}</li>")
    previous = link(number - 1, "← Previous", "kb-pages-previous", "prev") if number > 1 else ""
    following = link(number + 1, "Next →", "kb-pages-next", "next") if number < total else ""
    return (
        f'<nav class="kb-pages" aria-label="{html.escape(label)}">'
        f'{previous}<ol class="kb-pages-numbers">{"".join(items)}</ol>{following}</nav>\n'
    )


def neighbour_context(
    builder: Builder, pagename: str, number: int, total: int, title: str
) -> dict[str, dict[str, str] | None]:
    """The theme's ``prev`` and ``next`` for part ``number``: its head's ``<link rel>`` and the
    buttons at its foot. Titles are markup for the theme, so escaped here."""
    here = part_name(pagename, number)

    def neighbour(target: int) -> dict[str, str] | None:
        if not 1 <= target <= total:
            return None
        return {
            "link": _href(builder, here, part_name(pagename, target)),
            "title": html.escape(part_title(title, target, total)),
        }

    return {"prev": neighbour(number - 1), "next": neighbour(number + 1)}


def page_frame(app: Sphinx, env: BuildEnvironment) -> str:
    """What a generated page shows besides its body: the configuration (as Sphinx's
    ``.buildinfo`` records it), the site's static files (pages link to their CSS and scripts
    with a checksum) and the sidebar's navigation (every toctree and its titles)."""
    build_info = getattr(app.builder, "build_info", None)
    parts = [app.builder.name, getattr(build_info, "config_hash", ""), getattr(build_info, "tags_hash", "")]
    for entry in app.config.html_static_path:  # folders, or single files
        root = app.confdir / entry
        for path in [root] if root.is_file() else sorted(root.rglob("*")):
            if path.is_file():
                stat = path.stat()
                parts.append(f"{path}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}")
    root_doc = app.config.root_doc
    for docname, included in sorted(env.toctree_includes.items()):
        for name in (docname, *included):
            title = env.titles.get(name)
            parts.append(f"{name}\x1f{title.astext() if title is not None else ''}")
    if root_doc in env.titles:
        parts.append(f"{root_doc}\x1f{env.titles[root_doc].astext()}")
    return "\x1e".join(parts)


def note_changes(previous: dict[str, Change], contents: dict[str, str], now: float) -> dict[str, Change]:
    """Each page's fingerprint of its content, with the time it last changed (kept when equal)."""
    current: dict[str, Change] = {}
    for name, content in contents.items():
        fingerprint = hashlib.sha256(content.encode()).hexdigest()[:32]
        before = previous.get(name)
        current[name] = before if before is not None and before[0] == fingerprint else (fingerprint, now)
    return current


#: When the theme's templates last changed, for the running build (each is read once a build:
#: finding it stats every template file, and every generated page asks).
_template_times: WeakKeyDictionary[Sphinx, float] = WeakKeyDictionary()


def forget_template_time(app: Sphinx, *_args: object) -> None:
    """At each build's start (``env-before-read-docs``): the templates may have changed since."""
    _template_times.pop(app, None)


def template_time(app: Sphinx) -> float:
    if app not in _template_times:
        templates = getattr(app.builder, "templates", None)
        _template_times[app] = templates.newest_template_mtime() if templates is not None else 0.0
    return _template_times[app]


def is_current(app: Sphinx, pagename: str, changes: dict[str, Change], key: str) -> bool:
    """Whether a generated page's file was written after its content and the templates last changed."""
    _fingerprint, changed = changes.get(key, ("", float("inf")))
    return written_since(output_path(app, pagename), max(changed, template_time(app)))


def output_path(app: Sphinx, pagename: str) -> Path:
    """Where the builder writes a page (``x.html``, or ``x/index.html`` with ``dirhtml``)."""
    path: Path = app.builder.get_output_path(pagename)  # type: ignore[attr-defined]
    return path


def remove_parts_after(app: Sphinx, pagename: str, count: int) -> None:
    """Delete the parts past ``count`` of the list on ``pagename``, left by a longer list."""
    number = max(count, 1) + 1
    while (path := output_path(app, part_name(pagename, number))).is_file():
        path.unlink()
        number += 1


def generated_parts(
    app: Sphinx,
    pagename: str,
    title: str,
    total: int,
    body: Callable[[int], str],
    changes: dict[str, Change],
    key: str | None = None,
) -> list[tuple[str, dict[str, Any], str]]:
    """The parts 2.. of a list (part 1 is the page itself) that need writing, as
    ``html-collect-pages`` wants them; each part is listed in the sitemap all the same.
    ``changes`` holds the parts by ``part_name(key, number)`` (``key``: the page's name)."""
    remove_parts_after(app, pagename, total)
    pages = []
    for number in range(2, total + 1):
        name = part_name(pagename, number)
        remember_generated_page(app, name)
        if is_current(app, name, changes, part_name(key or pagename, number)):
            continue
        context: dict[str, Any] = {
            "title": html.escape(part_title(title, number, total)),
            "body": body(number),
            "display_toc": False,
            **neighbour_context(app.builder, pagename, number, total, title),
        }
        pages.append((name, context, "page.html"))
    return pages


def setup_pagination(app: Sphinx) -> None:
    app.connect("env-before-read-docs", forget_template_time)
