"""Search with Pagefind: posts marked for it, the index built after Sphinx, searched in a browser."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect

from sourcebook.search import build_search_index, main

from browser import build_html, serve

RESULT = ".kb-search-result"
LINK = ".kb-search-result-link"
MESSAGE = ".kb-search-message"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The search fixture site, built and indexed once for the module."""
    outdir = tmp_path_factory.mktemp("search") / "html"
    warnings = build_html(Path(__file__).parent / "roots" / "test-search", outdir)
    assert "WARNING" not in warnings
    assert build_search_index(outdir) == 0
    return outdir


@pytest.fixture(scope="module")
def base(indexed: Path) -> Iterator[str]:
    with serve(indexed) as url:
        yield url


def page_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def search(browser: Browser, base: str, query: str) -> Page:
    """Open ``search.html?q=query`` and wait for Pagefind's answer."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}search.html?q={query}")
    expect(page.locator(MESSAGE)).to_have_text(re.compile(r"\d+ results? for"))
    return page


def test_the_index_is_built_into_the_output(indexed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entry = json.loads((indexed / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert sum(language["page_count"] for language in entry["languages"].values()) == 8  # posts only
    assert (indexed / "pagefind" / "pagefind-ui.js").is_file()
    size = sum(file.stat().st_size for file in (indexed / "pagefind").rglob("*") if file.is_file())
    print(f"search bundle: {size // 1024} KB")  # the UI and WebAssembly included
    # Running it again after a rebuild that changed a post replaces the bundle: no stale index
    # or fragments stay.
    stale = indexed / "pagefind" / "fragment" / "en_stale.pf_fragment"
    stale.write_bytes(b"old")
    post = indexed / "source" / "posts" / "credit.html"
    post.write_text(post.read_text(encoding="utf-8") + "<!-- rebuilt -->", encoding="utf-8")
    assert main([str(indexed)]) == 0
    assert "indexed 8 page(s)" in capsys.readouterr().out
    assert not stale.exists()
    assert len(list((indexed / "pagefind").glob("*.pf_meta"))) == 1
    assert len(list((indexed / "pagefind" / "fragment").iterdir())) == 8


def test_a_missing_site_fails(tmp_path: Path) -> None:
    assert build_search_index(tmp_path / "nowhere") == 2
    assert main([]) == 2


def test_posts_carry_pagefind_attributes(indexed: Path) -> None:
    html = page_of(indexed / "source" / "posts" / "credit.html")
    body = html.select_one("[data-pagefind-body]")
    assert body is not None
    assert body.select_one("h1") is not None  # the title is in the indexed text
    values = {
        (kind, mark[f"data-pagefind-{kind}"], mark["data-kb-value"])
        for kind in ("meta", "filter", "sort")
        for mark in body.select(f"[data-pagefind-{kind}]")
    }
    assert values == {
        ("meta", "title[data-kb-value]", "Is it worth paying through the bank for a large order?"),
        ("meta", "date[data-kb-value]", "June 12, 2018"),
        ("sort", "date[data-kb-value]", "2018-06-12"),
        ("filter", "year[data-kb-value]", "2018"),
        ("filter", "tag[data-kb-value]", "payment"),
        ("filter", "tag[data-kb-value]", "banking"),
    }
    # Every name of the terms the post mentions, for the index only.
    terms = body.select_one(".kb-search-terms")
    assert terms is not None
    assert terms.has_attr("hidden")
    assert terms.get_text() == "Letter of credit · L/C · documentary credit · 信用证"
    # The related answers are inside the body, and left out by the indexing step.
    assert body.select_one(".kb-related") is not None
    # Pages that are not posts are not indexed.
    for other in ("index.html", "source/glossary.html", "tags/payment.html", "search.html"):
        assert page_of(indexed / other).select_one("[data-pagefind-body]") is None, other


def test_the_index_is_kept_while_no_post_page_changes(
    site: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pagefind reads every post again each time (seconds on a large site): a rebuild that
    changed no post page keeps the bundle; one changed post page, or no bundle, builds it."""
    outdir = tmp_path / "html"
    build_html(site("search"), outdir)
    assert build_search_index(outdir) == 0
    assert "indexed 8 page(s)" in capsys.readouterr().out
    digest = outdir / "pagefind" / "sourcebook-inputs.sha256"
    first = digest.read_text(encoding="utf-8")

    landing = outdir / "index.html"
    landing.write_text(landing.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    assert build_search_index(outdir) == 0
    assert "is up to date" in capsys.readouterr().out
    assert digest.read_text(encoding="utf-8") == first

    post = outdir / "source" / "posts" / "credit.html"
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("</article>", "<p>Zanzibar</p></article>", 1), encoding="utf-8")
    assert build_search_index(outdir) == 0
    assert "indexed 8 page(s)" in capsys.readouterr().out
    assert digest.read_text(encoding="utf-8") != first

    shutil.rmtree(outdir / "pagefind" / "fragment")  # a damaged bundle without its entry file is rebuilt too
    (outdir / "pagefind" / "pagefind-entry.json").unlink()
    assert build_search_index(outdir) == 0
    assert "indexed 8 page(s)" in capsys.readouterr().out
    assert (outdir / "pagefind" / "fragment").is_dir()


def test_an_unindexed_build_keeps_sphinx_search(site: Callable[[str], Path], tmp_path: Path) -> None:
    outdir = tmp_path / "html"
    build_html(site("search"), outdir)
    assert not (outdir / "pagefind").exists()
    html = page_of(outdir / "search.html")
    assert html.select_one("#search-results") is not None
    assert any("searchtools.js" in script.get("src", "") for script in html.select("script"))
    # Sphinx's index (megabytes on a large site) is fetched only when Pagefind's is missing.
    assert not any("searchindex.js" in script.get("src", "") for script in html.select("script"))
    assert (outdir / "searchindex.js").is_file()
    # What the search page and the CLI read a query with is written by the build itself.
    terms = json.loads((outdir / "kb-search" / "terms.json").read_text(encoding="utf-8"))
    assert terms["posts"] == 8
    credit = next(concept for concept in terms["concepts"] if concept["term"] == "Letter of credit")
    assert credit["names"] == ["letter of credit", "l/c", "documentary credit", "信用证"]


def test_sphinx_search_answers_without_the_bundle(
    browser: Browser, site: Callable[[str], Path], tmp_path: Path
) -> None:
    outdir = tmp_path / "html"
    build_html(site("search"), outdir)
    with serve(outdir) as url:
        page = browser.new_page()
        page.goto(url + "search.html?q=deposit")
        expect(page.locator("#search-results li a").first).to_have_text("How much should I pay up front?")
        expect(page.locator("#kb-search")).to_have_count(0)
        page.close()


def test_a_question_finds_its_post_first_with_its_date(browser: Browser, base: str) -> None:
    page = search(browser, base, "deposit")
    first = page.locator(RESULT).first
    expect(first.locator(LINK)).to_have_text("How much should I pay up front?")
    expect(first).to_contain_text("March 4, 2019")
    expect(first.locator(".kb-search-result-excerpt mark").first).to_have_text(
        re.compile("deposit", re.IGNORECASE)
    )
    # Sphinx's own search is hidden while Pagefind answers.
    expect(page.locator(".bd-search-container")).to_be_hidden()
    page.close()


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("L/C", "Is it worth paying through the bank for a large order?"),  # the post writes "L/C"
        ("letter of credit", "Is it worth paying through the bank for a large order?"),
        ("信用证", "Is it worth paying through the bank for a large order?"),
        ("MOQ", "Can a factory accept a smaller first order?"),  # the post writes it in full
        ("模具", "Who owns the steel tool for my plastic part?"),  # the post writes "mould"
        ("tooling", "Who owns the steel tool for my plastic part?"),
    ],
)
def test_glossary_names_find_the_post(browser: Browser, base: str, query: str, title: str) -> None:
    page = search(browser, base, query)
    expect(page.locator(LINK).first).to_have_text(title)
    page.close()


def test_a_tag_filter_narrows_and_a_result_leads_to_the_post(browser: Browser, base: str) -> None:
    page = search(browser, base, "factory")
    results = page.locator(RESULT)
    expect(results.first).to_be_visible()
    before = results.count()
    assert before >= 4
    page.locator(".kb-search-facet-tag label", has_text="inspection").click()
    expect(page.locator(MESSAGE)).to_have_text(re.compile(r"^2 results for factory"))
    expect(page).to_have_url(re.compile(r"[?&]tag=inspection"))  # the filter can be shared
    expect(results).to_have_count(2)
    titles = set(page.locator(LINK).all_inner_texts())
    assert titles == {
        "When should I book a check of the finished goods?",
        "The inspector found defects: what now?",
    }

    first = page.locator(LINK).first
    title = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(r"/source/posts/(inspection|rework)\.html$"))
    expect(page.locator("h1").first).to_contain_text(title)
    page.close()


def test_the_search_box_leads_to_pagefind(browser: Browser, base: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "index.html")
    page.keyboard.press("Control+k")
    field = page.locator("#pst-search-dialog input[name=q]")
    expect(field).to_be_visible()
    field.fill("golden sample")
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"search\.html\?q=golden"))
    expect(page.locator(LINK).first).to_have_text("Why keep a golden sample?")
    page.close()


def test_words_need_not_all_appear_and_a_hit_leads_to_its_section(browser: Browser, base: str) -> None:
    page = search(browser, base, "can I get a shorter payment term from the factory")
    first = page.locator(RESULT).first
    expect(first.locator(LINK)).to_have_text("How much should I pay up front?")
    section = first.locator(".kb-search-result-section")
    expect(section).to_have_text("§ When the factory wants more")
    section.click()
    expect(page).to_have_url(re.compile(r"/source/posts/deposit\.html#when-the-factory-wants-more$"))
    expect(page.locator("#when-the-factory-wants-more")).to_be_in_viewport()
    page.close()


def test_one_typo_is_corrected_and_said(browser: Browser, base: str) -> None:
    page = search(browser, base, "golden sampel")
    expect(page.locator(".kb-search-correction")).to_have_text(" (searching “sample” for “sampel”)")
    expect(page.locator(LINK).first).to_have_text("Why keep a golden sample?")
    page.close()


def test_a_filter_in_the_address_applies_on_load(browser: Browser, base: str) -> None:
    page = browser.new_page()
    page.goto(f"{base}search.html?q=factory&year=2017")
    expect(page.locator(MESSAGE)).to_have_text(re.compile(r"^1 result for factory"))
    expect(page.locator(LINK)).to_have_text(["The inspector found defects: what now?"])
    expect(page.locator(".kb-search-facet-year input[value='2017']")).to_be_checked()
    page.close()


PARITY_QUERIES = [
    "can the factory keep my moulds after the order",
    "L/C",
    "documentary credits and 信用证",
    "模具费用 mold",
    "golden sampel inspecton",
    "how much",
    "what is the MOQ for a first order?",
    "Pre-shipment inspection (PSI) vs. DUPRO",
    "factory zeppelin",  # "factory" is in most posts, but nothing else is in any
    "factory deposit",  # "factory" is left out for "deposit"
]


def test_the_page_reads_queries_as_the_command_line_does(browser: Browser, base: str, indexed: Path) -> None:
    """kb-search.js and search_query.py are twins: the same units and corrections for each query."""
    from sourcebook.search_command import Searcher

    searcher = Searcher(indexed)
    page = browser.new_page()
    page.goto(base + "search.html")
    page.wait_for_function("() => window.kbSearch")
    for query in PARITY_QUERIES:
        in_browser = page.evaluate("q => window.kbSearch.reader.analyse(q)", query)
        analysis = searcher.analyse(query)
        assert in_browser == {
            "units": [{"kind": u.kind, "text": u.text, "searches": list(u.searches)} for u in analysis.units],
            "corrections": [list(pair) for pair in analysis.corrections],
            "common": list(analysis.common),
        }, query
    page.close()


def test_the_page_and_the_command_line_search_the_same_names(browser: Browser, base: str) -> None:
    """The twins agree where a glossary name is made of words most posts contain, on data made
    for it: the page's reader is given the same terms and word counts as the Python one."""
    from sourcebook.search_query import QueryData, analyse, concepts_from_json, terms_payload

    terms = terms_payload(
        [
            ("Original equipment manufacturer", ("Original equipment manufacturer", "OEM", "OEMs")),
            ("Original design manufacturer", ("Original design manufacturer", "ODM")),
        ],
        posts=10,
    )
    queries = ["original equipment manufacturers", "what is the difference between OEM and ODM", "OEM"]
    page = browser.new_page()
    page.goto(base + "search.html")
    page.wait_for_function("() => window.kbSearch")
    searched_for_oem = []
    for extra in ({}, {"oembedded": 1}, {"oembedded": 1, "oemsx": 1}):
        listed = {
            "o": {"original": 9, "oem": 6, "oems": 6, "odm": 3, **extra},
            "e": {"equipment": 9},
            "m": {"manufacturer": 10, "manufacturers": 7},
            "d": {"design": 4, "difference": 2},
        }
        data = QueryData(
            concepts=concepts_from_json(terms),
            words_by_letter=listed,
            posts=10,
            stop_words=frozenset(terms["stopWords"]),
        )
        in_browser = page.evaluate(
            """async ([terms, listed, queries]) => {
                const Reader = window.kbSearch.reader.constructor;
                const reader = new Reader(terms, new URL("kb-search/", location.href));
                reader.words = async (letter) => listed[letter] || {};
                return Promise.all(queries.map((query) => reader.analyse(query)));
            }""",
            [terms, listed, queries],
        )
        expected = [
            {
                "units": [{"kind": u.kind, "text": u.text, "searches": list(u.searches)} for u in a.units],
                "corrections": [list(pair) for pair in a.corrections],
                "common": list(a.common),
            }
            for a in (analyse(query, data) for query in queries)
        ]
        assert in_browser == expected, extra
        searched_for_oem.append(expected[2]["units"][0]["searches"])
    # "oem" while no other word starts with it, then "oems", then no one-word name is safe.
    assert searched_for_oem == [["oem"], ["oems"], ["original equipment manufacturer"]]
    page.close()


HOSTILE = """---
title: "<img src=x onerror=\\"window.pwned=1\\"> Zeppelin & \\"deposit\\" </script> \\e[31mred"
date: '2020-02-02'
tags: ['<b>bold</b>']
---

A zeppelin deposit, paid <b>up front</b>.
"""


def test_frontmatter_lands_in_results_as_text(
    browser: Browser, site: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A title or tag written as HTML is shown as text, by the page and by the command line."""
    from sourcebook.cli import main as cli

    srcdir = site("search")
    (srcdir / "source" / "posts" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    outdir = srcdir / "_build" / "html"
    build_html(srcdir, outdir)
    assert build_search_index(outdir) == 0
    title = '<img src=x onerror="window.pwned=1"> Zeppelin & "deposit" </script> \x1b[31mred'
    with serve(outdir) as url:
        page = browser.new_page()
        page.goto(url + "search.html?q=zeppelin&tag=%3Cb%3Ebold%3C%2Fb%3E")
        expect(page.locator(LINK)).to_have_text([title])
        expect(page.locator(".kb-search-facet-tag label", has_text="<b>bold</b>")).to_have_count(1)
        assert page.locator(".kb-search img, .kb-search b").count() == 0
        assert page.evaluate("() => window.pwned") is None
        page.close()
    assert cli(["--site", str(srcdir), "search", "zeppelin"]) == 0
    printed = capsys.readouterr().out
    assert "\x1b" not in printed  # no escape sequence reaches the terminal
    assert '1. <img src=x onerror="window.pwned=1"> Zeppelin & "deposit" </script> [31mred' in printed


def test_results_link_right_under_a_path_prefix(browser: Browser, indexed: Path, tmp_path: Path) -> None:
    """On Read the Docs the site lives under /en/latest/: result links keep that prefix."""
    prefix = tmp_path / "host" / "en" / "latest"
    prefix.parent.mkdir(parents=True)
    prefix.symlink_to(indexed, target_is_directory=True)
    with serve(tmp_path / "host") as url:
        page = browser.new_page()
        page.goto(url + "en/latest/search.html?q=shorter+payment+term")
        first = page.locator(RESULT).first
        expect(first.locator(LINK)).to_have_attribute("href", url + "en/latest/source/posts/deposit.html")
        expect(first.locator(".kb-search-result-section")).to_have_attribute(
            "href", url + "en/latest/source/posts/deposit.html#when-the-factory-wants-more"
        )
        first.locator(LINK).click()
        expect(page.locator("h1").first).to_contain_text("How much should I pay up front?")
        page.close()


def test_a_page_opened_from_disk_falls_back_to_sphinx_search(browser: Browser, indexed: Path) -> None:
    """Browsers do not let a file:// page load Pagefind's modules: Sphinx's own search answers."""
    page = browser.new_page()
    page.goto((indexed / "search.html").as_uri() + "?q=deposit")
    expect(page.locator("#search-results li a").first).to_have_text("How much should I pay up front?")
    expect(page.locator("#kb-search")).to_have_count(0)
    page.close()


def test_only_the_search_page_loads_search_scripts(indexed: Path) -> None:
    """The theme would load Sphinx's whole search index into every page's head (megabytes on a
    large site, blocking); Sourcebook's pages load nothing for search but the search page."""
    for other in ("index.html", "source/posts/credit.html", "source/glossary.html", "tags/payment.html"):
        sources = [script.get("src", "") for script in page_of(indexed / other).select("script")]
        assert not any(name in src for src in sources for name in ("searchindex.js", "searchtools.js")), other
    search_page = [script.get("src", "") for script in page_of(indexed / "search.html").select("script")]
    assert any("searchtools.js" in src for src in search_page)
    assert not any("searchindex.js" in src for src in search_page)  # fetched only as the fallback
