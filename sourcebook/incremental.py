"""Keep a small incremental build small: costs that grow with the site, or come with every build.

Three of Sphinx's own costs dominate a one-post rebuild of a large knowledge base, whose
environment (every page's table of contents as docutils nodes, the post store, the
collectors' data) holds hundreds of thousands of Python objects:

* **Parallel reading of a few documents.** With ``-j``, Sphinx 8 and later read even one
  changed document in a worker process, which then sends the *whole* environment back
  pickled, for the main process to unpickle and merge: at 1,000 posts that costs several times
  more than reading the post. Sphinx 7 and older read five documents or fewer in the main
  process; this module restores such a threshold (:data:`SERIAL_READ_LIMIT`). Reading
  serially gives the same environment as reading in parallel: that is what ``merge`` and
  ``clear_doc`` guarantee, and what the rebuild tests check.
* **Python's cyclic garbage collector** walks the growing heap again and again while the
  environment is unpickled, which doubles the time of loading it. Its thresholds are raised
  while a build runs (from ``config-inited``, just before Sphinx loads the environment, to
  ``build-finished``), and put back afterwards. Putting them back would start a walk of the
  whole heap at once, and ``sphinx-build`` spends 1.5 s more at exit (at 1,000 posts) walking
  it again: so at ``build-finished`` the objects of the build are frozen (``gc.freeze``),
  out of the collector's sight, and given back to it when the next build in the same
  process starts (``gc.unfreeze``), so a long-running process (tests, a server) keeps no
  garbage for longer than one build.
* **Compiling the theme's templates**, which Sphinx does in every build; Jinja's bytecode
  cache keeps them compiled under the doctree folder.

One application may also build many times (``sourcebook serve`` keeps one alive between
rebuilds, and tests do). Each build then starts as a new process's would: the objects the
last build froze are given back to the collector and its thresholds raised again; the
pickled doctree Sphinx keeps of each document it loaded is dropped when the document is read
again (Sphinx would resolve the old one); and the builder's lists of scripts and style
sheets are put back as they were before the first page: each page's own (the theme adds a
script with the page's name) stay in them, and in Sphinx's registry, after the page, and
Sphinx would carry them all into every page of the next build.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import jinja2

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

#: Read at most this many documents in the main process even with ``-j``. Reading a post
#: takes 30 to 50 ms; one worker's environment costs ~0.5 s to pickle, unpickle and merge
#: at 1,000 posts, and every worker sends one.
SERIAL_READ_LIMIT = 10

#: Garbage collector thresholds during a build: far fewer young-generation collections
#: (each of which may trigger a walk of the whole heap) while the environment is loaded.
BUILD_GC_THRESHOLDS = (50_000, 20, 100)

#: The compiled templates, under the doctree folder.
TEMPLATE_CACHE_DIR = "kb-jinja-cache"

#: Where the app keeps what this module changed for the build, to put it back.
_SAVED_PARALLEL = "_kb_saved_parallel"
_SAVED_GC_THRESHOLDS = "_kb_saved_gc_thresholds"
_SAVED_ASSETS = "_kb_saved_page_assets"


def raise_gc_thresholds(app: Sphinx, config: Config) -> None:
    """Collect garbage less often while the build runs (put back at ``build-finished``)."""
    gc.unfreeze()  # what an earlier build in this process froze is garbage to collect again
    if not hasattr(app, _SAVED_GC_THRESHOLDS):
        setattr(app, _SAVED_GC_THRESHOLDS, gc.get_threshold())
        gc.set_threshold(*BUILD_GC_THRESHOLDS)


def start_another_build(
    app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str], removed: Set[str]
) -> list[str]:
    """At ``env-get-outdated``, the first event of every build: ``config-inited`` comes once
    per application, so a second build of the same one starts here."""
    raise_gc_thresholds(app, app.config)
    return []


def drop_stale_doctrees(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Forget the pickled doctrees of the documents about to be read again."""
    for docname in docnames:
        env._pickled_doctree_cache.pop(docname, None)


def restore_page_assets(app: Sphinx, builder: Builder) -> None:
    """At ``write-started``: the scripts and style sheets as before the first page, in the
    builder and in the registry (``app.add_js_file`` during a page adds to both)."""
    lists = [
        getattr(builder, "_css_files", None),
        getattr(builder, "_js_files", None),
        getattr(app.registry, "css_files", None),
        getattr(app.registry, "js_files", None),
    ]
    if not all(isinstance(assets, list) for assets in lists):
        return
    saved = getattr(app, _SAVED_ASSETS, None)
    if saved is None:
        setattr(app, _SAVED_ASSETS, [list(cast("list[Any]", assets)) for assets in lists])
        return
    for assets, before in zip(lists, saved, strict=True):
        cast("list[Any]", assets)[:] = before


def restore_gc_thresholds(app: Sphinx, exception: Exception | None) -> None:
    """Put the thresholds back, with the build's objects frozen out of the collector's walks."""
    saved = getattr(app, _SAVED_GC_THRESHOLDS, None)
    if saved is not None:
        gc.freeze()
        gc.set_threshold(*saved)
        delattr(app, _SAVED_GC_THRESHOLDS)


def read_few_serially(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """With only a few documents to read, read them in the main process.

    Sphinx decides between serial and parallel reading right after this event, from
    ``app.parallel``; :func:`restore_parallel` sets it back as soon as reading is done, so
    writing is still parallel.
    """
    if app.parallel > 1 and len(docnames) <= SERIAL_READ_LIMIT:
        setattr(app, _SAVED_PARALLEL, app.parallel)
        app.parallel = 1


def restore_parallel(app: Sphinx, env: BuildEnvironment) -> list[str]:
    saved = getattr(app, _SAVED_PARALLEL, None)
    if saved is not None:
        app.parallel = saved
        delattr(app, _SAVED_PARALLEL)
    return []


def template_environment(app: Sphinx) -> jinja2.Environment | None:
    """The builder's Jinja environment, for a builder that renders templates."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    return environment if isinstance(environment, jinja2.Environment) else None


def cache_compiled_templates(app: Sphinx) -> None:
    """Keep the theme's compiled Jinja templates between builds (Jinja's bytecode cache).

    Sphinx compiles every template it uses in every build: ~0.3 s of a one-post rebuild. Jinja
    checks each cached entry against its template's source (a checksum) and its own version,
    so an edited or upgraded template is compiled again.
    """
    environment = template_environment(app)
    if environment is not None and environment.bytecode_cache is None:
        cache = Path(app.doctreedir) / TEMPLATE_CACHE_DIR
        cache.mkdir(parents=True, exist_ok=True)
        environment.bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache))


def setup_incremental(app: Sphinx) -> None:
    # Last at config-inited: Sphinx loads the pickled environment right after it.
    app.connect("config-inited", raise_gc_thresholds, priority=900)
    app.connect("build-finished", restore_gc_thresholds, priority=900)
    # Last, so that other handlers may still add documents to read.
    app.connect("env-before-read-docs", read_few_serially, priority=900)
    # First at env-updated, the event that follows reading in both modes.
    app.connect("env-updated", restore_parallel, priority=100)
    app.connect("builder-inited", cache_compiled_templates)
    # Every build of one application, the first included.
    app.connect("env-get-outdated", start_another_build, priority=100)
    app.connect("env-before-read-docs", drop_stale_doctrees)
    app.connect("write-started", restore_page_assets, priority=100)
