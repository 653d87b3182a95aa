"""Links between posts by slug, the way Gatsby authors wrote them, and backlinks.

``[text](/some-slug)`` and ``[text](/blog/some-slug/)`` become ordinary internal
references to the post (relative, so they work in every builder and on any host);
``{kb:post}`some-slug``` does the same for MyST authors. An unknown slug is one
``kb.link`` warning naming the closest slugs. Every document's links are recorded at
read time, so each post can show which pages refer to it, and incremental builds
rewrite a post whose backlinks changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

from sourcebook.posts.nodes import link_or_text
from sourcebook.posts.slugs import slug_from_link, slug_key, unknown_slug
from sourcebook.posts.store import KnowledgeBaseDomain, get_domain, is_post
from sourcebook.reporting import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


def _slug_link_target(node: addnodes.pending_xref) -> tuple[str, str] | None:
    """The slug and anchor of a Markdown link or ``kb:post`` role, or None for other links."""
    if node.get("refdomain") == "kb" and node.get("reftype") == "post":
        return str(node["reftarget"]).strip().strip("/"), ""
    if node.get("reftype") == "myst" and not node.get("refdomain"):
        return slug_from_link(str(node["reftarget"]))
    return None


def unknown_slug_message(slug: str, domain: KnowledgeBaseDomain) -> str:
    """One sentence naming the missing slug and the closest existing ones."""
    return unknown_slug(slug, domain.slug_index())


class CollectSlugLinks(SphinxTransform):
    """Record which posts each document links to (read time, so the data is stored)."""

    default_priority = 500

    def apply(self, **kwargs: Any) -> None:
        keys = {
            slug_key(target[0])
            for node in self.document.findall(addnodes.pending_xref)
            if (target := _slug_link_target(node)) is not None
        }
        if keys:
            get_domain(self.env).links[self.env.docname] = sorted(keys)


class ResolveSlugLinks(SphinxPostTransform):
    """Resolve ``[text](/slug)`` before MyST's resolver (priority 9) reports it missing."""

    default_priority = 8

    def run(self, **kwargs: Any) -> None:
        domain = get_domain(self.env)
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst" or node.get("refdomain"):
                continue
            target = slug_from_link(str(node["reftarget"]))
            if target is None:
                continue
            slug, anchor = target
            contnode = node[0].deepcopy() if len(node) else nodes.inline()
            post = domain.find_post(slug)
            if post is None:
                warn("link", unknown_slug_message(slug, domain), location=node)
                node.replace_self(contnode)
                continue
            if not contnode.astext():
                contnode = nodes.inline(post.title, post.title)
            refdoc = node.get("refdoc", self.env.docname)
            builder = self.env._app.builder  # as Sphinx's own ReferencesResolver gets it
            reference = link_or_text(builder, refdoc, post.docname, contnode, post.title, anchor)
            node.replace_self(reference)


def warn_unknown_post_role(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.TextElement
) -> nodes.Node | None:
    """``{kb:post}`` with an unknown slug: our warning, then the text without a link."""
    if node.get("refdomain") != "kb":
        return None
    warn("link", unknown_slug_message(str(node["reftarget"]), get_domain(env)), location=node)
    return contnode


def backlinks(env: BuildEnvironment) -> dict[str, list[str]]:
    """Each post to the documents that link to it (not itself), sorted."""
    domain = get_domain(env)
    found: dict[str, set[str]] = {}
    for source, keys in domain.links.items():
        for key in keys:
            post = domain.find_post(key)
            if post is not None and post.docname != source:
                found.setdefault(post.docname, set()).add(source)
    return {docname: sorted(sources) for docname, sources in sorted(found.items())}


def refresh_backlinks(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Posts whose "Referenced by" list changed: written again without being read again."""
    domain = get_domain(env)
    current = backlinks(env)
    previous: dict[str, list[str]] = domain.data["backlinks"]
    changed = {doc for doc in current.keys() | previous.keys() if current.get(doc) != previous.get(doc)}
    domain.data["backlinks"] = current
    return sorted(changed & set(env.all_docs))


#: The newest pages a "Referenced by" list shows; a count says how many more there are.
BACKLINKS_SHOWN = 20


def add_backlinks(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A "Referenced by" list at the end of a post that other pages link to: the newest
    ``BACKLINKS_SHOWN``, so that a post half the site links to stays a page of its own size."""
    if not is_post(docname, app.config):
        return
    sources = get_domain(app.env).data["backlinks"].get(docname)
    sections = list(doctree.findall(nodes.section))
    if not sources or not sections:
        return
    posts = get_domain(app.env).posts
    container = nodes.container(classes=["kb-backlinks"])
    container += nodes.rubric("Referenced by", "Referenced by")
    items = nodes.bullet_list()
    ordered = sorted(
        sources, key=lambda doc: posts[doc].sort_key if doc in posts else ("", doc), reverse=True
    )
    for source in ordered[:BACKLINKS_SHOWN]:
        title = posts[source].title if source in posts else app.env.titles[source].astext()
        reference = link_or_text(app.builder, docname, source, nodes.Text(title))
        items += nodes.list_item("", nodes.paragraph("", "", reference))
    container += items
    if len(ordered) > BACKLINKS_SHOWN:
        rest = len(ordered) - BACKLINKS_SHOWN
        container += nodes.paragraph("", f"and {rest:,} more", classes=["kb-more"])
    sections[0] += container


def setup_slug_links(app: Sphinx) -> None:
    app.add_transform(CollectSlugLinks)
    app.add_post_transform(ResolveSlugLinks)
    app.connect("missing-reference", warn_unknown_post_role)
    app.connect("env-get-updated", refresh_backlinks)
    app.connect("doctree-resolved", add_backlinks)
