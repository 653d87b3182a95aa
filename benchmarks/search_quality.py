"""Search quality: mean reciprocal rank of the query set, in a real browser, ours against Sphinx's.

The corpus is the shipped site (its post, glossary and pages) plus the posts written for the
tests in ``tests/search_quality/posts/``; the queries and the post each should find first are
in ``tests/search_quality/queries.yaml``. One build serves both searches: it writes Sphinx's
index too (``kb_sphinx_search``, off on the shipped site), so with the site's own index
(``kb-search/index.json``) set aside, the search page falls back to Sphinx's stock search
(``searchindex.js``); with it, the page searches the Sourcebook way. The command line
(``sourcebook search``) is measured on the same site.

    .venv/bin/python benchmarks/search_quality.py            # prints a table, writes search-quality.json

``tests/test_search_quality.py`` runs the same measurement and holds a floor.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

PROJECT = Path(__file__).resolve().parent.parent
QUALITY = PROJECT / "tests" / "search_quality"
#: Results looked at per query: a post further down counts as not found.
DEPTH = 10

sys.path.insert(0, str(PROJECT / "tests"))

from sourcebook.posts.frontmatter import parse_post  # noqa: E402
from sourcebook.posts.slugs import slug_key  # noqa: E402
from sourcebook.search.command import Searcher  # noqa: E402

from browser import build_html, launch, serve  # noqa: E402


@dataclass(frozen=True)
class Query:
    query: str
    expect: str  # the slug key of the post that should come first
    kind: str


@dataclass
class Score:
    """How one search did on the query set."""

    name: str
    ranks: list[int | None] = field(default_factory=list)  # 1-based rank of the expected post
    top: list[str | None] = field(default_factory=list)  # the first result's slug key

    @property
    def mrr(self) -> float:
        return sum(1 / rank for rank in self.ranks if rank) / len(self.ranks) if self.ranks else 0.0

    @property
    def top1(self) -> int:
        return sum(1 for rank in self.ranks if rank == 1)


def load_queries(path: Path = QUALITY / "queries.yaml") -> list[Query]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Query(str(item["query"]), slug_key(str(item["expect"]).strip("/")), str(item.get("kind", "")))
        for item in items
    ]


def make_site(target: Path) -> Path:
    """The shipped site with the test posts added to its posts."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("conf.py", "index.md"):
        shutil.copy2(PROJECT / name, target / name)
    for folder in ("source", "_static"):
        shutil.copytree(PROJECT / folder, target / folder)
    for post in sorted((QUALITY / "posts").glob("*.md")):
        shutil.copy2(post, target / "source" / "posts" / post.name)
    return target


def build(site: Path, outdir: Path) -> None:
    """Build the site's HTML with Sphinx in a child process (as ``make html`` does), strictly,
    with Sphinx's own index as well, for the baseline."""
    try:
        build_html(site, outdir, "-W", "--keep-going", "-j", "2", "-D", "kb_sphinx_search=1")
    except subprocess.CalledProcessError as error:
        raise RuntimeError(f"the search-quality site did not build:\n{error.stderr}") from error


def slugs_by_page(site: Path) -> dict[str, str]:
    """Each post page's path in the output (``source/posts/x.html``) to its slug key."""
    pages = {}
    for path in sorted((site / "source" / "posts").glob("*.md")):
        post = parse_post(path.read_text(encoding="utf-8"), path.stem)
        pages[f"source/posts/{path.stem}.html"] = slug_key(post.frontmatter.slug)
    return pages


def page_of(url: str, base: str) -> str:
    path = urlsplit(url).path
    prefix = urlsplit(base).path
    return path[len(prefix) :] if path.startswith(prefix) else path.lstrip("/")


def rank_of(expected: str, found: Sequence[str]) -> int | None:
    return found.index(expected) + 1 if expected in found else None


def score(name: str, queries: Iterable[Query], answer: Callable[[str], list[str]]) -> Score:
    result = Score(name)
    for query in queries:
        found = answer(query.query)[:DEPTH]
        result.ranks.append(rank_of(query.expect, found))
        result.top.append(found[0] if found else None)
    return result


def browser_answers(page: Any, base: str, pages: dict[str, str], *, ours: bool) -> Callable[[str], list[str]]:
    """Ask the site's search page in the browser; the slugs of its results, in order."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # What the page said, for a failure: a search that never finishes leaves no other trace.
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))

    def wait_for(condition: str, query: str, timeout: float) -> None:
        try:
            page.wait_for_function(condition, timeout=timeout)
        except PlaywrightTimeout as error:
            results = page.evaluate("() => document.querySelector('#search-results')?.outerHTML ?? '(none)'")
            said = "\n".join(console[-20:]) or "(nothing)"
            raise AssertionError(
                f"the search for {query!r} did not finish: {error}\nconsole:\n{said}\n"
                f"#search-results: {results[:2000]}"
            ) from None

    def answer(query: str) -> list[str]:
        console.clear()
        page.goto(f"{base}search.html?q={quote(query)}")
        if ours:
            wait_for(
                "() => /results? for/.test(document.querySelector('.kb-search-message')?.textContent || '')",
                query,
                30_000,
            )
            links = page.eval_on_selector_all(
                ".kb-search-result-link", "links => links.map(link => link.href)"
            )
        else:
            # Sphinx's search writes its summary when it is done.
            wait_for(
                "() => { const s = document.querySelector('#search-results .search-summary, "
                "#search-results p'); return s && /found|did not match/i.test(s.textContent); }",
                query,
                30_000,
            )
            links = page.eval_on_selector_all(
                "#search-results ul.search li a", "links => links.map(a => a.href)"
            )
        slugs = []
        for link in links:
            slug = pages.get(page_of(link, base))
            if slug and slug not in slugs:
                slugs.append(slug)
        return slugs

    return answer


def cli_answers(outdir: Path, pages: dict[str, str]) -> Callable[[str], list[str]]:
    searcher = Searcher(outdir)

    def answer(query: str) -> list[str]:
        _, hits = searcher.search(query, limit=DEPTH)
        return [pages.get(hit.post.url, hit.post.url) for hit in hits]

    return answer


def measure(workdir: Path) -> dict[str, Any]:
    """Build the corpus, index it, and score Sphinx's search, ours and the command line."""
    from playwright.sync_api import sync_playwright

    queries = load_queries()
    site = make_site(workdir / "site")
    outdir = workdir / "html"
    build(site, outdir)
    pages = slugs_by_page(site)
    scores: dict[str, Score] = {}
    # Playwright starts only after every build: it must not be alive when a build forks.
    with serve(outdir) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        index = outdir / "kb-search" / "index.json"
        aside = index.with_name("index.json.aside")
        index.rename(aside)  # the search page falls back to Sphinx's search
        try:
            scores["sphinx"] = score(
                "Sphinx stock search", queries, browser_answers(page, base, pages, ours=False)
            )
        finally:
            aside.rename(index)
        page.close()
        page = browser.new_page()
        scores["sourcebook"] = score(
            "Sourcebook search", queries, browser_answers(page, base, pages, ours=True)
        )
        page.close()
        browser.close()
    scores["cli"] = score("sourcebook search (CLI)", queries, cli_answers(outdir, pages))
    return {
        "posts": len(pages),
        "queries": [asdict(query) for query in queries],
        "scores": {
            key: {"name": s.name, "mrr": round(s.mrr, 3), "top1": s.top1, "ranks": s.ranks, "top": s.top}
            for key, s in scores.items()
        },
    }


def report(results: dict[str, Any]) -> str:
    queries = results["queries"]
    lines = [f"{len(queries)} queries over {results['posts']} posts", ""]
    lines.append("| search | MRR | top-1 hits |")
    lines.append("|---|---:|---:|")
    for item in results["scores"].values():
        lines.append(f"| {item['name']} | {item['mrr']:.3f} | {item['top1']} / {len(queries)} |")
    lines.append("")
    ours, sphinx = results["scores"]["sourcebook"], results["scores"]["sphinx"]
    for index, query in enumerate(queries):
        if ours["ranks"][index] != 1:
            lines.append(
                f"- {query['query']!r} ({query['kind']}): expected {query['expect']}, ours ranked it "
                f"{ours['ranks'][index]}, first was {ours['top'][index]}; "
                f"Sphinx ranked it {sphinx['ranks'][index]}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=Path(__file__).parent / "search-quality.json")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (site/ and html/)")
    args = parser.parse_args(argv)
    if args.keep:
        results = measure(args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="kb-quality-") as temporary:
            results = measure(Path(temporary))
    args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
