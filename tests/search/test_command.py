"""``sourcebook search``: the site's search on the command line, over a built site's index."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sourcebook.authoring.cli import main
from sourcebook.search.corpus import read_body
from sourcebook.search.index import read_index

from browser import build_html
from conftest import ROOTS


@pytest.fixture(scope="module")
def searched_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The search fixture site, built where ``sourcebook build`` puts it."""
    site = tmp_path_factory.mktemp("cli-search") / "site"
    shutil.copytree(ROOTS / "test-search", site)
    outdir = site / "_build" / "html"
    assert "WARNING" not in build_html(site, outdir)
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


def test_the_index_is_the_searched_text_of_posts(searched_site: Path) -> None:
    _, searched = read_index(searched_site / "_build" / "html")
    posts = {post.url: post for post in searched}
    assert len(posts) == 8  # posts only
    credit = posts["source/posts/credit.html"]
    assert credit.title == "Is it worth paying through the bank for a large order?"
    assert credit.year == "2018"
    assert credit.terms == "Letter of credit L/C documentary credit 信用证"
    texts = " ".join(section["text"] for section in credit.sections)
    assert "L/C protects both sides" in texts
    assert "documentary credit" not in texts  # the names are searched, never shown
    assert credit.stems["信用证"] == 1 and credit.stems["lc"] >= 2  # "L/C" is also "lc"
    assert set(credit.title_stems) == {
        "is",
        "it",
        "worth",
        "pay",
        "through",
        "the",
        "bank",
        "for",
        "a",
        "larg",
        "order",
    }
    deposit = posts["source/posts/deposit.html"]
    assert [(s["anchor"], s["title"]) for s in deposit.sections if s["level"] == 2] == [
        ("when-the-factory-wants-more", "When the factory wants more")
    ]


def test_a_body_is_read_as_shown() -> None:
    sections = read_body(
        '<section id="a-b"><h1>A &amp; B<a class="headerlink" href="#a-b">#</a></h1>'
        '<div class="kb-post-header"><p>June 1, 2020</p></div>'
        '<div class="kb-related"><p>Other post</p></div><p>Text &lt;here&gt;<br>and on</p>'
        '<section id="more"><h2>More</h2><p>Inside</p><img alt="x"></section><p>After</p>'
        "<script>var shown = '<p>never</p>';</script><!-- <p>nor this</p> -->"
        "<p title='a > b'>Last</p></section>"
    )
    assert sections == [
        {"anchor": "a-b", "title": "A & B", "level": 1, "text": "Text <here> and on"},
        {"anchor": "more", "title": "More", "level": 2, "text": "Inside After Last"},
    ]


def test_an_index_of_another_version_asks_for_a_build(
    searched_site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "site"
    shutil.copytree(searched_site, copy)
    index = copy / "_build" / "html" / "kb-search" / "index.json"
    index.write_text(
        index.read_text(encoding="utf-8").replace('"version":2', '"version":1'), encoding="utf-8"
    )
    assert search(copy, "deposit") == 2
    assert "build the site again" in capsys.readouterr().err
