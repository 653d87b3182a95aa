"""Term profiles and the related-post ranking (pure: no Sphinx)."""

from __future__ import annotations

import math
import random

import pytest

from sourcebook.knowledge import similarity
from sourcebook.knowledge.similarity import (
    TAG_BONUS,
    TERM_BONUS,
    feature_vectors,
    make_profile,
    rank_related,
    score,
    stem,
    term_counts,
    tokens,
)


def brute_force(
    profiles: dict[str, dict[str, int]],
    tags: dict[str, list[str]],
    terms: dict[str, list[str]],
    k: int,
    dates: dict[str, str | None],
) -> dict[str, list[str]]:
    """Every pair scored: what rank_related must equal (or come close to, on large corpora)."""
    vectors = feature_vectors(profiles, tags, terms)
    order = sorted(sorted(vectors), key=lambda doc: dates.get(doc) or "", reverse=True)
    result = {}
    for doc in sorted(vectors):
        scored = [(score(vectors[doc], vectors[other]), other) for other in order if other != doc]
        scored.sort(key=lambda item: -item[0])  # stable: ties stay newest first
        result[doc] = [other for value, other in scored[:k] if value > 0]
    return result


# --- Words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("forms", "key"),
    [
        (["inspect", "inspects", "inspected", "inspecting", "inspection", "inspections"], "inspect"),
        (["ship", "ships", "shipped", "shipping", "shipment", "shipments"], "ship"),
        (["pay", "paying", "payment", "payments"], "pay"),
        (["mould", "moulds", "moulding"], "mould"),
        (["factory", "factories"], "factory"),
        (["box", "boxes"], "box"),
        (["batch", "batches"], "batch"),
        (["price", "prices", "priced"], "pric"),
        (["agree", "agreement", "agreements"], "agre"),
        (["negotiate", "negotiation"], "negotiat"),
    ],
)
def test_stem_maps_common_forms_to_one_key(forms: list[str], key: str) -> None:
    assert {stem(form) for form in forms} == {key}


@pytest.mark.parametrize("word", ["process", "business", "analysis", "status", "bus", "lot", "aql", "need"])
def test_stem_leaves_short_words_and_false_plurals(word: str) -> None:
    assert stem(word) == word


def test_tokens_drop_stop_words_numbers_letters_and_possessives() -> None:
    text = "The factory’s MOULD, and the supplier's 30% deposit: don't pay it's 2.5 x T/T"
    assert tokens(text) == ["factory", "mould", "supplier", "deposit", "pay"]


def test_tokens_keep_words_of_other_scripts() -> None:
    assert tokens("Ask for a 合同 (contract)") == ["ask", "合同", "contract"]


def test_term_counts_add_up_the_forms_of_a_word() -> None:
    assert term_counts("Inspections, an inspection, inspected goods.") == {"inspect": 3, "good": 1}


def test_profile_keeps_the_most_frequent_terms_ties_by_term() -> None:
    profile = make_profile("mould mould mould steel steel cavity zinc alloy", size=3)
    assert profile == {"mould": 3, "steel": 2, "alloy": 1}
    assert list(profile) == ["mould", "steel", "alloy"]


def test_profile_counts_title_words_more() -> None:
    profile = make_profile("deposit deposit deposit deposit balance", title="The balance")
    assert profile == {"deposit": 4, "balanc": 1 + similarity.TITLE_WEIGHT}


def test_empty_text_has_an_empty_profile() -> None:
    assert make_profile("") == {}
    assert make_profile("mould steel", size=0) == {}
    assert make_profile("The, and: of 2024!") == {}


# --- Vectors and scores -----------------------------------------------------------------


def test_vectors_are_unit_length_and_ignore_terms_every_post_has() -> None:
    profiles = {"a": {"mould": 3, "steel": 1, "order": 2}, "b": {"deposit": 2, "order": 5}}
    vectors = feature_vectors(profiles, {}, {})
    assert "order" not in vectors["a"] and "order" not in vectors["b"]
    for vector in vectors.values():
        assert math.isclose(sum(weight * weight for weight in vector.values()), 1.0)
    assert vectors["a"]["mould"] > vectors["a"]["steel"]


def test_tags_and_glossary_terms_add_their_bonus_once_each() -> None:
    profiles = {"a": {"mould": 1}, "b": {"deposit": 1}}
    vectors = feature_vectors(
        profiles, {"a": ["Moulds", "moulds", "China"], "b": ["moulds", "china"]}, {"a": ["moq"], "b": ["MOQ"]}
    )
    assert score(vectors["a"], vectors["b"]) == pytest.approx(2 * TAG_BONUS + TERM_BONUS)


def test_score_is_symmetric_to_the_last_bit() -> None:
    rng = random.Random(3)
    words = [f"w{number}" for number in range(30)]
    profiles = {f"d{n}": {word: rng.randint(1, 9) for word in rng.sample(words, 12)} for n in range(20)}
    vectors = feature_vectors(profiles, {}, {})
    for first in vectors.values():
        for second in vectors.values():
            assert score(first, second) == score(second, first)


# --- Ranking ----------------------------------------------------------------------------

TOPICS = {
    "mould-1": "mould mould tooling steel cavity injection",
    "mould-2": "mould tooling tooling steel ownership",
    "mould-3": "mould injection cavity shots maintenance",
    "pay-1": "deposit deposit balance payment bank",
    "pay-2": "balance balance payment deposit leverage",
    "pay-3": "letter credit bank payment documents",
    "ship-1": "container forwarder vessel port freight",
    "ship-2": "forwarder freight port customs export",
}


def topic_profiles() -> dict[str, dict[str, int]]:
    return {doc: make_profile(text) for doc, text in TOPICS.items()}


def test_posts_relate_to_their_topic_best_first() -> None:
    related = rank_related(topic_profiles(), {}, {}, 3).related
    assert set(related["mould-1"][:2]) == {"mould-2", "mould-3"}
    assert set(related["pay-1"][:2]) == {"pay-2", "pay-3"}
    assert related["ship-1"] == ["ship-2"]  # it shares no word with any other post
    for doc, others in related.items():
        assert doc not in others
        assert len(others) == len(set(others)) <= 3


def test_a_post_sharing_nothing_has_no_related_posts() -> None:
    profiles = {**topic_profiles(), "alone": make_profile("canton fair hotel booking")}
    related = rank_related(profiles, {}, {}, 4).related
    assert related["alone"] == []
    assert all("alone" not in others for others in related.values())


def test_count_zero_relates_nothing() -> None:
    assert rank_related(topic_profiles(), {}, {}, 0).related == {doc: [] for doc in sorted(TOPICS)}


def test_a_shared_tag_outweighs_a_little_text() -> None:
    profiles = {"a": {"mould": 2, "steel": 1}, "b": {"mould": 1, "zinc": 3}, "c": {"steel": 1, "zinc": 1}}
    profiles |= {f"filler{n}": {"filler": 1, f"x{n}": 1} for n in range(3)}
    assert rank_related(profiles, {}, {}, 2).related["a"] == ["b", "c"]
    assert rank_related(profiles, {"a": ["tooling"], "c": ["Tooling"]}, {}, 2).related["a"] == ["c", "b"]


def test_a_shared_glossary_term_counts() -> None:
    profiles = {"a": {"deposit": 1}, "b": {"balance": 1}, "c": {"freight": 1}, "d": {"port": 1}}
    related = rank_related(profiles, {}, {"a": ["t/t", "moq"], "b": ["t/t"], "c": ["moq", "t/t"]}, 3).related
    assert related["a"] == ["c", "b"]
    assert related["d"] == []


def test_ties_go_to_the_newer_post_then_the_docname() -> None:
    profiles = {"target": {"mould": 1}, "old": {"mould": 1}, "new": {"mould": 1}, "b-undated": {"mould": 1}}
    profiles |= {"a-undated": {"mould": 1}, "other": {"deposit": 1}}
    dates = {"target": "2020-01-01", "old": "2017-01-01", "new": "2021-01-01"}
    related = rank_related(profiles, {}, {}, 4, dates).related
    assert related["target"] == ["new", "old", "a-undated", "b-undated"]


def test_the_order_of_the_inputs_does_not_matter() -> None:
    profiles = topic_profiles()
    tags = {"mould-1": ["moulds"], "mould-3": ["moulds"], "pay-3": ["bank"], "pay-1": ["bank"]}
    expected = rank_related(profiles, tags, {}, 4).related
    shuffled = list(profiles.items())
    random.Random(1).shuffle(shuffled)
    assert rank_related(dict(shuffled), dict(reversed(tags.items())), {}, 4).related == expected


def random_corpus(
    count: int, vocabulary: int, words: int, seed: int, topics: int = 0
) -> tuple[dict[str, dict[str, int]], dict[str, list[str]], dict[str, list[str]], dict[str, str | None]]:
    """Posts of random words (a few of them everywhere, as in any language), each on one topic."""
    rng = random.Random(seed)
    names = [f"w{number}" for number in range(vocabulary)]
    weights = [1 / (number + 1) for number in range(vocabulary)]  # Zipf
    topic_words = [[f"t{topic}x{number}" for number in range(30)] for topic in range(topics)]
    profiles, tags, terms, dates = {}, {}, {}, {}
    for number in range(count):
        doc = f"doc{number:04d}"
        drawn = rng.choices(names, weights, k=words)
        if topics:
            drawn += rng.choices(rng.choice(topic_words), k=words // 5)
        counts: dict[str, int] = {}
        for word in drawn:
            counts[word] = counts.get(word, 0) + 1
        profiles[doc] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:40])
        tags[doc] = rng.sample(["inspection", "deposit", "moulds", "shipping", "oem", "quality"], 2)
        terms[doc] = rng.sample(["moq", "fob", "aql", "t/t", "oem", "lc"], rng.randint(0, 2))
        dates[doc] = f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-01" if number % 7 else None
    return profiles, tags, terms, dates


def test_a_site_of_rare_features_is_ranked_exactly() -> None:
    # 60 posts: every feature is in fewer posts than a champion list holds, every post has
    # fewer features than it queries, so the candidates' partial scores are their full scores.
    profiles, tags, terms, dates = random_corpus(60, vocabulary=400, words=8, seed=5)
    assert len(profiles) > similarity.MIN_CANDIDATES + 1
    expected = brute_force(profiles, tags, terms, 4, dates)
    assert rank_related(profiles, tags, terms, 4, dates).related == expected


def test_a_large_site_is_ranked_nearly_exactly() -> None:
    # 400 posts on 12 topics over a Zipf vocabulary: common words are in far more posts than
    # their champion lists hold. The lists found must score within 3% of the best possible.
    profiles, tags, terms, dates = random_corpus(400, vocabulary=3000, words=300, seed=11, topics=12)
    related = rank_related(profiles, tags, terms, 4, dates).related
    best = brute_force(profiles, tags, terms, 4, dates)
    vectors = feature_vectors(profiles, tags, terms)

    def total(lists: dict[str, list[str]]) -> float:
        return sum(score(vectors[doc], vectors[other]) for doc, others in lists.items() for other in others)

    assert total(related) >= 0.97 * total(best)
    assert sum(related[doc][:1] == best[doc][:1] for doc in best) >= 0.9 * len(best)
    assert all(doc not in others and len(others) == 4 for doc, others in related.items())


@pytest.mark.parametrize("edit", ["counts", "new term", "tags", "terms", "date", "removed", "added"])
def test_a_ranking_again_after_an_edit_equals_a_ranking_from_scratch(edit: str) -> None:
    """Answers taken over from the previous ranking are exactly those a fresh ranking gives,
    and an edit of one post (most often) ranks few others again."""
    profiles, tags, terms, dates = random_corpus(400, vocabulary=3000, words=300, seed=11, topics=12)
    previous = rank_related(profiles, tags, terms, 4, dates)
    edited = "doc0123"
    profile = dict(profiles[edited])
    if edit == "counts":
        profile = {term: count + (index % 3) for index, (term, count) in enumerate(profile.items())}
    elif edit == "new term":
        profile["zanzibar"] = 9
    elif edit == "tags":
        tags = {**tags, edited: ["packaging"]}
    elif edit == "terms":
        terms = {**terms, edited: ["incoterms"]}
    elif edit == "date":
        dates = {**dates, edited: "2030-01-01"}
    profiles = {**profiles, edited: profile}
    if edit == "removed":
        profiles = {doc: value for doc, value in profiles.items() if doc != edited}
    elif edit == "added":
        profiles = {**profiles, "doc9999": dict(profiles["doc0007"])}
    again = rank_related(profiles, tags, terms, 4, dates, previous=previous)
    assert again.related == rank_related(profiles, tags, terms, 4, dates).related
    if edit == "counts":
        kept = sum(again.related[doc] is previous.related[doc] for doc in again.related)
        assert kept >= 0.7 * len(profiles)
