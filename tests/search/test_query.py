"""Reading a query: glossary names, stop words and one-typo corrections (pure)."""

from __future__ import annotations

import pytest

from sourcebook.search.query import (
    STOP_WORDS,
    Concept,
    QueryData,
    analyse,
    correction,
    letter_of,
    terms_payload,
    within_one_edit,
    words_of,
)

CONCEPTS = [
    Concept("Letter of credit", ("letter of credit", "l/c", "documentary credit", "信用证")),
    Concept("Mould", ("mould", "mold", "injection mould", "模具")),
    Concept("During-production inspection", ("during-production inspection", "dupro", "dpi")),
]
WORDS = {
    "d": {"deposit": 12, "defects": 4, "depot": 1},
    "i": {"inspection": 9, "inspector": 3},
    "c": {"contract": 7, "contracts": 2},
}


def data() -> QueryData:
    return QueryData(concepts=CONCEPTS, words_by_letter=WORDS)


@pytest.mark.parametrize(
    ("typed", "known", "expected"),
    [
        ("depostit", "deposit", True),  # insertion
        ("deposi", "deposit", True),  # deletion
        ("depasit", "deposit", True),  # substitution
        ("contarct", "contract", True),  # neighbours swapped
        ("deposit", "deposit", False),  # the same word is no correction
        ("dpeosti", "deposit", False),  # two edits
        ("contacrt", "contract", False),  # a swap of letters that are not neighbours
        ("dep", "deposit", False),
    ],
)
def test_one_edit(typed: str, known: str, expected: bool) -> None:
    assert within_one_edit(typed, known) is expected
    assert within_one_edit(known, typed) is expected


def test_a_correction_is_the_known_word_most_posts_contain() -> None:
    assert correction("inspecton", WORDS["i"]) == "inspection"  # 9 posts, against 3 for inspector
    assert correction("depositt", WORDS["d"]) == "deposit"
    assert correction("warranty", WORDS["d"]) is None
    # Ties go to the alphabetically first word, so the browser and the CLI agree.
    assert correction("contrac", {"contract": 2, "contrar": 2}) == "contract"


def test_words_are_letters_and_digits() -> None:
    assert words_of("what's the l/c fee (30%)?") == ["what", "s", "the", "l", "c", "fee", "30"]
    assert words_of("模具 cost") == ["模具", "cost"]
    assert letter_of("deposit") == "d"
    assert letter_of("1688") == "_"
    assert letter_of("模具") == "_"


def test_a_question_keeps_its_words_and_glossary_terms() -> None:
    analysis = analyse("Can the factory keep my moulds after the order?", data())
    assert [(unit.kind, unit.text, unit.searches) for unit in analysis.units] == [
        ("term", "moulds", ("mould",)),  # a plural names the term
        ("word", "factory", ("factory",)),
        ("word", "keep", ("keep",)),
        ("word", "order", ("order",)),
    ]
    assert analysis.corrections == ()


def test_abbreviations_and_synonyms_search_the_entry_too() -> None:
    # A short name would match the start of longer words ("lc" would find "lcl"): the
    # entry's term finds every post that names the entry, whatever the name. Stop words in a
    # name are not searched.
    (unit,) = analyse("L/C", data()).units
    assert (unit.text, unit.searches) == ("l c", ("letter credit",))
    (unit,) = analyse("documentary credits", data()).units
    assert unit.searches == ("letter credit", "documentary credit")
    (unit,) = analyse("DUPRO", data()).units
    assert unit.searches == ("duringproduction inspection", "dupro")  # compounds are indexed joined


def test_a_chinese_name_is_found_inside_other_text() -> None:
    analysis = analyse("模具费用 mold", data())
    assert [(unit.kind, unit.text, unit.searches) for unit in analysis.units] == [
        ("term", "模具", ("mould",)),  # searched by the entry's English term
        ("word", "费用", ("费用",)),
        # "mold" names the same entry, whose search is already there
    ]


def test_typos_are_corrected_but_never_in_glossary_names() -> None:
    analysis = analyse("depostit before inspecton", data())
    assert analysis.corrections == (("depostit", "deposit"), ("inspecton", "inspection"))
    assert [unit.text for unit in analysis.units] == ["deposit", "inspection"]
    # "dupro" is a glossary name, not a typo of anything; short words are left alone.
    assert analyse("dupro", data()).corrections == ()
    assert analyse("depo", data()).corrections == ()


def test_words_in_most_posts_go_when_rarer_units_are_left() -> None:
    listed = {"f": {"factory": 9, "fee": 2}, "o": {"order": 7}, "k": {"keep": 3}}
    common = QueryData(concepts=CONCEPTS, words_by_letter=listed, posts=10)
    analysis = analyse("can the factory keep my mould after the order", common)
    assert [unit.text for unit in analysis.units] == ["mould", "keep"]
    assert analysis.common == ("factory", "order")
    # Nothing rarer: the common words stay.
    analysis = analyse("factory order", common)
    assert [unit.text for unit in analysis.units] == ["factory", "order"]
    assert analysis.common == ()
    # Without a post count (an old terms.json), nothing is common.
    assert analyse("factory fee", data()).common == ()
    # Nor when what is left is in no post: on a site of one post every word of it is common.
    one_post = QueryData(concepts=(), words_by_letter={"f": {"factory": 1}, "g": {"goods": 1}}, posts=1)
    analysis = analyse("make the factory fix the goods", one_post)
    assert [unit.text for unit in analysis.units] == ["make", "factory", "fix", "goods"]
    assert analysis.common == ()


def test_a_name_of_common_words_is_searched_as_the_entrys_one_word_name() -> None:
    """The name "original equipment manufacturer" is three of the largest parts of the index where
    every post has those words; "oem" is one, and finds the same posts (each lists all names)."""
    oem = Concept("Original equipment manufacturer", ("original equipment manufacturer", "oem", "oems"))
    odm = Concept("Original design manufacturer", ("original design manufacturer", "odm"))
    listed = {
        "o": {"original": 9, "oem": 6, "oems": 6, "odm": 3},
        "e": {"equipment": 9},
        "m": {"manufacturer": 10},
        "d": {"design": 4},
    }
    site = QueryData(concepts=(oem, odm), words_by_letter=listed, posts=10)
    (unit,) = analyse("original equipment manufacturer", site).units
    assert unit.searches == ("oem",)  # the shorter of two as rare; its plural does not make it unsafe
    # A name with a rarer word keeps that word.
    (unit,) = analyse("ODM", site).units
    assert unit.searches == ("design",)
    # A one-word name that begins other words would find them too (the search matches prefixes).
    listed["o"]["oembedded"] = 1
    (unit,) = analyse("OEM", site).units
    assert unit.searches == ("oems",)
    only_oem = Concept(oem.term, ("original equipment manufacturer", "oem"))
    (unit,) = analyse("OEM", QueryData(concepts=(only_oem,), words_by_letter=listed, posts=10)).units
    assert unit.searches == ("original equipment manufacturer",)


def test_stop_words_go_unless_nothing_else_is_left() -> None:
    assert [unit.text for unit in analyse("what is the deposit", data()).units] == ["deposit"]
    assert [unit.text for unit in analyse("how much", data()).units] == ["how", "much"]
    assert {"how", "much", "should", "the"} <= STOP_WORDS


def test_terms_payload() -> None:
    payload = terms_payload([("Letter of credit", ["Letter of credit", "L/C", "L/C", "信用证"])], posts=3)
    assert payload["posts"] == 3
    names = ["letter of credit", "l/c", "信用证"]
    assert payload["concepts"] == [{"term": "Letter of credit", "names": names}]
    assert payload["stopWords"] == sorted(STOP_WORDS)
