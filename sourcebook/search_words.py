"""The posts' words and how many posts contain each: ``kb-search/words/<letter>.json``.

The search page and ``sourcebook search`` read them to correct a typo and to leave out words
that most posts contain (:mod:`sourcebook.search_query`). They are collected while Sphinx
reads: each published post's words (the text of its body without its header, and the names of
the glossary terms it links, which the search also finds it by) go to a small file under the
doctree folder, written by whichever process reads the post, so parallel and incremental
builds need no merging; at the end of an HTML build the files of the published posts are
counted into the shards, which are rewritten only when they change. A post that is not read
again keeps its file.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

from sourcebook.posts import get_domain, is_post
from sourcebook.publishing import builds_website, write_if_changed
from sourcebook.related import body_text
from sourcebook.search_query import LISTED_MIN_LENGTH, SEARCH_DATA, letter_of, normalise, words_of
from sourcebook.term_links import term_glossary

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The folder, under the doctree folder, of one words file per post.
WORDS_CACHE = "kb-words"
#: The folder, under ``kb-search/``, of the shards.
WORDS_FOLDER = "words"


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
        linked = {node["kb_term"] for node in doctree.findall(addnodes.pending_xref) if "kb_term" in node}
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


def write_word_shards(app: Sphinx, exception: BaseException | None) -> None:
    """Count the published posts' words into ``kb-search/words/`` (at ``build-finished``)."""
    if exception is not None or not builds_website(app):
        return
    published = sorted(name for name, post in get_domain(app.env).posts.items() if not post.draft)
    shards = word_shards([words_file(app.doctreedir, name) for name in published])
    folder = Path(app.outdir) / SEARCH_DATA / WORDS_FOLDER
    for stale in folder.glob("*.json"):
        if stale.stem not in shards:
            stale.unlink()
    for letter, counts in shards.items():
        text = json.dumps(counts, ensure_ascii=False, separators=(",", ":"))
        write_if_changed(folder / f"{letter}.json", text.encode("utf-8"))


def setup_search_words(app: Sphinx) -> None:
    app.connect("doctree-read", collect_post_words)
    app.connect("build-finished", write_word_shards)
