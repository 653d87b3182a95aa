"""The searched text of a built site, read back from its HTML for ``sourcebook search``.

The command line ranks the posts as Pagefind does, so it reads what Pagefind indexes: the
``data-pagefind-body`` element of each post page, leaving out what Pagefind leaves out (the
post's header, related answers, backlinks, heading anchors) and keeping the hidden list of
glossary names. Each post becomes its title, date, tags, address and sections (heading,
anchor, text) with its heading-weighted stems, kept in ``kb-search/corpus.json.gz`` with each
page file's time and size: the next search reads only the pages written since. The browser
never downloads that file.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]  # Sphinx's stemmer, untyped

from sourcebook.publishing import write_if_changed
from sourcebook.search_query import DATA_VERSION, SEARCH_DATA, normalise, words_of

#: Classes of elements whose text is not searched: the post's header (dates, tags), the lists
#: of other posts, heading anchors. Pagefind skips them too (``search.NOT_INDEXED``).
SKIPPED_CLASSES = ("kb-post-header", "kb-related", "kb-backlinks", "headerlink")
#: How much a word in a heading counts, by level, against 1 in the text (Pagefind's weights).
HEADING_WEIGHTS = {1: 7, 2: 6, 3: 5, 4: 4, 5: 3, 6: 2}
CORPUS_FILE = "corpus.json.gz"
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("english")


def stems(words: Iterable[str]) -> list[str]:
    """English (Porter 2) stems, as Pagefind stems English pages."""
    return list(_stemmer().stemWords(list(words)))


def compounds(text: str) -> list[str]:
    """Words written with inner punctuation, joined: "L/C" is also "lc", as Pagefind indexes it."""
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
    """The stems of a search string, as Pagefind reads one: by spaces, inner punctuation dropped."""
    return stems("".join(words_of(chunk)) for chunk in normalise(search).split() if words_of(chunk))


@dataclass
class Section:
    anchor: str  # the heading's id ("" before the first heading)
    title: str
    level: int
    text: list[str] = field(default_factory=list)


@dataclass
class SearchedPost:
    """One post as searched: what a result shows, and its weighted stems."""

    url: str  # relative to the site's root, e.g. "source/posts/x.html"
    canonical: str
    title: str
    date: str
    sort: str
    tags: list[str]
    year: str
    sections: list[dict[str, Any]]
    terms: str  # the glossary names of the terms the post mentions
    stems: dict[str, int]
    length: int


class _PageReader(HTMLParser):
    """Collects the searched body of one page: its marks, headings and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.canonical = ""
        self.marks: dict[str, list[str]] = {}
        self.sections: list[Section] = []
        self.terms: list[str] = []  # the hidden glossary names: searched, never shown
        self._in_terms = 0
        self._depth = 0  # open elements inside the searched body (0: outside)
        self._skip_depth = 0  # depth at which a skipped element opened (0: none)
        self._heading: Section | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "link" and attributes.get("rel") == "canonical":
            self.canonical = attributes.get("href", "")
        if self._depth == 0:
            if "data-pagefind-body" in attributes:
                self._depth = 1
                self.sections.append(Section("", "", 0))
            return
        if tag in _VOID:
            self._mark(attributes)
            return
        self._depth += 1
        if self._skip_depth:
            return
        classes = set(attributes.get("class", "").split())
        if not classes.isdisjoint(SKIPPED_CLASSES):
            self._skip_depth = self._depth
            return
        if "kb-search-terms" in classes:
            self._in_terms = self._depth
        self._mark(attributes)
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._heading = Section(attributes.get("id", ""), "", int(tag[1]))
            self.sections.append(self._heading)

    def _mark(self, attributes: dict[str, str]) -> None:
        for kind in ("meta", "filter", "sort"):
            spec = attributes.get(f"data-pagefind-{kind}")
            if spec and "data-kb-value" in attributes:
                self.marks.setdefault(spec.split("[", 1)[0], []).append(attributes["data-kb-value"])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth and not self._skip_depth:
            self._mark({name: value or "" for name, value in attrs})

    def handle_endtag(self, tag: str) -> None:
        if self._depth == 0 or tag in _VOID:
            return
        if self._skip_depth == self._depth:
            self._skip_depth = 0
        if self._in_terms == self._depth:
            self._in_terms = 0
        if self._heading is not None and len(tag) == 2 and tag[0] == "h":
            self._heading = None
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._depth or self._skip_depth or not data.strip():
            return
        if self._in_terms:
            self.terms.append(data)
        elif self._heading is not None:
            self._heading.title += data
        elif self.sections:
            self.sections[-1].text.append(data)


def read_page(html: str, url: str) -> SearchedPost | None:
    """The searched part of one built page, or None when the page is not searched."""
    if "data-pagefind-body" not in html:
        return None
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    if not reader.sections:
        return None
    sections: list[dict[str, Any]] = []
    weighted: Counter[str] = Counter()
    length = 0
    for section in reader.sections:
        title = " ".join(section.title.split())
        text = " ".join(" ".join(section.text).split())
        if not (title or text):
            continue
        sections.append({"anchor": section.anchor, "title": title, "level": section.level, "text": text})
        title_stems = indexed_stems(title)
        text_stems = indexed_stems(text)
        for stem in title_stems:
            weighted[stem] += HEADING_WEIGHTS.get(section.level, 1)
        weighted.update(text_stems)
        length += len(title_stems) + len(text_stems)
    term_stems = indexed_stems(" ".join(reader.terms))
    weighted.update(term_stems)
    length += len(term_stems)
    marks = reader.marks
    return SearchedPost(
        url=url,
        canonical=reader.canonical,
        title=(marks.get("title") or [""])[0],
        date=(marks.get("date") or [""])[0],
        sort=(marks.get("sort") or [""])[0],
        tags=marks.get("tag", []),
        year=(marks.get("year") or [""])[0],
        sections=sections,
        terms=" ".join(" ".join(reader.terms).split()),
        stems=dict(sorted(weighted.items())),
        length=length,
    )


#: A page file as last read: modification time (ns) and size.
Signature = tuple[int, int]


def read_site(
    site: Path, known: dict[str, tuple[Signature, SearchedPost | None]] | None = None
) -> Iterator[tuple[str, Signature, SearchedPost | None]]:
    """Every page of a built site, in a stable order, with its searched part if any.

    A page whose time and size are those of ``known`` is not read again: after an
    incremental build, only the pages Sphinx wrote are.
    """
    known = known or {}
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if relative.startswith(("_static/", "pagefind/", f"{SEARCH_DATA}/")):
            continue
        status = path.stat()
        signature = (status.st_mtime_ns, status.st_size)
        cached = known.get(relative)
        if cached is not None and cached[0] == signature:
            yield relative, signature, cached[1]
        else:
            yield relative, signature, read_page(path.read_text(encoding="utf-8", errors="replace"), relative)


def post_text(post: SearchedPost) -> str:
    return " ".join([*(f"{section['title']} {section['text']}" for section in post.sections), post.terms])


def update_corpus(site: Path) -> list[SearchedPost]:
    """The searched posts of a built site, read from its pages, kept in ``corpus.json.gz``.

    Only pages changed since the file was written are read again; the file is rewritten
    when anything changed.
    """
    path = site / SEARCH_DATA / CORPUS_FILE
    known = _known_pages(path)
    pages = list(read_site(site, known))
    posts = [post for _, _, post in pages if post is not None]
    unchanged = len(pages) == len(known) and all(
        known.get(url, ((0, 0), None))[0] == signature for url, signature, _ in pages
    )
    if not unchanged:
        payload = {
            "version": DATA_VERSION,
            "posts": [asdict(post) for post in posts],
            # What each page file was when read, so that the next run reads only changed pages.
            "files": {url: [*signature, post is not None] for url, signature, post in pages},
        }
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        write_if_changed(path, gzip.compress(data, compresslevel=5, mtime=0))
    return posts


def _known_pages(corpus: Path) -> dict[str, tuple[Signature, SearchedPost | None]]:
    """The pages of the previous run's corpus, if it is there and of this version."""
    try:
        data = json.loads(gzip.decompress(corpus.read_bytes()))
    except (OSError, ValueError, EOFError):
        return {}
    if data.get("version") != DATA_VERSION:
        return {}
    posts = {post["url"]: SearchedPost(**post) for post in data.get("posts", [])}
    return {
        url: ((mtime, size), posts.get(url) if is_post else None)
        for url, (mtime, size, is_post) in data.get("files", {}).items()
        if not is_post or url in posts
    }
