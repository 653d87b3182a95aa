"""The search dialog at scale: how long each keystroke takes to show its results.

    .venv/bin/python benchmarks/make_corpus.py --posts 1000 --out /tmp/kb1000
    (cd /tmp/kb1000 && python -m sphinx -b html -j 3 . _build/html)
    .venv/bin/python benchmarks/search_dialog.py /tmp/kb1000/_build/html \\
        --results benchmarks/search-dialog-1000.json

For each query, a fresh headless Chromium page (empty cache) opens a post, presses Ctrl+K and
types the query one key at a time, ``--delay`` ms apart (120 ms: a fast typist), three times
(``--repeat``), the queries in turns. Each keystroke is timed on the page's own clock, from
its ``keydown`` event to the dialog's list holding that query's whole first page of results
(the dialog's ``kb-dialog:shown`` mark for that text, set once the last result of the page
is in the list); a keystroke that a newer one overtook before its results came counts as missed. The
keystrokes before the first results (the dialog's first search also loads the worker and the
index) are reported apart, as the time from Ctrl+K to the first results.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from browser import launch, serve

QUERIES = [
    "how much deposit should I pay",
    "pre-shipment inspection",
    "can the factory keep my mould",
    "letter of credit",
    "inspecton report",
]
RECORD_KEYS = """
window.__keys = [];
window.addEventListener('keydown', (event) => {
  if (event.target && event.target.id === 'kb-search-dialog-input' && event.key.length === 1) {
    window.__keys.push(event.timeStamp);
  }
}, true);
window.addEventListener('keydown', (event) => {
  if (event.key === 'k' && event.ctrlKey) window.__opened = event.timeStamp;
}, true);
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(browser: Any, address: str, query: str, delay: int) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(RECORD_KEYS)
    page.goto(address)
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Control+k")
    page.keyboard.type(query, delay=delay)
    page.wait_for_function(
        "(typed) => performance.getEntriesByName('kb-dialog:shown').some((mark) => mark.detail === typed)",
        arg=query,
        timeout=30_000,
    )
    keys, opened, marks = page.evaluate(
        "() => [window.__keys, window.__opened,"
        " performance.getEntriesByName('kb-dialog:shown').map((mark) => [mark.detail, mark.startTime])]"
    )
    context.close()
    # The dialog's marks name the box's text: key i typed query[:i].
    shown: dict[int, float] = {}
    for typed, moment in marks:
        shown.setdefault(len(typed), moment)
    first = min(shown)
    times = [
        round(shown[number] - keys[number - 1], 1)
        for number in range(first + 1, len(query) + 1)
        if number in shown
    ]
    missed = [number for number in range(first + 1, len(query) + 1) if number not in shown]
    return {
        "query": query,
        "first_results_ms": round(shown[first] - opened, 1),
        "first_results_after_key": first,
        "keystroke_ms": times,
        "missed": missed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built and indexed site (_build/html)")
    parser.add_argument("--results", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--repeat", type=int, default=3, help="visits per query, in turns (default 3)")
    parser.add_argument("--delay", type=int, default=120, help="ms between keys (default 120)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    posts = json.loads((args.site / "kb-search" / "terms.json").read_text(encoding="utf-8"))["posts"]
    post = next(iter(sorted((args.site / "source" / "posts").glob("*.html")))).relative_to(args.site)
    with serve(args.site) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        measure(browser, base + post.as_posix(), "factory", args.delay)  # Chromium's own start
        visits: dict[str, list[dict[str, Any]]] = {query: [] for query in QUERIES}
        for _ in range(args.repeat):
            for query in QUERIES:
                visits[query].append(measure(browser, base + post.as_posix(), query, args.delay))
        browser.close()
    rows = []
    for query, measured in visits.items():
        times = [ms for visit in measured for ms in visit["keystroke_ms"]]
        rows.append(
            {
                "query": query,
                "keystrokes": len(times),
                "median_ms": statistics.median(times),
                "p90_ms": percentile(times, 0.9),
                "max_ms": max(times),
                "missed": sum(len(visit["missed"]) for visit in measured),
                "first_results_ms": statistics.median(visit["first_results_ms"] for visit in measured),
                "visits": measured,
            }
        )
    every = [ms for row in rows for visit in row["visits"] for ms in visit["keystroke_ms"]]
    print(f"{posts} posts, a key every {args.delay} ms, {args.repeat} visits per query")
    print(
        "| query | keystrokes timed | median ms | 90th percentile ms | max ms | missed "
        "| Ctrl+K to first results, ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['query']} | {row['keystrokes']} | {row['median_ms']:.0f} | {row['p90_ms']:.0f} "
            f"| {row['max_ms']:.0f} | {row['missed']} | {row['first_results_ms']:.0f} |"
        )
    summary = {
        "posts": posts,
        "delay_ms": args.delay,
        "repeat": args.repeat,
        "keystrokes": len(every),
        "median_ms": statistics.median(every),
        "p90_ms": percentile(every, 0.9),
        "p99_ms": percentile(every, 0.99),
        "max_ms": max(every),
        "within_50_ms": round(sum(ms <= 50 for ms in every) / len(every), 3),
        "missed": sum(row["missed"] for row in rows),
        "median_first_results_ms": statistics.median(row["first_results_ms"] for row in rows),
        "rows": rows,
    }
    print(json.dumps({key: value for key, value in summary.items() if key != "rows"}))
    if args.results:
        args.results.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
