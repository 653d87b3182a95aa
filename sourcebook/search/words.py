"""The posts' words and how many posts contain each: ``kb-search/words/<digest>.json``.

The search page and ``sourcebook search`` read them to correct a typo and to leave out words
that most posts contain (:mod:`sourcebook.search.query`), by first letter. A post's words are
those of its search record (:mod:`sourcebook.search.corpus`): the text its page shows without
its header and lists of other posts, and the glossary names of the terms it mentions, which
the search also finds it by. They are read from the record as its page is written and kept
with it (:mod:`sourcebook.search.records`), so a post whose page is not written again keeps
its words, and the words are those of the text the index holds. Once the pages are written,
the words of the published posts are counted into one table per letter, and consecutive
letters share a file of about ``WORDS_FILE_BYTES`` (one file on a small site): a query needs
the letters its words start with, and on HTTP/1.1 every file is a request in a queue of six.
Files are named by a digest of their content (so a browser never mixes two builds' files)
and ``terms.json`` says which file holds each letter.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sourcebook.output import write_if_changed
from sourcebook.posts.store import get_domain
from sourcebook.search.query import LISTED_MIN_LENGTH, SEARCH_DATA, letter_of, normalise, words_of
from sourcebook.search.records import recorded

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from sourcebook.search.corpus import SearchedPost

#: The folder, under ``kb-search/``, of the words files.
WORDS_FOLDER = "words"
#: A words file is closed once its letters' words pass this many bytes (about a third of it
#: compressed).
WORDS_FILE_BYTES = 24_000


def listed_words(text: str) -> set[str]:
    return words_listed(words_of(normalise(text)))


def words_listed(words: Iterable[str]) -> set[str]:
    """The words that are listed: those long enough to correct or to count."""
    return {word for word in words if len(word) >= LISTED_MIN_LENGTH}


def searched_words(post: SearchedPost) -> str:
    """A post's words, one per line, sorted: of its sections' headings and text, and of the
    glossary names of the terms it mentions."""
    texts = [text for section in post.sections for text in (section["title"], section["text"])]
    return words_text(listed_words(" ".join((*texts, post.terms))))


def words_text(words: Iterable[str]) -> str:
    """Listed words as a record keeps them: one per line, sorted."""
    return "\n".join(sorted(words))


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
    records = recorded(app)
    letters, files = word_files(word_shards(records[name].words for name in published if name in records))
    folder = Path(app.outdir) / SEARCH_DATA / WORDS_FOLDER
    if folder.is_dir():
        for stale in folder.iterdir():
            if stale.name not in files:
                stale.unlink()
    for name, data in files.items():
        write_if_changed(folder / name, data)
    return letters
