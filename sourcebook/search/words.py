"""The posts' words and how many posts contain each: ``kb-search/words/<digest>.json``.

The search page and ``sourcebook search`` read them to correct a typo and to leave out words
that most posts contain (:mod:`sourcebook.search.query`), by first letter. They are collected
while Sphinx reads: each post's words (the text of its body without its header, and the names
of the glossary terms it links, which the search also finds it by) are kept in the build
environment, purged and merged per document like Sphinx's own collectors' data, so a post that
is not read again keeps its words. Once the pages are written, the words of the published
posts are counted into one table per letter, and consecutive letters share a file of about
``WORDS_FILE_BYTES`` (one file on a small site): a query needs the letters its words start
with, and on HTTP/1.1 every file is a request in a queue of six. Files are named by a digest
of their content (so a browser never mixes two builds' files) and ``terms.json`` says which
file holds each letter.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.environment.collectors import EnvironmentCollector

from sourcebook.knowledge.glossary import linked_terms
from sourcebook.knowledge.related import body_text
from sourcebook.knowledge.term_links import term_glossary
from sourcebook.output import write_if_changed
from sourcebook.posts.store import get_domain, is_post
from sourcebook.search.query import LISTED_MIN_LENGTH, SEARCH_DATA, letter_of, normalise, words_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: The environment's attribute: docname to the post's words, one per line, sorted.
_STORE = "kb_post_words"
#: The folder, under ``kb-search/``, of the words files.
WORDS_FOLDER = "words"
#: A words file is closed once its letters' words pass this many bytes (about a third of it
#: compressed).
WORDS_FILE_BYTES = 24_000


def post_words(env: BuildEnvironment) -> dict[str, str]:
    """Docname to the words of the post, one per line; pickled with the environment."""
    words: dict[str, str] | None = getattr(env, _STORE, None)
    if words is None:
        words = {}
        setattr(env, _STORE, words)
    return words


def listed_words(text: str) -> set[str]:
    return {word for word in words_of(normalise(text)) if len(word) >= LISTED_MIN_LENGTH}


class PostWordsCollector(EnvironmentCollector):
    """Each post's words, collected at ``doctree-read`` in the process that reads the post."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        post_words(env).pop(docname, None)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment
    ) -> None:
        words = post_words(env)
        for docname, text in post_words(other).items():
            if docname in docnames:
                words[docname] = text

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        docname = app.env.docname
        if not is_post(docname, app.config):
            return
        # Not ``doctree.astext()``: it glues the header's tags into one word ("oemauditinspection")
        # and keeps the text of system messages (the source folder's path).
        text = [body_text(doctree, None)]
        glossary = term_glossary(app.env)
        if glossary is not None:
            linked = linked_terms(app.env)
            for entry in glossary.entries:
                if entry.key in linked:
                    text.extend((*entry.variants, entry.chinese))
        post_words(app.env)[docname] = "\n".join(sorted(listed_words(" ".join(text))))

    def get_outdated_docs(
        self, app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str], removed: Set[str]
    ) -> list[str]:
        """An environment from before the words were kept in it: its posts are read again."""
        if hasattr(env, _STORE):
            return []
        return sorted(docname for docname in env.all_docs if is_post(docname, app.config))


def word_shards(texts: Iterable[str]) -> dict[str, dict[str, int]]:
    """Per first letter, each word of the posts' words and how many of the posts contain it."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(text.split())
    shards: dict[str, dict[str, int]] = {}
    for word, count in sorted(counts.items()):
        shards.setdefault(letter_of(word), {})[word] = count
    return shards


def word_files(shards: dict[str, dict[str, int]]) -> tuple[dict[str, str], dict[str, bytes]]:
    """The files that hold the letters' tables: which file holds each letter, and each file.

    Letters are taken in order and a file is closed once it passes ``WORDS_FILE_BYTES``.
    """
    letters: dict[str, str] = {}
    files: dict[str, bytes] = {}
    group: dict[str, dict[str, int]] = {}
    size = 0

    def close() -> None:
        data = json.dumps(group, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
        name = hashlib.sha256(data).hexdigest()[:16] + ".json"
        files[name] = data
        letters.update(dict.fromkeys(group, name))

    for letter in sorted(shards):
        if group and size >= WORDS_FILE_BYTES:
            close()
            group, size = {}, 0
        group[letter] = shards[letter]
        size += sum(len(word.encode("utf-8")) + 8 for word in shards[letter])
    if group:
        close()
    return letters, files


def write_word_files(app: Sphinx) -> dict[str, str]:
    """Count the published posts' words into ``kb-search/words/``; which file holds each letter.

    Called once the pages are written (at ``html-collect-pages``, by :mod:`sourcebook.search.indexing`,
    which puts the letters' files into ``terms.json``).
    """
    published = sorted(name for name, post in get_domain(app.env).posts.items() if not post.draft)
    words = post_words(app.env)
    letters, files = word_files(word_shards(words.get(name, "") for name in published))
    folder = Path(app.outdir) / SEARCH_DATA / WORDS_FOLDER
    if folder.is_dir():
        for stale in folder.iterdir():
            if stale.name not in files:
                stale.unlink()
    for name, data in files.items():
        write_if_changed(folder / name, data)
    return letters


def setup_search_words(app: Sphinx) -> None:
    app.add_env_collector(PostWordsCollector)
