"""The glossary page: ``{kb:glossary}`` shows glossary.yaml as a real Sphinx glossary.

Each entry becomes a definition-list item whose term, abbreviations and synonyms are
``std:term`` targets (so ``{term}`` roles, term links and objects.inv work as for any Sphinx
glossary), grouped under a heading per category, with the Chinese term and pinyin, "See
also" links and the posts that mention the term. Which posts mention which term is stored
per document by :class:`TermMentionsCollector` (purged and merged like any Sphinx data),
and the glossary page is written again whenever those lists change.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from docutils import nodes
from sphinx import addnodes
from sphinx.domains.std import make_glossary_term
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

from sourcebook.knowledge.glossary_data import (
    GlossaryEntry,
    Problem,
    TermMatcher,
    build_matcher,
    load_glossary,
)
from sourcebook.output import builds_website
from sourcebook.posts.nodes import link_or_text
from sourcebook.posts.store import PostRecord, get_domain
from sourcebook.reporting import warn

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: How many posts "Mentioned in" lists before "and N more".
MENTIONS_SHOWN = 10


# --- The glossary file, read once per process ------------------------------------------


@dataclass
class LoadedGlossary:
    """A glossary file as read, and its matchers (one per skip list)."""

    path: Path
    entries: list[GlossaryEntry]
    problems: list[Problem]
    matchers: dict[tuple[str, ...], TermMatcher] = field(default_factory=dict)

    @cached_property
    def by_key(self) -> dict[str, GlossaryEntry]:
        """Each entry by its key: made once per read file, not once per page that links terms."""
        return {entry.key: entry for entry in self.entries}

    def matcher(self, skip: tuple[str, ...]) -> TermMatcher:
        if skip not in self.matchers:
            self.matchers[skip] = build_matcher(self.entries, skip)
        return self.matchers[skip]


class GlossaryCache:
    """Glossary files read by this process, keyed by path, size and modification time.

    Every post needs the glossary, and reading it costs far more than matching a post, so
    it is read once per process (before parallel readers fork, see ``term_links.py``). It
    lives on the environment but is never pickled: an unpickled environment starts empty.
    """

    def __init__(self) -> None:
        self.files: dict[Path, tuple[tuple[int, int], LoadedGlossary]] = {}

    def __reduce__(self) -> tuple[type[GlossaryCache], tuple[()]]:
        return GlossaryCache, ()

    def read(self, path: Path) -> LoadedGlossary | None:
        """The glossary at ``path``, or None when there is no such file."""
        try:
            stat = path.stat()
        except OSError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self.files.get(path)
        if cached is None or cached[0] != stamp:
            entries, problems = load_glossary(path)
            cached = (stamp, LoadedGlossary(path, entries, problems))
            self.files[path] = cached
        return cached[1]


def read_glossary(env: BuildEnvironment, path: Path) -> LoadedGlossary | None:
    """The glossary file at ``path`` (absolute), read at most once per change."""
    cache = vars(env).get("kb_glossary_cache")
    if not isinstance(cache, GlossaryCache):
        cache = GlossaryCache()
        vars(env)["kb_glossary_cache"] = cache
    return cache.read(path)


def report_problems(loaded: LoadedGlossary, env: BuildEnvironment, relative: str) -> None:
    """One ``kb.glossary`` warning per problem, at the file and line."""
    path = Path(env.srcdir) / relative
    for problem in loaded.problems:
        location = f"{path}:{problem.line}" if problem.line else str(path)
        warn("glossary", problem.message, location=location)


# --- Which posts mention which term --------------------------------------------------


@dataclass
class TermMentions:
    """Per document: the terms a post links to, and the glossary a page shows."""

    posts: dict[str, list[str]] = field(default_factory=dict)
    """A post's docname to the keys (lower-case terms) of the entries it links."""
    pages: dict[str, str] = field(default_factory=dict)
    """A glossary page's docname to its glossary file, relative to the source folder."""
    shown: dict[str, tuple[list[tuple[str, str]], int]] = field(default_factory=dict)
    """What the glossary pages last showed per term: the posts listed (docname, title) and the total."""


def mentions_of(env: BuildEnvironment) -> TermMentions:
    data = vars(env).get("kb_term_mentions")
    if not isinstance(data, TermMentions):
        data = TermMentions()
        vars(env)["kb_term_mentions"] = data
    return data


def mentioning_posts(env: BuildEnvironment) -> dict[str, list[PostRecord]]:
    """Each term key to the posts that link it, newest first."""
    posts = get_domain(env).posts
    found: dict[str, list[PostRecord]] = {}
    for docname, keys in mentions_of(env).posts.items():
        if docname in posts:
            for key in keys:
                found.setdefault(key, []).append(posts[docname])
    for records in found.values():
        records.sort(key=lambda post: post.sort_key, reverse=True)
    return found


#: Where the term links note, while a post is read, the entries it links (``env.temp_data``).
LINKED_TERMS = "kb_linked_terms"


def linked_terms(env: BuildEnvironment) -> frozenset[str]:
    """The keys of the entries the post being read links automatically (for ``doctree-read``)."""
    linked = env.temp_data.get(LINKED_TERMS)
    return linked if isinstance(linked, frozenset) else frozenset()


class TermMentionsCollector(EnvironmentCollector):
    """Records the term links of each post as it is read; purged and merged per document."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        data = mentions_of(env)
        data.posts.pop(docname, None)
        data.pages.pop(docname, None)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment
    ) -> None:
        data, theirs = mentions_of(env), mentions_of(other)
        for docname in docnames:
            if docname in theirs.posts:
                # Interned, as related.shared_profile: one string per key in the environment.
                data.posts[docname] = [sys.intern(key) for key in theirs.posts[docname]]
            if docname in theirs.pages:
                data.pages[docname] = theirs.pages[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        if keys := linked_terms(app.env):
            mentions_of(app.env).posts[app.env.docname] = [sys.intern(key) for key in sorted(keys)]

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """Glossary pages whose "Mentioned in" lists changed: written again, not read again."""
        data = mentions_of(env)
        shown = {
            key: ([(post.docname, post.title) for post in posts[:MENTIONS_SHOWN]], len(posts))
            for key, posts in mentioning_posts(env).items()
        }
        if shown == data.shown:
            return []
        data.shown = shown
        return sorted(set(data.pages) & set(env.all_docs))


# --- The directive ---------------------------------------------------------------------


class kb_term_mentions(nodes.General, nodes.Element):  # noqa: N801 - docutils names nodes in lower case
    """Placeholder for a term's "Mentioned in" line, filled once every post is read."""


class GlossaryDirective(SphinxDirective):
    """``{kb:glossary} glossary.yaml``: the glossary file (default ``kb_glossary``) as a glossary."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        if self.arguments:
            relative, _ = self.env.relfn2path(self.arguments[0], self.env.docname)
        elif self.config.kb_glossary:
            relative = str(self.config.kb_glossary).strip("/")
        else:
            warn(
                "glossary",
                "kb:glossary needs a file: write ```{kb:glossary} glossary.yaml``` or set kb_glossary",
                location=(self.env.docname, self.lineno),
            )
            return []
        path = Path(self.env.srcdir) / relative
        # Editing the glossary file reads this page again.
        self.env.note_dependency(path)
        loaded = read_glossary(self.env, path)
        if loaded is None:
            warn(
                "glossary",
                f"the glossary file '{relative}' does not exist; check the path (relative to this page)",
                location=(self.env.docname, self.lineno),
            )
            return []
        report_problems(loaded, self.env, relative)
        mentions_of(self.env).pages[self.env.docname] = relative
        return self.render(loaded.entries, str(path))

    def render(self, entries: list[GlossaryEntry], source: str) -> list[nodes.Node]:
        """A section per category (by name), its entries sorted by term."""
        ordered = sorted(entries, key=lambda entry: (entry.category.casefold(), entry.term.casefold()))
        sections: list[nodes.Node] = []
        for category, group in groupby(ordered, key=lambda entry: entry.category):
            section = nodes.section(classes=["kb-glossary-category"])
            section["names"].append(nodes.fully_normalize_name(category))
            section += nodes.title(category, category)
            self.state.document.note_implicit_target(section, section)
            glossary = addnodes.glossary(sorted=False)
            items = nodes.definition_list(classes=["glossary", "kb-glossary"])
            for entry in group:
                items += self.item(entry, source)
            glossary += items
            section += glossary
            sections.append(section)
        return sections

    def item(self, entry: GlossaryEntry, source: str) -> nodes.definition_list_item:
        item = nodes.definition_list_item()
        anchors = entry.variant_anchors
        kinds = [
            ("kb-glossary-term", [entry.term]),
            ("kb-glossary-abbreviation", list(entry.abbreviations)),
            ("kb-glossary-synonym", list(entry.synonyms)),
        ]
        for kind, names in kinds:
            for name in names:
                term = make_glossary_term(
                    self.env, [nodes.Text(name)], None, source, entry.line, anchors[name], self.state.document
                )
                # make_glossary_term registers a given id with Sphinx only; docutils too,
                # so that no heading takes the same id.
                self.state.document.note_explicit_target(term)
                term["classes"].append(kind)
                item += term
        definition = nodes.definition()
        if entry.chinese:
            definition += chinese_line(entry)
        definition += nodes.paragraph(entry.definition, entry.definition, classes=["kb-glossary-definition"])
        if entry.see_also:
            definition += self.see_also(entry)
        definition += kb_term_mentions(term=entry.key)
        item += definition
        return item

    def see_also(self, entry: GlossaryEntry) -> nodes.paragraph:
        line = nodes.paragraph(classes=["kb-glossary-see-also"])
        line += nodes.inline("See also: ", "See also: ", classes=["kb-label"])
        for number, name in enumerate(entry.see_also):
            if number:
                line += nodes.Text(", ")
            xref = addnodes.pending_xref(
                "",
                nodes.inline(name, name, classes=["xref", "std", "std-term"]),
                refdomain="std",
                reftype="term",
                reftarget=name.lower(),
                refexplicit=True,
                refwarn=True,
                refdoc=self.env.docname,
            )
            self.set_source_info(xref)
            line += xref
        return line


def chinese_line(entry: GlossaryEntry) -> nodes.paragraph:
    """'Chinese: 返工 (fǎn gōng)', each part marked with its language for readers and screen readers."""
    line = nodes.paragraph(classes=["kb-glossary-chinese"])
    line += nodes.inline("Chinese: ", "Chinese: ", classes=["kb-label"])
    # docutils writes a "language-xx" class as lang="xx".
    line += nodes.inline(entry.chinese, entry.chinese, classes=["language-zh-Hans", "kb-chinese"])
    if entry.pinyin:
        line += nodes.Text(" (")
        line += nodes.inline(entry.pinyin, entry.pinyin, classes=["language-zh-Latn-pinyin", "kb-pinyin"])
        line += nodes.Text(")")
    return line


def fill_mentions(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace each "Mentioned in" placeholder with links to the posts, newest first."""
    placeholders = list(doctree.findall(kb_term_mentions))
    if not placeholders:
        return
    mentions = mentioning_posts(app.env)
    for placeholder in placeholders:
        posts = mentions.get(placeholder["term"], [])
        if not posts:
            placeholder.parent.remove(placeholder)
            continue
        line = nodes.paragraph(classes=["kb-glossary-mentions"])
        line += nodes.inline("Mentioned in: ", "Mentioned in: ", classes=["kb-label"])
        for number, post in enumerate(posts[:MENTIONS_SHOWN]):
            if number:
                line += nodes.Text(", ")
            line += link_or_text(app.builder, docname, post.docname, nodes.Text(post.title), post.title)
        if len(posts) > MENTIONS_SHOWN:
            line += nodes.Text(" and ")
            line += rest_of_mentions(app, docname, placeholder["term"], len(posts) - MENTIONS_SHOWN)
        placeholder.replace_self(line)


def rest_of_mentions(app: Sphinx, docname: str, key: str, rest: int) -> nodes.Node:
    """'N more', linked on the website to a search for the term (its posts are indexed with its
    names), so that the list stays ten posts long however many mention the term."""
    text = nodes.Text(f"{rest:,} more")
    if not builds_website(app):
        return text
    search = relative_uri(app.builder.get_target_uri(docname), app.builder.get_target_uri("search"))
    return nodes.reference("", "", text, refuri=f"{search}?q={quote(key)}", classes=["kb-mentions-rest"])


def setup_glossary(app: Sphinx) -> None:
    app.add_node(kb_term_mentions)
    app.add_directive_to_domain("kb", "glossary", GlossaryDirective)
    app.add_env_collector(TermMentionsCollector)
    # At doctree-resolved: every post (and so every mention) is known.
    app.connect("doctree-resolved", fill_mentions)
