"""Slugs' pure helpers: the closest known slugs to a missing one, as difflib names them."""

from __future__ import annotations

import difflib
import random
import sys
from pathlib import Path

import pytest

from sourcebook.posts.slugs import SlugIndex, slug_key, unknown_slug

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from make_corpus import post_title

LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789-"


def difflib_answer(slug: str, known: list[str]) -> list[str]:
    """What the suggestion was before the index: difflib against every known slug."""
    spelling = {slug_key(known_slug): known_slug for known_slug in reversed(known)}
    close = difflib.get_close_matches(slug_key(slug), list(spelling), n=3, cutoff=0.5)
    return [spelling[key] for key in close]


def typo(slug: str, rng: random.Random) -> str:
    """One to three edits: a letter added, dropped, changed, or two swapped."""
    letters = list(slug)
    for _ in range(rng.choice([1, 1, 2, 3])):
        at = rng.randrange(len(letters))
        edit = rng.choice("adcs")
        if edit == "a":
            letters.insert(at, rng.choice(LETTERS))
        elif edit == "d" and len(letters) > 2:
            del letters[at]
        elif edit == "c":
            letters[at] = rng.choice(LETTERS)
        elif edit == "s" and at + 1 < len(letters):
            letters[at], letters[at + 1] = letters[at + 1], letters[at]
    return "".join(letters)


def missing_slugs(known: list[str], count: int, rng: random.Random) -> list[str]:
    """Links to slugs no post has, as imported blogs and hurried authors write them."""
    asked = []
    for number in range(count):
        slug = rng.choice(known)
        kind = number % 6
        if kind == 0:
            asked.append(typo(slug, rng))
        elif kind == 1:  # a post of the same blog that was never imported
            asked.append(post_title(1, len(known) + 1 + number)[1].strip("/"))
        elif kind == 2:  # the first words only
            asked.append("-".join(slug.split("-")[: rng.randint(1, 6)]))
        elif kind == 3:  # a word left out
            words = slug.split("-")
            del words[rng.randrange(len(words))]
            asked.append("-".join(words))
        elif kind == 4:  # another case, the old number
            asked.append(slug.upper()[: rng.randint(5, len(slug))] + str(rng.randrange(100)))
        else:  # unrelated text
            asked.append("".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 30))))
    return asked


@pytest.mark.parametrize(("posts", "queries"), [(12, 200), (150, 300), (1200, 60)])
def test_the_index_names_what_difflib_names(posts: int, queries: int) -> None:
    """Over the benchmark's slugs (twelve title templates: many slugs alike) and hundreds of
    missing ones, the index's suggestions are difflib's, in difflib's order."""
    rng = random.Random(posts)
    known = [post_title(1, index)[1].strip("/") for index in range(1, posts + 1)]
    known += ["Protect-Your-Business", "protect-your-business-2", "deposit", "l-c-terms"]
    index = SlugIndex(known)
    asked = missing_slugs(known, queries, rng)
    answers = [(slug, index.closest(slug)) for slug in asked]
    assert answers == [(slug, difflib_answer(slug, known)) for slug in asked]
    # Not an empty agreement: most missing slugs get suggestions, typos their own slug first.
    assert sum(bool(close) for _slug, close in answers) > queries // 2
    assert all(close for number, (_slug, close) in enumerate(answers) if number % 6 == 0)  # typos


def test_a_typo_names_its_slug_first_in_the_author_s_spelling() -> None:
    index = SlugIndex(["Protect-Your-Business-When-Buying-Goods-From-China", "deposits", "moulds"])
    assert index.closest("protect-your-busines-when-buying-goods-from-china") == [
        "Protect-Your-Business-When-Buying-Goods-From-China"
    ]
    assert unknown_slug("depositts", index) == "no post has the slug 'depositts'; did you mean 'deposits'?"


def test_nothing_close_asks_to_check_the_slug() -> None:
    index = SlugIndex(["deposits", "moulds"])
    assert index.closest("zzzzzzzzzzzzzzzz") == []
    assert unknown_slug("zzzzzzzzzzzzzzzz", index) == (
        "no post has the slug 'zzzzzzzzzzzzzzzz'; check the slug in the target post's frontmatter"
    )
    assert SlugIndex([]).closest("deposits") == []


def test_at_most_three_are_named_and_ties_go_as_in_difflib() -> None:
    known = [f"sample-{letter}" for letter in "abcdefgh"]  # all equally close to "sample-x"
    assert SlugIndex(known).closest("sample-x") == difflib_answer("sample-x", known)
    assert len(SlugIndex(known).closest("sample-x")) == 3
