"""Caches under the doctree folder: a missing, broken or foreign one is no cache, never an error."""

from __future__ import annotations

from pathlib import Path

from sourcebook.build_cache import read_cache, write_cache


def test_a_cache_is_read_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "folder" / "cache.pickle"
    write_cache(path, {"posts": [1, 2]})
    assert read_cache(path, dict) == {"posts": [1, 2]}
    assert not path.with_name("cache.pickle.tmp").exists()


def test_a_missing_broken_or_foreign_cache_is_none(tmp_path: Path) -> None:
    assert read_cache(tmp_path / "missing.pickle", dict) is None
    broken = tmp_path / "broken.pickle"
    broken.write_bytes(b"not a pickle")
    assert read_cache(broken, dict) is None
    foreign = tmp_path / "foreign.pickle"
    write_cache(foreign, ["a list"])
    assert read_cache(foreign, dict) is None
