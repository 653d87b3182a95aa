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

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]  # Sphinx's stemmer, untyped

from sourcebook.search_query import normalise, words_of

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


def compounds(text: str) -> list[str]:
    """Words written with inner punctuation, joined: "L/C" is also "lc"."""
    joined = []
    for chunk in normalise(text).split():
        parts = words_of(chunk)
        if len(parts) > 1:
            joined.append("".join(parts))
    return joined


def indexed_stems(text: str) -> list[str]:
    """The stems a text is found by: its words, and its compound words joined."""
    return stems([*words_of(normalise(text)), *compounds(text)])


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


class _BodyReader(HTMLParser):
    """Collects the sections (heading, anchor, text) of a post's body HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = [Section("", "", 0)]
        self._depth = 0  # open elements
        self._skip_depth = 0  # depth at which a skipped element opened (0: none)
        self._section_ids: list[tuple[int, str]] = []  # open <section id> elements: depth, id
        self._heading: Section | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        self._depth += 1
        if self._skip_depth:
            return
        attributes = {name: value or "" for name, value in attrs}
        if not set(attributes.get("class", "").split()).isdisjoint(SKIPPED_CLASSES):
            self._skip_depth = self._depth
            return
        if tag == "section" and attributes.get("id"):
            self._section_ids.append((self._depth, attributes["id"]))
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            # Sphinx puts a section's id on the <section>; a heading of its own id keeps that.
            anchor = attributes.get("id") or (self._section_ids[-1][1] if self._section_ids else "")
            self._heading = Section(anchor, "", int(tag[1]))
            self.sections.append(self._heading)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or self._depth == 0:
            return
        if self._skip_depth == self._depth:
            self._skip_depth = 0
        if self._section_ids and self._section_ids[-1][0] == self._depth:
            self._section_ids.pop()
        if self._heading is not None and len(tag) == 2 and tag[0] == "h":
            self._heading = None
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._skip_depth or not data.strip():
            return
        if self._heading is not None:
            self._heading.title += data
        else:
            self.sections[-1].text.append(data)


def read_body(body: str) -> list[dict[str, Any]]:
    """The sections of a post's body HTML: anchor, heading, level and text, empty ones left out."""
    reader = _BodyReader()
    reader.feed(body)
    reader.close()
    sections = []
    for section in reader.sections:
        title = " ".join(section.title.split())
        text = " ".join(" ".join(section.text).split())
        if title or text:
            sections.append({"anchor": section.anchor, "title": title, "level": section.level, "text": text})
    return sections


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
) -> SearchedPost:
    """A post as searched, from its metadata, its body HTML and its glossary names."""
    sections = read_body(body)
    weighted: Counter[str] = Counter()
    length = 0
    for section in sections:
        title_stems = indexed_stems(section["title"])
        text_stems = indexed_stems(section["text"])
        for stem in title_stems:
            weighted[stem] += HEADING_WEIGHTS.get(section["level"], 1)
        weighted.update(text_stems)
        length += len(title_stems) + len(text_stems)
    names = " ".join(" ".join(terms).split())
    title_counts = Counter(indexed_stems(title))
    term_stems = indexed_stems(names)
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


def post_text(post: SearchedPost) -> str:
    return " ".join([*(f"{section['title']} {section['text']}" for section in post.sections), post.terms])
