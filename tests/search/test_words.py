"""The posts' words for typo corrections and common words, read from their search records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sourcebook.search import words as search_words
from sourcebook.search.corpus import searched_post
from sourcebook.search.words import (
    listed_words,
    searched_words,
    word_files,
    word_shards,
    words_listed,
    words_text,
)

from browser import build_html


def test_listed_words_are_three_letters_or_more() -> None:
    assert listed_words("Deposit, the L/C and 30% deposits: 模具") == {"deposit", "the", "and", "deposits"}


def test_a_post_s_words_are_those_of_its_search_record() -> None:
    """Its headings, its text and the glossary names of the terms it mentions: what the index finds."""
    arguments: dict[str, Any] = {
        "url": "source/posts/credit.html",
        "canonical": "",
        "title": "Paying by letter of credit",
        "date": "",
        "sort": "",
        "tags": ["payment"],
        "year": "",
        "body": '<p class="kb-post-header">payment banking</p><section id="fees"><h2>Bank fees</h2>'
        "<p>The L/C costs 0.2%.</p><pre>SWIFT MT700</pre></section>",
        "terms": ["Letter of credit", "信用证"],
    }
    split: set[str] = set()
    post = searched_post(**arguments, words=split)
    # The words split while the record is made are those the record itself lists, whether
    # the glossary names' stems are computed here or given (as the build gives them).
    assert words_text(words_listed(split)) == searched_words(post)
    given: set[str] = set()
    searched_post(**{**arguments, "term_stems": ["letter", "credit", "信用证"], "words": given})
    assert given == split
    assert searched_words(post).split("\n") == [
        "bank",
        "costs",
        "credit",
        "fees",
        "letter",
        "mt700",
        "swift",
        "the",
        "信用证",
    ]


def test_shards_count_the_posts_containing_each_word() -> None:
    shards = word_shards(["deposit\nfactory", "deposit\nmould", ""])
    assert shards == {"d": {"deposit": 2}, "f": {"factory": 1}, "m": {"mould": 1}}


def shards_of(outdir: Path) -> dict[str, dict[str, int]]:
    """Each letter's words, read the way the page reads them: through terms.json's files."""
    folder = outdir / "kb-search"
    files = json.loads((folder / "terms.json").read_text(encoding="utf-8"))["wordFiles"]
    assert {path.name for path in (folder / "words").iterdir()} == set(files.values())  # no stale file
    return {
        letter: json.loads((folder / "words" / name).read_text(encoding="utf-8"))[letter]
        for letter, name in files.items()
    }


def test_consecutive_letters_share_a_file_of_about_the_size_set(monkeypatch: pytest.MonkeyPatch) -> None:
    shards = {letter: {letter * 3 + str(n): n for n in range(40)} for letter in "abcdefgh_"}
    letters, files = word_files(shards)
    assert set(letters) == set(shards) and len(files) == 1  # a small site: one file
    monkeypatch.setattr(search_words, "WORDS_FILE_BYTES", 1000)
    letters, files = word_files(shards)
    assert 2 < len(files) < len(shards)
    for name, data in files.items():
        assert name == hashlib.sha256(data).hexdigest()[:16] + ".json"
        held = json.loads(data)
        assert all(letters[letter] == name and held[letter] == shards[letter] for letter in held)
    # Each file holds one run of consecutive letters.
    names = [letters[letter] for letter in sorted(shards)]
    runs = [name for number, name in enumerate(names) if number == 0 or names[number - 1] != name]
    assert len(runs) == len(files)


def test_a_build_writes_the_shards_and_keeps_them_right(site: Callable[[str], Path], tmp_path: Path) -> None:
    srcdir = site("search")
    outdir = tmp_path / "html"
    assert "WARNING" not in build_html(srcdir, outdir)
    shards = shards_of(outdir)
    assert shards["f"]["factory"] == 6  # six of the eight posts say "factory"
    # The glossary names of the terms a post links count as its words: the credit post says
    # "L/C", and is found by "letter of credit" and "documentary credit" too.
    assert shards["d"]["documentary"] == 1
    assert shards["_"]["信用证"] == 1
    assert sum(shards["p"].values()) > 0 and "posts" not in shards["p"]  # pages are not posts
    # The header is not the post's text: its tags (payment, banking) are not glued into a word.
    assert not [word for word in shards["p"] if word.startswith("paymentb")]
    # An edited post is counted again; the others keep their words.
    post = srcdir / "source" / "posts" / "moq.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nZeppelins!\n", encoding="utf-8")
    assert "WARNING" not in build_html(srcdir, outdir)
    again = shards_of(outdir)
    assert again["z"] == {"zeppelins": 1}
    assert {letter: words for letter, words in again.items() if letter != "z"} == shards
    # A parallel build of the same site writes the same shards.
    parallel = tmp_path / "parallel"
    assert "WARNING" not in build_html(srcdir, parallel, "-j", "2")
    assert shards_of(parallel) == again
    # A deleted post's words leave with it (the environment purges them).
    post.unlink()
    build_html(srcdir, outdir)
    assert "z" not in shards_of(outdir)
    assert shards_of(outdir)["f"]["factory"] == 5
