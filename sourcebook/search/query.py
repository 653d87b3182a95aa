"""How a search query is read: glossary terms, stop words, one-typo corrections. Pure.

The site's search page (``static/kb-search-engine.js``, in a worker) and ``sourcebook search``
read a query the same way, from the same data files, so that both find the same posts:

1. The query is normalised (NFKC, lower case) and split into words (runs of letters and
   digits). Chinese glossary names are found anywhere in the query; other names must match
   whole words, each word allowed a plural ``s``/``es`` ("moulds" names the mould).
2. A longer word (``TYPO_MIN_LENGTH`` letters or more) that no post contains and that is
   neither a stop word nor part of a glossary name is replaced by the word of the posts one
   edit away (insertion, deletion, substitution or swap of neighbours) that most posts
   contain. Words are looked up by their first letter, so a typo in the first letter is not
   corrected.
3. Glossary names become *term* units, searched as the entry's own term and as the name
   the reader wrote, unless that name is short ("L/C", "MOQ": the search would match the
   start of longer words, "lcl") or Chinese (posts are written in English); every post
   that names the entry lists its other names for the index, so any name finds it. Stop
   words are dropped, unless nothing else is left; each other word is a *word* unit. A word
   that more than half of the posts contain is left out when the query has rarer units
   ("factory", "order": they hardly change the ranking, and their part of the index is the
   largest to download). Such words are left out of glossary names too; a name made of them
   only ("original equipment manufacturer") is searched as the entry's one-word name ("oem")
   when it has one that begins no other word of the posts: one part of the index instead of
   three, finding the same posts, since each post lists all the names of its entries.

Posts are then ranked by the sum over units of idf(unit) * (the post's score for the unit /
the best post's score), so that a post matching the rare words of a question comes first
even when it does not contain every word ("can the factory keep my mould after the order").
The browser (``static/kb-search-engine.js``) and ``sourcebook search``
(:mod:`sourcebook.search.command`) compute each unit's scores from the site's index.

``SEARCH_DATA`` is the folder of the built site that holds the data, written by the Sphinx
build: ``terms.json`` (glossary names, stop words, number of posts) and ``words/``
(the posts' words and how many posts contain each, :mod:`sourcebook.search.words`), beside
the index itself (:mod:`sourcebook.search.index`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Folder of the built site holding the search data.
SEARCH_DATA = "kb-search"
#: How a query is read (glossary names, stop words, the words files), under ``SEARCH_DATA``.
TERMS_FILE = "terms.json"
#: Bumped when a data file changes shape; the search page and the CLI check it.
DATA_VERSION = 2
#: Words this long or longer are corrected when no post contains them.
TYPO_MIN_LENGTH = 5
#: Words this long or longer are listed in the words files with their post counts.
LISTED_MIN_LENGTH = 3
#: A word in more than this share of the posts is left out of a query that has rarer units:
#: it hardly changes the ranking, and its part of the index is the largest to download.
COMMON_SHARE = 0.5

#: Words that say nothing about what a question is about.
_STOP_WORDS = """
    a about after again all also am an and any are as at be because been before being between
    both but by can could did do does doing done during each every for from get gets getting got
    had has have having he her here his how however i if in into is it its just me might more
    most much must my need needs no not now of off on once only or other our out over own please
    same she should so some such than that the their them then there these they this those
    through to too under until up us very was way we were what when where whether which while
    who whom why will with would you your
    """
STOP_WORDS = frozenset(_STOP_WORDS.split())

_WORD = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def words_of(text: str) -> list[str]:
    """The words of a normalised text: runs of letters and digits (``[\\p{L}\\p{N}]+`` in JS)."""
    return _WORD.findall(text)


def is_chinese(name: str) -> bool:
    return bool(_CJK.search(name))


@dataclass(frozen=True)
class Concept:
    """One glossary entry as the search knows it: its term and every name, normalised."""

    term: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Unit:
    """One thing a query asks for; a post matches it when it matches one of ``searches``."""

    kind: str  # "term" or "word"
    text: str  # what the reader wrote (after correction)
    searches: tuple[str, ...]


@dataclass(frozen=True)
class Analysis:
    units: tuple[Unit, ...]
    corrections: tuple[tuple[str, str], ...] = ()
    common: tuple[str, ...] = ()  # words left out for being in most posts


@dataclass
class QueryData:
    """What reading a query needs: ``terms.json`` and a way to get a letter's words."""

    concepts: Sequence[Concept]
    stop_words: frozenset[str] = STOP_WORDS
    words_by_letter: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    posts: int = 0

    @property
    def name_words(self) -> frozenset[str]:
        return frozenset(
            word for concept in self.concepts for name in concept.names for word in words_of(name)
        )


def letter_of(word: str) -> str:
    """The shard a word's entry is in: its first letter when a–z, else ``_``."""
    first = word[:1]
    return first if "a" <= first <= "z" else "_"


def within_one_edit(typed: str, known: str) -> bool:
    """Whether two different words are one insertion, deletion, substitution or swap apart."""
    if typed == known or abs(len(typed) - len(known)) > 1:
        return False
    if len(typed) == len(known):
        diffs = [i for i, (a, b) in enumerate(zip(typed, known, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        first, second = [*diffs, -1, -1][:2]
        return (
            len(diffs) == 2
            and second == first + 1
            and typed[first] == known[second]
            and typed[second] == known[first]
        )
    short, long = (typed, known) if len(typed) < len(known) else (known, typed)
    index = 0
    while index < len(short) and short[index] == long[index]:
        index += 1
    return short[index:] == long[index + 1 :]


def correction(word: str, known: Mapping[str, int]) -> str | None:
    """The known word one edit away that most posts contain (ties: alphabetical), if any."""
    best: tuple[int, str] | None = None
    for candidate, count in known.items():
        if within_one_edit(word, candidate) and (best is None or (-count, candidate) < (-best[0], best[1])):
            best = (count, candidate)
    return best[1] if best else None


def needs_checking(word: str, data: QueryData, name_words: frozenset[str]) -> bool:
    """Whether a word is long, plain (a–z) and free enough to be a typo worth correcting."""
    return (
        len(word) >= TYPO_MIN_LENGTH
        and word.isascii()
        and word.isalpha()
        and word not in data.stop_words
        and word not in name_words
    )


def _matches(words: Sequence[str], start: int, name: Sequence[str]) -> bool:
    if start + len(name) > len(words):
        return False
    return all(
        typed in (wanted, wanted + "s", wanted + "es")
        for typed, wanted in zip(words[start:], name, strict=False)
    )


def analyse(query: str, data: QueryData) -> Analysis:
    """Read a query into units (see the module's docstring)."""
    text = normalise(query)
    units: list[Unit] = []
    seen: set[str] = set()

    concept_of: dict[int, Concept] = {}

    def add(kind: str, typed: str, searches: Iterable[str], key: str, concept: Concept | None = None) -> None:
        """Add a unit once: a glossary entry named twice ("模具 mold") is one unit."""
        if key not in seen:
            seen.add(key)
            if concept is not None:
                concept_of[len(units)] = concept
            units.append(Unit(kind, typed, tuple(dict.fromkeys(searches))))

    # Chinese names anywhere in the query, longest first.
    chinese = sorted(
        ((name, concept) for concept in data.concepts for name in concept.names if is_chinese(name)),
        key=lambda item: (-len(item[0]), item[0]),
    )
    for name, concept in chinese:
        if name in text:
            # Searched by the entry's term: posts name it in English (and list the Chinese once).
            add("term", name, (searched(concept.term, data),), f"term:{concept.term}", concept)
            text = text.replace(name, " ")

    name_words = data.name_words
    words: list[str] = []
    corrections: list[tuple[str, str]] = []
    for word in words_of(text):
        if needs_checking(word, data, name_words):
            known = data.words_by_letter.get(letter_of(word), {})
            if word not in known and (fixed := correction(word, known)):
                corrections.append((word, fixed))
                word = fixed
        words.append(word)

    latin = sorted(
        (
            (words_of(name), name, concept)
            for concept in data.concepts
            for name in concept.names
            if not is_chinese(name)
        ),
        key=lambda item: (-len(item[0]), item[1]),
    )
    latin = [item for item in latin if item[0]]
    plain: list[str] = []
    index = 0
    while index < len(words):
        for name_words_, name, concept in latin:
            if _matches(words, index, name_words_):
                typed = " ".join(words[index : index + len(name_words_)])
                searches = (
                    (searched(concept.term, data), searched(name, data))
                    if len("".join(name_words_)) >= 4
                    else (searched(concept.term, data),)
                )
                add("term", typed, searches, f"term:{concept.term}", concept)
                index += len(name_words_)
                break
        else:
            plain.append(words[index])
            index += 1
    content = list(dict.fromkeys(word for word in plain if word not in data.stop_words))
    if not units and not content:
        content = plain
    common = tuple(word for word in content if is_common(word, data))
    # Left out only for something rarer that some post contains: on a site of a few posts most
    # words are "common", and a query must not be left with words no post has.
    if units or any(word not in common and post_count(word, data) > 0 for word in content):
        content = [word for word in content if word not in common]
    else:
        common = ()
    for word in content:
        add("word", word, (word,), f"word:{word}")
    # Words most posts contain are left out of glossary names too, when a name has others; a
    # name of such words only is searched as the entry's one-word name, when it has one.
    units = [
        Unit(
            unit.kind,
            unit.text,
            tuple(dict.fromkeys(term_search(search, concept_of[number], data) for search in unit.searches)),
        )
        if number in concept_of
        else unit
        for number, unit in enumerate(units)
    ]
    return Analysis(tuple(units), tuple(corrections), common)


def term_search(search: str, concept: Concept, data: QueryData) -> str:
    """A glossary name's search without the words most posts contain (:func:`rare_part`), or
    the entry's one-word name when every word is such a word."""
    if not all(is_common(word, data) for word in words_of(search)):
        return rare_part(search, data)
    return one_word_name(concept, data) or search


def one_word_name(concept: Concept, data: QueryData) -> str | None:
    """The entry's name of one listed word that starts no other word of the posts (but its
    plurals), which the search's prefix matching would find too; the rarest if several."""
    found = []
    for name in concept.names:
        words = words_of(name)
        if len(words) != 1 or is_chinese(name) or len(words[0]) < LISTED_MIN_LENGTH:
            continue
        word = words[0]
        listed = data.words_by_letter.get(letter_of(word), {})
        if all(other in (word, word + "s", word + "es") for other in listed if other.startswith(word)):
            found.append((post_count(word, data), len(word), word))
    return min(found)[2] if found else None


def rare_part(search: str, data: QueryData) -> str:
    """A search without its pieces whose every word most posts contain, unless nothing is left:
    "pre-shipment inspection" is searched as "pre-shipment" where "inspection" is everywhere."""
    chunks = search.split()
    kept = [
        chunk
        for chunk in chunks
        if not (words_of(chunk) and all(is_common(word, data) for word in words_of(chunk)))
    ]
    return " ".join(kept or chunks)


def searched(name: str, data: QueryData) -> str:
    """A glossary name as searched: without its stop words ("letter credit"), which the index
    would otherwise look up too, each among the largest parts of the index, and with inner
    punctuation dropped ("preshipment"), as the index holds such words; "pre-shipment" would
    be searched as "pre", the start of hundreds of words, and "shipment"."""
    chunks = ["".join(words_of(chunk)) for chunk in normalise(name).split()]
    chunks = [chunk for chunk in chunks if chunk]
    kept = [chunk for chunk in chunks if chunk not in data.stop_words]
    return " ".join(kept or chunks)


def post_count(word: str, data: QueryData) -> int:
    """How many posts contain the word, as listed (0 for words too short to be listed)."""
    if data.posts <= 0 or len(word) < LISTED_MIN_LENGTH:
        return 0
    return int(data.words_by_letter.get(letter_of(word), {}).get(word, 0))


def is_common(word: str, data: QueryData) -> bool:
    """Whether more than ``COMMON_SHARE`` of the posts contain the word (as listed)."""
    return post_count(word, data) > COMMON_SHARE * data.posts


def idf(posts: int, matching: int) -> float:
    """BM25's inverse document frequency, never negative."""
    return math.log(1 + (posts - matching + 0.5) / (matching + 0.5))


def concepts_from_json(data: Mapping[str, Any]) -> list[Concept]:
    return [Concept(item["term"], tuple(item["names"])) for item in data.get("concepts", [])]


def terms_payload(
    entries: Iterable[tuple[str, Iterable[str]]], posts: int, word_files: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``terms.json``: each glossary term with its normalised names, the stop words, the post
    count, and which file of ``words/`` holds each letter's words."""
    concepts = []
    for term, names in entries:
        normalised = [normalise(name) for name in names if name.strip()]
        concepts.append({"term": term, "names": list(dict.fromkeys(normalised))})
    return {
        "version": DATA_VERSION,
        "posts": posts,
        "typoMinLength": TYPO_MIN_LENGTH,
        "listedMinLength": LISTED_MIN_LENGTH,
        "commonShare": COMMON_SHARE,
        "stopWords": sorted(STOP_WORDS),
        "concepts": concepts,
        "wordFiles": dict(sorted((word_files or {}).items())),
    }
