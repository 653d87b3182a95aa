"""Caches under the doctree folder: a missing, broken or foreign one is no cache, never an error;
under later saves (the preview) they are pickled when saved and read back from memory."""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path

from sourcebook.build_cache import LaterSaves, read_cache, write_cache


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


def test_later_saves_keep_a_cache_in_memory_until_saved(tmp_path: Path) -> None:
    path = tmp_path / "folder" / "cache.pickle"
    saves = LaterSaves()
    ranking = {"posts": [1, 2]}
    with saves.on():
        write_cache(path, ranking)
    assert not path.exists()
    saves.save()
    assert path.is_file()
    with saves.on():
        # The object saved, not a copy unpickled from its file; handed out once (its reader
        # may change it), then the file is read.
        assert read_cache(path, dict) is ranking
        again = read_cache(path, dict)
    assert again == ranking and again is not ranking
    # Outside later saves, writes reach the file at once.
    write_cache(path, {"posts": [3]})
    assert read_cache(path, dict) == {"posts": [3]}


def test_a_cache_another_process_rewrote_is_read_from_its_file(tmp_path: Path) -> None:
    path = tmp_path / "cache.pickle"
    saves = LaterSaves()
    with saves.on():
        write_cache(path, {"by": "this process"})
    saves.save()
    with path.open("wb") as stream:  # as a step forked beside the main process writes it
        pickle.dump({"by": "another process"}, stream)
    with saves.on():
        assert read_cache(path, dict) == {"by": "another process"}


def test_a_cache_written_twice_before_a_save_is_saved_once_with_the_last_value(tmp_path: Path) -> None:
    path = tmp_path / "cache.pickle"
    saves = LaterSaves()
    with saves.on():
        write_cache(path, {"version": 1})
        write_cache(path, {"version": 2})
        # Read before it is saved: saved first, so the file and what is read agree.
        assert read_cache(path, dict) == {"version": 2}
    assert read_cache(path, dict) == {"version": 2}


def test_a_forked_process_writes_its_caches_at_once(tmp_path: Path) -> None:
    path = tmp_path / "cache.pickle"
    saves = LaterSaves()
    context = multiprocessing.get_context("fork")
    with saves.on():
        child = context.Process(target=write_cache, args=(path, {"by": "the child"}))
        child.start()
        child.join()
    assert child.exitcode == 0
    assert not saves.pending
    assert read_cache(path, dict) == {"by": "the child"}
