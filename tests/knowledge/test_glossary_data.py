"""Reading and checking glossary.yaml, and finding its terms in text (no Sphinx)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sourcebook.knowledge.glossary_data import (
    GlossaryEntry,
    Problem,
    anchor_for,
    build_matcher,
    first_word_test,
    is_case_sensitive,
    load_glossary,
    parse_glossary,
    unknown_names,
    variant_pattern,
)

from conftest import PROJECT

ENTRY = """\
- term: {term}
  abbreviations: {abbreviations}
  synonyms: {synonyms}
  chinese: 词
  pinyin: cí
  category: Testing
  short: A short definition.
  definition: A longer definition.
"""


def glossary(*entries: tuple[str, str, str]) -> list[GlossaryEntry]:
    """Entries made of (term, abbreviations, synonyms) written as YAML, read back without problems."""
    text = "\n".join(
        ENTRY.format(term=term, abbreviations=abbreviations, synonyms=synonyms)
        for term, abbreviations, synonyms in entries
    )
    read, problems = parse_glossary(text)
    assert problems == []
    return read


TERMS = glossary(
    ("Pre-shipment inspection", "[PSI]", "[final random inspection]"),
    ("Inspection", "[]", "[]"),
    ("Proforma invoice", "[PI]", "[pro forma invoice]"),
    ("Letter of credit", "[L/C, LC]", "[documentary credit]"),
    ("Quality control", "[QC]", "[]"),
    ("Commodity", "[]", "[]"),
    ("Box", "[]", "[]"),
    ("Alibaba", "[]", "[Alibaba.com]"),
    ("Trade Assurance", "[]", "[Alibaba Trade Assurance]"),
)


def mentions(text: str, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Each mention as (the text found, the entry's term)."""
    return [
        (text[found.start : found.end], found.entry.term)
        for found in build_matcher(TERMS, skip).finditer(text)
    ]


def test_the_shipped_glossary_reads_without_problems() -> None:
    entries, problems = load_glossary(PROJECT / "source" / "glossary.yaml")
    assert problems == []
    assert len(entries) == 96
    rework = next(entry for entry in entries if entry.term == "Rework")
    assert rework.chinese == "返工"
    psi = next(entry for entry in entries if entry.term == "Pre-shipment inspection")
    assert psi.variants == ("Pre-shipment inspection", "PSI", "final random inspection", "FRI")
    assert psi.anchor == "term-pre-shipment-inspection"
    assert len(psi.short) <= 160
    # Every name leads to one entry, and every entry to one anchor.
    names = [variant.lower() for entry in entries for variant in entry.variants]
    assert len(names) == len(set(names))


def test_an_entry_in_full() -> None:
    [entry], problems = parse_glossary(
        "# comment\n"
        '- term: "1688"\n'
        "  abbreviations: []\n"
        "  synonyms: [1688.com]\n"
        "  chinese: '1688'\n"
        "  pinyin: yāo liù bā bā\n"
        "  category: Sourcing\n"
        "  short: Alibaba's domestic site.\n"
        "  definition: >-\n"
        "    Prices in renminbi.\n"
        "    Sellers rarely export.\n"
    )
    assert problems == []
    assert entry == GlossaryEntry(
        term="1688",
        category="Sourcing",
        short="Alibaba's domestic site.",
        definition="Prices in renminbi. Sellers rarely export.",
        synonyms=("1688.com",),
        chinese="1688",
        pinyin="yāo liù bā bā",
        line=2,
    )
    assert entry.key == "1688"
    assert entry.variant_anchors == {"1688": "term-1688", "1688.com": "term-1688-com"}


def test_anchors() -> None:
    assert anchor_for("Pre-shipment inspection") == "term-pre-shipment-inspection"
    assert anchor_for("L/C") == "term-l-c"
    assert anchor_for("Café crème") == "term-cafe-creme"
    assert anchor_for("返工") == "term"
    [entry] = glossary(("Cost Insurance and Freight", "[CIF]", '["Cost, Insurance and Freight"]'))
    # Spellings of one entry that differ only in punctuation each keep an anchor of their own.
    assert entry.variant_anchors == {
        "Cost Insurance and Freight": "term-cost-insurance-and-freight",
        "CIF": "term-cif",
        "Cost, Insurance and Freight": "term-cost-insurance-and-freight-2",
    }


def test_problems_carry_their_lines() -> None:
    text = (
        "- term: Deposit\n"  # 1
        "  category: Payments\n"
        "  short: Paid first.\n"
        "  definition: Paid before production.\n"
        "  colour: red\n"  # 5
        "  see_also: [Balance, Deposit]\n"  # 6
        "- term: Rework\n"  # 7
        "  category: Quality\n"
        "  definition: Repairs.\n"
        "- term: deposit\n"  # 10
        "  category: Payments\n"
        "  short: Again.\n"
        "  definition: Again.\n"
        "- term: Balance\n"  # 14
        "  abbreviations: BAL\n"  # 15
        "  synonyms: [down payment, ~]\n"  # 16
        "  category: Payments\n"
        "  short: Paid last.\n"
        "  short: Twice.\n"  # 19
        f"  definition: {'x' * 20}\n"
        "  pinyin: yú kuǎn\n"  # 21
        "- term: Final payment\n"  # 22
        "  synonyms: [balance]\n"
        "  category: Payments\n"
        f"  short: {'y' * 161}\n"  # 25
        "  definition: The rest.\n"
        "- just text\n"  # 27
    )
    entries, problems = parse_glossary(text)
    assert [entry.term for entry in entries] == ["Deposit", "Balance", "Final payment"]
    assert problems == [
        Problem(
            5,
            "unknown key 'colour'; the keys are term, category, short, definition, "
            "abbreviations, synonyms, chinese, pinyin, see_also",
        ),
        Problem(6, "'see_also' of 'Deposit' names the entry itself"),
        Problem(7, "'Rework' has no 'short'; every entry needs term, category, short, definition"),
        Problem(10, "the term 'deposit' is already in the glossary as 'Deposit'; merge them"),
        Problem(15, "'abbreviations' must be a list; write [BAL]"),
        Problem(16, "'synonyms' has an empty item; remove it"),
        Problem(19, "the key 'short' is given twice; keep one"),
        Problem(21, "'Balance' has pinyin but no 'chinese'; add the Chinese term"),
        Problem(
            23,
            "'balance' of 'Final payment' is already a name of 'Balance'; a name can lead to one entry only",
        ),
        Problem(
            25,
            "the short definition of 'Final payment' has 161 characters; "
            "keep it to 160 (the full text goes in 'definition')",
        ),
        Problem(27, "each entry must be a mapping starting with '- term:'"),
    ]
    deposit, balance, final = entries
    assert deposit.see_also == ("Balance",)
    assert balance.abbreviations == ("BAL",) and balance.synonyms == ("down payment",)
    assert final.synonyms == ()


def test_see_also_names_an_existing_entry() -> None:
    deposit = ENTRY.format(term="Deposit", abbreviations="[]", synonyms="[down payment]")
    balance = ENTRY.format(term="Balance", abbreviations="[BAL]", synonyms="[]")
    [entry], problems = parse_glossary(deposit + "  see_also: [Balance, Down Payment]\n")
    assert problems == [
        Problem(
            9,
            "'see_also' of 'Deposit' names 'Balance', which is not in the glossary; "
            "write the exact term of another entry",
        ),
        Problem(9, "'see_also' of 'Deposit' names the entry itself"),
    ]
    assert entry.see_also == ()
    # Any name of an entry leads to it: the link goes to its term.
    [entry, _], problems = parse_glossary(deposit + "  see_also: [bal, Balance]\n" + balance)
    assert problems == [] and entry.see_also == ("Balance",)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "- term: 'Deposit\n  category: x\n",
            3,
            "invalid YAML: found unexpected end of stream; check quotes and indentation",
        ),
        (
            "- term: Deposit\n\tcategory: x\n",
            2,
            "invalid YAML: found character '\\t' that cannot start any token; check quotes and indentation",
        ),
        ("term: Deposit\n", 1, "the glossary must be a list of entries, each starting with '- term:'"),
    ],
)
def test_a_file_that_is_no_glossary(text: str, line: int, message: str) -> None:
    assert parse_glossary(text) == ([], [Problem(line, message)])


def test_empty_and_unreadable_files(tmp_path: Path) -> None:
    assert parse_glossary("# nothing yet\n") == ([], [])
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("- term: Caf\xe9\n".encode("latin-1"))
    entries, [problem] = load_glossary(latin)
    assert entries == [] and problem.line == 0 and "save it as UTF-8 text" in problem.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The longest name wins: no separate "inspection".
        ("Book a pre-shipment inspection now", [("pre-shipment inspection", "Pre-shipment inspection")]),
        ("an inspection", [("inspection", "Inspection")]),
        # Case, spacing, hyphens and plurals are tolerated in words.
        ("Pre Shipment\nInspections help", [("Pre Shipment\nInspections", "Pre-shipment inspection")]),
        ("preshipment inspection", [("preshipment inspection", "Pre-shipment inspection")]),
        ("commodities and a commodity", [("commodities", "Commodity"), ("commodity", "Commodity")]),
        ("boxes", [("boxes", "Box")]),
        # Capitals only for abbreviations written in capitals, plural with a lower-case s.
        ("PSI, psi, Psi", [("PSI", "Pre-shipment inspection")]),
        ("the PI, a pi, two PIs", [("PI", "Proforma invoice"), ("PIs", "Proforma invoice")]),
        ("an L/C or two LCs", [("L/C", "Letter of credit"), ("LCs", "Letter of credit")]),
        ("QC’s view", [("QC", "Quality control")]),
        # Whole words only: not inside other words, nor after a hyphen.
        ("API, Calc, EQC, PSIs2, re-inspection, inspectional", []),
        (
            "Alibaba.com and Alibaba Trade Assurance.",
            [("Alibaba.com", "Alibaba"), ("Alibaba Trade Assurance", "Trade Assurance")],
        ),
        ("", []),
    ],
)
def test_matcher(text: str, expected: list[tuple[str, str]]) -> None:
    assert mentions(text) == expected


def test_skip_list() -> None:
    text = "A PSI, a pre-shipment inspection, an inspection and a PI."
    # A skipped variant: the others of its entry still link.
    assert mentions(text, ("psi",)) == [
        ("pre-shipment inspection", "Pre-shipment inspection"),
        ("inspection", "Inspection"),
        ("PI", "Proforma invoice"),
    ]
    # A skipped term: none of its names links, and they still hide the shorter terms inside them.
    assert mentions(text, ("Pre-shipment Inspection",)) == [
        ("inspection", "Inspection"),
        ("PI", "Proforma invoice"),
    ]
    assert unknown_names(TERMS, ["PSI", "pre-shipment inspection", "Widget"]) == ["Widget"]


def test_case_sensitivity_rule() -> None:
    assert is_case_sensitive("PSI") and is_case_sensitive("L/C") and is_case_sensitive("40HQ")
    assert not is_case_sensitive("Proforma invoice") and not is_case_sensitive("1688")


def test_a_matcher_answers_the_same_whatever_it_has_seen() -> None:
    """It remembers which names each word can start; a word in another context is judged anew."""
    texts = [
        "pre orders, then a pre-shipment inspection",
        "Alibaba, Alibaba.com and Alibaba Trade Assurance",
        "an inspection; inspections; an L/C, an LC, lc",
        "pre-shipment inspection and Pre Shipment Inspections",
    ]
    shared = build_matcher(TERMS)
    for _ in range(2):
        for text in texts:
            found = [(m.start, m.end, m.entry.term) for m in shared.finditer(text)]
            assert found == [(m.start, m.end, m.entry.term) for m in build_matcher(TERMS).finditer(text)]


def test_a_text_is_matched_once() -> None:
    """A repeated text (posts repeat sentences) gets the mentions it got the first time."""
    matcher = build_matcher(TERMS)
    text = "Book a PSI, then an inspection and a PI."
    first = matcher.matches(text)
    assert first == tuple(build_matcher(TERMS).finditer(text))
    assert matcher.matches("Book a PSI, then an inspection and a PI.") is first
    assert matcher.matches("No term here.") == ()


def mention_forms(variant: str) -> set[str]:
    """Ways a text may write a name: as is, in other cases, plural, hyphens dropped or spaced."""
    forms = {variant, variant.lower(), variant.upper(), variant.title()}
    forms |= {form + suffix for form in set(forms) for suffix in ("s", "es")}
    forms |= {form.replace("-", "") for form in forms} | {form.replace("-", " ") for form in forms}
    if variant.endswith("y"):
        forms.add(variant[:-1] + "ies")
    return forms


def test_a_mention_always_starts_with_a_word_its_name_accepts() -> None:
    """Only words that pass ``first_word_test`` are tried, so it must pass every real mention."""
    entries, _ = load_glossary(PROJECT / "source" / "glossary.yaml")
    tried = 0
    for entry in entries:
        for variant in entry.variants:
            first_word = re.match(r"\w+", variant)
            assert first_word is not None
            test, whole = first_word_test(variant, first_word.group())
            pattern = re.compile(variant_pattern(variant) + r"(?![\w-])")
            for form in mention_forms(variant):
                text = f"see {form}, then"
                if pattern.match(text, 4):
                    tried += 1
                    word = re.match(r"\w+", form)
                    assert word is not None
                    accepted = test.fullmatch(word.group()) if whole else test.match(word.group())
                    assert accepted, (variant, form)
    assert tried > 500


def test_a_glossary_without_entries_matches_nothing() -> None:
    assert list(build_matcher([]).finditer("pre-shipment inspection")) == []
