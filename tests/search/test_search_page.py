"""Search: each post's searched text recorded as its page is written, the index built at the
end of the build, searched in a browser."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, Request, Route, expect

from sourcebook.build_cache import write_cache
from sourcebook.knowledge.glossary_data import load_glossary
from sourcebook.search.corpus import indexed_stems
from sourcebook.search.indexing import glossary_names, name_stems
from sourcebook.search.records import records_path, saved_records

from browser import build_html, serve
from conftest import PROJECT

RESULT = ".kb-search-result"
LINK = ".kb-search-result-link"
MESSAGE = ".kb-search-message"
CREDIT = "Is it worth paying through the bank for a large order?"


def page_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def search(browser: Browser, base: str, query: str) -> Page:
    """Open ``search.html?q=query`` and wait for the answer."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}search.html?q={query}")
    expect(page.locator(MESSAGE)).to_have_text(re.compile(r"\d+ results? for"))
    return page


def engine_page(browser: Browser, base: str) -> Page:
    """The search page, with the search engine (run by the page in a worker) loaded into the
    page itself too, for tests to call: ``KbSearchEngine``."""
    page = browser.new_page()
    page.goto(base + "search.html")
    page.wait_for_function("() => window.kbSearch")
    page.add_script_tag(url=base + "_static/language_data.js")
    page.add_script_tag(url=base + "_static/kb-search-engine.js")
    return page


def index_files(outdir: Path) -> dict[str, bytes]:
    folder = outdir / "kb-search"
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*.json"))
        if path.parent.name in ("index", "fragments") or path.name == "index.json"
    }


def fragments(outdir: Path) -> dict[str, dict[str, object]]:
    """The index's posts as results show them, by title."""
    index = json.loads((outdir / "kb-search" / "index.json").read_text(encoding="utf-8"))
    shown = {}
    for number in range(len(index["table"])):
        path = outdir / "kb-search" / "fragments" / f"{number}.json"
        fragment = json.loads(path.read_text(encoding="utf-8"))
        shown[fragment["title"]] = fragment
    return shown


def test_the_index_holds_the_posts_only(indexed: Path) -> None:
    index = json.loads((indexed / "kb-search" / "index.json").read_text(encoding="utf-8"))
    assert index["posts"] == 8
    assert len(index["table"]) == 8
    shown = fragments(indexed)
    assert all(str(fragment["url"]).startswith("source/posts/") for fragment in shown.values())
    credit = shown[CREDIT]
    assert credit["url"] == "source/posts/credit.html"
    assert credit["date"] == "June 12, 2018"
    assert credit["tags"] == ["payment", "banking"]
    # Every name of the terms the post mentions is searched, and never shown on its page.
    assert credit["terms"] == "Letter of credit L/C documentary credit 信用证"
    assert "信用证" not in page_of(indexed / "source" / "posts" / "credit.html").get_text()
    # The title is searched (it ranks highest), the header, related answers and backlinks not.
    sections = credit["sections"]
    assert isinstance(sections, list)
    assert sections[0]["title"] == CREDIT
    text = " ".join(section["text"] for section in sections)
    assert "June 12, 2018" not in text
    assert "Related answers" not in text
    assert page_of(indexed / "source" / "posts" / "credit.html").select_one(".kb-related") is not None
    # Tags and years are in newest-first order, with a post's numbers into them.
    assert index["years"] == sorted(index["years"], reverse=True)
    assert index["chunks"] == sorted(index["chunks"])  # each chunk's first stem
    assert len(list((indexed / "kb-search" / "index").iterdir())) == len(index["chunks"])
    size = sum(len(data) for data in index_files(indexed).values())
    print(f"search index: {size // 1024} KB")


def test_a_section_keeps_its_anchor(indexed: Path) -> None:
    deposit = fragments(indexed)["How much should I pay up front?"]
    assert {
        "anchor": "when-the-factory-wants-more",
        "title": "When the factory wants more",
        "level": 2,
    }.items() <= next(section for section in deposit["sections"] if section["level"] == 2).items()


def test_the_index_follows_incremental_and_parallel_builds(site: Callable[[str], Path]) -> None:
    """A rebuild with no change rewrites nothing; an edited, added or deleted post changes
    its own fragment only, and no stale file stays; a parallel build writes the same index."""
    srcdir = site("search")
    outdir = srcdir / "_build" / "html"
    build_html(srcdir, outdir)
    first = index_files(outdir)
    times = {path: path.stat().st_mtime_ns for path in (outdir / "kb-search").rglob("*.json")}
    build_html(srcdir, outdir)
    assert index_files(outdir) == first
    assert {path: path.stat().st_mtime_ns for path in (outdir / "kb-search").rglob("*.json")} == times

    post = srcdir / "source" / "posts" / "credit.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nA zanzibar clause.\n", encoding="utf-8")
    (srcdir / "source" / "posts" / "extra.md").write_text(
        "---\ntitle: Zanzibar shipping\ndate: '2024-01-02'\ntags: [logistics]\n---\n\nShips via zanzibar.\n",
        encoding="utf-8",
    )
    (srcdir / "source" / "posts" / "samples.md").unlink()
    (srcdir / "source" / "posts" / "shipping.md").unlink()
    build_html(srcdir, outdir)
    shown = fragments(outdir)
    assert "Zanzibar shipping" in shown
    assert "Why keep a golden sample?" not in shown
    assert "zanzibar" in " ".join(section["text"] for section in shown[CREDIT]["sections"])  # type: ignore[union-attr]
    second = index_files(outdir)
    assert sorted(name for name in second if name.startswith("fragments/")) == [
        f"fragments/{number}.json"
        for number in range(7)  # the eighth is gone
    ]
    assert json.loads(second["index.json"])["digest"] != json.loads(first["index.json"])["digest"]
    assert sorted(saved_records(records_of(outdir)).records) == [
        f"source/posts/{name}"
        for name in ("credit", "deposit", "extra", "inspection", "moq", "mould", "rework")
    ]  # the deleted posts' records are gone

    parallel = srcdir.parent / "parallel"
    build_html(srcdir, parallel, "-j", "2", "-E")
    assert index_files(parallel) == second


def records_of(outdir: Path) -> Path:
    """The file of the records a build left for the next one."""
    path = records_path(outdir / ".doctrees", "html")
    assert path.is_file()
    return path


def test_a_lost_record_is_reported_and_the_other_posts_stay(site: Callable[[str], Path]) -> None:
    srcdir = site("search")
    outdir = srcdir / "_build" / "html"
    build_html(srcdir, outdir)
    store = saved_records(records_of(outdir))
    del store.records["source/posts/moq"]
    write_cache(records_of(outdir), store)
    warnings = build_html(srcdir, outdir)  # nothing changed: no page is written again
    assert "source/posts/moq.md: WARNING: no search record for source/posts/moq" in warnings
    assert "sphinx-build -E" in warnings
    assert len(fragments(outdir)) == 7


def test_names_stemmed_entry_by_entry_are_the_names_stemmed_at_once() -> None:
    """A post's glossary names are stemmed per entry (once a build): the same stems, as many."""
    entries, problems = load_glossary(PROJECT / "source" / "glossary.yaml")
    assert problems == [] and len(entries) >= 60
    for some in (entries, entries[::7], entries[-3:]):
        per_entry = Counter(stem for entry in some for stem in name_stems(entry))
        assert per_entry == Counter(indexed_stems(" ".join(glossary_names(some))))


def test_the_site_leaves_out_sphinx_search_index(indexed: Path) -> None:
    """No page loads Sphinx's index (megabytes on a large site): it is not written, and the
    search page does not offer Sphinx's search as its fallback."""
    html = page_of(indexed / "search.html")
    assert not (indexed / "searchindex.js").exists()
    assert not any("searchindex.js" in script.get("src", "") for script in html.select("script"))
    [script] = html.select("script[src$='kb-search.js']")
    assert not script.has_attr("data-sphinx-search")
    assert (indexed / "_static" / "language_data.js").is_file()  # the stemmer, which ours uses
    terms = json.loads((indexed / "kb-search" / "terms.json").read_text(encoding="utf-8"))
    assert terms["posts"] == 8
    credit = next(concept for concept in terms["concepts"] if concept["term"] == "Letter of credit")
    assert credit["names"] == ["letter of credit", "l/c", "documentary credit", "信用证"]


def test_sphinx_search_answers_without_the_index_when_its_index_is_written(
    browser: Browser, site: Callable[[str], Path], tmp_path: Path
) -> None:
    srcdir, outdir = site("search"), tmp_path / "html"
    assert build_html(srcdir, outdir, "-D", "kb_sphinx_search=1") == ""
    html = page_of(outdir / "search.html")
    assert html.select_one("script[src$='kb-search.js']").has_attr("data-sphinx-search")
    for name in ("searchindex.js", "_static/searchtools.js", "_static/language_data.js"):
        assert (outdir / name).is_file(), name
    # Sphinx's search and its index are fetched only when ours cannot run.
    assert not any("searchindex.js" in script.get("src", "") for script in html.select("script"))
    (outdir / "kb-search" / "index.json").unlink()
    with serve(outdir) as url:
        page = browser.new_page()
        page.goto(url + "search.html?q=deposit")
        expect(page.locator("#search-results li a").first).to_have_text("How much should I pay up front?")
        expect(page.locator("#kb-search")).to_have_count(0)
        page.close()

        # Sphinx's search needs its doctools.js, which the page defers: held back, it still
        # answers once doctools.js has run.
        page = browser.new_page()

        def later(route: Route) -> None:
            time.sleep(1.5)
            route.continue_()

        page.route("**/_static/doctools.js*", later)
        page.goto(url + "search.html?q=deposit")
        expect(page.locator("#search-results li a").first).to_have_text("How much should I pay up front?")
        page.close()
    # The option off again: the next build takes the index away.
    assert build_html(srcdir, outdir) == ""
    assert not (outdir / "searchindex.js").exists()
    assert (
        not page_of(outdir / "search.html")
        .select_one("script[src$='kb-search.js']")
        .has_attr("data-sphinx-search")
    )


def test_without_its_index_the_search_page_says_why(
    browser: Browser, site: Callable[[str], Path], tmp_path: Path
) -> None:
    outdir = tmp_path / "html"
    assert build_html(site("search"), outdir) == ""
    (outdir / "kb-search" / "index.json").rename(outdir / "kb-search" / "index.json.aside")
    with serve(outdir) as url:
        page = browser.new_page()
        page.goto(url + "search.html?q=deposit")
        expect(page.locator(MESSAGE)).to_have_text(re.compile(r"^The search index could not be loaded \("))
        expect(page.locator(".kb-search-form")).to_be_hidden()
        expect(page.locator(".bd-search-container")).to_be_hidden()
        page.close()


def test_the_page_stems_and_ranks_as_the_command_line_does(
    browser: Browser, base: str, indexed: Path
) -> None:
    """The browser's stemmer (Sphinx's language_data.js) gives the index's stems, and the page
    scores every post of a search as ``sourcebook search`` does."""
    from sourcebook.search.command import Searcher
    from sourcebook.search.corpus import stems

    searcher = Searcher(indexed)
    words = sorted(
        {word for post in searcher.posts for word in post.stems} | {"factories", "shipping", "quality"}
    )
    page = engine_page(browser, base)
    in_browser = page.evaluate("words => words.map((word) => new window.Stemmer().stemWord(word))", words)
    assert in_browser == stems(words)
    for search in ("deposit", "factory", "golden sample", "inspect", "letter of credit", "mould", "zzz"):
        scores = page.evaluate(
            """async (search) => {
                const index = await KbSearchEngine.load(new URL("kb-search/", location.href)).index;
                const scores = await index.scores(search);
                return [...scores];
            }""",
            search,
        )
        in_page = dict(scores)
        # The page numbers posts as the index lists them, in the command line's order.
        expected = {searcher.position[url]: score for url, score in searcher.scores(search).items()}
        assert in_page.keys() == expected.keys(), search
        assert expected or search == "zzz"
        for number, score in expected.items():
            assert in_page[number] == pytest.approx(score, rel=1e-12), search
    page.close()


def test_a_question_finds_its_post_first_with_its_date(browser: Browser, base: str) -> None:
    page = search(browser, base, "deposit")
    first = page.locator(RESULT).first
    expect(first.locator(LINK)).to_have_text("How much should I pay up front?")
    expect(first).to_contain_text("March 4, 2019")
    expect(first.locator(".kb-search-result-excerpt mark").first).to_have_text(
        re.compile("deposit", re.IGNORECASE)
    )
    # Sphinx's own search is hidden while ours answers.
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


def test_the_search_box_leads_to_the_search_page(browser: Browser, base: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "index.html")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Control+k")
    field = page.locator("#kb-search-dialog input[name=q]")
    expect(field).to_be_focused()
    page.keyboard.type("golden sample")
    page.keyboard.press("Enter")
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
    from sourcebook.search.command import Searcher

    searcher = Searcher(indexed)
    page = engine_page(browser, base)
    for query in PARITY_QUERIES:
        in_browser = page.evaluate(
            """async (q) => {
                const reader = await KbSearchEngine.load(new URL("kb-search/", location.href)).reader;
                return reader.analyse(q);
            }""",
            query,
        )
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
    from sourcebook.search.query import QueryData, analyse, concepts_from_json, terms_payload

    terms = terms_payload(
        [
            ("Original equipment manufacturer", ("Original equipment manufacturer", "OEM", "OEMs")),
            ("Original design manufacturer", ("Original design manufacturer", "ODM")),
        ],
        posts=10,
    )
    queries = ["original equipment manufacturers", "what is the difference between OEM and ODM", "OEM"]
    page = engine_page(browser, base)
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
                const reader = new KbSearchEngine.QueryReader(terms, new URL("kb-search/", location.href));
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
    from sourcebook.authoring.cli import main as cli

    srcdir = site("search")
    (srcdir / "source" / "posts" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    outdir = srcdir / "_build" / "html"
    warnings = build_html(srcdir, outdir)
    assert "the title holds control characters (U+001B)" in warnings  # and they are left out
    title = '<img src=x onerror="window.pwned=1"> Zeppelin & "deposit" </script> [31mred'
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


def test_the_search_page_tells_the_worker_what_it_knows_of_the_index(browser: Browser, base: str) -> None:
    """The worker reads the query with the page's copy of terms.json and fetches its chunks
    while index.json downloads (held back here): terms.json is never fetched, and the query's
    chunk is asked for before index.json arrives."""
    page = browser.new_page()
    events: list[str] = []

    def slow_index(route: Route) -> None:
        time.sleep(0.5)
        route.continue_()

    def path(request: Request) -> str:
        return request.url.removeprefix(base).split("?")[0]

    page.route("**/kb-search/index.json*", slow_index)
    page.on("request", lambda request: events.append("asked " + path(request)))
    page.on("requestfinished", lambda request: events.append("got " + path(request)))
    page.goto(f"{base}search.html?q=deposit")
    expect(page.locator(RESULT).first).to_be_visible()
    assert not any(event.endswith("kb-search/terms.json") for event in events)
    chunks = [number for number, event in enumerate(events) if event.startswith("asked kb-search/index/")]
    assert chunks and chunks[0] < events.index("got kb-search/index.json")
    page.close()


def test_results_show_before_the_theme_s_deferred_scripts_have_run(browser: Browser, base: str) -> None:
    """The page shows the worker's answers as soon as its search elements are parsed, not at
    DOMContentLoaded, which waits for the theme's deferred scripts (held back here)."""
    page = browser.new_page()

    def later(route: Route) -> None:
        time.sleep(1.5)
        route.continue_()

    page.route("**/_static/scripts/pydata-sphinx-theme.js*", later)
    page.goto(f"{base}search.html?q=deposit")
    expect(page.locator(RESULT).first).to_be_visible()
    shown = page.evaluate("() => performance.getEntriesByName('kb-search:shown')[0].startTime")
    page.wait_for_load_state("load")
    ready = page.evaluate("() => performance.getEntriesByType('navigation')[0].domContentLoadedEventStart")
    assert 0 < shown < ready
    page.close()


def test_a_page_opened_from_disk_says_how_to_serve_the_site(browser: Browser, indexed: Path) -> None:
    """Browsers let a file:// page neither start a worker nor fetch the index: the page says
    so, and how to serve the folder."""
    page = browser.new_page()
    page.goto((indexed / "search.html").as_uri() + "?q=deposit")
    expect(page.locator(MESSAGE)).to_contain_text("Search needs the site served over HTTP")
    expect(page.locator(MESSAGE)).to_contain_text("python -m http.server -d _build/html")
    expect(page.locator(".kb-search-form")).to_be_hidden()
    expect(page.locator(".bd-search-container")).to_be_hidden()
    expect(page.locator(RESULT)).to_have_count(0)
    page.close()


def test_only_the_search_page_loads_search_scripts(indexed: Path) -> None:
    """The theme would load Sphinx's whole search index into every page's head (megabytes on a
    large site, blocking); Sourcebook's pages load nothing for search but the search page,
    which loads its own script only."""
    # Other pages load the search dialog's small loader only (tests/search/test_search_dialog.py).
    loader = re.compile(r"^(\.\./)*_static/kb-search-dialog-loader\.js\?v=[0-9a-f]+$")
    for other in ("index.html", "source/posts/credit.html", "source/glossary.html", "tags/payment.html"):
        sources = [script.get("src", "") for script in page_of(indexed / other).select("script")]
        searching = [src for src in sources if "search" in src or "language_data" in src]
        assert len(searching) == 1 and loader.match(searching[0]), other
    search_page = page_of(indexed / "search.html")
    sources = [script.get("src", "") for script in search_page.select("script")]
    searching = [
        src for src in sources if ("search" in src or "language_data" in src) and not loader.match(src)
    ]
    assert searching == ["_static/kb-search.js"]
    # First in the head, before the theme's style sheets: the worker starts at once, then the
    # page's script, async.
    source, boot, script = search_page.head.find_all(["script", "link"], limit=3)
    # The worker is started from the page's own copy of the engine, after what the page knows
    # of the index and Sphinx's language data (the stemmer) exactly as the site ships it: it
    # waits for no download to read the query and fetch its chunks.
    engine = PROJECT / "sourcebook" / "search" / "static" / "kb-search-engine.js"
    language_data = (indexed / "_static" / "language_data.js").read_text(encoding="utf-8")
    assert source.get("type") == "text/plain"
    data, rest = source.get_text().split("\n", 1)
    assert rest == f"self.window = self;\n{language_data}\n" + engine.read_text(encoding="utf-8")
    assert data.startswith("self.kbSearchData = ") and data.endswith(";")
    inline = json.loads(data.removeprefix("self.kbSearchData = ").removesuffix(";"))
    index = json.loads((indexed / "kb-search" / "index.json").read_text(encoding="utf-8"))
    assert inline == {
        "terms": json.loads((indexed / "kb-search" / "terms.json").read_text(encoding="utf-8")),
        "digest": index["digest"],
        "chunks": index["chunks"],
    }
    assert "new Worker" in boot.get_text() and '"_static/kb-search-engine.js"' in boot.get_text()
    assert script.get("src") == "_static/kb-search.js" and script.has_attr("async")
