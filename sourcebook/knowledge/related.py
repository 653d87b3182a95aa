"""Related answers at the end of each post: other posts ranked by shared tags, glossary terms and text.

An environment collector keeps, for each post, a small term profile of its text and the
glossary terms it links to, read once when the post is read (purged and merged like any
Sphinx data, so incremental and ``-j`` builds see what a clean build sees). When reading
ends, :func:`sourcebook.knowledge.similarity.rank_related` ranks every post's related posts; the
posts whose list changed are handed back to Sphinx to be written again. The list itself
is added to the page when it is written.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.errors import NoUri

from sourcebook.build_cache import read_cache, write_cache
from sourcebook.knowledge.glossary import linked_terms
from sourcebook.knowledge.similarity import Profile, Ranking, make_profile, rank_related
from sourcebook.posts.frontmatter import format_date
from sourcebook.posts.nodes import kb_time, link_or_text, translator_writes
from sourcebook.posts.store import get_domain, is_post

if TYPE_CHECKING:
    from collections.abc import Iterable, Set

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.writers.html5 import HTML5Translator

RelatedEntry = tuple[str, str, str | None]
"""A related post as its page shows it: docname, title, date."""

#: The environment attribute that holds the collector's data.
STORE_ATTRIBUTE = "kb_related"

#: Nodes whose text says nothing about what a post is about.
SKIPPED_NODES = (
    nodes.comment,
    nodes.raw,
    nodes.literal_block,
    nodes.system_message,
    nodes.substitution_definition,
    nodes.target,
)

RUBRIC = "Related answers"
#: The last ranking, under the doctree folder (not in the environment, which every ``-j``
#: reading process would send back): its answers are reused where their inputs are the same.
RANKING_CACHE = "kb-related-ranking.pickle"


@dataclass
class RelatedStore:
    """The collector's data on the environment: plain values, pickled with it."""

    profiles: dict[str, Profile] = field(default_factory=dict)
    """Each post's most frequent terms (read time)."""
    terms: dict[str, list[str]] = field(default_factory=dict)
    """The glossary terms each post links to (read time)."""
    related: dict[str, list[RelatedEntry]] = field(default_factory=dict)
    """Each post's related posts, as last computed."""
    stale: bool = True
    """Whether a post was read or removed since ``related`` was computed."""


def related_store(env: BuildEnvironment) -> RelatedStore:
    store = getattr(env, STORE_ATTRIBUTE, None)
    if not isinstance(store, RelatedStore):
        store = RelatedStore()
        setattr(env, STORE_ATTRIBUTE, store)
    return store


def related_count(app: Sphinx) -> int:
    return max(0, int(app.config.kb_related_count))


def body_text(root: nodes.Element, skip: nodes.Node | None) -> str:
    """The text of a post's body, leaving out its header, its title and markup that is not prose."""
    parts: list[str] = []

    def walk(node: nodes.Element) -> None:
        for child in node.children:
            if isinstance(child, nodes.Text):
                parts.append(child.astext())
            elif child is skip or isinstance(child, SKIPPED_NODES):
                continue
            elif isinstance(child, nodes.Element) and "kb-post-header" not in child["classes"]:
                walk(child)

    walk(root)
    return " ".join(parts)


def glossary_terms(doctree: nodes.document, linked: Iterable[str] = ()) -> list[str]:
    """The glossary terms a document links to: its ``{term}`` roles, and the entries it links
    automatically (``linked``, from :func:`sourcebook.knowledge.glossary.linked_terms`)."""
    targets = [
        str(node["reftarget"])
        for node in doctree.findall(addnodes.pending_xref)
        if node.get("refdomain") == "std" and node.get("reftype") == "term"
    ]
    return sorted({" ".join(target.split()).casefold() for target in (*targets, *linked)})


def shared_profile(profile: Profile) -> Profile:
    """The profile with its terms interned: posts that share a term share one string, which
    each pickle of the environment (every ``-j`` reading batch sends one back) writes once.
    It halves the pickled profiles at 1,000 posts."""
    return {sys.intern(term): count for term, count in profile.items()}


class RelatedCollector(EnvironmentCollector):
    """Reads each post's profile and glossary terms; ranks related posts once reading ends."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        store = related_store(env)
        store.profiles.pop(docname, None)
        store.terms.pop(docname, None)
        store.stale = True

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment
    ) -> None:
        store, theirs = related_store(env), related_store(other)
        for docname in docnames:
            if docname in theirs.profiles:
                store.profiles[docname] = shared_profile(theirs.profiles[docname])
            if docname in theirs.terms:
                store.terms[docname] = [sys.intern(term) for term in theirs.terms[docname]]
        store.stale = True

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """At ``doctree-read``: after every transform, so automatic term links are in the tree."""
        env = app.env
        post = get_domain(env).posts.get(env.docname)
        if post is None or not related_count(app):
            return
        section = doctree.next_node(nodes.section)
        title = section.next_node(nodes.title) if section is not None else None
        text = body_text(section if section is not None else doctree, title)
        store = related_store(env)
        store.profiles[env.docname] = shared_profile(make_profile(text, post.title))
        if terms := glossary_terms(doctree, linked_terms(env)):
            store.terms[env.docname] = [sys.intern(term) for term in terms]
        store.stale = True

    def get_outdated_docs(
        self, app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
    ) -> list[str]:
        """Posts read before this feature existed (no profile yet) are read again."""
        if not related_count(app):
            return []
        profiles = related_store(env).profiles
        return sorted(
            docname
            for docname in env.found_docs - added - changed
            if is_post(docname, app.config) and docname not in profiles
        )

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """At ``env-get-updated``: rank again, and return the posts whose list changed."""
        store = related_store(env)
        if not store.stale:
            return []
        current = compute_related(env, related_count(app))
        previous = store.related
        changed = {doc for doc in current.keys() | previous.keys() if current.get(doc) != previous.get(doc)}
        store.related = current
        store.stale = False
        return sorted(changed & set(env.all_docs))


def compute_related(env: BuildEnvironment, count: int) -> dict[str, list[RelatedEntry]]:
    """Every published post's related posts, best first; drafts (in previews) are left out."""
    if not count:
        return {}
    store = related_store(env)
    posts = {
        docname: post
        for docname, post in get_domain(env).posts.items()
        if not post.draft and docname in store.profiles
    }
    cache = Path(env.doctreedir) / RANKING_CACHE
    ranking = rank_related(
        {docname: store.profiles[docname] for docname in posts},
        {docname: post.tags for docname, post in posts.items()},
        {docname: store.terms.get(docname, []) for docname in posts},
        count,
        {docname: post.date for docname, post in posts.items()},
        previous=read_cache(cache, Ranking),
    )
    write_cache(cache, ranking)
    return {
        docname: [(other, posts[other].title, posts[other].date) for other in others]
        for docname, others in sorted(ranking.related.items())
        if others
    }


class kb_related_list(nodes.General, nodes.Element):  # noqa: N801 - docutils names nodes in lower case
    """The "Related answers" block as HTML builders get it: one node, written straight to HTML,
    where the list would be ~35 nodes for every later step to walk. ``entries`` holds each
    post's address, title and date (ISO, and as shown)."""


#: The block's classes; "no-search": the titles of other posts must not make this page a result.
RELATED_CLASSES = ("kb-related", "no-search")
LIST_CLASS = "kb-related-list"


def visit_related_list_html(self: HTML5Translator, node: kb_related_list) -> None:
    """Write what Sphinx writes for :func:`related_nodes`' container, rubric and list."""
    parts = [
        f'<div class="{" ".join(RELATED_CLASSES)} docutils container">\n',
        f'<p class="rubric">{self.encode(RUBRIC)}</p>\n',
        f'<ul class="{LIST_CLASS} simple">\n',
    ]
    for href, title, date, shown in node["entries"]:
        link = f'<a class="reference internal" href="{self.attval(href)}">{self.encode(title)}</a>'
        parts.append(f"<li><p>{link}")
        if date:
            parts.append(f' · <time datetime="{self.attval(date)}">{self.encode(shown)}</time>')
        parts.append("</p></li>\n")
    parts.append("</ul>\n</div>\n")
    self.body.append("".join(parts))
    raise nodes.SkipNode


def related_nodes(builder: Builder, docname: str, entries: list[RelatedEntry]) -> nodes.container:
    """The block as docutils nodes, for any builder."""
    container = nodes.container(classes=list(RELATED_CLASSES))
    container += nodes.rubric(RUBRIC, RUBRIC)
    items = nodes.bullet_list(classes=[LIST_CLASS])
    for target, title, date in entries:
        paragraph = nodes.paragraph()
        paragraph += link_or_text(builder, docname, target, nodes.Text(title))
        if date:
            paragraph += nodes.Text(" · ")
            paragraph += kb_time(date, format_date(date), datetime=date)
        items += nodes.list_item("", paragraph)
    container += items
    return container


def related_list(builder: Builder, docname: str, entries: list[RelatedEntry]) -> kb_related_list | None:
    """The block as one :class:`kb_related_list`; None if a post has no address (then the
    nodes say what the builder does instead)."""
    rows = []
    try:
        for target, title, date in entries:
            shown = format_date(date) if date else ""
            rows.append((builder.get_relative_uri(docname, target), title, date or "", shown))
    except NoUri:
        return None
    return kb_related_list("", entries=tuple(rows))


def add_related(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A "Related answers" list at the end of the post, before its "Referenced by" list."""
    entries = related_store(app.env).related.get(docname)
    section = doctree.next_node(nodes.section)
    if not entries or section is None or not is_post(docname, app.config):
        return
    block: nodes.Element | None = None
    if translator_writes(app, kb_related_list):
        block = related_list(app.builder, docname, entries)
    if block is None:
        block = related_nodes(app.builder, docname, entries)
    backlinks = [
        child
        for child in section.children
        if isinstance(child, nodes.container) and "kb-backlinks" in child["classes"]
    ]
    if backlinks:
        section.insert(section.index(backlinks[0]), block)
    else:
        section += block


def setup_related(app: Sphinx) -> None:
    app.add_env_collector(RelatedCollector)
    app.add_node(kb_related_list, html=(visit_related_list_html, None))
    # Before crossrefs' "Referenced by" block (doctree-resolved, default priority 500), so
    # that appending puts "Related answers" first.
    app.connect("doctree-resolved", add_related, priority=450)
