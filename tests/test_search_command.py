"""``sourcebook search``: the site's search on the command line, over a built and indexed site."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sourcebook.cli import main
from sourcebook.search import build_search_index
from sourcebook.search_corpus import read_page, update_corpus

from browser import build_html


@pytest.fixture(scope="module")
def searched_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The search fixture site, with its build (indexed) where ``sourcebook build`` puts it."""
    site = tmp_path_factory.mktemp("cli-search") / "site"
    shutil.copytree(Path(__file__).parent / "roots" / "test-search", site)
    outdir = site / "_build" / "html"
    assert "WARNING" not in build_html(site, outdir)
    assert build_search_index(outdir) == 0
    return site


def search(site: Path, *args: str) -> int:
    return main(["--site", str(site), "search", *args])


def test_prints_ranked_posts_with_date_address_and_snippet(
    searched_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert search(searched_site, "how much deposit should I pay up front") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "1. How much should I pay up front?  (March 4, 2019)"
    assert lines[1].strip().startswith("source/posts/deposit.html")
    assert "[deposit]" in lines[2]  # the query's words are marked in the snippet


def test_json_for_other_tools(searched_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert search(searched_site, "信用证", "--json") == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["query"] == "信用证"
    assert payload["units"] == ["信用证"]
    first = payload["results"][0]
    assert first["title"] == "Is it worth paying through the bank for a large order?"
    assert first["date"] == "June 12, 2018"
    assert first["path"] == "source/posts/credit.html"
    assert first["tags"] == ["payment", "banking"]


def test_synonyms_typos_and_limit(searched_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert search(searched_site, "letter of credit", "--json", "--limit", "1") == 0
    payload = json.loads(capsys.readouterr().out)
    assert [hit["path"] for hit in payload["results"]] == ["source/posts/credit.html"]  # it writes "L/C"
    assert search(searched_site, "golden sampel", "--json") == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["corrections"] == {"sampel": "sample"}
    assert payload["results"][0]["title"] == "Why keep a golden sample?"


def test_a_section_hit_links_to_its_section(searched_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert search(searched_site, "shorter payment term", "--json") == 0
    first = json.loads(capsys.readouterr().out)["results"][0]
    assert first["path"] == "source/posts/deposit.html#when-the-factory-wants-more"
    assert first["section"] == "When the factory wants more"


def test_tag_and_year_filters(searched_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert search(searched_site, "factory", "--json") == 0
    everything = {hit["path"] for hit in json.loads(capsys.readouterr().out)["results"]}
    assert search(searched_site, "factory", "--tag", "inspection", "--json") == 0
    tagged = {hit["path"] for hit in json.loads(capsys.readouterr().out)["results"]}
    assert tagged == {"source/posts/inspection.html", "source/posts/rework.html"}
    assert tagged < everything
    assert search(searched_site, "factory", "--year", "2017", "--json") == 0
    assert [hit["path"] for hit in json.loads(capsys.readouterr().out)["results"]] == [
        "source/posts/rework.html"
    ]


def test_nothing_found_exits_1(searched_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert search(searched_site, "zeppelin") == 1
    assert "No posts found for 'zeppelin'." in capsys.readouterr().out


def test_an_unbuilt_site_exits_2(site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    unbuilt = site("search")
    assert search(unbuilt, "deposit") == 2
    assert "build the site first" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["--site", str(unbuilt), "search", "deposit", "--limit", "0"])
    assert exit_.value.code == 2


def test_the_corpus_is_the_searched_text_of_posts(searched_site: Path) -> None:
    posts = {post.url: post for post in update_corpus(searched_site / "_build" / "html")}
    assert len(posts) == 8  # posts only, as Pagefind
    credit = posts["source/posts/credit.html"]
    assert credit.title == "Is it worth paying through the bank for a large order?"
    assert credit.year == "2018"
    assert credit.terms == "Letter of credit · L/C · documentary credit · 信用证"
    texts = " ".join(section["text"] for section in credit.sections)
    assert "L/C protects both sides" in texts
    assert "Letter of credit ·" not in texts  # the hidden names are searched, never shown
    deposit = posts["source/posts/deposit.html"]
    assert [(s["anchor"], s["title"]) for s in deposit.sections if s["level"] == 2] == [
        ("when-the-factory-wants-more", "When the factory wants more")
    ]


def test_pages_without_a_searched_body_are_skipped() -> None:
    assert read_page("<html><body><p>Archive</p></body></html>", "archive.html") is None
    page = read_page(
        '<div data-pagefind-body><span data-pagefind-meta="title[data-kb-value]" data-kb-value="A &amp; B">'
        '</span><h1>A &amp; B</h1><div class="kb-related"><p>Other post</p></div>'
        "<p>Text &lt;here&gt;</p></div>",
        "x.html",
    )
    assert page is not None
    assert page.title == "A & B"
    assert [section["text"] for section in page.sections] == ["Text <here>"]


def test_searching_again_reads_only_the_pages_that_changed(
    searched_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sourcebook.search_corpus as corpus

    site = tmp_path / "html"
    shutil.copytree(searched_site / "_build" / "html", site)  # times are kept
    assert len(corpus.update_corpus(site)) == 8
    read: list[str] = []
    real_read_page = corpus.read_page
    monkeypatch.setattr(corpus, "read_page", lambda html, url: read.append(url) or real_read_page(html, url))
    assert len(corpus.update_corpus(site)) == 8
    assert read == []  # nothing changed, nothing read
    page = site / "source" / "posts" / "moq.html"
    page.write_text(page.read_text(encoding="utf-8").replace("combine colours", "mix colours"), "utf-8")
    posts = corpus.update_corpus(site)
    assert read == ["source/posts/moq.html"]
    moq = next(post for post in posts if post.url == "source/posts/moq.html")
    assert "mix colours" in " ".join(section["text"] for section in moq.sections)
    # A page deleted since is gone from the corpus.
    (site / "source" / "posts" / "shipping.html").unlink()
    assert len(corpus.update_corpus(site)) == 7


def test_a_site_built_without_the_index_is_searched_too(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line needs the build's data files, not Pagefind's bundle."""
    unindexed = site("search")
    assert "WARNING" not in build_html(unindexed, unindexed / "_build" / "html")
    assert search(unindexed, "letter of credit", "--json") == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["path"] == "source/posts/credit.html"
