"""The theme's stylesheets and icon font, cut down to what the site's pages use.

Every page links the theme's whole stylesheet (pydata-sphinx-theme's 376 KB, Bootstrap and
Font Awesome's 2,000 icons included) and, for its handful of icons, Font Awesome's 112 KB solid
font: most of what a phone downloads before it shows a page. Once every page is written
(``build-finished``, whichever processes wrote them), each stylesheet a page links is
rewritten in place without the rules no page can use (:mod:`sourcebook.unused_css`: a rule
stays when a page's markup or one of the scripts the pages load can match it), a local
``@import`` is replaced by the rules it would load (one round trip less before the page can
render), and each icon font is cut down to the icons the kept rules draw
(:mod:`sourcebook.icon_font`). The files keep their names, so the theme's markup is untouched.

What the pages use is read from the written pages themselves, so it is exact whoever wrote
them; a page is read again only when its file changed (its modification time and size), and
the rewritten files are computed again only when what the pages use or the theme's files
changed: a one-post rebuild reads one page. The result depends only on the pages and the
theme's files, so incremental and parallel builds give a clean build's files.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import MethodType
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging
from sphinx.util.fileutil import copy_asset
from sphinx.util.matching import DOTFILES

from sourcebook.build_cache import read_cache, write_cache
from sourcebook.icon_font import subset_icon_font
from sourcebook.output import builds_website, file_stamp, write_if_changed
from sourcebook.parallel import Workers
from sourcebook.unused_css import (
    Stylesheet,
    Usage,
    drop_unused_faces_and_keyframes,
    font_files,
    icon_characters,
    named_files,
    page_tokens,
    purge,
    rebase,
    script_tokens,
    serialize,
)

if TYPE_CHECKING:
    import tinycss2.ast
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: The cache file, under the doctree folder (one per builder).
CACHE_DIR = "kb-theme-assets"
#: Output folders that hold no pages.
_NOT_PAGES = frozenset({"_static", "_images", "_sources", "_downloads"})
_STATIC = "_static"
#: Bumped when what is cached changes shape or meaning.
_CACHE_VERSION = 2
_FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".otf")

Stamp = tuple[int, int]


@dataclass
class AssetCache:
    """What the last build read and wrote, for the next one to reuse."""

    version: int = _CACHE_VERSION
    #: The digest of the stylesheets, and every token their selectors require.
    sheets: str = ""
    relevant: frozenset[str] = frozenset()
    #: Each page's stamp and the tokens of it the stylesheets can use (shared between pages).
    pages: dict[str, tuple[Stamp, frozenset[str]]] = field(default_factory=dict)
    #: What the written files were computed from, and each one's content.
    key: str = ""
    written: dict[str, bytes] = field(default_factory=dict)
    #: The theme's own content of each file written over, should Sphinx not copy it again.
    originals: dict[str, bytes] = field(default_factory=dict)


def cache_file(app: Sphinx) -> Path:
    return Path(app.doctreedir) / CACHE_DIR / f"{app.builder.name}.pickle"


def page_files(outdir: Path) -> list[str]:
    """Every HTML page of the output, relative to it (the site's pages only: Sourcebook
    removes the pages of removed documents, so this is what a clean build writes)."""
    pages = []
    for folder, subfolders, files in os.walk(outdir):
        if folder == str(outdir):
            subfolders[:] = [name for name in subfolders if name not in _NOT_PAGES]
        subfolders.sort()
        relative = os.path.relpath(folder, outdir)
        pages += [
            posixpath.normpath(posixpath.join(relative, name)) for name in files if name.endswith(".html")
        ]
    return sorted(pages)


def static_files(static: Path, suffixes: tuple[str, ...]) -> list[str]:
    return sorted(
        path.relative_to(static).as_posix() for path in static.rglob("*") if path.suffix in suffixes
    )


def original(static: Path, name: str, cache: AssetCache) -> bytes | None:
    """A static file as the theme ships it. Sphinx copies it again in every build, over what
    the last one wrote; should it not have, the theme's content is in the cache."""
    try:
        data = (static / name).read_bytes()
    except OSError:
        return None
    if cache.written.get(name) == data and name in cache.originals:
        return cache.originals[name]
    return data


def digest(parts: Iterable[bytes | str]) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode() if isinstance(part, str) else part)
        hasher.update(b"\x1f")
    return hasher.hexdigest()


class Theme:
    """The stylesheets, scripts and fonts of the output's ``_static`` folder, as shipped."""

    def __init__(
        self, static: Path, cache: AssetCache, parsed: dict[bytes, Stylesheet] | None = None
    ) -> None:
        self.static = static
        self.cache = cache
        self.sheets = {
            name: data for name in static_files(static, (".css",)) if (data := original(static, name, cache))
        }
        #: Stylesheets already parsed, by content.
        self.parsed = parsed if parsed is not None else {}

    def stylesheet(self, name: str) -> Stylesheet:
        data = self.sheets[name]
        if data not in self.parsed:
            self.parsed[data] = Stylesheet.parse(data.decode("utf-8", errors="replace"))
        return self.parsed[data]

    def read(self, name: str) -> bytes | None:
        return original(self.static, name, self.cache)


def page_usage(outdir: Path, relevant: frozenset[str], cache: AssetCache, processes: int = 1) -> set[str]:
    """The tokens the stylesheets can use of every page, read again only from changed pages
    (in up to ``processes`` processes, when there are many)."""
    shared: dict[frozenset[str], frozenset[str]] = {tokens: tokens for _stamp, tokens in cache.pages.values()}
    pages: dict[str, tuple[Stamp, frozenset[str]]] = {}
    changed: dict[str, Stamp] = {}
    for page in page_files(outdir):
        stamp = file_stamp(outdir / page)
        if stamp is None:
            continue
        previous = cache.pages.get(page)
        if previous is None or previous[0] != stamp:
            changed[page] = stamp
        else:
            pages[page] = previous
    for page, kept in read_page_tokens(outdir, list(changed), relevant, processes):
        pages[page] = (changed[page], shared.setdefault(kept, kept))
    cache.pages = pages
    return set().union(*(tokens for _stamp, tokens in pages.values()))


#: Fewer pages than this each are read in one process: a fork costs about as much as 50 pages.
PAGES_PER_PROCESS = 200


def read_page_tokens(
    outdir: Path, pages: list[str], relevant: frozenset[str], processes: int
) -> list[tuple[str, frozenset[str]]]:
    """Each page's tokens that the stylesheets can use; the pages split between up to
    ``processes`` processes, this one included (a page is about 1 ms)."""

    def read(part: list[str]) -> list[tuple[str, frozenset[str]]]:
        return [
            (
                page,
                frozenset(
                    page_tokens((outdir / page).read_text(encoding="utf-8", errors="replace")) & relevant
                ),
            )
            for page in part
        ]

    count = max(1, min(processes, len(pages) // PAGES_PER_PROCESS))
    if count == 1:
        return read(pages)
    size = -(-len(pages) // count)
    parts = [pages[start : start + size] for start in range(0, len(pages), size)]
    results: dict[int, list[tuple[str, frozenset[str]]]] = {}
    workers = Workers(len(parts) - 1)
    try:
        for number, part in enumerate(parts[1:], start=1):

            def done(
                _part: list[str], result: list[tuple[str, frozenset[str]]], number: int = number
            ) -> None:
                results[number] = result

            workers.start(read, part, done)
        results[0] = read(parts[0])
        workers.join()
    finally:
        workers.terminate()
    return [item for number in range(len(parts)) for item in results[number]]


def script_usage(theme: Theme, used: set[str], relevant: frozenset[str]) -> dict[str, bytes]:
    """Add to ``used`` what the scripts the pages name can use, and those they name in turn
    (they add classes at run time, and may load more scripts and stylesheets); return those
    scripts."""
    scripts: dict[str, bytes] = {}
    files = [*theme.sheets, *static_files(theme.static, (".js",))]
    waiting = sorted(name for name in named_files(used) if name.endswith(".js"))
    while waiting:
        name = waiting.pop()
        if name in scripts or (data := theme.read(name)) is None:
            continue
        scripts[name] = data
        named = script_tokens(data.decode("utf-8", errors="replace"), files)
        used.update(token for token in named if token in relevant or token.startswith("@"))
        waiting += sorted(path for path in named_files(named) if path.endswith(".js") and path not in scripts)
    return scripts


def trims(app: Sphinx) -> bool:
    return builds_website(app) and bool(app.config.kb_trim_theme_assets)


def load_cache(app: Sphinx) -> AssetCache:
    found = read_cache(cache_file(app), AssetCache)
    return found if found is not None and found.version == _CACHE_VERSION else AssetCache()


#: A first build's stylesheets, parsed at html-collect-pages, by content.
_parsed_early: WeakKeyDictionary[Sphinx, dict[bytes, Stylesheet]] = WeakKeyDictionary()


def parse_stylesheets_early(app: Sphinx) -> list[tuple[str, dict[str, object], str]]:
    """At ``html-collect-pages``, last: the main process waits for the search index next (the
    search page describes it). A first build, whose trim parses every stylesheet, parses
    them meanwhile; kept by content, since pydata-sphinx-theme rewrites ``pygments.css`` at
    ``build-finished``. A later build's trim (one with a cache file) mostly reuses the last
    one's work: nothing is parsed, nor the cache read, then."""
    if trims(app) and not cache_file(app).is_file():
        theme = Theme(Path(app.outdir) / _STATIC, AssetCache())
        for name in theme.sheets:
            theme.stylesheet(name)
        _parsed_early[app] = theme.parsed
    return []


def trim_theme_assets(app: Sphinx, exception: Exception | None) -> None:
    """Rewrite the stylesheets the pages link, and their icon fonts, for what the pages use."""
    parsed = _parsed_early.pop(app, None)
    if exception is not None or not trims(app):
        return
    outdir = Path(app.outdir)
    static = outdir / _STATIC
    cache = load_cache(app)
    theme = Theme(static, cache, parsed)

    # What a page's tokens are kept for: the stylesheets' selectors, and the static files.
    files = [*theme.sheets, *static_files(static, (".js",))]
    sheets_key = digest([*(part for name, data in theme.sheets.items() for part in (name, data)), *files])
    if sheets_key != cache.sheets:
        cache.sheets, cache.pages = sheets_key, {}
        selectors = frozenset().union(*(theme.stylesheet(name).tokens for name in theme.sheets))
        cache.relevant = selectors | {"@" + name for name in files}
    used = page_usage(outdir, cache.relevant, cache, app.parallel)
    scripts = script_usage(theme, used, cache.relevant)
    linked = sorted(name for name in named_files(used) if name in theme.sheets)
    fonts = {name: data for name in static_files(static, _FONT_SUFFIXES) if (data := theme.read(name))}

    key = digest(
        [
            sheets_key,
            *sorted(token for token in used if not token.startswith("@")),
            *linked,
            *(part for name, data in sorted({**scripts, **fonts}.items()) for part in (name, data)),
        ]
    )
    if key != cache.key:
        cache.written, cache.originals = trimmed_assets(theme, linked, fonts, Usage(frozenset(used)))
        cache.key = key
    for name, data in cache.written.items():
        write_if_changed(static / name, data)
    write_cache(cache_file(app), cache)


def trimmed_assets(
    theme: Theme, linked: list[str], fonts: dict[str, bytes], usage: Usage
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The content of every file to write (each linked stylesheet purged, each icon font its
    kept rules load cut down to the icons they draw), and what the theme shipped there."""

    def imports_of(into: str) -> Callable[[str], list[tinycss2.ast.Node] | None]:
        def rules_of(url: str) -> list[tinycss2.ast.Node] | None:
            if "://" in url or url.startswith("/"):
                return None
            name = posixpath.normpath(posixpath.join(posixpath.dirname(into), url.partition("?")[0]))
            if name not in theme.sheets:
                return None
            inner = purge(theme.stylesheet(name), usage, imports_of(name))
            return rebase(inner, posixpath.dirname(name), posixpath.dirname(into))

        return rules_of

    purged = drop_unused_faces_and_keyframes(
        [purge(theme.stylesheet(name), usage, imports_of(name)) for name in linked]
    )
    written = {name: serialize(rules).encode("utf-8") for name, rules in zip(linked, purged, strict=True)}
    originals = {name: theme.sheets[name] for name in written}

    drawn = icon_characters(purged)
    loaded = {
        posixpath.normpath(posixpath.join(posixpath.dirname(name), url.partition("?")[0].partition("#")[0]))
        for name, rules in zip(linked, purged, strict=True)
        for url in font_files(rules)
    }
    for name in sorted(loaded & fonts.keys()):
        try:
            smaller = subset_icon_font(fonts[name], drawn)
        except Exception as error:  # a font fontTools cannot read is left as it is
            logger.info("sourcebook: %s left as the theme ships it: %s", name, error)
            continue
        if smaller is not None:
            written[name], originals[name] = smaller, fonts[name]
    return written, originals


#: What the themes' static folders hold that no browser loads, by its path there:
#: sphinx-book-theme's translation catalogs (92 files, which it reads from its own package)
#: and the Jinja macros the two themes' templates import from their own folders.
NOT_SHIPPED = frozenset({"locales", "webpack-macros.html", "sbt-webpack-macros.html"})


def not_shipped(path: str) -> bool:
    """Whether a theme's static file (or folder) stays out of the output: a dot file, as
    Sphinx has it, or one of :data:`NOT_SHIPPED`."""
    return posixpath.normpath(path) in NOT_SHIPPED or bool(DOTFILES(path))


def copy_theme_static_files(self: StandaloneHTMLBuilder, context: dict[str, Any]) -> None:
    """Sphinx 9.0's ``copy_theme_static_files``, leaving out what :func:`not_shipped` names."""

    def onerror(filename: str, error: Exception) -> None:
        logger.warning("Failed to copy a file in the theme's 'static' directory: %s: %r", filename, error)

    if self.theme:
        for entry in reversed(self.theme.get_theme_dirs()):
            copy_asset(
                Path(entry, "static"),
                self._static_dir,
                excluded=not_shipped,
                context=context,
                renderer=self.templates,
                onerror=onerror,
                force=True,
            )


def ship_only_loaded_theme_files(app: Sphinx) -> None:
    """At ``builder-inited``: the website builders copy the themes' static files but those."""
    if builds_website(app) and isinstance(app.builder, StandaloneHTMLBuilder):
        app.builder.copy_theme_static_files = MethodType(  # type: ignore[method-assign]
            copy_theme_static_files, app.builder
        )


def setup_theme_assets(app: Sphinx) -> None:
    app.connect("builder-inited", ship_only_loaded_theme_files)
    app.connect("html-collect-pages", parse_stylesheets_early, priority=900)
    # Late: after every handler that writes pages at build-finished (the redirects).
    app.connect("build-finished", trim_theme_assets, priority=800)
