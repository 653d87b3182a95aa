"""Pure text similarity for "Related answers": term profiles and a fast related-post ranking.

A post is reduced at read time to a small *profile*: its most frequent terms (lower-case
words, stop words removed, lightly stemmed) with their counts. At the end of reading,
:func:`rank_related` weighs every profile by TF-IDF over the whole site and ranks, for each
post, the others by

    cosine(TF-IDF profiles) + TAG_BONUS * shared tags + TERM_BONUS * shared glossary terms

All three are folded into one sparse vector per post (a tag is a feature of weight
``√TAG_BONUS``, so a shared tag adds exactly ``TAG_BONUS`` to the dot product), and scores
are found through an inverted index, so only posts that share a feature are ever compared.
To bound the work per post whatever the corpus, a post follows the posting lists of its
``QUERY_FEATURES`` heaviest features only, each cut to its ``CHAMPIONS`` heaviest posts
("champion lists", Manning et al., *Introduction to Information Retrieval* §7.1.3); the
``MIN_CANDIDATES`` best partial scores are then scored exactly. A site of at most
``MIN_CANDIDATES + 1`` posts, or whose posts share fewer features than that, each with
fewer posts, is ranked exactly; a large one nearly so.
Everything is deterministic: inputs are visited in sorted order, scores are summed in a
fixed order and rounded, ties go to the newer post, then to the docname.

Nothing here imports Sphinx; ``sourcebook.knowledge.related`` feeds it from the build.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter, mul

#: Terms kept in a post's profile: enough to describe a 1,000-word post, small to store.
PROFILE_SIZE = 40
#: Title words count this many times: a title says what the post is about.
TITLE_WEIGHT = 3
#: Score added per tag two posts share (a cosine is between 0 and 1).
TAG_BONUS = 0.1
#: Score added per glossary term both posts mention.
TERM_BONUS = 0.05
#: Longest posting list followed per feature; bounds the work per post.
CHAMPIONS = 48
#: A post's heaviest features whose posting lists are followed to find candidates.
QUERY_FEATURES = 24
#: Candidates per post scored exactly, at least.
MIN_CANDIDATES = 16
#: Scores are rounded so that float noise never decides an order.
SCORE_DIGITS = 9

#: Prefixes of the features that are not words (words are ``\w`` runs, never holding these).
TAG_PREFIX = "#"
TERM_PREFIX = "="

_STOP_WORDS = """
    a about above after again against all almost also although always am among an and another
    any anyone anything are around as at be because been before being below between both but by
    can cannot could did do does doing done down during each either else enough etc even ever
    every few for from further get gets getting got had has have having he her here hers herself
    him himself his how however i if in into is it its itself just least less let like made make
    makes many may me might more most much must my myself need needs neither never no nor not now
    of off often on once one only or other others our ours ourselves out over own per perhaps
    quite rather really same say says see seen shall she should since so some something still
    such than that the their theirs them themselves then there these they this those though
    through thus to too under until up upon us use used using very via want was way we well were
    what when where whether which while who whom whose why will with within without would yet you
    your yours yourself yourselves
    cant dont doesnt didnt isnt arent wasnt werent wont wouldnt couldnt shouldnt hasnt havent
    hadnt im ive youre youve youd youll hes shes theyre theyve theyd theyll weve thats whats
    theres heres
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
"""Words too common to say what a post is about (apostrophes are dropped before the lookup)."""

_WORD = re.compile(r"\w\w+")
_POSSESSIVE = re.compile(r"['’]s\b")

Profile = dict[str, int]
"""A post's most frequent terms and their counts."""


@functools.lru_cache(maxsize=1 << 16)  # a site's posts share most of their words
def stem(word: str) -> str:
    """A light suffix stripper: plurals, then one of -ing/-ed/-ion/-ment, a final e, doubled letters.

    It only has to map a word's common forms to the same key (``inspections``, ``inspected``
    and ``inspecting`` all give ``inspect``; ``shipping`` and ``shipment`` give ``ship``),
    never to produce a real word. Snowball's pure-Python English stemmer costs about 50 µs a
    word, a second per hundred posts; this costs about 1 µs.
    """
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ment", "ing", "ion", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and any(vowel in base for vowel in "aeiouy"):
            word = base
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    return word


def _words(text: str) -> list[str]:
    """The text's words, lower-cased, possessives dropped (stop words and numbers still in)."""
    return _WORD.findall(_POSSESSIVE.sub("", text.casefold()).replace("'", "").replace("’", ""))


def _is_term(word: str) -> bool:
    return word not in STOP_WORDS and not word.isdigit()


def tokens(text: str) -> list[str]:
    """The text's words, lower-cased, possessives dropped; stop words, numbers and letters left out."""
    return [word for word in _words(text) if _is_term(word)]


def term_counts(text: str) -> Counter[str]:
    """Each stemmed term of the text and how often it occurs."""
    counts: dict[str, int] = {}
    # Words are counted first (in C), then each distinct one is judged and stemmed once.
    for word, count in Counter(_words(text)).items():
        if _is_term(word):
            term = stem(word)
            counts[term] = counts.get(term, 0) + count
    return Counter(counts)


def make_profile(text: str, title: str = "", size: int = PROFILE_SIZE) -> Profile:
    """A post's ``size`` most frequent terms (title words count ``TITLE_WEIGHT`` times)."""
    if size <= 0:
        return {}
    counts = term_counts(text)
    for term, count in term_counts(title).items():
        counts[term] += count * TITLE_WEIGHT
    items = list(counts.items())
    if len(items) > size:
        # Only the terms counted at least as often as the size-th can be kept: sort those alone.
        least = sorted(counts.values(), reverse=True)[size - 1]
        items = [item for item in items if item[1] >= least]
    ranked = sorted(items, key=lambda item: (-item[1], item[0]))
    return dict(ranked[:size])


def feature_vectors(
    profiles: Mapping[str, Mapping[str, int]],
    tags: Mapping[str, Iterable[str]],
    terms: Mapping[str, Iterable[str]],
) -> dict[str, dict[str, float]]:
    """Each post's sparse vector: unit-length TF-IDF of its terms, plus its tags and glossary terms.

    IDF is ``ln((N + 1) / (df + 1))``: a term in every profile weighs nothing.
    """
    docnames = sorted(profiles)
    frequency: Counter[str] = Counter()
    for docname in docnames:
        frequency.update(profiles[docname].keys())
    total = len(docnames) + 1
    idf = {term: math.log(total / (count + 1)) for term, count in frequency.items()}
    tag_weight = math.sqrt(TAG_BONUS)
    term_weight = math.sqrt(TERM_BONUS)
    vectors: dict[str, dict[str, float]] = {}
    for docname in docnames:
        weights = {
            term: (1.0 + math.log(count)) * idf[term]
            for term, count in sorted(profiles[docname].items())
            if count > 0 and idf[term] > 0.0
        }
        norm = math.sqrt(sum(weight * weight for weight in weights.values()))
        vector = {term: weight / norm for term, weight in weights.items()} if norm else {}
        for tag in sorted({tag.casefold() for tag in tags.get(docname, ())}):
            vector[TAG_PREFIX + tag] = tag_weight
        for term in sorted({term.casefold() for term in terms.get(docname, ())}):
            vector[TERM_PREFIX + term] = term_weight
        vectors[docname] = dict(sorted(vector.items()))
    return vectors


def score(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    """The dot product of two vectors from :func:`feature_vectors`.

    Both vectors hold their features in sorted order, so the shared ones are summed in the
    same order whichever vector comes first: the score is exactly symmetric.
    """
    if len(second) < len(first):
        first, second = second, first
    shared = [feature for feature in first if feature in second]
    total = float(sum(map(mul, map(first.__getitem__, shared), map(second.__getitem__, shared))))
    return round(total, SCORE_DIGITS)


@dataclass
class Ranking:
    """A ranking's answers and the inputs each answer was computed from.

    A post's answer is a function of its vector, the champion lists of its features, the
    vectors of its candidates, the order of ties and ``k``: the next ranking takes it over
    when all of these are the same, so that editing one post ranks again only the posts it
    can change (a few dozen, where ranking them all takes about a second at 1,000 posts).
    """

    k: int = 0
    by_recency: list[str] = field(default_factory=list)
    vectors: dict[str, dict[str, float]] = field(default_factory=dict)
    champions: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    candidates: dict[str, list[str]] = field(default_factory=dict)
    related: dict[str, list[str]] = field(default_factory=dict)


def rank_related(
    profiles: Mapping[str, Mapping[str, int]],
    tags: Mapping[str, Iterable[str]],
    terms: Mapping[str, Iterable[str]],
    k: int,
    dates: Mapping[str, str | None] | None = None,
    previous: Ranking | None = None,
) -> Ranking:
    """Each post's ``k`` most related other posts, best first (in ``related``).

    ``profiles`` names the posts (from :func:`make_profile`); ``tags`` and ``terms`` give
    each post's tags and the glossary terms it mentions; ``dates`` (``'YYYY-MM-DD'``) break
    ties in favour of the newer post, then the docname decides. Only posts with a positive
    score are listed, so a post that shares nothing gets fewer than ``k``, or none. Answers
    are taken over from ``previous`` where their inputs are unchanged (see :class:`Ranking`).
    """
    if k <= 0:
        return Ranking(k=k, related={docname: [] for docname in sorted(profiles)})
    dates = dates or {}
    vectors = feature_vectors(profiles, tags, terms)
    # Newest first, then by docname: the order of every tie.
    by_recency = sorted(sorted(vectors), key=lambda docname: dates.get(docname) or "", reverse=True)
    rank = {docname: index for index, docname in enumerate(by_recency)}

    postings: dict[str, list[tuple[str, float]]] = {}
    for docname in by_recency:
        for feature, weight in vectors[docname].items():
            postings.setdefault(feature, []).append((docname, weight))
    champions: dict[str, list[tuple[str, float]]] = {}
    for feature, posting in postings.items():
        if len(posting) > 1:  # a feature of one post relates nothing
            # sorted(...)[:CHAMPIONS], stable (equal weights stay newest first), without sorting
            # a posting list that holds most of the site whole.
            champions[feature] = heapq.nsmallest(CHAMPIONS, posting, key=lambda entry: -entry[1])

    wanted = max(MIN_CANDIDATES, 3 * k)
    exact = len(vectors) <= wanted + 1  # a small site: every pair is scored
    ranking = Ranking(k, by_recency, vectors, champions)
    same_ties = previous is not None and previous.k == k and previous.by_recency == by_recency
    base = previous if previous is not None and same_ties and not exact else Ranking()
    kept = _unchanged_answers(base, ranking)
    for docname in sorted(vectors):
        if docname in kept:
            ranking.candidates[docname] = base.candidates[docname]
            ranking.related[docname] = base.related[docname]
            continue
        vector = vectors[docname]
        if exact:
            candidates = [other for other in by_recency if other != docname]
        else:
            candidates = _candidates(docname, vector, champions, wanted)
            ranking.candidates[docname] = candidates
        scored = [(score(vector, vectors[other]), rank[other], other) for other in candidates]
        scored.sort(key=lambda item: (-item[0], item[1]))
        ranking.related[docname] = [other for value, _, other in scored[:k] if value > 0]
    return ranking


def _unchanged_answers(previous: Ranking, current: Ranking) -> set[str]:
    """The posts whose answer in ``previous`` came from the inputs they have in ``current``."""
    if not previous.candidates:
        return set()
    changed_vectors = {
        docname for docname, vector in current.vectors.items() if previous.vectors.get(docname) != vector
    }
    # A feature that gained or lost its champion list changes the query of every post that has it.
    shared_now = current.champions.keys() ^ previous.champions.keys()
    changed_lists = shared_now | {
        feature
        for feature in current.champions.keys() & previous.champions.keys()
        if current.champions[feature] != previous.champions[feature]
    }
    return {
        docname
        for docname, vector in current.vectors.items()
        if docname not in changed_vectors
        and docname in previous.candidates
        and shared_now.isdisjoint(vector)
        and changed_lists.isdisjoint(query_features(vector, current.champions))
        and changed_vectors.isdisjoint(previous.candidates[docname])
    }


def query_features(vector: Mapping[str, float], champions: Mapping[str, object]) -> list[str]:
    """A post's heaviest features that other posts share: their champion lists give its candidates."""
    shared = [feature for feature in vector if feature in champions]
    return sorted(shared, key=lambda feature: -vector[feature])[:QUERY_FEATURES]


def _candidates(
    docname: str, vector: Mapping[str, float], champions: Mapping[str, list[tuple[str, float]]], wanted: int
) -> list[str]:
    """The posts with the best partial scores, through the champion lists of the heaviest features."""
    partial: defaultdict[str, float] = defaultdict(float)
    for feature in query_features(vector, champions):
        weight = vector[feature]
        for other, other_weight in champions[feature]:
            partial[other] += weight * other_weight
    partial.pop(docname, None)
    # Ties keep the order in which they were found, which is fixed by the sorted inputs.
    return [other for other, _ in heapq.nlargest(wanted, partial.items(), key=itemgetter(1))]
