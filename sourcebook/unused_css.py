"""Which rules of a stylesheet a site can use, and the stylesheet without the others (pure).

The theme ships one stylesheet for every site it could serve (Bootstrap's components, Font
Awesome's 2,000 icons, notebook cells, API signatures…): about 430 KB that a Sourcebook page
does not use, and that a phone must download and parse before it shows anything. This module
keeps, PurgeCSS's way, every rule one of whose selectors can match: a selector is kept when
each class, id and element name it requires is used somewhere, by a page of the site (in its
markup or its inline scripts) or by a script the pages load, since scripts add classes
(``show``, ``scrolled``, ``kb-search-…``) that no page holds when it is written. Everything
else in a selector (pseudo-classes such as ``:hover`` and ``:focus``, pseudo-elements,
attribute selectors such as ``[data-theme=dark]``, what is inside ``:not()``, ``:is()``,
``:where()`` and ``:has()``) never rules one out. The test is conservative: a rule is dropped
only when no element anywhere can match it.

Matching every selector against every page (as soupsieve would) costs pages times selectors; this
costs one pass over each page for its tokens, and one over the stylesheet. Tokens are written
``.class``, ``#id`` and ``element``; a word of a script may be any of the three.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import tinycss2
import tinycss2.ast
import tinycss2.serializer

#: ``class`` and ``id`` attributes, in either quote.
_ATTRIBUTES = re.compile(r"""\s(class|id)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ELEMENTS = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
#: The site's own files a page or a script names: its stylesheets and scripts (relative
#: paths, ``?v=`` checksums and all), wherever they are named (``src``, ``href``, inline code).
_STATIC_FILES = re.compile(r"""_static/([\w./~+-]+?\.(?:css|js))(?=[?#"'\s)]|$)""")
_INLINE_SCRIPTS = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.S | re.I)
_WORDS = re.compile(r"[A-Za-z_][\w-]*")

#: Pseudo-classes whose arguments are selectors that never rule a rule out.
_SELECTOR_FUNCTIONS = frozenset({"not", "is", "where", "has", "matches", "any", "-webkit-any", "-moz-any"})
#: At-rules holding rules: purged inside, dropped when nothing is left.
_GROUPING_RULES = frozenset({"media", "supports", "container", "layer", "document", "-moz-document"})
#: Codepoints no text uses: where icon fonts put their icons.
_PRIVATE_USE = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))


def page_tokens(page: str) -> set[str]:
    """What one page can use: the tokens of its markup and its inline scripts' words, and
    ``_static/…`` files it names (as ``@path``)."""
    tokens: set[str] = set()
    # Pages repeat the same attributes and scripts: each distinct one is split once.
    for kind, double, single in set(_ATTRIBUTES.findall(page)):
        tokens |= _attribute_tokens(kind, double or single)
    tokens.update(name.lower() for name in set(_ELEMENTS.findall(page)))
    tokens.update("@" + path for path in _STATIC_FILES.findall(page))
    for script in set(_INLINE_SCRIPTS.findall(page)):
        tokens |= _inline_script_tokens(script)
    return tokens


@functools.lru_cache(maxsize=4096)
def _attribute_tokens(kind: str, value: str) -> frozenset[str]:
    prefix = "." if kind == "class" else "#"
    return frozenset(prefix + part for part in value.split())


@functools.lru_cache(maxsize=256)
def _inline_script_tokens(script: str) -> frozenset[str]:
    return frozenset(word_tokens(script))


def script_tokens(script: str, files: Iterable[str] = ()) -> set[str]:
    """What a script can use: any of its words, as a class, an id or an element, and the
    ``_static/…`` files it names: by their path, or by their name alone among ``files`` (a
    script may load one beside itself, ``new URL("kb-search-dialog.js", document.currentScript.src)``)."""
    return set(_script_tokens(script, tuple(files)))


@functools.lru_cache(maxsize=64)
def _script_tokens(script: str, files: tuple[str, ...]) -> frozenset[str]:
    """Kept for the process's life: the preview's every rebuild reads the same scripts."""
    tokens = word_tokens(script)
    tokens.update("@" + path for path in _STATIC_FILES.findall(script))
    for path in files:
        name = re.escape(posixpath.basename(path))
        if re.search(rf"(?<![\w.-]){name}(?![\w-])", script):
            tokens.add("@" + path)
    return frozenset(tokens)


def word_tokens(text: str) -> set[str]:
    words = set(_WORDS.findall(text))
    return {*words, *("." + word for word in words), *("#" + word for word in words)}


def named_files(tokens: Iterable[str]) -> set[str]:
    """The ``_static/…`` paths among tokens."""
    return {token[1:] for token in tokens if token.startswith("@")}


@dataclass(frozen=True)
class Stylesheet:
    """A parsed stylesheet: its rules, and every token one of its selectors requires."""

    rules: tuple[tinycss2.ast.Node, ...]
    tokens: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Stylesheet:
        rules = tuple(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))
        tokens: set[str] = set()
        for rule in _qualified_rules(rules):
            for selector in _selectors(rule.prelude):
                tokens.update(selector_requirements(selector))
        return cls(rules, frozenset(tokens))


def _qualified_rules(rules: Iterable[tinycss2.ast.Node]) -> Iterator[tinycss2.ast.QualifiedRule]:
    for rule in rules:
        if rule.type == "qualified-rule":
            yield rule
        elif rule.type == "at-rule" and rule.lower_at_keyword in _GROUPING_RULES and rule.content is not None:
            yield from _qualified_rules(_rule_list(rule.content))


def _rule_list(content: list[tinycss2.ast.Node]) -> list[tinycss2.ast.Node]:
    return list(tinycss2.parse_rule_list(content, skip_comments=True, skip_whitespace=True))


def _selectors(prelude: Sequence[tinycss2.ast.Node]) -> Iterator[list[tinycss2.ast.Node]]:
    """The selectors of a comma-separated list, without surrounding whitespace."""
    current: list[tinycss2.ast.Node] = []
    for token in [*prelude, None]:
        if token is None or (token.type == "literal" and token.value == ","):
            while current and current[0].type == "whitespace":
                current.pop(0)
            while current and current[-1].type == "whitespace":
                current.pop()
            yield current
            current = []
        else:
            current.append(token)


def selector_requirements(selector: Sequence[tinycss2.ast.Node]) -> set[str]:
    """The classes (``.x``), ids (``#x``) and element names a selector needs on a page."""
    needs: set[str] = set()
    starts_compound = True
    index = 0
    while index < len(selector):
        token = selector[index]
        following = selector[index + 1] if index + 1 < len(selector) else None
        if (
            token.type == "literal"
            and token.value == "."
            and following is not None
            and following.type == "ident"
        ):
            needs.add("." + following.value)
            index += 2
            starts_compound = False
            continue
        if token.type == "hash":
            needs.add("#" + token.value)
        elif token.type == "literal" and token.value == ":":
            # A pseudo-class or pseudo-element (``::``): its name, or its arguments, next.
            index += (
                2 if following is not None and following.type == "literal" and following.value == ":" else 1
            )
        elif token.type == "ident" and starts_compound:
            needs.add(token.value.lower())
        starts_compound = token.type == "whitespace" or (token.type == "literal" and token.value in ">+~")
        index += 1
    return needs


@dataclass(frozen=True)
class Usage:
    """What the site uses: the tokens of its pages and scripts."""

    tokens: frozenset[str]

    def allows(self, selector: Sequence[tinycss2.ast.Node]) -> bool:
        return selector_requirements(selector) <= self.tokens


def purge(
    sheet: Stylesheet, usage: Usage, imported: Callable[[str], list[tinycss2.ast.Node] | None] | None = None
) -> list[tinycss2.ast.Node]:
    """The rules of ``sheet`` some page can use; selectors no page can match are left out of
    each rule's list. ``imported(url)`` gives an ``@import``-ed sheet's purged rules to put
    in its place (one request less, before the page can render), or ``None`` to keep it."""
    return _purge_rules(sheet.rules, usage, imported)


def _purge_rules(
    rules: Iterable[tinycss2.ast.Node],
    usage: Usage,
    imported: Callable[[str], list[tinycss2.ast.Node] | None] | None,
) -> list[tinycss2.ast.Node]:
    kept: list[tinycss2.ast.Node] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [selector for selector in _selectors(rule.prelude) if usage.allows(selector)]
            if selectors:
                prelude = _join(selectors)
                kept.append(
                    tinycss2.ast.QualifiedRule(rule.source_line, rule.source_column, prelude, rule.content)
                )
        elif rule.type == "at-rule":
            keyword = rule.lower_at_keyword
            if keyword in _GROUPING_RULES and rule.content is not None:
                inner = _purge_rules(_rule_list(rule.content), usage, imported)
                if inner:
                    kept.append(_at_rule(rule, rule.prelude, inner))
            elif keyword == "import" and imported is not None and (url := _plain_import(rule.prelude)):
                replacement = imported(url)
                kept.extend([rule] if replacement is None else replacement)
            else:
                kept.append(rule)
    return kept


def _at_rule(
    rule: tinycss2.ast.AtRule, prelude: list[tinycss2.ast.Node], content: list[tinycss2.ast.Node] | None
) -> tinycss2.ast.AtRule:
    """``rule`` with another prelude and content."""
    return tinycss2.ast.AtRule(
        rule.source_line, rule.source_column, rule.at_keyword, rule.lower_at_keyword, prelude, content
    )


def _join(selectors: list[list[tinycss2.ast.Node]]) -> list[tinycss2.ast.Node]:
    comma = tinycss2.ast.LiteralToken(0, 0, ",")
    joined: list[tinycss2.ast.Node] = []
    for selector in selectors:
        if joined:
            joined.append(comma)
        joined.extend(selector)
    return joined


def _plain_import(prelude: Sequence[tinycss2.ast.Node]) -> str | None:
    """The URL of an ``@import`` with no media, layer or supports condition."""
    tokens = [token for token in prelude if token.type not in ("whitespace", "comment")]
    if len(tokens) != 1:
        return None
    token = tokens[0]
    if token.type in ("string", "url"):
        return str(token.value)
    if token.type == "function" and token.lower_name == "url":
        strings = [argument for argument in token.arguments if argument.type == "string"]
        return str(strings[0].value) if len(strings) == 1 else None
    return None


def drop_unused_faces_and_keyframes(
    sheets: Sequence[list[tinycss2.ast.Node]],
) -> list[list[tinycss2.ast.Node]]:
    """Leave out ``@font-face`` and ``@keyframes`` rules that no kept declaration of any of the
    sheets names (a font no element uses is never downloaded, but its rule is still parsed)."""
    named: set[str] = set()
    for rules in sheets:
        for declaration in _declarations(rules):
            named.update(_names(declaration.value))
    return [_without_unnamed(rules, named) for rules in sheets]


def _without_unnamed(rules: list[tinycss2.ast.Node], named: set[str]) -> list[tinycss2.ast.Node]:
    kept: list[tinycss2.ast.Node] = []
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "font-face" and rule.content is not None:
            families = [
                declaration
                for declaration in _declaration_list(rule.content)
                if declaration.lower_name == "font-family"
            ]
            if families and not any(_names(declaration.value) & named for declaration in families):
                continue
        elif rule.type == "at-rule" and rule.lower_at_keyword.endswith("keyframes"):
            if not (_names(rule.prelude) & named):
                continue
        elif rule.type == "at-rule" and rule.lower_at_keyword in _GROUPING_RULES and rule.content is not None:
            inner = _without_unnamed(list(rule.content), named)
            if not inner:
                continue
            rule = _at_rule(rule, rule.prelude, inner)
        kept.append(rule)
    return kept


def _declaration_list(content: list[tinycss2.ast.Node]) -> list[tinycss2.ast.Declaration]:
    return [
        item
        for item in tinycss2.parse_declaration_list(content, skip_comments=True, skip_whitespace=True)
        if item.type == "declaration"
    ]


def _declarations(rules: Iterable[tinycss2.ast.Node]) -> Iterator[tinycss2.ast.Declaration]:
    """The declarations of kept style rules (not those of ``@font-face`` or ``@keyframes``)."""
    for rule in rules:
        if rule.type == "qualified-rule":
            yield from _declaration_list(rule.content)
        elif rule.type == "at-rule" and rule.lower_at_keyword in _GROUPING_RULES and rule.content is not None:
            yield from _declarations(rule.content)


def _names(tokens: Iterable[tinycss2.ast.Node]) -> set[str]:
    """Every identifier and string in a value, nested ones (``var(…, "Font")``) included."""
    found: set[str] = set()
    for token in tokens:
        if token.type in ("ident", "string"):
            found.add(str(token.value))
        elif token.type == "function":
            found.update(_names(token.arguments))
        elif token.type in ("() block", "[] block", "{} block"):
            found.update(_names(token.content))
    return found


def icon_characters(sheets: Iterable[list[tinycss2.ast.Node]]) -> set[int]:
    """The characters kept rules draw: the one- or two-character strings of their ``content``
    and custom properties (Font Awesome writes an icon as ``--fa: "\\f0c9"``)."""
    found: set[int] = set()
    for rules in sheets:
        for declaration in _declarations(rules):
            if declaration.lower_name == "content" or declaration.name.startswith("--"):
                found.update(
                    ord(char) for value in _strings(declaration.value) if len(value) <= 2 for char in value
                )
    return found


def _strings(tokens: Iterable[tinycss2.ast.Node]) -> Iterator[str]:
    for token in tokens:
        if token.type == "string":
            yield str(token.value)
        elif token.type == "function":
            yield from _strings(token.arguments)


def font_files(rules: Iterable[tinycss2.ast.Node]) -> set[str]:
    """The relative URLs of the fonts kept ``@font-face`` rules load."""
    found: set[str] = set()
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "font-face" and rule.content is not None:
            for declaration in _declaration_list(rule.content):
                if declaration.lower_name == "src":
                    found.update(url for url in _urls(declaration.value) if _is_relative(url))
        elif rule.type == "at-rule" and rule.lower_at_keyword in _GROUPING_RULES and rule.content is not None:
            found.update(font_files(rule.content))
    return found


def _urls(tokens: Iterable[tinycss2.ast.Node]) -> Iterator[str]:
    for token in tokens:
        if token.type == "url":
            yield str(token.value)
        elif token.type == "function" and token.lower_name == "url":
            yield from (str(argument.value) for argument in token.arguments if argument.type == "string")
        elif token.type == "function":
            yield from _urls(token.arguments)


def _is_relative(url: str) -> bool:
    return not (url.startswith(("/", "#", "data:")) or "://" in url)


def rebase(rules: list[tinycss2.ast.Node], source_dir: str, target_dir: str) -> list[tinycss2.ast.Node]:
    """Rules moved from a sheet in ``source_dir`` into one in ``target_dir`` (both relative to
    the same root): their relative ``url()``\\ s rewritten to point at the same files."""
    if source_dir == target_dir:
        return rules

    def move(url: str) -> str:
        if not _is_relative(url):
            return url
        path, _, rest = url.partition("?")
        moved = posixpath.relpath(posixpath.normpath(posixpath.join(source_dir, path)), target_dir or ".")
        return moved + ("?" + rest if rest else "")

    return [_map_urls(rule, move) for rule in rules]


def _map_urls(node: tinycss2.ast.Node, move: Callable[[str], str]) -> tinycss2.ast.Node:
    kind = node.type
    if kind == "url":
        value = move(str(node.value))
        return tinycss2.ast.URLToken(
            node.source_line, node.source_column, value, f"url({tinycss2.serializer.serialize_url(value)})"
        )
    if kind == "function":
        arguments = [_map_urls(argument, move) for argument in node.arguments]
        if node.lower_name == "url":
            arguments = [_string(a, move(a.value)) if a.type == "string" else a for a in arguments]
        return tinycss2.ast.FunctionBlock(node.source_line, node.source_column, node.name, arguments)
    if kind == "qualified-rule":
        content = [_map_urls(item, move) for item in node.content]
        return tinycss2.ast.QualifiedRule(node.source_line, node.source_column, node.prelude, content)
    if kind == "at-rule":
        inner = None if node.content is None else [_map_urls(item, move) for item in node.content]
        return _at_rule(node, [_map_urls(item, move) for item in node.prelude], inner)
    if kind in ("() block", "[] block", "{} block"):
        content = [_map_urls(item, move) for item in node.content]
        return type(node)(node.source_line, node.source_column, content)
    return node


def _string(token: tinycss2.ast.StringToken, value: str) -> tinycss2.ast.StringToken:
    representation = f'"{tinycss2.serializer.serialize_string_value(value)}"'
    return tinycss2.ast.StringToken(token.source_line, token.source_column, value, representation)


def serialize(rules: Iterable[tinycss2.ast.Node]) -> str:
    """The rules as CSS text, one after the other."""
    return str(tinycss2.serialize(list(rules)))


def is_icon_font(characters: Iterable[int]) -> bool:
    """Whether a font's characters are mostly in Unicode's Private Use Area, where no text is
    written: an icon font, which only ever draws the characters stylesheets ask for."""
    characters = list(characters)
    private = sum(1 for char in characters if any(low <= char <= high for low, high in _PRIVATE_USE))
    return bool(characters) and private * 2 >= len(characters)
