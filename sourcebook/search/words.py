"""The posts' words and how many posts contain each: ``kb-search/words/<digest>.json``.

The search page and ``sourcebook search`` read them to correct a typo and to leave out words
that most posts contain (:mod:`sourcebook.search.query`), by first letter. They are collected
while Sphinx reads: each published post's words (the text of its body without its header, and
the names of the glossary terms it links, which the search also finds it by) go to a small file
under the doctree folder, written by whichever process reads the post, so parallel and
incremental builds need no merging; a post that is not read again keeps its file. Once the
pages are written, the files of the published posts are counted into one table per letter,
and consecutive letters share a file of about ``WORDS_FILE_BYTES`` (one file on a small site):
a query needs the letters its words start with, and on HTTP/1.1 every file is a request in a
queue of six. Files are named by a digest of their content (so a browser never mixes two
builds' files) and ``terms.json`` says which file holds each letter.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes

from sourcebook.knowledge.glossary import linked_terms
from sourcebook.knowledge.related import body_text
from sourcebook.knowledge.term_links import term_glossary
from sourcebook.output import write_if_changed
from sourcebook.posts.store import get_domain, is_post
from sourcebook.search.query import LISTED_MIN_LENGTH, SEARCH_DATA, letter_of, normalise, words_of

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The folder, under the doctree folder, of one words file per post.
WORDS_CACHE = "kb-words"
#: The folder, under ``kb-search/``, of the words files.
WORDS_FOLDER = "words"
#: A words file is closed once its letters' words pass this many bytes (about a third of it
#: compressed).
WORDS_FILE_BYTES = 24_000


def words_file(doctreedir: str | Path, docname: str) -> Path:
    return Path(doctreedir) / WORDS_CACHE / f"{docname}.txt"


def listed_words(text: str) -> set[str]:
    return {word for word in words_of(normalise(text)) if len(word) >= LISTED_MIN_LENGTH}


def collect_post_words(app: Sphinx, doctree: nodes.document) -> None:
    """Write the words of the post just read (at ``doctree-read``, in the reading process)."""
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
    target = words_file(app.doctreedir, docname)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(sorted(listed_words(" ".join(text)))), encoding="utf-8")


def word_shards(files: list[Path]) -> dict[str, dict[str, int]]:
    """Per first letter, each word of the files and how many of them contain it."""
    counts: Counter[str] = Counter()
    for path in files:
        if path.is_file():
            counts.update(path.read_text(encoding="utf-8").split())
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
    letters, files = word_files(word_shards([words_file(app.doctreedir, name) for name in published]))
    folder = Path(app.outdir) / SEARCH_DATA / WORDS_FOLDER
    if folder.is_dir():
        for stale in folder.iterdir():
            if stale.name not in files:
                stale.unlink()
    for name, data in files.items():
        write_if_changed(folder / name, data)
    return letters


def setup_search_words(app: Sphinx) -> None:
    app.connect("doctree-read", collect_post_words)
