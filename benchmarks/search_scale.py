"""Search at scale: what the browser downloads, and how soon it shows results, on a large site.

    .venv/bin/python benchmarks/make_corpus.py --posts 5000 --out /tmp/kb5000
    (cd /tmp/kb5000 && make -f /path/to/Makefile html)    # or: python -m sphinx -b html . _build/html
    .venv/bin/python benchmarks/search_scale.py /tmp/kb5000/_build/html

For each query, a fresh headless Chromium page (empty cache) opens ``search.html?q=<query>``,
five times (``--repeat``), the queries in turns; every response is recorded, and the time from
the page's ``load`` event to the first result on screen is read from the page's own clock (a
row gives the median of the visits, and each visit's). Sizes are compressed sizes: text files are counted
gzipped (``gzip -6``), as any static host serves them. "Search" bytes are what searching needs:
``kb-search/`` (the index, its chunks and fragments, the query data), ``kb-search.js``,
``kb-search-engine.js`` and Sphinx's ``language_data.js`` when they are fetched, and the whole
of ``search.html``, which carries the engine, the stemmer and the query data its worker starts
with (and the theme's markup, counted too); "page" bytes are the page, theme and fonts.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from browser import launch, serve

QUERIES = [
    "how much deposit should I pay up front",
    "pre-shipment inspection",
    "can the factory keep my mould after the order",
    "L/C",
    "模具",
    "inspecton",
    "what is the difference between OEM and ODM",
    "when does the risk pass to me",
]
SEARCH_PARTS = ("/search.html", "/kb-search/", "/_static/kb-search", "/_static/language_data.js")


def compressed(body: bytes, url: str) -> int:
    return len(gzip.compress(body, compresslevel=6))


def measure_query(browser: Any, base: str, query: str) -> dict[str, Any]:
    context = browser.new_context()  # an empty cache for every query
    page = context.new_page()
    sizes: dict[str, int] = {}
    finished: dict[str, float] = {}

    def record(response: Any) -> None:
        try:
            sizes[response.url] = compressed(response.body(), response.url)
        except Exception:
            sizes.setdefault(response.url, 0)
        timing = response.request.timing
        finished[response.url] = timing["startTime"] + timing["responseEnd"]

    page.on("response", record)
    page.add_init_script(
        """
        window.addEventListener('load', () => { window.__loaded = performance.now(); });
        new MutationObserver((_, observer) => {
          if (document.querySelector('.kb-search-result')) {
            window.__firstResult = performance.now(); observer.disconnect();
          }
        }).observe(document, {childList: true, subtree: true});
        """
    )
    page.goto(f"{base}search.html?q={quote(query)}")
    page.wait_for_selector(".kb-search-result", timeout=30_000)
    page.wait_for_load_state("networkidle")
    loaded, first, origin = page.evaluate(
        "() => [window.__loaded, window.__firstResult, performance.timeOrigin]"
    )
    marks = page.evaluate(
        "() => Object.fromEntries(performance.getEntriesByType('mark')"
        ".map(m => [m.name, Math.round(m.startTime)]))"
    )
    context.close()
    searching = {url: size for url, size in sizes.items() if any(part in url for part in SEARCH_PARTS)}
    # What was downloaded before the first result was on screen (the filters' counts come after).
    before = sum(size for url, size in searching.items() if finished.get(url, 0) <= origin + first)
    return {
        "query": query,
        "search_kb": round(before / 1024, 1),
        "search_kb_all": round(sum(searching.values()) / 1024, 1),
        "total_kb": round(sum(sizes.values()) / 1024, 1),
        "ms_after_load": round(max(0.0, first - loaded), 1),
        "ms_after_start": round(first, 1),
        "marks": marks,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built and indexed site (_build/html)")
    parser.add_argument("--results", type=Path, help="write the figures to this JSON file")
    parser.add_argument(
        "--repeat", type=int, default=5, help="visits per query, in turns (default 5); rows show the median"
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    posts = json.loads((args.site / "kb-search" / "terms.json").read_text(encoding="utf-8"))["posts"]
    with serve(args.site) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        measure_query(browser, base, "factory")  # the first Chromium page pays for its own start
        visits: dict[str, list[dict[str, Any]]] = {query: [] for query in QUERIES}
        for _ in range(args.repeat):  # in turns, so that each query sees the same spells of load
            for query in QUERIES:
                visits[query].append(measure_query(browser, base, query))
        browser.close()
    rows = [
        {
            "query": query,
            "search_kb": max(visit["search_kb"] for visit in measured),
            "search_kb_all": max(visit["search_kb_all"] for visit in measured),
            "total_kb": max(visit["total_kb"] for visit in measured),
            "ms_after_load": statistics.median(visit["ms_after_load"] for visit in measured),
            "ms_after_load_each": [visit["ms_after_load"] for visit in measured],
            "visits": measured,
        }
        for query, measured in visits.items()
    ]
    print(f"{posts} posts")
    print(
        "| query | search KB to first results | search KB in all | page + search KB "
        "| ms after load, median | each visit |"
    )
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        each = ", ".join(f"{ms:.0f}" for ms in row["ms_after_load_each"])
        print(
            f"| {row['query']} | {row['search_kb']} | {row['search_kb_all']} | {row['total_kb']} "
            f"| {row['ms_after_load']:.0f} | {each} |"
        )
    summary = {
        "posts": posts,
        "max_search_kb": max(row["search_kb"] for row in rows),
        "max_total_kb": max(row["total_kb"] for row in rows),
        "repeat": args.repeat,
        "median_ms_after_load": statistics.median(row["ms_after_load"] for row in rows),
        "max_median_ms_after_load": max(row["ms_after_load"] for row in rows),
        "max_ms_after_load": max(max(row["ms_after_load_each"]) for row in rows),
        "rows": rows,
    }
    print(json.dumps({key: value for key, value in summary.items() if key != "rows"}))
    if args.results:
        args.results.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
