"""Automatic term links: the first mention of a glossary term in a post links to its entry.

While a post is read, its prose (never its title, header, headings, links or code) is
searched for the terms, abbreviations and synonyms of ``kb_glossary``; the first mention of
each entry, per page or per section, becomes a ``std:term`` cross-reference whose hover
text is the term's short definition. Authors write nothing.

Links would nearly double a post's nodes, which every later step would pay for (pickling,
the post-transforms, shipping doctrees between ``-j`` processes), so the texts are never
split while the post is read: each element whose texts hold mentions stores where they are,
and the readers of ``doctree-read`` (the glossary's "Mentioned in" lists, related answers,
search words) ask :func:`sourcebook.knowledge.glossary.linked_terms` which entries the post
links. Just before the page is written, the links are put in: HTML builders get one
:class:`term_linked_text` per text, which their translator writes with its ``<a>`` elements;
other builders get finished references.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import NoUri
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

from sourcebook.config import KbConfig
from sourcebook.knowledge.glossary import LINKED_TERMS, LoadedGlossary, mentions_of, read_glossary
from sourcebook.knowledge.glossary_data import GlossaryEntry, TermMatcher, unknown_names
from sourcebook.posts.nodes import translator_writes
from sourcebook.posts.store import is_post
from sourcebook.reporting import warn

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment
    from sphinx.writers.html5 import HTML5Translator

    Mention = tuple[int, str, str]
    """A term link in a text: where the mention starts, the mention, the entry's key."""
    StoredText = tuple[int, int, tuple[Mention, ...]]
    """A text that held links: its index in its element, its length, its links."""

SCOPES = ("page", "section")
#: Text inside these is never linked: headings, links, code, images, markup that is not prose.
NOT_PROSE = (
    nodes.title,
    nodes.subtitle,
    nodes.rubric,
    nodes.reference,
    addnodes.pending_xref,
    nodes.literal,
    nodes.FixedTextElement,  # literal and math blocks
    nodes.raw,
    nodes.image,
    nodes.math,
    nodes.term,
    nodes.field_name,
    nodes.option_string,
    nodes.Invisible,  # comments, targets, substitution definitions
    nodes.system_message,
    nodes.problematic,
)
#: Parts of a post page that Sourcebook adds around the author's text.
NOT_BODY = frozenset({"kb-post-header", "kb-backlinks"})
#: Text counts as prose inside a paragraph (which list items, table cells and quotes hold).
PROSE = (nodes.paragraph, nodes.line)
#: The attribute of an element whose texts hold links: the post's docname and the texts.
STORED = "kb_term_links"
#: What LinkTerms leaves for RelocateTermLinks to check (``env.temp_data``).
_NOTED = "kb_term_links_noted"


def _default(name: str) -> Any:
    return next(item.default for item in fields(KbConfig) if item.name == name)


def term_glossary(env: BuildEnvironment) -> LoadedGlossary | None:
    """The glossary whose terms are linked: ``kb_glossary``, when set and present."""
    relative = str(env.config.kb_glossary).strip("/")
    if not relative:
        return None
    return read_glossary(env, Path(env.srcdir) / relative)


def _never_linked(node: nodes.Element) -> bool:
    """Whether no text inside ``node`` is ever linked: not prose (term links included), or no body."""
    if isinstance(node, NOT_PROSE):
        return True
    classes = node.get("classes", ())
    if not classes:
        return False
    return isinstance(node, nodes.container) and not NOT_BODY.isdisjoint(classes)


def prose_texts(document: nodes.document) -> list[tuple[nodes.Text, nodes.Element]]:
    """Every text that may be linked, in document order, with the section it is prose of.

    A text is linked when it is inside a paragraph or line (the prose of list items, table
    cells and quotes too) and inside nothing that :func:`_never_linked`; its section is the
    closest section (or the document) around it. The tree is walked down once, so a subtree
    that is never linked (code, links, headings…) is not entered at all.
    """
    found: list[tuple[nodes.Text, nodes.Element]] = []
    if _never_linked(document):
        return found

    def walk(node: nodes.Element, section: nodes.Element, in_prose: bool) -> None:
        for child in node.children:
            if isinstance(child, nodes.Text):
                if in_prose:
                    found.append((child, section))
            elif isinstance(child, nodes.Element) and not _never_linked(child):
                walk(
                    child,
                    child if isinstance(child, (nodes.section, nodes.document)) else section,
                    in_prose or isinstance(child, PROSE),
                )

    walk(document, document, isinstance(document, PROSE))
    return found


class LinkTerms(SphinxTransform):
    """Find the first mention of each glossary entry in a post, and note where it is.

    The texts are not split into link nodes: each element whose texts hold mentions gets the
    :data:`STORED` attribute (the post's docname and, per text, its index, its length and its
    mentions), which :class:`InsertTermLinks` turns into references when the page is written.
    The readers of ``doctree-read`` get the linked entries from
    :func:`sourcebook.knowledge.glossary.linked_terms`.
    """

    # While reading, after MyST and docutils made their references and footnotes, before
    # SmartQuotes (750), so that names are matched in the text as the author typed it.
    default_priority = 700

    def apply(self, **kwargs: Any) -> None:
        config = self.config
        if not config.kb_term_links or not is_post(self.env.docname, config):
            return
        glossary = term_glossary(self.env)
        if glossary is None:
            return
        # Editing the glossary reads the posts again, so their links follow it.
        self.env.note_dependency(glossary.path)
        if not glossary.entries:
            return
        matcher = glossary.matcher(tuple(config.kb_term_links_skip))
        per_section = config.kb_term_links_scope == "section"
        linked: set[tuple[int, str]] = set()
        # Each element whose texts hold mentions: the element, those texts, what they store.
        noted: dict[int, tuple[nodes.Element, list[nodes.Text], list[StoredText]]] = {}
        for text, section in prose_texts(self.document):
            mentions = self.mentions(text, matcher, id(section) if per_section else 0, linked)
            if mentions:
                parent = text.parent
                _, texts, stored = noted.setdefault(id(parent), (parent, [], []))
                # By identity: Text nodes are strings, and equal ones may share a paragraph.
                index = next(number for number, child in enumerate(parent.children) if child is text)
                texts.append(text)
                stored.append((index, len(text), mentions))
        docname = self.env.docname
        for parent, _, stored in noted.values():
            parent[STORED] = (docname, tuple(stored))
        # What doctree-read's readers ask for (linked_terms), and what RelocateTermLinks checks.
        self.env.temp_data[_NOTED] = noted
        self.env.temp_data[LINKED_TERMS] = frozenset(key for _, key in linked)

    @staticmethod
    def mentions(
        text: nodes.Text, matcher: TermMatcher, scope: int, linked: set[tuple[int, str]]
    ) -> tuple[Mention, ...]:
        """The first mentions (in ``scope``) of the entries ``text`` names."""
        value = str(text)
        found: list[Mention] = []
        for match in matcher.matches(value):
            if (scope, match.entry.key) in linked:
                continue
            linked.add((scope, match.entry.key))
            found.append((match.start, value[match.start : match.end], match.entry.key))
        return tuple(found)


class RelocateTermLinks(SphinxTransform):
    """Check the noted links against the texts as the other transforms left them.

    A transform after :class:`LinkTerms` may have replaced a text (SmartQuotes turns quotes
    and dashes into typographic ones, which may change its length): its mentions are found
    again in order in the new text; one that is no longer there is left for
    :class:`InsertTermLinks` to match again.
    """

    # After doctree-read (880).
    default_priority = 890

    def apply(self, **kwargs: Any) -> None:
        noted = self.env.temp_data.pop(_NOTED, None)
        self.env.temp_data.pop(LINKED_TERMS, None)
        if not noted:
            return
        for parent, texts, stored in noted.values():
            current = list(zip(texts, stored, strict=True))
            if all(index < len(parent) and parent[index] is text for text, (index, _, _) in current):
                continue
            found = tuple(found_again(parent, text, entry) for text, entry in current)
            parent[STORED] = (self.env.docname, found)


def found_again(parent: nodes.Element, text: nodes.Text, stored: StoredText) -> StoredText:
    """A stored text as it is now in ``parent``: where the text is, its length, its mentions."""
    index, _, mentions = stored
    position = next((number for number, child in enumerate(parent.children) if child is text), index)
    if position >= len(parent) or not isinstance(parent[position], nodes.Text):
        return stored  # gone: InsertTermLinks matches the element again
    value = str(parent[position])
    found: list[Mention] = []
    start = 0
    for _, mention, key in mentions:
        at = value.find(mention, start)
        if at < 0:
            return stored
        found.append((at, mention, key))
        start = at + len(mention)
    return (position, len(value), tuple(found))


class term_linked_text(nodes.Inline, nodes.TextElement):  # noqa: N801 - docutils names nodes in lower case
    """A text holding term links, as HTML builders get it: one node whose translator writes
    the text and its ``<a>`` elements, where references would add three nodes a link for
    every later step to walk (and Sphinx's generic writing of each). ``links`` holds each
    link's start, end, address (``href``) and hover text."""


#: The attribute of a :class:`term_linked_text` that holds its links.
LINKS = "links"


def visit_term_linked_text_html(self: HTML5Translator, node: term_linked_text) -> None:
    """Write what Sphinx writes for the text and for each link as a reference node."""
    value = node.astext()
    body = self.body
    position = 0
    for start, end, href, title in node[LINKS]:
        body.append(self.encode(value[position:start]))
        body.append(
            f'<a class="{TERM_LINK_CLASS} reference internal" href="{self.attval(href)}" '
            f'title="{self.attval(title)}">{self.encode(value[start:end])}</a>'
        )
        position = end
    body.append(self.encode(value[position:]))
    raise nodes.SkipNode


class InsertTermLinks(SphinxPostTransform):
    """Put the stored links into their texts, for any builder.

    Late, so that the other post-transforms walk the smaller tree, but before Sphinx's link
    checker (800) collects references. Each link is resolved by the standard domain, as
    Sphinx's resolver would; the short definition is its title (HTML writes it as
    ``title``: the hover text). A builder whose translator writes :class:`term_linked_text`
    (the HTML builders) gets one such node per text; others get reference nodes. A term that
    no page defines (no ``{kb:glossary}`` in the site) stays plain text rather than a broken
    link; ``warn_missing_glossary_page`` reports that once. An element whose texts are no
    longer what was stored (a transform changed them) is matched again.
    """

    default_priority = 790

    def run(self, **kwargs: Any) -> None:
        if not self.config.kb_term_links:  # turning them on or off reads every post again
            return
        elements = [node for node in self.document.findall(nodes.Element) if STORED in node.attributes]
        if not elements:
            return
        glossary = term_glossary(self.env)
        entries = glossary.by_key if glossary is not None else {}
        app = self.env._app  # as Sphinx's own ReferencesResolver gets the builder
        resolver = LinkResolver(self.env, app.builder, entries, translator_writes(app, term_linked_text))
        for element in elements:
            docname, texts = element[STORED]
            del element[STORED]
            if all(stored_text_matches(element, text) for text in texts):
                for index, _, mentions in reversed(texts):
                    element[index : index + 1] = resolver.pieces(str(element[index]), mentions, docname)
            elif glossary is not None:
                matcher = glossary.matcher(tuple(self.config.kb_term_links_skip))
                keys = {key for _, _, mentions in texts for _, _, key in mentions}
                relink(element, keys, matcher, resolver, docname)


def stored_text_matches(element: nodes.Element, stored: StoredText) -> bool:
    index, length, mentions = stored
    if index >= len(element):
        return False
    child = element[index]
    return (
        isinstance(child, nodes.Text)
        and len(child) == length
        and all(child.startswith(mention, start) for start, mention, _ in mentions)
    )


#: The class of a term link, beside Sphinx's ``reference internal``.
TERM_LINK_CLASS = "kb-term-link"

Address = tuple[str, str]
"""Where a link goes, as a reference node holds it: ``("refuri", uri)`` or ``("refid", id)``."""


class LinkResolver:
    """Makes a text's pieces: its links, resolved as the standard domain resolves terms, and
    the text around them.

    A page links ~24 terms, all on the glossary's page: the address from the page to that
    page is computed once per page, not once per link (it was most of the links' cost).
    """

    def __init__(
        self,
        env: BuildEnvironment,
        builder: Builder,
        entries: dict[str, GlossaryEntry],
        linked_text: bool = False,
    ) -> None:
        self.env, self.builder, self.entries = env, builder, entries
        self.linked_text = linked_text
        self.standard = env.domains.standard_domain
        # The standard domain resolves a term from its target alone: this node is not read.
        self.node = addnodes.pending_xref("", refdomain="std", reftype="term")
        self.uris: dict[tuple[str, str], str] = {}

    def pieces(self, value: str, mentions: Sequence[Mention], docname: str) -> list[nodes.Node]:
        """What replaces the text: a :class:`term_linked_text`, or texts and references."""
        if self.linked_text:
            return [self.linked(value, mentions, docname)]
        found: list[nodes.Node] = []
        position = 0
        for start, mention, key in mentions:
            if start > position:
                found.append(nodes.Text(value[position:start]))
            found.append(self.link(mention, key, docname))
            position = start + len(mention)
        if position < len(value):
            found.append(nodes.Text(value[position:]))
        return found

    def linked(self, value: str, mentions: Sequence[Mention], docname: str) -> nodes.Node:
        """The text as one :class:`term_linked_text` (the text alone if no link resolves)."""
        links: list[tuple[int, int, str, str]] = []
        for start, mention, key in mentions:
            found = self.address(key, docname)
            if found is not None:
                kind, where = found
                href = ("#" + where if where else "#") if kind == "refid" else where
                links.append((start, start + len(mention), href, self.entries[key].short))
        if not links:
            return nodes.Text(value)
        return term_linked_text("", value, links=tuple(links))

    def link(self, mention: str, key: str, docname: str) -> nodes.Node:
        """A reference to the entry, holding the mention; the mention alone if it cannot resolve."""
        # The mention's text itself goes into the reference (make_refnode appends what it is given).
        content = nodes.Text(mention)
        found = self.address(key, docname)
        if found is None:
            return content
        kind, where = found
        reference = nodes.reference("", "", content, internal=True, reftitle=self.entries[key].short)
        reference[kind] = where
        reference["classes"].append(TERM_LINK_CLASS)
        return reference

    def address(self, key: str, docname: str) -> Address | None:
        """Where the entry's link goes from ``docname``; None where it cannot resolve."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            # Where the domain finds it: the target as written, else the term in any case (the
            # glossary registers each term as written in the YAML file).
            objects = self.standard.objects
            target = objects.get(("term", key)) or objects.get(("term", entry.term))
            if target is not None:
                return self.between(docname, *target)
            # A term the glossary does not register itself.
            self.node["reftarget"] = key
            reference = self.standard.resolve_xref(
                self.env, docname, self.builder, "term", key, self.node, nodes.inline()
            )
        except NoUri:  # a builder without the glossary's page (LaTeX, when it is in no toctree)
            return None
        if reference is None:
            return None
        if "refuri" in reference:
            return ("refuri", str(reference["refuri"]))
        return ("refid", str(reference.get("refid", "")))

    def between(self, fromdocname: str, todocname: str, targetid: str) -> Address:
        """What ``sphinx.util.nodes.make_refnode`` would link, with the address between two pages kept."""
        if fromdocname == todocname and targetid:
            return ("refid", targetid)
        pages = (fromdocname, todocname)
        if (uri := self.uris.get(pages)) is None:
            uri = self.uris[pages] = self.builder.get_relative_uri(fromdocname, todocname)
        return ("refuri", uri + "#" + targetid if targetid else uri)


def relink(
    element: nodes.Element, keys: set[str], matcher: TermMatcher, resolver: LinkResolver, docname: str
) -> None:
    """Link the first mention of each of ``keys`` in the texts of ``element``, matching them again."""
    found: list[tuple[int, list[Mention]]] = []
    for index, child in enumerate(element.children):
        if not keys:
            break
        if not isinstance(child, nodes.Text):
            continue
        value = str(child)
        mentions: list[Mention] = []
        for match in matcher.finditer(value):
            if match.entry.key in keys:
                keys.discard(match.entry.key)
                mentions.append((match.start, value[match.start : match.end], match.entry.key))
        if mentions:
            found.append((index, mentions))
    for index, mentions in reversed(found):
        element[index : index + 1] = resolver.pieces(str(element[index]), mentions, docname)


def accept_skip_list(app: Sphinx, config: Config) -> None:
    """``kb_term_links_skip`` is written as a list in conf.py; it is stored as a tuple."""
    if isinstance(config.kb_term_links_skip, list):
        config.kb_term_links_skip = tuple(config.kb_term_links_skip)


def validate_term_options(app: Sphinx, config: Config) -> None:
    """Values the type check cannot judge: the scope's name, the skip list's items."""
    if config.kb_term_links_scope not in SCOPES:
        warn(
            "config",
            f"kb_term_links_scope must be 'page' or 'section', "
            f"not {config.kb_term_links_scope!r}; using 'page'",
            location=None,
        )
        config.kb_term_links_scope = "page"
    names = [name for name in config.kb_term_links_skip if isinstance(name, str)]
    if len(names) != len(config.kb_term_links_skip):
        warn("config", "kb_term_links_skip must list terms as text; ignoring the other items", location=None)
        config.kb_term_links_skip = tuple(names)


def read_term_glossary(app: Sphinx) -> None:
    """Read the glossary and make its matcher once, before any post (parallel readers inherit
    them), and check the options."""
    relative = str(app.config.kb_glossary).strip("/")
    if not relative:
        return
    glossary = term_glossary(app.env)
    if glossary is None:
        # The default file is optional: a site without a glossary has no term links.
        if relative != _default("glossary"):
            warn(
                "config",
                f"kb_glossary is '{relative}', but there is no such file in the source folder; "
                "fix the path or set kb_glossary = ''",
                location=None,
            )
        return
    for name in unknown_names(glossary.entries, app.config.kb_term_links_skip):
        warn(
            "config",
            f"kb_term_links_skip names '{name}', which is no term, abbreviation or synonym in {relative}",
            location=None,
        )
    if app.config.kb_term_links:
        # Made here, not by the first post: ``-j`` reads posts in processes forked from this
        # one, a new one per batch of ~50 posts, which would each make it again.
        glossary.matcher(tuple(app.config.kb_term_links_skip))


def warn_missing_glossary_page(app: Sphinx, env: BuildEnvironment) -> None:
    """Posts link terms, but no page shows the glossary: their links cannot resolve."""
    data = mentions_of(env)
    relative = str(env.config.kb_glossary).strip("/")
    if data.posts and relative not in data.pages.values():
        warn(
            "glossary",
            f"posts mention terms of {relative}, but no page shows it, so they are not linked; "
            "add a page with ```{kb:glossary}``` or set kb_term_links = False",
            location=None,
        )


def setup_term_links(app: Sphinx) -> None:
    # Before validate_config (400), which expects a tuple; after it, the value checks.
    app.connect("config-inited", accept_skip_list, priority=390)
    app.connect("config-inited", validate_term_options, priority=410)
    app.connect("builder-inited", read_term_glossary)
    app.add_transform(LinkTerms)
    app.add_transform(RelocateTermLinks)
    app.add_post_transform(InsertTermLinks)
    app.add_node(term_linked_text, html=(visit_term_linked_text_html, None))
    app.connect("env-check-consistency", warn_missing_glossary_page)
