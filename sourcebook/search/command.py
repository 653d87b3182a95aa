"""``sourcebook search``: the site's search on the command line, over the built site.

It reads the query as the search page does (:mod:`sourcebook.search.query`, same data
files) and ranks the posts of the site's index (:mod:`sourcebook.search.index`, the files the
page fetches) the same way: per unit, BM25 over the posts' weighted stems (headings weigh
more), each unit's scores divided by its best post's, weighed by the unit's rarity, summed.
``static/kb-search-engine.js`` is its twin, and a browser test checks they give the same scores.
No browser, no network.
"""

from __future__ import annotations

import bisect
import json
import math
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sourcebook.search.corpus import SearchedPost, query_stems, stems
from sourcebook.search.index import read_index
from sourcebook.search.query import (
    SEARCH_DATA,
    TERMS_FILE,
    Analysis,
    QueryData,
    Unit,
    analyse,
    concepts_from_json,
    idf,
    is_chinese,
    normalise,
    words_of,
)
from sourcebook.terminal import printable

#: BM25's term saturation and length normalisation (those of Pagefind's ranking, which the
#: site used before it had its own index; docs/decisions.md).
K1 = 1.4
B = 0.75
SNIPPET_WORDS = 30
#: How much more a word of the post's title counts, as BM25 over the titles added to the
#: body's: matches in the title rank far above the same words in the text.
TITLE_WEIGHT = 6.0


def _length_bonus(differential: int) -> float:
    """Between 0 and 1: 1 for a stem as long as the query's, less as it is longer."""
    return math.exp(math.exp(-0.5 * differential**2 / 4.0) - 1.0)


@dataclass(frozen=True)
class Hit:
    post: SearchedPost
    score: float
    section: dict[str, Any] | None  # the section holding most of the query, when not the top
    snippet: str
    matched: tuple[str, ...]  # the stems (or Chinese names) the snippet highlights


class Searcher:
    """A built site's posts and query data, loaded once."""

    def __init__(self, site: Path) -> None:
        self.site = site
        folder = site / SEARCH_DATA
        terms = json.loads((folder / TERMS_FILE).read_text(encoding="utf-8"))
        index, self.posts = read_index(site)
        self.average_length = float(index["averageLength"])
        self.average_title_length = float(index["averageTitleLength"])
        # The index lists posts newest first, then by address: the order of ties.
        self.position = {post.url: number for number, post in enumerate(self.posts)}
        self.document_frequency: Counter[str] = Counter()
        for post in self.posts:
            self.document_frequency.update(post.stems.keys())
        self.sorted_stems = sorted(self.document_frequency)
        self.data = QueryData(
            concepts=concepts_from_json(terms),
            stop_words=frozenset(terms.get("stopWords", ())),
            words_by_letter=_LetterWords(folder / "words", terms.get("wordFiles", {})),
            posts=int(terms.get("posts", 0)),
        )

    def analyse(self, query: str) -> Analysis:
        return analyse(query, self.data)

    def _extensions(self, stem: str) -> list[str]:
        """The site's stems a query stem matches: those it begins, else the longest it begins with."""
        found = []
        index = bisect.bisect_left(self.sorted_stems, stem)
        while index < len(self.sorted_stems) and self.sorted_stems[index].startswith(stem):
            found.append(self.sorted_stems[index])
            index += 1
        if not found:
            for end in range(len(stem) - 1, 0, -1):
                if stem[:end] in self.document_frequency:
                    return [stem[:end]]
        return found

    def scores(self, search: str) -> dict[str, float]:
        """Each post's score for one search string.

        Every word of the search must match (as a prefix of a stem of the post); each matched
        stem adds BM25 of its heading-weighted count, scaled down as it is longer than the
        query's stem.
        """
        searched = query_stems(search)
        wanted = [self._extensions(stem) for stem in searched]
        if not wanted or not all(wanted):
            return {}
        scores: dict[str, float] = {}
        for post in self.posts:
            title = post.title_stems
            title_norm = K1 * (1 - B + B * post.title_length / self.average_title_length)
            total = 0.0
            for stem, extensions in zip(searched, wanted, strict=True):
                matched = False
                for word in extensions:
                    count = post.stems.get(word)
                    if not count:
                        continue
                    matched = True
                    bonus = _length_bonus(abs(len(word) - len(stem)) + 1)
                    weighted = count * bonus
                    norm = K1 * (1 - B + B * post.length / self.average_length)
                    rarity = idf(len(self.posts), self.document_frequency[word])
                    total += rarity * (K1 + 1) * weighted / (norm + weighted)
                    if in_title := title.get(word, 0) * bonus:
                        total += rarity * TITLE_WEIGHT * (K1 + 1) * in_title / (title_norm + in_title)
                if not matched:
                    break
            else:
                scores[post.url] = total
        return scores

    def rank(
        self, analysis: Analysis, tags: Sequence[str] = (), years: Sequence[str] = ()
    ) -> list[tuple[SearchedPost, float]]:
        """Posts matching at least one unit, best first (ties: newer, then address).

        Tags and years filter as the search page's filters do: any of the tags, any of the years.
        """
        wanted_tags = {tag.lower() for tag in tags}
        by_url = {
            post.url: post
            for post in self.posts
            if (not wanted_tags or wanted_tags & {tag.lower() for tag in post.tags})
            and (not years or post.year in years)
        }
        total: dict[str, float] = {}
        for unit in analysis.units:
            best: dict[str, float] = {}
            matching = 0
            for search in unit.searches:
                scores = self.scores(search)
                matching = max(matching, len(scores))  # counted before filters
                shown = {url: score for url, score in scores.items() if url in by_url}
                top = max(shown.values(), default=0.0)
                for url, score in shown.items():
                    best[url] = max(best.get(url, 0.0), score / top if top else 0.0)
            weight = idf(len(self.posts), matching)
            for url, share in best.items():
                total[url] = total.get(url, 0.0) + weight * share
        ranked = [(by_url[url], round(score, 9)) for url, score in total.items()]
        ranked.sort(key=lambda item: (-item[1], self.position[item[0].url]))
        return ranked

    def search(
        self, query: str, tags: Sequence[str] = (), years: Sequence[str] = (), limit: int = 10
    ) -> tuple[Analysis, list[Hit]]:
        analysis = self.analyse(query)
        ranked = self.rank(analysis, tags, years)[:limit]
        hits = [self._hit(post, score, analysis.units) for post, score in ranked]
        return analysis, hits

    def _hit(self, post: SearchedPost, score: float, units: Sequence[Unit]) -> Hit:
        wanted: set[str] = set()
        chinese: list[str] = []
        for unit in units:
            for search in unit.searches:
                if is_chinese(search):
                    chinese.append(search)
                else:
                    wanted.update(stems(words_of(search)))
        best_section: dict[str, Any] | None = None
        best_count = 0
        for index, section in enumerate(post.sections):
            text = normalise(f"{section['title']} {section['text']}")
            count = sum(1 for stem in stems(words_of(text)) if stem in wanted) + sum(
                text.count(c) for c in chinese
            )
            if count > best_count or (count == best_count and best_section is None and index == 0):
                best_section, best_count = section, count
        snippet = _snippet(best_section["text"] if best_section else "", wanted, chinese)
        shown = (
            best_section
            if best_section and best_section.get("anchor") and best_section["level"] > 1
            else None
        )
        return Hit(post, score, shown, snippet, tuple(sorted(wanted)) + tuple(chinese))


class _LetterWords(dict[str, dict[str, int]]):
    """The letters' words, each file of ``words/`` read when one of its letters is first asked for."""

    def __init__(self, folder: Path, files: Mapping[str, str]) -> None:
        super().__init__()
        self.folder = folder
        self.files = files

    def get(self, letter: str, default: Any = None) -> Any:
        if letter not in self:
            name = self.files.get(letter)
            path = self.folder / name if name else None
            data = json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}
            for each, words in data.items():
                self[each] = words
            self.setdefault(letter, {})
        return self[letter]


def _snippet(text: str, wanted: set[str], chinese: Sequence[str]) -> str:
    """About ``SNIPPET_WORDS`` words of a text around its first match, matches in ``[…]``."""
    words = text.split()
    if not words:
        return ""
    matched = [
        any(stem in wanted for stem in stems(words_of(normalise(word)))) or any(c in word for c in chinese)
        for word in words
    ]
    first = matched.index(True) if any(matched) else 0
    start = max(0, min(first - SNIPPET_WORDS // 3, len(words) - SNIPPET_WORDS))
    shown = [f"[{word}]" if hit else word for word, hit in zip(words, matched, strict=True)][
        start : start + SNIPPET_WORDS
    ]
    return ("… " if start else "") + " ".join(shown) + (" …" if start + SNIPPET_WORDS < len(words) else "")


def hit_json(hit: Hit) -> dict[str, Any]:
    anchor = f"#{hit.section['anchor']}" if hit.section else ""
    return {
        "title": hit.post.title,
        "date": hit.post.date,
        "url": (hit.post.canonical or hit.post.url) + anchor,
        "path": hit.post.url + anchor,
        "section": hit.section["title"] if hit.section else None,
        "tags": hit.post.tags,
        "score": hit.score,
        "snippet": hit.snippet,
    }


def run_search(
    site: Path,
    query: str,
    *,
    tags: Sequence[str] = (),
    years: Sequence[str] = (),
    limit: int = 10,
    as_json: bool = False,
) -> int:
    """Print the results of one query; exit code 0 when something was found, 1 when not, 2 on error."""
    try:
        searcher = Searcher(site)
    except FileNotFoundError:
        print(
            f"sourcebook search: no search data in {site / SEARCH_DATA}: "
            "build the site first (sourcebook build)",
            file=sys.stderr,
        )
        return 2
    except ValueError as error:
        print(f"sourcebook search: {error}", file=sys.stderr)
        return 2
    analysis, hits = searcher.search(query, tags, years, limit)
    if as_json:
        payload = {
            "query": query,
            "corrections": dict(analysis.corrections),
            "units": [unit.text for unit in analysis.units],
            "common": list(analysis.common),
            "results": [hit_json(hit) for hit in hits],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0 if hits else 1
    for typed, fixed in analysis.corrections:
        print(f"(searching for {fixed!r} instead of {typed!r})")
    if analysis.common:
        print(f"(left out, in most posts: {', '.join(analysis.common)})")
    if not hits:
        print(f"No posts found for {query!r}.")
        return 1
    width = len(str(len(hits)))
    for number, hit in enumerate(hits, 1):
        data = hit_json(hit)
        title = printable(hit.post.title) + (f"  ({printable(hit.post.date)})" if hit.post.date else "")
        print(f"{number:>{width}}. {title}")
        indent = " " * (width + 2)
        section = f"  § {printable(hit.section['title'])}" if hit.section else ""
        print(f"{indent}{printable(data['url'])}{section}")
        if hit.snippet:
            print(f"{indent}{printable(hit.snippet)}")
    return 0
