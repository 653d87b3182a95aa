"""The searched text of a post: read from its body as written, stemmed for the index.

What the search finds in a post is what its page shows: the body's text and headings,
leaving out the post's header (dates, tags), the lists of other posts and heading anchors,
plus the glossary names of every term the post mentions (so that "L/C", "letter of
credit" and "信用证" all find a post that says one of them). :func:`read_body` reads the body
HTML Sphinx is about to write, so the text is exactly what readers see; each section keeps
its heading and anchor, for results that lead to the section. Words are stemmed with
Snowball's English stemmer, the one Sphinx ships to the browser in ``language_data.js``, so
that the search page stems a query exactly as the index was stemmed.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]  # Sphinx's stemmer, untyped

from sourcebook.search.query import normalise, words_of

#: Classes of elements whose text is not searched: the post's header (dates, tags), the lists
#: of other posts, heading anchors.
SKIPPED_CLASSES = ("kb-post-header", "kb-related", "kb-backlinks", "headerlink")
#: How much a word in a heading counts, by level, against 1 in the text.
HEADING_WEIGHTS = {1: 7, 2: 6, 3: 5, 4: 4, 5: 3, 6: 2}
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("english")


def stems(words: Iterable[str]) -> list[str]:
    """English (Snowball, "Porter 2") stems, as ``language_data.js`` stems in the browser."""
    return list(_stemmer().stemWords(list(words)))


#: Punctuation (or an underscore) with a letter or digit on both sides ("l/c", "pre-shipment").
_INNER_PUNCTUATION = re.compile(r"[^\W_](?:[^\w\s]|_)+[^\W_]")


def compound_words(text: str) -> list[str]:
    """The runs of non-spaces in ``text`` with inner punctuation, whole ("(l/c)," too).

    Most runs are letters and digits alone, which ``str.isalnum`` rules out without the
    regular expression: a third of the time one expression over the whole text took.
    """
    return [run for run in text.split() if not run.isalnum() and _INNER_PUNCTUATION.search(run)]


def indexed_stems(text: str, words: set[str] | None = None) -> list[str]:
    """The stems a text is found by: its words, and its compound words joined ("L/C" is also
    "lc", "pre-shipment" also "preshipment"). Its words themselves go into ``words``, if given."""
    normalised = normalise(text)
    found = words_of(normalised)
    if words is not None:
        words.update(found)
    joined = ["".join(words_of(chunk)) for chunk in compound_words(normalised)]
    return stems(found + joined)


def query_stems(search: str) -> list[str]:
    """The stems of a search string: its words split at spaces, inner punctuation dropped."""
    return stems("".join(words_of(chunk)) for chunk in normalise(search).split() if words_of(chunk))


@dataclass
class Section:
    anchor: str  # the section's id ("" before the first heading)
    title: str
    level: int
    text: list[str] = field(default_factory=list)


@dataclass
class SearchedPost:
    """One post as searched: what a result shows, and its weighted stems."""

    url: str  # relative to the site's root, e.g. "source/posts/x.html"
    canonical: str
    title: str
    date: str  # as shown
    sort: str  # ISO date, for newest-first ties
    tags: list[str]
    year: str
    sections: list[dict[str, Any]]
    terms: str  # the glossary names of the terms the post mentions
    stems: dict[str, int]  # heading-weighted counts of the body's and the names' stems
    length: int  # how many stems the post has, unweighted
    title_stems: dict[str, int] = field(default_factory=dict)  # of ``title``, which ranks higher
    title_length: int = 0  # how many stems the title has


#: A tag (its closing slash, name and attributes), a comment or declaration, or the whole of
#: a script or style element, whose text is never shown.
_TOKEN = re.compile(
    r"<(?:(script|style)\b.*?</\1\s*>|!--.*?-->|[!?][^>]*>|(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>)",
    re.DOTALL | re.IGNORECASE,
)
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ID = re.compile(r"""\bid\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attribute(pattern: re.Pattern[str], attributes: str) -> str:
    found = pattern.search(attributes)
    return html.unescape(found.group(1) if found.group(1) is not None else found.group(2)) if found else ""


def read_body(body: str) -> list[dict[str, Any]]:
    """The sections of a post's body HTML: anchor, heading, level and text, empty ones left out.

    Sphinx writes the body, so a scan of its tags is enough (and several times faster than
    ``html.parser``): text outside skipped elements goes to the open heading or section.
    """
    sections = [Section("", "", 0)]
    heading: Section | None = None
    depth = 0  # open elements
    skip_depth = 0  # depth at which a skipped element opened (0: none)
    section_ids: list[tuple[int, str]] = []  # open <section id> elements: depth, id
    position = 0

    def add_text(end: int) -> None:
        text = html.unescape(body[position:end])
        if skip_depth or not text.strip():
            return
        if heading is not None:
            heading.title += text
        else:
            sections[-1].text.append(text)

    for match in _TOKEN.finditer(body):
        add_text(match.start())
        position = match.end()
        name = match.group(3)
        if not name:
            continue  # a comment, script or style
        tag = name.lower()
        if tag in _VOID:
            continue
        if match.group(2):  # a closing tag
            if depth == 0:
                continue
            if skip_depth == depth:
                skip_depth = 0
            if section_ids and section_ids[-1][0] == depth:
                section_ids.pop()
            if heading is not None and len(tag) == 2 and tag[0] == "h":
                heading = None
            depth -= 1
            continue
        attributes = match.group(4)
        if attributes.rstrip().endswith("/"):
            continue  # self-closed
        depth += 1
        if skip_depth:
            continue
        if "class" in attributes and not set(_attribute(_CLASS, attributes).split()).isdisjoint(
            SKIPPED_CLASSES
        ):
            skip_depth = depth
            continue
        if tag == "section":
            if anchor := _attribute(_ID, attributes):
                section_ids.append((depth, anchor))
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            # Sphinx puts a section's id on the <section>; a heading of its own id keeps that.
            anchor = _attribute(_ID, attributes) or (section_ids[-1][1] if section_ids else "")
            heading = Section(anchor, "", int(tag[1]))
            sections.append(heading)
    add_text(len(body))
    shown = []
    for section in sections:
        title = " ".join(section.title.split())
        text = " ".join(" ".join(section.text).split())
        if title or text:
            shown.append({"anchor": section.anchor, "title": title, "level": section.level, "text": text})
    return shown


def searched_post(
    *,
    url: str,
    canonical: str,
    title: str,
    date: str,
    sort: str,
    tags: list[str],
    year: str,
    body: str,
    terms: Iterable[str],
    term_stems: Sequence[str] | None = None,
    words: set[str] | None = None,
) -> SearchedPost:
    """A post as searched, from its metadata, its body HTML and its glossary names (and their
    stems, when the caller has them: the stems of ``terms``, in any order).

    ``words``, if given, gets the words of its headings, text and glossary names (normalised,
    as :mod:`sourcebook.search.words` lists them), split here once for both.
    """
    sections = read_body(body)
    weighted: Counter[str] = Counter()
    length = 0
    for section in sections:
        title_stems = indexed_stems(section["title"], words)
        text_stems = indexed_stems(section["text"], words)
        for stem in title_stems:
            weighted[stem] += HEADING_WEIGHTS.get(section["level"], 1)
        weighted.update(text_stems)
        length += len(title_stems) + len(text_stems)
    names = " ".join(" ".join(terms).split())
    title_counts = Counter(indexed_stems(title))
    if term_stems is None:
        term_stems = indexed_stems(names, words)
    elif words is not None:
        words.update(words_of(normalise(names)))
    weighted.update(term_stems)
    length += len(term_stems)
    return SearchedPost(
        url=url,
        canonical=canonical,
        title=title,
        date=date,
        sort=sort,
        tags=list(tags),
        year=year,
        sections=sections,
        terms=names,
        stems=dict(sorted(weighted.items())),
        length=length,
        title_stems=dict(sorted(title_counts.items())),
        title_length=sum(title_counts.values()),
    )
