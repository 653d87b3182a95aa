"""Rebuilds of the search index write exactly the files a build from scratch writes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sourcebook.search.corpus import SearchedPost, searched_post
from sourcebook.search.index import build_index
from sourcebook.search.index_updates import REPLACE_AT_MOST, Stamp, update_index

WORDS = [
    *("mould", "tooling", "deposit", "balance", "inspection", "factory", "rework", "contract"),
    *("sample", "carton", "label", "shipment", "freight", "customs", "invoice", "pallet"),
    *("defect", "supplier", "quote", "order", "lead", "time"),
]
TAGS = ["inspection", "payments", "tooling", "shipping"]


def post(number: int, rng: random.Random, version: int = 0) -> SearchedPost:
    words = [*rng.sample(WORDS, 8), f"word{number}x{version}"]
    section = f"<section id='more'><h2>More on {words[0]}</h2><p>{words[1]}</p></section>"
    body = f"<p>{' '.join(words)}</p>{section}"
    day = f"2024-{number % 12 + 1:02d}-{number % 27 + 1:02d}"
    return searched_post(
        url=f"source/posts/p{number}.html",
        canonical="",
        title=f"Post {number} on {words[2]}",
        date=day,
        sort=day,
        tags=rng.sample(TAGS, 2),
        year=day[:4],
        body=body,
        terms=[],
    )


class Records:
    """Posts by docname with a stamp each, as the build's record files would have."""

    def __init__(self) -> None:
        self.posts: dict[str, SearchedPost] = {}
        self.stamps: dict[str, Stamp] = {}
        self.clock = 0
        self.loads: list[str] = []

    def put(self, docname: str, searched: SearchedPost) -> None:
        self.clock += 1
        self.posts[docname] = searched
        self.stamps[docname] = (self.clock, 1)

    def load(self, docname: str) -> SearchedPost | None:
        self.loads.append(docname)
        return self.posts.get(docname)


def written(site: Path) -> dict[str, bytes]:
    folder = site / "kb-search"
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*.json")}


def update(site: Path, records: Records) -> list[str]:
    records.loads.clear()
    return update_index(site, site.parent / "state", records.stamps, records.load)


@pytest.fixture
def records() -> Records:
    rng = random.Random(4)
    found = Records()
    for number in range(60):
        found.put(f"p{number}", post(number, rng))
    return found


def test_edits_rewrite_what_a_clean_build_writes(tmp_path: Path, records: Records) -> None:
    site = tmp_path / "html"
    rng = random.Random(9)
    assert update(site, records) == []
    assert written(site) == build_index(list(records.posts.values()))

    # No change: no record read, no file written.
    times = {path: path.stat().st_mtime_ns for path in site.rglob("*.json")}
    update(site, records)
    assert records.loads == []
    assert {path: path.stat().st_mtime_ns for path in site.rglob("*.json")} == times

    # Edits in place (same order): only the edited records are read again.
    for round_number in range(1, 6):
        edited = rng.sample(sorted(records.posts), 3)
        for docname in edited:
            records.put(docname, post(int(docname[1:]), rng, round_number))
        update(site, records)
        assert sorted(records.loads) == sorted(edited)
        assert written(site) == build_index(list(records.posts.values()))

    # Posts added, removed and re-dated: numbers shift, and the files still match.
    records.put("p100", post(100, rng))
    del records.posts["p3"], records.stamps["p3"]
    redated = records.posts["p7"]
    records.put("p7", SearchedPost(**{**vars(redated), "sort": "2030-01-01", "year": "2030"}))
    update(site, records)
    assert written(site) == build_index(list(records.posts.values()))


def test_many_edits_build_from_scratch(tmp_path: Path, records: Records) -> None:
    site = tmp_path / "html"
    update(site, records)
    rng = random.Random(2)
    for docname in sorted(records.posts)[: REPLACE_AT_MOST + 1]:
        records.put(docname, post(int(docname[1:]), rng, 1))
    update(site, records)
    assert written(site) == build_index(list(records.posts.values()))


def test_a_deleted_output_folder_is_written_again(tmp_path: Path, records: Records) -> None:
    site = tmp_path / "html"
    update(site, records)
    expected = written(site)
    for path in (site / "kb-search" / "fragments").iterdir():
        path.unlink()
    (site / "kb-search" / "index" / "0.json").write_text("{}")
    update(site, records)
    assert written(site) == expected


def test_an_unreadable_record_is_left_out_and_named(tmp_path: Path, records: Records) -> None:
    site = tmp_path / "html"
    update(site, records)
    records.stamps["p5"] = (999, 1)
    del records.posts["p5"]  # its stamp changed, but it cannot be read
    assert update(site, records) == ["p5"]
    assert written(site) == build_index(list(records.posts.values()))
