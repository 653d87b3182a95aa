"""The post store: every post's normalised frontmatter, kept in a Sphinx domain.

State lives in ``env.domaindata['kb']`` as plain picklable records, purged per document
and merged from parallel readers, so incremental and ``-j`` builds see the same posts as
a clean build. This module also decides which files are posts and which stay out of the
build (drafts, files that are not UTF-8).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx.domains import Domain, ObjType
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

from sourcebook.config import KbConfig
from sourcebook.posts.frontmatter import decode, parse_post
from sourcebook.posts.schedule import build_day, is_scheduled, may_be_scheduled
from sourcebook.posts.slugs import SlugIndex, duplicate_slug_message, slug_key
from sourcebook.reporting import warn

if TYPE_CHECKING:
    from docutils.nodes import Element
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: A 'draft:' key at the start of a line: only such files are parsed at start-up.
_DRAFT_KEY = re.compile(r"^draft\s*:", re.MULTILINE)


@dataclass
class PostRecord:
    """What later features (listings, feeds, search, cross-references) know of a post.

    Kept small: the environment holding it is loaded and saved on every build. Every
    frontmatter key is in ``env.metadata`` too, as Sphinx keeps page metadata.
    """

    docname: str
    title: str
    slug: str
    date: str | None
    updated: str | None
    description: str
    tags: list[str] = field(default_factory=list)
    draft: bool = False
    """Not published: a draft, or a post dated after the build's day (both only in previews)."""
    image: str | None = None
    """The featured image: a path relative to the source folder, or an http(s) URL."""
    slug_line: int = 1
    reading_minutes: int = 1
    git_changed: str | None = None
    """The last change git knew of when the post was read (see posts/git_history.py)."""

    @property
    def sort_key(self) -> tuple[str, str]:
        """Newest first when sorted in reverse; undated posts sort last."""
        return (self.date or "", self.docname)


class KnowledgeBaseDomain(Domain):
    """The ``kb`` domain: the posts of the knowledge base, keyed by docname."""

    name = "kb"
    label = "Knowledge base"
    data_version = 3
    initial_data: ClassVar[dict[str, Any]] = {
        "posts": {},
        "listing_pages": {},
        "listing_digests": {},
        "neighbours": {},
        "links": {},
        "backlinks": {},
        # Each tag page's fingerprint and the time it last changed (see tags.py); the same
        # for the feeds (feeds.py).
        "tag_pages": {},
        "feeds": None,
        # The same for the further parts of split lists (pagination.py), by page name.
        "listing_parts": {},
    }
    object_types: ClassVar[dict[str, ObjType]] = {"post": ObjType("post", "post")}
    roles: ClassVar[dict[str, Any]] = {"post": XRefRole()}

    @property
    def posts(self) -> dict[str, PostRecord]:
        posts: dict[str, PostRecord] = self.data["posts"]
        return posts

    @property
    def listing_pages(self) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """Pages that list posts, with the kind and options of each list (see listings.py)."""
        pages: dict[str, list[tuple[str, dict[str, Any]]]] = self.data["listing_pages"]
        return pages

    @property
    def links(self) -> dict[str, list[str]]:
        """Each document's links to posts, as slug keys (for backlinks)."""
        links: dict[str, list[str]] = self.data["links"]
        return links

    # Resolving asks many times over unchanged data; every change clears these.
    _owners_cache: dict[str, PostRecord] | None = None
    _slug_index_cache: SlugIndex | None = None

    def _forget_slugs(self) -> None:
        self._owners_cache = None
        self._slug_index_cache = None

    def add_post(self, record: PostRecord) -> None:
        self.posts[record.docname] = record
        self._forget_slugs()

    def clear_doc(self, docname: str) -> None:
        self._forget_slugs()
        self.posts.pop(docname, None)
        self.listing_pages.pop(docname, None)
        self.links.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        self._forget_slugs()
        for docname, record in otherdata["posts"].items():
            if docname in docnames:
                self.posts[docname] = record
        for docname, listings in otherdata["listing_pages"].items():
            if docname in docnames:
                self.listing_pages[docname] = listings
        for docname, slug_keys in otherdata["links"].items():
            if docname in docnames:
                self.links[docname] = slug_keys

    def sorted_posts(self) -> list[PostRecord]:
        """All posts, newest first."""
        return sorted(self.posts.values(), key=lambda post: post.sort_key, reverse=True)

    def slug_owners(self) -> dict[str, PostRecord]:
        """Each slug key to the post that owns it: on a clash, the first by file name."""
        owners: dict[str, PostRecord] = {}
        for docname in sorted(self.posts):
            owners.setdefault(slug_key(self.posts[docname].slug), self.posts[docname])
        return owners

    def find_post(self, slug: str) -> PostRecord | None:
        """The post a slug names (any case), once the posts are read."""
        if self._owners_cache is None:
            self._owners_cache = self.slug_owners()
        return self._owners_cache.get(slug_key(slug))

    def slug_index(self) -> SlugIndex:
        """The owners' slugs, for the closest ones to a missing slug (made once a build)."""
        if self._slug_index_cache is None:
            self._slug_index_cache = SlugIndex(post.slug for post in self.slug_owners().values())
        return self._slug_index_cache

    def check_consistency(self) -> None:
        """Warn for each post whose slug another post already owns (runs on every build)."""
        owners = self.slug_owners()
        for docname in sorted(self.posts):
            post = self.posts[docname]
            owner = owners[slug_key(post.slug)]
            if owner.docname != docname:
                owner_path = self.env.doc2path(owner.docname, base=False).as_posix()
                warn(
                    "slug", duplicate_slug_message(post.slug, owner_path), location=(docname, post.slug_line)
                )

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> nodes.reference | None:
        """``{kb:post}`slug``` : a link to the post, titled by the post unless text is given."""
        post = self.find_post(target.strip().strip("/"))
        if post is None:
            return None
        if not node.get("refexplicit"):
            contnode = nodes.inline(post.title, post.title, classes=["kb-post-title"])
        return make_refnode(builder, fromdocname, post.docname, "", contnode, post.title)

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> list[tuple[str, nodes.reference]]:
        return []

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        """Posts under their slug in objects.inv, so other Sphinx sites can link to them."""
        for post in self.slug_owners().values():
            yield post.slug, post.title, "post", post.docname, "", 1


def get_domain(env: BuildEnvironment) -> KnowledgeBaseDomain:
    domain = env.domains["kb"]
    assert isinstance(domain, KnowledgeBaseDomain)
    return domain


def is_post(docname: str, config: Config) -> bool:
    """Whether a document is a post: any Markdown file under ``kb_posts_dir``."""
    return docname.startswith(f"{config.kb_posts_dir}/")


def post_files(srcdir: Path, posts_dir: str) -> Iterable[Path]:
    """Every post file, in a stable order."""
    return sorted((srcdir / posts_dir).rglob("*.md"))


def publication_day(app: Sphinx, config: Config) -> dt.date:
    """Settle the build's day once (``kb_today``, else ``SOURCE_DATE_EPOCH``, else the clock)
    and keep it in ``config.kb_today``, where the reader finds it."""
    try:
        today, source = build_day(config.kb_today, os.environ)
    except ValueError as error:
        warn("config", f"{error}; using the clock's day", location=None)
        today, source = build_day("", {})
    config.kb_today = today.isoformat()
    logger.debug("sourcebook: today is %s (from %s)", config.kb_today, source)
    return today


def leave_out_unbuildable_posts(app: Sphinx, config: Config) -> None:
    """Exclude drafts and scheduled posts (unless previewing) and files that are not UTF-8.

    This must happen at ``config-inited``: Sphinx fixes the list of documents from
    ``exclude_patterns`` before any reading, and would stop with a traceback on a
    file it cannot decode. A scheduled post is one dated after the build's day; the day it
    comes, the list of excluded files changes and Sphinx reads the site again.
    """
    options = KbConfig.from_sphinx(config)
    today = publication_day(app, config)
    srcdir = Path(app.srcdir)
    excluded: list[str] = []
    drafts: list[str] = []
    scheduled: list[tuple[str, str]] = []
    for path in post_files(srcdir, options.posts_dir):
        relative = path.relative_to(srcdir).as_posix()
        text, problem = decode(path.read_bytes())
        if problem is not None:
            warn(problem.kind, problem.message, location=f"{path}:{problem.line}")
            excluded.append(relative)
            continue
        assert text is not None
        # Plain substring and date tests first: they run for every post on every build.
        head = text[:4096]
        may_be_draft = "draft" in head and _DRAFT_KEY.search(head) is not None
        if not (may_be_draft or may_be_scheduled(head, today)):
            continue
        frontmatter = parse_post(text, path.stem).frontmatter
        if frontmatter.draft:
            if not options.preview:
                drafts.append(relative)
        elif not options.publish_future and is_scheduled(frontmatter.date, today):
            scheduled.append((relative, frontmatter.date or ""))
    if drafts:
        logger.info(
            "sourcebook: left out %d draft post(s): %s (preview them with 'sourcebook serve')",
            len(drafts),
            ", ".join(drafts),
        )
    if scheduled and not options.preview:
        logger.info(
            "sourcebook: left out %d post(s) dated after today (%s) until their day: %s "
            "(kb_publish_future = True publishes them now)",
            len(scheduled),
            config.kb_today,
            ", ".join(f"{relative} ({date[:10]})" for relative, date in scheduled),
        )
    # Which posts wait: when one's day comes, this value changes and Sphinx reads the site
    # again, in a preview (where they are built, marked) as in a published build.
    config.kb_scheduled_posts = tuple(relative for relative, _date in scheduled)
    left_out = [*excluded, *drafts]
    if not options.preview:
        left_out += config.kb_scheduled_posts
    if left_out:
        config.exclude_patterns = [*config.exclude_patterns, *left_out]


def remove_deleted_post_pages(
    app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str], removed: Set[str]
) -> list[str]:
    """Delete the output page of each removed post, and the copy of its source Sphinx made for
    a "show source" link, so an incremental build matches a clean one."""
    if app.builder.format == "html":
        sources, link_suffix = app.outdir / "_sources", app.config.html_sourcelink_suffix
        for docname in removed:
            if is_post(docname, app.config):
                (app.outdir / app.builder.get_target_uri(docname)).unlink(missing_ok=True)
                for suffix in app.config.source_suffix:
                    # Sphinx names the copy as the source, with the link's suffix unless it is the same.
                    copy = docname + suffix + ("" if suffix == link_suffix else link_suffix)
                    (sources / copy).unlink(missing_ok=True)
    return []


def setup_post_store(app: Sphinx) -> None:
    app.add_domain(KnowledgeBaseDomain)
    # Set at config-inited, never in conf.py: the posts that wait for their day.
    app.add_config_value("kb_scheduled_posts", (), "env", types=frozenset({tuple}))
    app.connect("env-get-outdated", remove_deleted_post_pages)
    # After validate_config (400), so that kb_posts_dir is clean.
    app.connect("config-inited", leave_out_unbuildable_posts, priority=450)
