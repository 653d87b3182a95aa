"""The search index: small static files the search page fetches a few of per query.

Written at the end of each HTML build from the searched posts (:mod:`sourcebook.search.corpus`),
under ``kb-search/``:

``index.json``
    Read first, on every visit: the number of posts and their average lengths (BM25's length
    normalisation), one row per post ``[length, title length, year, tag…]`` (year and tags
    as numbers into ``years`` and ``tags``, -1 for no year), the first stem of each chunk,
    and a digest of every chunk and fragment. Posts are in tie order: newest first, then by
    address, so a post's number breaks ties between equal scores.
``index/<n>.json``
    Chunk ``n``: consecutive stems (in code point order) with their postings, ``[post -
    previous post, weighted count, count in the title, …]``. A query word is looked up in
    the chunk or two that can hold the stems it begins, so a query downloads a few chunks,
    not the index. Postings hold no word positions, which keeps a chunk small even for a
    word every post contains.
``fragments/<n>.json``
    Post ``n`` as a result shows it: address, title, date, tags, sections (heading, anchor,
    text) and its glossary names. Fetched for the results on screen only.

Chunks and fragments are numbered, not named by their content, so that ``index.json``
stays small on a large site; the page asks for them with ``?v=<digest>``, so a browser
never mixes files of two builds. Only files whose content changed are written, and those
no longer numbered are removed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sourcebook.search.corpus import SearchedPost
from sourcebook.search.query import DATA_VERSION, SEARCH_DATA

INDEX_FILE = "index.json"
CHUNKS = "index"
FRAGMENTS = "fragments"
#: A chunk is closed once its postings pass this many bytes of JSON (a word in every post of
#: a 5,000-post site takes about 25 KB alone; gzip makes a chunk a third of its size).
CHUNK_BYTES = 12_000

FileDigest = tuple[int, str]
"""A written file's size and SHA-256."""


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Ordered(Protocol):
    """Anything with a post's address and its date for sorting."""

    @property
    def url(self) -> str: ...

    @property
    def sort(self) -> str: ...


OrderedT = TypeVar("OrderedT", bound=Ordered)


def tie_order(posts: Iterable[OrderedT]) -> list[OrderedT]:
    """Newest first, then by address: the order ties between equal scores are shown in."""
    by_url = sorted(posts, key=lambda post: post.url)
    return sorted(by_url, key=lambda post: post.sort, reverse=True)


@dataclass(frozen=True)
class IndexedPost:
    """What ``index.json`` holds of a post: its row, and what orders it."""

    url: str
    sort: str
    tags: tuple[str, ...]
    year: str
    length: int
    title_length: int

    @classmethod
    def of(cls, post: SearchedPost) -> IndexedPost:
        return cls(post.url, post.sort, tuple(post.tags), post.year, post.length, post.title_length)


def fragment_data(post: SearchedPost) -> bytes:
    """Post's fragment file: what a result shows."""
    return _dumps(
        {
            "url": post.url,
            "canonical": post.canonical,
            "title": post.title,
            "date": post.date,
            "tags": post.tags,
            "sections": post.sections,
            "terms": post.terms,
        }
    )


def add_postings(postings: dict[str, list[int]], number: int, post: SearchedPost) -> None:
    """Append post ``number``'s stems to ``postings`` (``[post, count, count in the title, …]``);
    posts are added in increasing numbers."""
    titles = post.title_stems
    for stem, count in post.stems.items():  # about 400 a post: kept tight
        found = postings.get(stem)
        if found is None:
            postings[stem] = [number, count, titles.get(stem, 0)]
        else:
            found += (number, count, titles.get(stem, 0))


def chunk_groups(postings: Mapping[str, Sequence[int]]) -> list[tuple[str, ...]]:
    """Consecutive stems (in code point order) grouped into chunks of about ``CHUNK_BYTES``."""
    groups: list[tuple[str, ...]] = []
    group: list[str] = []
    size = 0
    for stem in sorted(postings):
        if group and size >= CHUNK_BYTES:
            groups.append(tuple(group))
            group, size = [], 0
        group.append(stem)
        size += len(stem) + 4 * len(postings[stem]) + 4
    if group:
        groups.append(tuple(group))
    return groups


def chunk_data(postings: Mapping[str, Sequence[int]], stems: Iterable[str]) -> bytes:
    """A chunk's file: each post number becomes its difference from the previous one, which
    compresses better."""
    chunk: dict[str, list[int]] = {}
    for stem in stems:
        flat = list(postings[stem])
        for position in range(len(flat) - 3, 0, -3):
            flat[position] -= flat[position - 3]
        chunk[stem] = flat
    return _dumps(chunk)


def file_digest(data: bytes) -> FileDigest:
    return len(data), hashlib.sha256(data).hexdigest()


def index_data(
    posts: Sequence[IndexedPost], firsts: Sequence[str], digests: Iterable[tuple[str, FileDigest]]
) -> bytes:
    """``index.json`` for ``posts`` in tie order, chunks beginning with ``firsts``, and the
    digests of every chunk and fragment file (in a fixed order)."""
    tags = sorted({tag for post in posts for tag in post.tags})
    years = sorted({post.year for post in posts if post.year}, reverse=True)
    tag_number = {tag: number for number, tag in enumerate(tags)}
    year_number = {year: number for number, year in enumerate(years)}
    table = [
        [post.length, post.title_length, year_number.get(post.year, -1), *(tag_number[t] for t in post.tags)]
        for post in posts
    ]
    digest = hashlib.sha256()
    for name, (size, sha) in digests:
        digest.update(f"{name}\0{size}\0{sha}\n".encode())
    lengths = [post.length for post in posts]
    title_lengths = [post.title_length for post in posts]
    return _dumps(
        {
            "version": DATA_VERSION,
            "digest": digest.hexdigest()[:16],
            "posts": len(posts),
            "averageLength": sum(lengths) / len(lengths) if lengths else 1.0,
            "averageTitleLength": sum(title_lengths) / len(title_lengths) if sum(title_lengths) else 1.0,
            "tags": tags,
            "years": years,
            "table": table,
            "chunks": list(firsts),
        }
    )


def fragment_name(number: int) -> str:
    return f"{FRAGMENTS}/{number}.json"


def chunk_name(number: int) -> str:
    return f"{CHUNKS}/{number}.json"


def build_index(posts: Sequence[SearchedPost]) -> dict[str, bytes]:
    """Every file of the index, by its path under ``kb-search/``, built from scratch."""
    ordered = tie_order(posts)
    files: dict[str, bytes] = {}
    postings: dict[str, list[int]] = {}
    for number, post in enumerate(ordered):
        files[fragment_name(number)] = fragment_data(post)
        add_postings(postings, number, post)
    groups = chunk_groups(postings)
    for number, stems in enumerate(groups):
        files[chunk_name(number)] = chunk_data(postings, stems)
    digests = [(name, file_digest(data)) for name, data in files.items()]
    firsts = [group[0] for group in groups]
    files[INDEX_FILE] = index_data([IndexedPost.of(post) for post in ordered], firsts, digests)
    return files


def remove_stale_files(folder: Path, names: Set[str]) -> None:
    """Remove the chunk and fragment files under ``folder`` that are not in ``names``."""
    for subfolder in (CHUNKS, FRAGMENTS):
        directory = folder / subfolder
        if directory.is_dir():
            for path in directory.iterdir():
                if f"{subfolder}/{path.name}" not in names:
                    path.unlink()


def read_index(site: Path) -> tuple[dict[str, Any], list[SearchedPost]]:
    """The index of a built site, and its posts as searched (for ``sourcebook search``).

    Raises ``FileNotFoundError`` when the site has no index, ``ValueError`` when it was
    written by another version of Sourcebook.
    """
    folder = site / SEARCH_DATA
    index = json.loads((folder / INDEX_FILE).read_text(encoding="utf-8"))
    if index.get("version") != DATA_VERSION:
        raise ValueError(f"{folder / INDEX_FILE} is of another version of Sourcebook: build the site again")
    fragments = [
        json.loads((folder / FRAGMENTS / f"{number}.json").read_text(encoding="utf-8"))
        for number in range(len(index["table"]))
    ]
    stems: list[dict[str, int]] = [{} for _ in fragments]
    title_stems: list[dict[str, int]] = [{} for _ in fragments]
    for number in range(len(index["chunks"])):
        chunk = json.loads((folder / CHUNKS / f"{number}.json").read_text(encoding="utf-8"))
        for stem, flat in chunk.items():
            number = 0
            for position in range(0, len(flat), 3):
                number += flat[position]
                stems[number][stem] = flat[position + 1]
                if flat[position + 2]:
                    title_stems[number][stem] = flat[position + 2]
    years, tags = index["years"], index["tags"]
    posts = [
        SearchedPost(
            url=fragment["url"],
            canonical=fragment["canonical"],
            title=fragment["title"],
            date=fragment["date"],
            sort="",  # the index's order is the tie order
            tags=[tags[tag] for tag in row[3:]],
            year=years[row[2]] if row[2] >= 0 else "",
            sections=fragment["sections"],
            terms=fragment["terms"],
            stems=stems[number],
            length=row[0],
            title_stems=title_stems[number],
            title_length=row[1],
        )
        for number, (row, fragment) in enumerate(zip(index["table"], fragments, strict=True))
    ]
    return index, posts
