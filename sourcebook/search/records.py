"""The published posts' search records: one file a build under the doctree folder, not one a post.

A post's record (its :class:`~sourcebook.search.corpus.SearchedPost`, as JSON) is made while
its page is written, in whichever process writes it. A writer process hands the records it
made back to the main process with its batch (:func:`sourcebook.parallel.hand_back`), and
the index step saves them all in one file, which the next build starts from: a page that is
not written again keeps its record. One file rather than a file per post, because creating a
file is the costly part on a disk that has just deleted many (about 0.75 ms of kernel time
each on the benchmark machine's ext4, whatever the file's size).

A record's stamp is a digest of its content and its length: a record written again with the
same content keeps its stamp, and the index leaves that post alone. Beside its content, a
record keeps the post's words for the typo corrections (:mod:`sourcebook.search.words`), read
from the same text while it is at hand in the writer: every build counts every post's words
in the main process, which would otherwise parse each post's record again to find them.
"""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from sourcebook.build_cache import read_cache, write_cache
from sourcebook.output import builds_website
from sourcebook.parallel import hand_back
from sourcebook.search.index_updates import Stamp

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.application import Sphinx
    from sphinx.builders import Builder


class Record(NamedTuple):
    """A post's search record as kept: its stamp, its content, and its words."""

    stamp: Stamp
    data: bytes  # the SearchedPost, as JSON
    words: str  # the post's words for the typo corrections, one per line, sorted


#: The file, under the doctree folder, of each builder's records.
RECORDS = "kb-search-records"
#: Changes whenever what the file holds does.
FORMAT = 2


@dataclass
class RecordStore:
    """Each published post's record and its stamp, by docname."""

    format: int = FORMAT
    records: dict[str, Record] = field(default_factory=dict)


#: Each website builder's records of its current build, loaded at write-started.
_stores: weakref.WeakKeyDictionary[Builder, RecordStore] = weakref.WeakKeyDictionary()
#: The records this process made since it was forked (or since the main process last took them).
_made: weakref.WeakKeyDictionary[Builder, dict[str, Record]] = weakref.WeakKeyDictionary()


def records_path(doctreedir: Path, builder_name: str) -> Path:
    """Where a builder's records are saved, under a doctree folder."""
    return doctreedir / RECORDS / f"{builder_name}.pickle"


def records_file(app: Sphinx) -> Path:
    return records_path(Path(app.doctreedir), app.builder.name)


def saved_records(path: Path) -> RecordStore:
    """The records a build saved in ``path``: none for a missing file or another layout."""
    found = read_cache(path, RecordStore)
    return found if found is not None and found.format == FORMAT else RecordStore()


def stamp_of(data: bytes) -> Stamp:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big"), len(data)


def load_records(app: Sphinx, builder: Builder) -> None:
    """At write-started: the records the last build saved (none for another layout)."""
    if not builds_website(app):
        return
    _stores[builder] = saved_records(records_file(app))
    _made.pop(builder, None)


def keep_record(app: Sphinx, docname: str, data: bytes, words: str) -> None:
    """Keep the record of a post whose page this process is writing, and its words."""
    store = _stores.get(app.builder)
    if store is None:
        return
    record = Record(stamp_of(data), data, words)
    store.records[docname] = record
    _made.setdefault(app.builder, {})[docname] = record


def recorded(app: Sphinx) -> dict[str, Record]:
    """Every record this build has, by docname."""
    store = _stores.get(app.builder)
    return store.records if store is not None else {}


def save_records(app: Sphinx, published: Iterable[str]) -> None:
    """Save the records of the published posts (the others' are dropped), for the next build."""
    store = _stores.get(app.builder)
    if store is None:
        return
    records = store.records
    store.records = {docname: records[docname] for docname in sorted(published) if docname in records}
    write_cache(records_file(app), store)


def _made_here(builder: Builder) -> dict[str, Record]:
    """In a writer process, after its batch: the records it made, for the main process."""
    return _made.pop(builder, {})


def _take_back(builder: Builder, made: dict[str, Record]) -> None:
    """In the main process: a writer's records join the build's."""
    store = _stores.get(builder)
    if store is not None:
        store.records.update(made)


def setup_search_records(app: Sphinx) -> None:
    app.connect("write-started", load_records)
    hand_back(RECORDS, _made_here, _take_back)
