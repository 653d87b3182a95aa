"""Rebuilds of the search index that read and write only what changed.

Built from scratch, the index of a 1,000-post site costs about a second: every post's record
read, every chunk and fragment encoded, every file compared with the one on disk. A rebuild
after editing one post needs a fraction of that, so the build keeps, beside the records, what
it last wrote (:class:`IndexState`): each record's stamp, each post's row, the postings, the
stems of each chunk and the digest of each file. A rebuild reads again only the records whose
stamp changed. While the posts keep their numbers (no post added, removed or re-dated), the
changed posts' postings are replaced in place and only the chunks that hold their stems, their
fragments and ``index.json`` are encoded and written. Otherwise, or when many posts changed,
the index is built again from every record, as a clean build does; either way the files are
the ones :func:`sourcebook.search.index.build_index` gives (the tests compare them).

A file that the state says was written but that is missing, or of another size, is written
again, so deleting the output folder (and keeping the doctrees) is safe.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sourcebook.build_cache import read_cache, write_cache
from sourcebook.output import file_stamp, write_if_changed
from sourcebook.search.corpus import SearchedPost
from sourcebook.search.index import (
    CHUNK_BYTES,
    INDEX_FILE,
    FileDigest,
    IndexedPost,
    add_postings,
    chunk_data,
    chunk_groups,
    chunk_name,
    file_digest,
    fragment_data,
    fragment_name,
    index_data,
    remove_stale_files,
    tie_order,
)
from sourcebook.search.query import DATA_VERSION, SEARCH_DATA

Stamp = tuple[int, int]
"""A record's digest and length (:mod:`sourcebook.search.records`): a new stamp means a new record."""

#: Changes whenever the state's layout, the index format or the chunk size do.
STATE_FORMAT = (2, DATA_VERSION, CHUNK_BYTES)
#: Past this many changed posts, building from scratch is cheaper than replacing postings.
REPLACE_AT_MOST = 32


@dataclass
class IndexState:
    """What the last build wrote into ``site``'s index, and from which records."""

    site: str = ""
    format: tuple[int, ...] = STATE_FORMAT
    stamps: dict[str, Stamp] = field(default_factory=dict)
    posts: dict[str, IndexedPost] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    """The posts' docnames in tie order: a post's number is its place here."""
    owners: list[Stamp] = field(default_factory=list)
    """The stamp of the record each fragment was written from, by number."""
    postings: dict[str, list[int]] = field(default_factory=dict)
    """Each stem's ``[post, count, count in the title, …]``, post numbers in full."""
    chunks: list[tuple[str, ...]] = field(default_factory=list)
    files: dict[str, FileDigest] = field(default_factory=dict)
    """Every chunk and fragment file written, by its path under ``kb-search/``."""


def read_state(path: Path, site: Path) -> IndexState:
    """The state the last build left for ``site``, or an empty one."""
    state = read_cache(path, IndexState)
    if state is None or state.format != STATE_FORMAT or state.site != str(site):
        return IndexState(site=str(site))
    return state


class _Records:
    """The records read in this update, each read at most once."""

    def __init__(self, load: Callable[[str], SearchedPost | None]) -> None:
        self.load = load
        self.read: dict[str, SearchedPost] = {}
        self.unreadable: list[str] = []

    def get(self, docname: str) -> SearchedPost | None:
        if docname not in self.read:
            post = self.load(docname)
            if post is None:
                if docname not in self.unreadable:
                    self.unreadable.append(docname)
                return None
            self.read[docname] = post
        return self.read[docname]


def update_index(
    site: Path, state_file: Path, stamps: Mapping[str, Stamp], load: Callable[[str], SearchedPost | None]
) -> list[str]:
    """Bring ``<site>/kb-search/`` up to date with the posts whose records have ``stamps``.

    ``load`` reads a post's record (``None`` when it cannot). Returns the posts left out
    because their record could not be read, in docname order.
    """
    folder = site / SEARCH_DATA
    state = read_state(state_file, site)
    records = _Records(load)
    changed = sorted(docname for docname, stamp in stamps.items() if state.stamps.get(docname) != stamp)
    removed = state.stamps.keys() - stamps.keys()

    posts = {docname: post for docname, post in state.posts.items() if docname in stamps}
    for docname in changed:
        posts.pop(docname, None)
        if (searched := records.get(docname)) is not None:
            posts[docname] = IndexedPost.of(searched)
    docname_of = {post.url: docname for docname, post in posts.items()}
    order = [docname_of[post.url] for post in tie_order(posts.values())]
    replace = bool(state.order) and order == state.order and len(changed) <= REPLACE_AT_MOST

    postings = state.postings if replace else {}
    if replace:
        number_of = {docname: number for number, docname in enumerate(order)}
        touched = _replace_postings(postings, {number_of[name]: records.read[name] for name in changed})
    else:
        order = _full_postings(postings, order, records)
        posts = {docname: posts[docname] for docname in order}
        touched = set(postings)

    files: dict[str, FileDigest] = {}
    owners = [stamps[docname] for docname in order]
    for number, docname in enumerate(order):
        name = fragment_name(number)
        previous = state.files.get(name)
        same = replace and state.owners[number] == owners[number]
        if same and previous and _intact(folder / name, previous):
            files[name] = previous
            continue
        searched = records.get(docname)
        assert searched is not None  # read successfully in this update: it is in ``order``
        files[name] = _write(folder / name, fragment_data(searched))

    groups = chunk_groups(postings)
    for number, stems in enumerate(groups):
        name = chunk_name(number)
        previous = state.files.get(name)
        kept = number < len(state.chunks) and state.chunks[number] == stems
        if kept and previous and not touched.intersection(stems) and _intact(folder / name, previous):
            files[name] = previous
            continue
        files[name] = _write(folder / name, chunk_data(postings, stems))

    indexed = [posts[docname] for docname in order]
    write_if_changed(folder / INDEX_FILE, index_data(indexed, [group[0] for group in groups], files.items()))
    if files.keys() != state.files.keys():
        remove_stale_files(folder, files.keys())

    new_state = IndexState(
        site=str(site),
        stamps={docname: stamps[docname] for docname in order},
        posts=posts,
        order=order,
        owners=owners,
        postings=postings,
        chunks=groups,
        files=files,
    )
    if changed or removed or new_state.files != state.files or not state_file.is_file():
        write_cache(state_file, new_state)
    return sorted(records.unreadable)


def _full_postings(postings: dict[str, list[int]], order: list[str], records: _Records) -> list[str]:
    """Fill ``postings`` from every post's record; returns the posts' order, without the unreadable."""
    readable = [docname for docname in order if records.get(docname) is not None]
    for number, docname in enumerate(readable):
        add_postings(postings, number, records.read[docname])
    return readable


def _replace_postings(postings: dict[str, list[int]], changed: Mapping[int, SearchedPost]) -> set[str]:
    """Replace the postings of the posts numbered in ``changed``; returns the stems whose
    postings differ (an edited post keeps most of its counts, and so most chunks)."""
    numbers = sorted(changed)
    before: dict[tuple[str, int], tuple[int, int]] = {}
    for stem in list(postings):
        flat = postings[stem]
        posts = flat[::3]
        for number in reversed(numbers):  # from the end, so earlier positions stay valid
            position = bisect_left(posts, number)
            if position < len(posts) and posts[position] == number:
                start = position * 3
                before[stem, number] = (flat[start + 1], flat[start + 2])
                del flat[start : start + 3]
        if not flat:
            del postings[stem]
    after: dict[tuple[str, int], tuple[int, int]] = {}
    for number in numbers:
        post = changed[number]
        titles = post.title_stems
        for stem, count in post.stems.items():
            after[stem, number] = (count, titles.get(stem, 0))
            flat = postings.setdefault(stem, [])
            position = bisect_left(flat[::3], number)
            flat[position * 3 : position * 3] = [number, count, titles.get(stem, 0)]
    return {key[0] for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def _intact(path: Path, digest: FileDigest) -> bool:
    """Whether ``path`` still holds what was written there (judged by its size)."""
    stamp = file_stamp(path)
    return stamp is not None and stamp[1] == digest[0]


def _write(path: Path, data: bytes) -> FileDigest:
    write_if_changed(path, data)
    return file_digest(data)
