"""The searched text of a post: compound words and the stems a text is found by."""

from __future__ import annotations

import pytest

from sourcebook.search.corpus import compound_words, indexed_stems


@pytest.mark.parametrize(
    ("text", "compounds"),
    [
        ("pay by l/c before pre-shipment inspection", ["l/c", "pre-shipment"]),
        # A run is kept whole, its outer punctuation included; words_of drops it later.
        ("(l/c), 'quoted-word' and goods.", ["(l/c),", "'quoted-word'"]),
        # Punctuation at an edge, or alone, joins nothing.
        ("goods. -a- --- … a. _a_ __", []),
        ("a_b and a__b and x.y.z", ["a_b", "a__b", "x.y.z"]),
        # Any letters and digits: Chinese, superscripts; any space splits (no-break, ideographic).
        ("信用证/l-c ²-³ x\u00a0y-z d\u3000e/f", ["信用证/l-c", "²-³", "y-z", "e/f"]),
    ],
)
def test_compound_words_are_runs_with_inner_punctuation(text: str, compounds: list[str]) -> None:
    assert compound_words(text) == compounds


def test_a_text_is_found_by_its_words_and_its_compounds_joined() -> None:
    stems = indexed_stems("Pay by L/C after the pre-shipment inspections.")
    assert {"l", "c", "lc", "pre", "shipment", "preship", "inspect"} <= set(stems)
    assert stems.count("lc") == 1
