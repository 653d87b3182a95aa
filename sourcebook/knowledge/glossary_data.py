"""The glossary file: read, validated and turned into a matcher for term links.

Pure (no Sphinx import), so the build, the term links and the search share one reading of
``glossary.yaml``. Every problem is a message with the line it is on, and the entry (or
the single bad value) is left out, never the whole file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

#: The keys an entry may have; the first four are required.
REQUIRED_KEYS = ("term", "category", "short", "definition")
OPTIONAL_KEYS = ("abbreviations", "synonyms", "chinese", "pinyin", "see_also")
LIST_KEYS = ("abbreviations", "synonyms", "see_also")
#: Longest short definition: it is a hover text, and a search result's line.
SHORT_LIMIT = 160

_NULL_TAG = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class Problem:
    """What is wrong with the glossary file, at a line (0: the file as a whole)."""

    line: int
    message: str


@dataclass(frozen=True)
class GlossaryEntry:
    """One term of the glossary with everything the build, links and search need."""

    term: str
    category: str
    short: str
    definition: str
    abbreviations: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    chinese: str = ""
    pinyin: str = ""
    see_also: tuple[str, ...] = ()
    """The exact terms of other entries."""
    line: int = 0
    """The line of the entry's ``term`` key in the file."""

    @property
    def key(self) -> str:
        """The term in lower case: the ``std:term`` target that Sphinx's ``{term}`` role uses."""
        return self.term.lower()

    @property
    def variants(self) -> tuple[str, ...]:
        """Every way a post may name the entry: the term, its abbreviations, its synonyms."""
        return (self.term, *self.abbreviations, *self.synonyms)

    @property
    def anchor(self) -> str:
        """The HTML id of the entry's term on the glossary page."""
        return anchor_for(self.term)

    @property
    def variant_anchors(self) -> dict[str, str]:
        """Each variant's HTML id; spellings that differ only in punctuation get a number."""
        anchors: dict[str, str] = {}
        for variant in self.variants:
            anchor = base = anchor_for(variant)
            number = 1
            while anchor in anchors.values():
                number += 1
                anchor = f"{base}-{number}"
            anchors[variant] = anchor
        return anchors


def anchor_for(text: str) -> str:
    """The HTML id of a term or variant: ``term-`` and its ASCII letters and digits."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return f"term-{slug}" if slug else "term"


def load_glossary(path: Path | str) -> tuple[list[GlossaryEntry], list[Problem]]:
    """The entries of a glossary file, and what is wrong with it."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return [], [Problem(0, f"the glossary file cannot be read ({error}); save it as UTF-8 text")]
    return parse_glossary(text)


def parse_glossary(text: str) -> tuple[list[GlossaryEntry], list[Problem]]:
    """The entries of a glossary's YAML text, and what is wrong with it."""
    try:
        # libyaml's parser when available (the glossary is read at every build's start);
        # on an error, PyYAML's own parser says what is wrong in clearer words.
        try:
            root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 0
        reason = error.problem or "invalid YAML"
        return [], [Problem(line, f"invalid YAML: {reason}; check quotes and indentation")]
    except yaml.YAMLError as error:
        return [], [Problem(0, f"invalid YAML: {error}")]
    if root is None:
        return [], []
    if not isinstance(root, yaml.SequenceNode):
        return [], [
            Problem(_line(root), "the glossary must be a list of entries, each starting with '- term:'")
        ]
    problems: list[Problem] = []
    read = [found for node in root.value if (found := _read_entry(node, problems)) is not None]
    entries = _check_see_also(_drop_duplicates(read, problems), problems)
    return entries, sorted(problems, key=lambda problem: problem.line)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _text(node: yaml.Node, key: str, problems: list[Problem]) -> str | None:
    """A scalar as text (numbers such as 1688 included); None for null or a wrong type."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL_TAG:
            return None
        return str(node.value).strip()
    problems.append(Problem(_line(node), f"'{key}' must be text, not a list or a mapping"))
    return None


def _texts(node: yaml.Node, key: str, problems: list[Problem]) -> list[tuple[str, int]]:
    """A list of texts with their lines; a single text is taken as a list of one, with a problem."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL_TAG:
            return []
        problems.append(Problem(_line(node), f"'{key}' must be a list; write [{node.value}]"))
        return [(str(node.value).strip(), _line(node))]
    if isinstance(node, yaml.SequenceNode):
        values: list[tuple[str, int]] = []
        for item in node.value:
            value = _text(item, key, problems)
            if value:
                values.append((value, _line(item)))
            elif value is not None or isinstance(item, yaml.ScalarNode):
                problems.append(Problem(_line(item), f"'{key}' has an empty item; remove it"))
        return values
    problems.append(Problem(_line(node), f"'{key}' must be a list, not a mapping"))
    return []


#: Where each key of an entry is, and each list item (as 'key/item').
_Lines = dict[str, int]


def _read_entry(node: yaml.Node, problems: list[Problem]) -> tuple[GlossaryEntry, _Lines] | None:
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(_line(node), "each entry must be a mapping starting with '- term:'"))
        return None
    values: dict[str, yaml.Node] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key in values:
            problems.append(Problem(_line(key_node), f"the key '{key}' is given twice; keep one"))
            continue
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            known = ", ".join(REQUIRED_KEYS + OPTIONAL_KEYS)
            problems.append(Problem(_line(key_node), f"unknown key '{key}'; the keys are {known}"))
            continue
        values[key] = value_node
        lines[key] = _line(key_node)
    line = lines.get("term", _line(node))
    texts: dict[str, str] = {}
    for key in ("term", "category", "short", "definition", "chinese", "pinyin"):
        if key in values and (value := _text(values[key], key, problems)):
            texts[key] = " ".join(value.split())
    term = texts.get("term")
    missing = [key for key in REQUIRED_KEYS if key not in texts]
    if missing:
        name = f"'{term}'" if term else "an entry"
        keys = ", ".join(f"'{key}'" for key in missing)
        problems.append(Problem(line, f"{name} has no {keys}; every entry needs {', '.join(REQUIRED_KEYS)}"))
        return None
    assert term is not None
    short = texts["short"]
    if len(short) > SHORT_LIMIT:
        problems.append(
            Problem(
                lines["short"],
                f"the short definition of '{term}' has {len(short)} characters; "
                f"keep it to {SHORT_LIMIT} (the full text goes in 'definition')",
            )
        )
    if texts.get("pinyin") and not texts.get("chinese"):
        problems.append(
            Problem(lines["pinyin"], f"'{term}' has pinyin but no 'chinese'; add the Chinese term")
        )
    lists: dict[str, tuple[str, ...]] = {}
    for key in LIST_KEYS:
        items = _texts(values[key], key, problems) if key in values else []
        lists[key] = tuple(value for value, _ in items)
        for value, item_line in items:
            lines.setdefault(f"{key}/{value}", item_line)
    entry = GlossaryEntry(
        term=term,
        category=texts["category"],
        short=short,
        definition=texts["definition"],
        abbreviations=lists["abbreviations"],
        synonyms=lists["synonyms"],
        chinese=texts.get("chinese", ""),
        pinyin=texts.get("pinyin", ""),
        see_also=lists["see_also"],
        line=line,
    )
    return entry, lines


def _drop_duplicates(
    entries: list[tuple[GlossaryEntry, _Lines]], problems: list[Problem]
) -> list[tuple[GlossaryEntry, _Lines]]:
    """Each variant (any case) and each anchor belongs to the first entry that names it."""
    owners: dict[str, str] = {}
    anchors: dict[str, str] = {}
    kept: list[tuple[GlossaryEntry, _Lines]] = []
    for entry, lines in entries:
        if entry.key in owners or entry.anchor in anchors:
            owner = owners.get(entry.key) or anchors[entry.anchor]
            problems.append(
                Problem(
                    entry.line, f"the term '{entry.term}' is already in the glossary as '{owner}'; merge them"
                )
            )
            continue
        fields: dict[str, list[str]] = {"abbreviations": [], "synonyms": []}
        own: set[str] = {entry.key}
        for kind, variants in (("abbreviations", entry.abbreviations), ("synonyms", entry.synonyms)):
            for variant in variants:
                key, anchor = variant.lower(), anchor_for(variant)
                if key in own:
                    continue
                if key in owners or anchor in anchors:
                    owner = owners.get(key) or anchors[anchor]
                    problems.append(
                        Problem(
                            lines.get(f"{kind}/{variant}", entry.line),
                            f"'{variant}' of '{entry.term}' is already a name of '{owner}'; "
                            "a name can lead to one entry only",
                        )
                    )
                    continue
                own.add(key)
                fields[kind].append(variant)
        for key in own:
            owners[key] = entry.term
        anchors[entry.anchor] = entry.term
        for variant in (*fields["abbreviations"], *fields["synonyms"]):
            anchors[anchor_for(variant)] = entry.term
        kept.append(
            (
                replace(
                    entry, abbreviations=tuple(fields["abbreviations"]), synonyms=tuple(fields["synonyms"])
                ),
                lines,
            )
        )
    return kept


def _check_see_also(
    entries: list[tuple[GlossaryEntry, _Lines]], problems: list[Problem]
) -> list[GlossaryEntry]:
    """'See also' names other entries; a name of any variant is taken as its entry's term."""
    by_name = {variant.lower(): entry for entry, _ in entries for variant in entry.variants}
    checked: list[GlossaryEntry] = []
    for entry, lines in entries:
        targets: list[str] = []
        for name in entry.see_also:
            line = lines.get(f"see_also/{name}", entry.line)
            target = by_name.get(name.lower())
            if target is None:
                problems.append(
                    Problem(
                        line,
                        f"'see_also' of '{entry.term}' names '{name}', which is not in the glossary; "
                        "write the exact term of another entry",
                    )
                )
            elif target is entry:
                problems.append(Problem(line, f"'see_also' of '{entry.term}' names the entry itself"))
            elif target.term not in targets:
                targets.append(target.term)
        checked.append(replace(entry, see_also=tuple(targets)))
    return checked


# --- Matching terms in text ---------------------------------------------------------

#: The words of a text, each at a position where a mention may start: a word that follows
#: no letter, digit or hyphen ("re-inspection" is not a mention of "inspection").
_WORD_START = re.compile(r"(?<![\w-])\w+")
#: What a mention may not be followed by.
_AFTER = r"(?![\w-])"
#: Candidates are indexed by the first (up to) three characters of a name's first word.
_KEY_LENGTH = 3
#: The characters a name may hold between words that ``variant_pattern`` makes optional.
_HYPHENS = "-\u2010\u2011"
#: Words whose candidates a matcher remembers; beyond this, it starts again (memory stays bounded).
_WORD_MEMO_LIMIT = 100_000
#: Texts whose mentions a matcher remembers, the same way.
_TEXT_MEMO_LIMIT = 20_000


def is_case_sensitive(variant: str) -> bool:
    """Variants written in capitals (PI, QC, L/C) match only in capitals, so 'pi' is no proforma."""
    letters = [char for char in variant if char.isalpha()]
    return bool(letters) and not any(char.islower() for char in letters)


def variant_pattern(variant: str) -> str:
    """A regular expression for a variant: any spacing, hyphen or not, an optional plural."""
    parts: list[str] = []
    for char in variant:
        if char.isspace():
            parts.append(r"\s+")
        elif char in _HYPHENS:
            parts.append(r"[-\u2010\u2011\s]?")
        else:
            parts.append(re.escape(char))
    pattern = "".join(parts)
    last = variant[-1]
    if is_case_sensitive(variant):
        plural = "s?" if last.isalpha() else ""
        return f"{pattern}{plural}"
    if last.isalpha():
        if last.lower() == "y" and len(variant) > 1 and variant[-2].lower() not in "aeiou":
            pattern = f"{''.join(parts[:-1])}(?:y|ies)"
        else:
            pattern = f"{pattern}(?:e?s)?"
    return f"(?i:{pattern})"


def first_word_test(variant: str, first_word: str) -> tuple[re.Pattern[str], bool]:
    """What the word at the start of a mention of ``variant`` must match, and whether wholly.

    The first word of a name is letters and digits, so a mention's first word (the run of
    letters and digits where it starts) is exactly that word — with its plural when the name
    is one word — unless a hyphen follows it in the name: ``variant_pattern`` makes the hyphen
    optional, so "preshipment" starts a mention of "pre-shipment". A word that fails the test
    cannot start a mention, so the full pattern need not be tried there.
    """
    rest = variant[len(first_word) :]
    if not rest:
        return re.compile(variant_pattern(variant)), True
    literal = re.escape(first_word)
    if not is_case_sensitive(variant):
        literal = f"(?i:{literal})"
    return re.compile(literal), rest[0] not in _HYPHENS


def _key(word: str) -> str:
    return word[:_KEY_LENGTH].lower()


@dataclass(frozen=True)
class TermMatch:
    """A mention of a glossary entry in a text."""

    start: int
    end: int
    entry: GlossaryEntry
    variant: str


@dataclass(frozen=True)
class _Candidate:
    variant: str
    entry: GlossaryEntry
    pattern: re.Pattern[str]
    """The whole name, from where its mention starts."""
    first_word: re.Pattern[str]
    """What the first word of a mention must match (see :func:`first_word_test`)."""
    whole_word: bool
    """Whether ``first_word`` must match the whole word, or may match its start."""
    silent: bool
    """Whether the name is skipped: recognised (no shorter name matches inside it), never reported."""

    def may_start(self, word: str) -> bool:
        if self.whole_word:
            return self.first_word.fullmatch(word) is not None
        return self.first_word.match(word) is not None


@dataclass
class TermMatcher:
    """Finds mentions of glossary entries in text, longest name first.

    One regular expression of every name would try each of them at every position, which
    Python's engine does one by one. Instead, the text's words are visited once, and each
    distinct word is mapped (once, then remembered) to the few names that can start with
    it: most words start none and cost a dictionary lookup; the others try those names.
    """

    entries: list[GlossaryEntry]
    skip: frozenset[str] = frozenset()
    """Names (lower case) that are recognised but never reported: terms or single variants."""
    _index: dict[str, list[_Candidate]] = field(init=False, repr=False)
    _by_prefix: dict[str, list[_Candidate]] = field(init=False, repr=False)
    _by_word: dict[str, tuple[_Candidate, ...]] = field(init=False, repr=False)
    _by_text: dict[str, tuple[TermMatch, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {}
        self._by_prefix = {}
        self._by_word = {}
        self._by_text = {}
        for entry in self.entries:
            for variant in entry.variants:
                first_word = re.match(r"\w+", variant)
                if first_word is None:
                    continue  # a name that starts with no letter or digit is never a whole word
                pattern = re.compile(variant_pattern(variant) + _AFTER)
                test, whole = first_word_test(variant, first_word.group())
                silent = variant.lower() in self.skip or entry.key in self.skip
                self._index.setdefault(_key(first_word.group()), []).append(
                    _Candidate(variant, entry, pattern, test, whole, silent)
                )

    def finditer(self, text: str) -> Iterator[TermMatch]:
        """Every mention in ``text``, left to right, never overlapping; skipped names are silent."""
        end = 0
        by_word = self._by_word
        for word in _WORD_START.finditer(text):
            start = word.start()
            if start < end:
                continue
            value = word.group()
            candidates = by_word.get(value)
            if candidates is None:
                candidates = self._word_candidates(value)
            if not candidates:
                continue
            found = self._match_at(text, start, candidates)
            if found is None:
                continue
            match, candidate = found
            end = match.end()
            if not candidate.silent:
                yield TermMatch(start, end, candidate.entry, candidate.variant)

    def matches(self, text: str) -> tuple[TermMatch, ...]:
        """The mentions :meth:`finditer` finds in ``text``, remembered: posts repeat whole
        sentences and paragraphs (a checklist, a standard warning), which are matched once."""
        found = self._by_text.get(text)
        if found is None:
            if len(self._by_text) >= _TEXT_MEMO_LIMIT:
                self._by_text.clear()
            found = self._by_text[text] = tuple(self.finditer(text))
        return found

    def _candidates(self, prefix: str) -> list[_Candidate]:
        """The names whose first word's key is a start of ``prefix`` (memoised: words repeat)."""
        found = self._by_prefix.get(prefix)
        if found is None:
            found = [
                candidate
                for length in range(len(prefix), 0, -1)
                for candidate in self._index.get(prefix[:length], ())
            ]
            self._by_prefix[prefix] = found
        return found

    def _word_candidates(self, word: str) -> tuple[_Candidate, ...]:
        """The names a mention starting with ``word`` can be of, in index order (memoised)."""
        if len(self._by_word) >= _WORD_MEMO_LIMIT:
            self._by_word.clear()
        found = tuple(candidate for candidate in self._candidates(_key(word)) if candidate.may_start(word))
        self._by_word[word] = found
        return found

    @staticmethod
    def _match_at(
        text: str, start: int, candidates: tuple[_Candidate, ...]
    ) -> tuple[re.Match[str], _Candidate] | None:
        """The longest mention at ``start`` (then the longest name; then the first indexed)."""
        best: tuple[re.Match[str], _Candidate] | None = None
        for candidate in candidates:
            match = candidate.pattern.match(text, start)
            if match is not None and (
                best is None or (match.end(), len(candidate.variant)) > (best[0].end(), len(best[1].variant))
            ):
                best = (match, candidate)
        return best


def build_matcher(entries: Iterable[GlossaryEntry], skip: Iterable[str] = ()) -> TermMatcher:
    """The matcher for term links; ``skip`` names terms (all their names) or single variants."""
    return TermMatcher(list(entries), frozenset(name.lower() for name in skip))


def unknown_names(entries: Iterable[GlossaryEntry], names: Iterable[str]) -> list[str]:
    """The names (of a skip list) that are no term or variant of the glossary."""
    known = {variant.lower() for entry in entries for variant in entry.variants}
    return [name for name in names if name.lower() not in known]
