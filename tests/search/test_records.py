"""The posts' search records: made by whichever process writes the page, kept in one file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sourcebook import parallel as parallel_module
from sourcebook.search.records import RecordStore, records_path, saved_records, stamp_of

from browser import build_html

POSTS = [
    f"source/posts/{name}"
    for name in ("credit", "deposit", "inspection", "moq", "mould", "rework", "samples", "shipping")
]


def saved(outdir: Path) -> RecordStore:
    path = records_path(outdir / ".doctrees", "html")
    assert path.is_file()
    return saved_records(path)


def test_every_post_s_record_is_in_one_file_whichever_process_wrote_its_page(
    site: Callable[[str], Path], tmp_path: Path
) -> None:
    srcdir = site("search")
    # More documents than a build writes in its main process: writer processes write them.
    extra = [f"extra{number}" for number in range(parallel_module.SERIAL_WRITE_LIMIT)]
    for name in extra:
        (srcdir / "source" / "posts" / f"{name}.md").write_text(
            f"---\ntitle: Extra {name}\ndate: '2024-01-02'\n---\n\nA post about cartons, {name}.\n",
            encoding="utf-8",
        )
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert "WARNING" not in build_html(srcdir, serial)
    assert "WARNING" not in build_html(srcdir, parallel, "-j", "2")
    folder = parallel / ".doctrees" / "kb-search-records"
    assert sorted(path.name for path in folder.iterdir()) == ["html.index-state", "html.pickle"]
    records = saved(parallel).records
    assert sorted(records) == sorted(POSTS + [f"source/posts/{name}" for name in extra])  # handed back
    assert records == saved(serial).records
    for stamp, data, words in records.values():
        assert stamp == stamp_of(data) and b'"sections"' in data
        assert "cartons" in words.split("\n") or b"cartons" not in data


def test_a_page_written_again_with_the_same_text_keeps_its_record_s_stamp(
    site: Callable[[str], Path], tmp_path: Path
) -> None:
    srcdir = site("search")
    outdir = tmp_path / "html"
    build_html(srcdir, outdir)
    before = saved(outdir).records
    post = srcdir / "source" / "posts" / "moq.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nZeppelins carry no cargo.\n", encoding="utf-8")
    build_html(srcdir, outdir, "-E")  # every page written again
    after = saved(outdir).records
    assert after["source/posts/moq"][0] != before["source/posts/moq"][0]
    assert b"Zeppelins" in after["source/posts/moq"][1]
    assert {name: record for name, record in after.items() if name != "source/posts/moq"} == {
        name: record for name, record in before.items() if name != "source/posts/moq"
    }
