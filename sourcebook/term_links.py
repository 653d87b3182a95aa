"""Automatic term links: the first mention of a glossary term in a post links to its entry.

While a post is read, its prose (never its title, header, headings, links or code) is
searched for the terms, abbreviations and synonyms of ``kb_glossary``; the first mention of
each entry, per page or per section, becomes a ``std:term`` cross-reference whose hover
text is the term's short definition. Authors write nothing. The links are in the stored
doctree, so the glossary can list the posts that mention each term (``glossary.py``).
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from docutils import nodes, utils
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

from sourcebook.config import KbConfig
from sourcebook.glossary import LoadedGlossary, mentions_of, read_glossary
from sourcebook.glossary_data import GlossaryEntry, TermMatcher, unknown_names
from sourcebook.posts import is_post
from sourcebook.reporting import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

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
    """Wrap the first mention of each glossary entry in a post in a ``std:term`` reference."""

    # While reading (so the links are stored and collected at doctree-read, 880), after
    # MyST and docutils made their references and footnotes, before SmartQuotes (855).
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
        for text, section in prose_texts(self.document):
            self.link(text, matcher, id(section) if per_section else 0, linked)

    def link(self, text: nodes.Text, matcher: TermMatcher, scope: int, linked: set[tuple[int, str]]) -> None:
        """Split ``text`` around the first mention (in ``scope``) of each entry it names."""
        value = str(text)
        pieces: list[nodes.Node] = []
        position = 0
        for match in matcher.finditer(value):
            if (scope, match.entry.key) in linked:
                continue
            linked.add((scope, match.entry.key))
            if match.start > position:
                pieces.append(nodes.Text(value[position : match.start]))
            pieces.append(self.term_link(value[match.start : match.end], match.entry, text))
            position = match.end
        if not pieces:
            return
        if position < len(value):
            pieces.append(nodes.Text(value[position:]))
        parent = text.parent
        # By identity: Text nodes are strings, and equal ones may share a paragraph.
        index = next(number for number, child in enumerate(parent.children) if child is text)
        parent[index : index + 1] = pieces

    def term_link(self, mention: str, entry: GlossaryEntry, text: nodes.Text) -> addnodes.pending_xref:
        xref = addnodes.pending_xref(
            "",
            nodes.Text(mention),  # no wrapping element: one node fewer per link, ~24 per post
            refdomain="std",
            reftype="term",
            reftarget=entry.key,
            refexplicit=True,
            refwarn=False,
            reftitle=entry.short,
            refdoc=self.env.docname,
            kb_term=entry.key,
        )
        xref.source, xref.line = utils.get_source_line(text.parent)
        return xref


class ResolveTermLinks(SphinxPostTransform):
    """Resolve term links before Sphinx's resolver (priority 10).

    The standard domain's term references carry no title, so the short definition is put on
    the reference here (HTML writes it as ``title``: the hover text). A term that no page
    defines (no ``{kb:glossary}`` in the site) stays plain text rather than a broken link;
    ``warn_missing_glossary_page`` reports that once.

    Each link is resolved by the standard domain, as Sphinx's resolver would; its content
    moves into the reference rather than being copied, since the pending node is dropped.
    """

    default_priority = 7

    def run(self, **kwargs: Any) -> None:
        standard = self.env.domains.standard_domain
        builder = self.env._app.builder  # as Sphinx's own ReferencesResolver gets it
        for node in list(self.document.findall(addnodes.pending_xref)):
            if "kb_term" not in node:
                continue
            # The mention's text itself goes into the reference (Sphinx's make_refnode appends
            # whatever node it is given).
            content = cast("nodes.Element", node[0])
            reference = standard.resolve_xref(
                self.env, node["refdoc"], builder, "term", node["reftarget"], node, content
            )
            if reference is None:
                node.replace_self(nodes.Text(node.astext()))
                continue
            reference["reftitle"] = node["reftitle"]
            reference["classes"].append("kb-term-link")
            node.replace_self(reference)


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
    """Read the glossary once before any post (parallel readers inherit it) and check the options."""
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
    app.add_post_transform(ResolveTermLinks)
    app.connect("env-check-consistency", warn_missing_glossary_page)
