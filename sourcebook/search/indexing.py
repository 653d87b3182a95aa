"""Full-text search: each post's searched text recorded as it is written, the index built after.

While the HTML is written (``html-page-context``, in whichever process writes the page),
each published post's body, title, date, tags and the glossary names of every term it
mentions (:mod:`sourcebook.knowledge.glossary`'s mentions, never matched again) become its searched
text (:mod:`sourcebook.search.corpus`), its record (:mod:`sourcebook.search.records`, which
keeps them from one build to the next: a page that is not written again keeps its record).
At the end of an HTML build the published posts' records become the search index
(:mod:`sourcebook.search.index`) and ``kb-search/terms.json`` (how a query is read). The
site's ``search.html`` (a template shipped here, with ``static/kb-search.js``) answers
``?q=`` from them; where they cannot be read, it says why (or uses Sphinx's own search, on a
site that writes Sphinx's index too: :mod:`sourcebook.search.sphinx_index`).
"""

from __future__ import annotations

import functools
import json
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sphinx.util import logging

from sourcebook.knowledge.glossary import mentions_of
from sourcebook.knowledge.glossary_data import GlossaryEntry
from sourcebook.knowledge.term_links import term_glossary
from sourcebook.output import builds_website, write_if_changed
from sourcebook.parallel import run_beside
from sourcebook.posts.frontmatter import format_date
from sourcebook.posts.store import get_domain, is_post
from sourcebook.search.corpus import SearchedPost, indexed_stems, searched_post
from sourcebook.search.index import INDEX_FILE
from sourcebook.search.index_updates import update_index
from sourcebook.search.query import DATA_VERSION, SEARCH_DATA, TERMS_FILE, terms_payload
from sourcebook.search.records import keep_record, recorded, records_file, save_records, setup_search_records
from sourcebook.search.words import words_listed, words_text, write_word_files

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sphinx.application import Sphinx
    from sphinx.config import Config

logger = logging.getLogger(__name__)

#: Beside the records, what the last build wrote into the index (per builder).
STATE_SUFFIX = ".index-state"
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def glossary_names(entries: Sequence[GlossaryEntry]) -> list[str]:
    """Every name of the given entries, in order, without repeats."""
    return list(dict.fromkeys(name for entry in entries for name in (*entry.variants, entry.chinese) if name))


@functools.lru_cache(maxsize=4096)  # an entry's names are stemmed once, not once a post
def name_stems(entry: GlossaryEntry) -> tuple[str, ...]:
    """The stems an entry's names add to a post that mentions it.

    Names are whole words apart (two entries never share one), so a post's names are
    stemmed entry by entry: the same stems as of all its names at once.
    """
    return tuple(indexed_stems(" ".join(glossary_names([entry]))))


def record_post(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Keep a published post's searched text, read from the body about to be written."""
    if not builds_website(app) or not is_post(pagename, app.config):
        return
    post = get_domain(app.env).posts.get(pagename)
    if post is None or post.draft or "body" not in context:
        return
    glossary = term_glossary(app.env)
    keys = set(mentions_of(app.env).posts.get(pagename, ()))
    mentioned = [entry for entry in glossary.entries if entry.key in keys] if glossary else []
    date = post.date or ""
    words: set[str] = set()
    searched = searched_post(
        url=app.builder.get_target_uri(pagename),
        canonical=str(context.get("pageurl") or ""),
        title=post.title,
        date=format_date(date[:10]) if date else "",
        sort=date[:10],
        tags=list(post.tags),
        year=date[:4],
        body=str(context["body"]),
        terms=glossary_names(mentioned),
        term_stems=[stem for entry in mentioned for stem in name_stems(entry)],
        words=words,
    )
    # Not dataclasses.asdict, which deep-copies every stem and section (5 ms a post).
    record = {
        "version": DATA_VERSION,
        "post": {field.name: getattr(searched, field.name) for field in fields(searched)},
    }
    data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    keep_record(app, pagename, data, words_text(words_listed(words)))


def _searched(data: bytes | None) -> SearchedPost | None:
    """The post a record holds, or None for one of another version (or none)."""
    if data is None:
        return None
    try:
        record = json.loads(data)
    except ValueError:
        return None
    if record.get("version") != DATA_VERSION:
        return None
    return SearchedPost(**record["post"])


#: Each build's wait for its search index, which the search page carries a summary of.
_index_written: WeakKeyDictionary[Sphinx, Callable[[], None]] = WeakKeyDictionary()


def start_writing_search_index(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    """At ``html-collect-pages``: every page has been written (so every record too). The index
    is written beside the main process's steps; the search page waits for it."""
    if builds_website(app):
        _index_written[app] = run_beside(app, lambda: write_search_index(app))
    return []


def await_search_index(app: Sphinx) -> None:
    """Before the search page is made: the index it describes is on disk."""
    wait = _index_written.pop(app, None)
    if wait is not None:
        wait()


def write_search_index(app: Sphinx) -> None:
    """Bring the search index up to date with the published posts' records, and save them."""
    published = sorted(docname for docname, post in get_domain(app.env).posts.items() if not post.draft)
    records = recorded(app)
    stamps = {docname: records[docname].stamp for docname in published if docname in records}
    lost = [docname for docname in published if docname not in records]
    state = records_file(app).with_name(f"{app.builder.name}{STATE_SUFFIX}")

    def load(docname: str) -> SearchedPost | None:
        record = records.get(docname)
        return _searched(record.data if record is not None else None)

    lost += update_index(Path(app.outdir), state, stamps, load)
    for docname in sorted(lost):
        logger.warning(
            "no search record for %s: the post is left out of the search; "
            "rebuild from scratch (sphinx-build -E) to index it",
            docname,
            location=docname,
            type="sourcebook",
            subtype="search",
        )
    save_records(app, published)


@functools.cache
def engine_source() -> str:
    return (STATIC / "kb-search-engine.js").read_text(encoding="utf-8")


def language_data(app: Sphinx) -> str:
    """``_static/language_data.js`` as Sphinx renders it (the stemmer and the stop words), or
    '' when this build has no search indexer."""
    builder = app.builder
    indexer = getattr(builder, "indexer", None)
    theme = getattr(builder, "theme", None)
    templates = getattr(builder, "templates", None)
    if indexer is None or theme is None or templates is None:
        return ""
    for folder in theme.get_theme_dirs():
        template = Path(folder) / "static" / "language_data.js.jinja"
        if template.is_file():
            context = {**getattr(builder, "globalcontext", {}), **indexer.context_for_searchtool()}
            return str(templates.render_string(template.read_text(encoding="utf-8"), context))
    return ""


def page_data(site: Path) -> dict[str, Any] | None:
    """What the search page tells its worker at once, so that it reads the query and fetches
    its chunks without waiting for a file: ``terms.json`` and the index's digest and chunks
    (the index's own row table stays in ``index.json``). ``None`` when they are not written."""
    try:
        terms = json.loads((site / SEARCH_DATA / TERMS_FILE).read_text(encoding="utf-8"))
        index = json.loads((site / SEARCH_DATA / INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {"terms": terms, "digest": index.get("digest"), "chunks": index.get("chunks")}


def worker_source(app: Sphinx) -> str:
    """The search worker's script as the search page carries it, inside a ``<script>``
    element: what the page knows of the index (:func:`page_data`), Sphinx's language data (so
    the worker needs no download to stem), then the engine. A ``</`` could end the element,
    so it is written ``<\\/``, which means the same in JSON and in a JavaScript string or
    regular expression (the engine and the language data have none)."""
    parts = []
    if (data := page_data(Path(app.outdir))) is not None:
        parts.append(f"self.kbSearchData = {json.dumps(data, ensure_ascii=False, separators=(',', ':'))};")
    if stemmer := language_data(app):
        parts += ["self.window = self;", stemmer]
    parts.append(engine_source())
    return "\n".join(parts).replace("</", "<\\/")


def add_engine_source(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Give the search page its copy of the worker's script, which it starts at once."""
    if templatename == "search.html":
        await_search_index(app)
        context["kb_search_engine_source"] = worker_source(app)


def add_templates(app: Sphinx, config: Config) -> None:
    """Ship ``search.html`` and its script: after the project's own files, before the theme's."""
    config.templates_path = [*config.templates_path, str(TEMPLATES)]
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def write_query_terms(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    """Write ``kb-search/terms.json`` and the words files: how the search page and the CLI
    read a query.

    Written on every HTML build (at ``html-collect-pages``, before the search page) from the
    glossary and the post store, which are complete after incremental and parallel builds alike.
    """
    if not builds_website(app):
        return []
    glossary = term_glossary(app.env)
    entries = (
        [(entry.term, (*entry.variants, entry.chinese)) for entry in glossary.entries] if glossary else []
    )
    posts = sum(1 for post in get_domain(app.env).posts.values() if not post.draft)
    payload = terms_payload(entries, posts, write_word_files(app))
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    write_if_changed(Path(app.outdir) / SEARCH_DATA / TERMS_FILE, text.encode("utf-8"))
    return []


def setup_search(app: Sphinx) -> None:
    app.connect("config-inited", add_templates)
    setup_search_records(app)
    app.connect("html-page-context", record_post)
    app.connect("html-page-context", add_engine_source)
    app.connect("html-collect-pages", write_query_terms)
    # First: the index needs only the records, and is written beside the other steps.
    app.connect("html-collect-pages", start_writing_search_index, priority=100)
