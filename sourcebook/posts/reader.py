"""The post reader: a MyST parser that turns a Gatsby post into a Sphinx page.

For files under ``kb_posts_dir`` the frontmatter is read by :mod:`sourcebook.posts.frontmatter`
(not by MyST, whose ``title_to_header`` would parse the title as Markdown): problems become
``kb`` warnings at their line, the title becomes the page's H1 as plain text, the dates and
the featured image go under it, and every key lands in ``env.metadata``. Other Markdown
files are parsed by MyST unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from markdown_it import MarkdownIt
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
from myst_parser.parsers.mdit import create_md_parser
from myst_parser.parsers.sphinx_ import MystParser
from sphinx.util import logging

from sourcebook.posts.frontmatter import FrontMatter, ParsedPost, check_image, format_date, parse_post
from sourcebook.posts.git_history import History, later_update, read_history
from sourcebook.posts.nodes import kb_time
from sourcebook.posts.reading_time import reading_minutes
from sourcebook.posts.schedule import is_scheduled
from sourcebook.posts.store import PostRecord, get_domain, is_post
from sourcebook.reporting import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: Where a build keeps the posts' git history: on its own app (see read_git_history).
_HISTORY = "_kb_git_history"


class PostParser(MystParser):
    """MyST, plus Sourcebook's handling of post frontmatter."""

    def parse(self, inputstring: str, document: nodes.document) -> None:
        env: BuildEnvironment = document.settings.env
        if not is_post(env.docname, env.config):
            super().parse(inputstring, document)
            return
        source = Path(env.doc2path(env.docname))
        parsed = parse_post(inputstring, source.stem)
        git_changed = git_history(env).changed.get(env.doc2path(env.docname, base=False).as_posix())
        # The frontmatter's own date wins; else git's, when it is a later day than the post's.
        updated = parsed.frontmatter.updated or later_update(git_changed, parsed.frontmatter.date)
        for problem in parsed.problems:
            warn(problem.kind, problem.message, location=(env.docname, problem.line))
        image = self._featured_image(parsed.frontmatter, source, env)
        self._render_body(parsed, document, env)
        section = next(iter(document.findall(nodes.section)))
        minutes = reading_minutes(" ".join(child.astext() for child in section.children[1:]))
        title = section[0]
        assert isinstance(title, nodes.title)
        # The title is shown exactly as written: no curly quotes from SmartQuotes.
        title["support_smartquotes"] = False
        # Only a preview builds a post dated after the build's day without kb_publish_future.
        scheduled = not env.config.kb_publish_future and is_scheduled(
            parsed.frontmatter.date, dt.date.fromisoformat(env.config.kb_today)
        )
        header = _post_header(parsed.frontmatter, image, source, updated=updated, minutes=minutes)
        if env.config.kb_preview:
            _mark_unpublished(header, draft=parsed.frontmatter.draft, scheduled=scheduled)
        section.insert(1, header)
        metadata = parsed.frontmatter.as_metadata()
        # Eagerly, as MyST does for its own frontmatter, and marked orphan: posts are
        # reached through listings, not through the sidebar's toctree.
        env.metadata[env.docname].update(metadata, orphan="")
        get_domain(env).add_post(
            PostRecord(
                docname=env.docname,
                title=parsed.frontmatter.title,
                slug=parsed.frontmatter.slug,
                date=parsed.frontmatter.date,
                updated=updated,
                description=parsed.frontmatter.description
                or _summary(section, env.config.kb_description_length),
                tags=parsed.frontmatter.tags,
                draft=parsed.frontmatter.draft or scheduled,
                image=image,
                slug_line=parsed.frontmatter.line_of("slug"),
                reading_minutes=minutes,
                git_changed=git_changed,
            )
        )

    @staticmethod
    def _featured_image(frontmatter: FrontMatter, source: Path, env: BuildEnvironment) -> str | None:
        """The featured image as a source-relative path or URL, once checked on disk."""
        reference = frontmatter.featured_image
        if reference is None or reference.startswith(("http://", "https://")):
            return reference
        path, reason = check_image(reference, source, Path(env.srcdir))
        if path is None:
            warn(
                "image",
                f"featuredImage '{reference}' {reason}",
                location=(env.docname, frontmatter.line_of("featuredImage")),
            )
            return None
        return path.relative_to(Path(env.srcdir).resolve()).as_posix()

    @staticmethod
    def _render_body(parsed: ParsedPost, document: nodes.document, env: BuildEnvironment) -> None:
        """Render the body with MyST, under an H1 made of the title as plain text."""
        md = markdown_parser(env.myst_config)  # type: ignore[attr-defined]  # myst keeps it on the env
        md.options["document"] = document
        md_env: dict[str, object] = {}
        tokens = md.parse(parsed.body_with_blank_head(), md_env)
        line = parsed.frontmatter.line_of("title") - 1
        title = Token("inline", "", 0, content=parsed.frontmatter.title, map=[line, line + 1])
        title.children = [Token("text", "", 0, content=parsed.frontmatter.title)]
        heading = [
            Token("heading_open", "h1", 1, markup="#", block=True, map=[line, line + 1]),
            title,
            Token("heading_close", "h1", -1, markup="#", block=True),
        ]
        try:
            md.renderer.render(heading + tokens, md.options, md_env)
        finally:
            md.options["document"] = None  # not kept alive until the next post


#: The parser of the last MyST configuration a post was read with, in this process.
_parser: tuple[MdParserConfig, MarkdownIt] | None = None


def markdown_parser(config: MdParserConfig) -> MarkdownIt:
    """The MarkdownIt parser (with its SphinxRenderer) for ``config``, made once per process.

    Making one compiles every rule of markdown-it and its plugins, about 1 ms: a post does not
    need a new one. Each parse starts from a fresh ``env`` and each render from MyST's
    ``setup_render``, so nothing is carried from one post to the next.
    """
    global _parser
    if _parser is None or _parser[0] is not config:
        _parser = (config, create_md_parser(config, SphinxRenderer))
    return _parser[1]


def _post_header(
    frontmatter: FrontMatter, image: str | None, source: Path, *, updated: str | None, minutes: int
) -> nodes.container:
    """Dates and reading time, tags, then the featured image (placed at its frontmatter line,
    for messages about it; Sphinx would otherwise patch the place in, logging each image)."""
    header = nodes.container(classes=["kb-post-header"])
    line = nodes.paragraph(classes=["kb-post-dates"])
    if frontmatter.date:
        line += kb_time(
            frontmatter.date,
            format_date(frontmatter.date),
            datetime=frontmatter.date,
            classes=["kb-published"],
        )
    if updated:
        line += nodes.inline(" · Updated ", " · Updated ", classes=["kb-updated-label"])
        line += kb_time(updated, format_date(updated), datetime=updated, classes=["kb-updated"])
    reading = f" · {minutes} min read" if len(line) else f"{minutes} min read"
    line += nodes.inline(reading, reading, classes=["kb-reading-time"])
    header += line
    if frontmatter.tags:
        tags = nodes.paragraph(classes=["kb-post-tags"])
        for tag in frontmatter.tags:
            tags += nodes.inline(tag, tag, classes=["kb-tag"])
        header += tags
    if image:
        uri = image if image.startswith(("http://", "https://")) else f"/{image}"
        featured = nodes.image(uri=uri, alt=frontmatter.title, classes=["kb-featured-image"])
        featured.source, featured.line = str(source), frontmatter.line_of("featuredImage")
        header += featured
    return header


def _mark_unpublished(header: nodes.container, *, draft: bool, scheduled: bool) -> None:
    """A preview's flag on a post the published site leaves out."""
    line = header[0]
    assert isinstance(line, nodes.paragraph)
    if draft:
        line += nodes.inline(" Draft", " Draft", classes=["kb-draft"])
    elif scheduled:
        line += nodes.inline(" Scheduled", " Scheduled", classes=["kb-draft", "kb-scheduled"])


def git_history(env: BuildEnvironment) -> History:
    """This build's git history of the posts (read once, at builder-inited)."""
    history: History = getattr(env._app, _HISTORY, None) or History()  # as slug_links.py reaches the app
    return history


def read_git_history(app: Sphinx) -> None:
    """One ``git log`` of the post folder, before anything is read (parallel readers inherit it)."""
    history = read_history(Path(app.srcdir), app.config.kb_posts_dir)
    setattr(app, _HISTORY, history)
    if history.shallow:
        logger.info(
            "sourcebook: the git clone is shallow, so posts last changed before its first commit "
            "show no Updated date; 'git fetch --unshallow' brings the whole history"
        )


def reread_posts_git_changed(
    app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str], removed: Set[str]
) -> list[str]:
    """Posts whose last commit is not the one they were read with: their header changes."""
    history = git_history(env)
    return sorted(
        docname
        for docname, post in get_domain(env).posts.items()
        if docname not in changed
        and docname in env.found_docs
        and history.changed.get(env.doc2path(docname, base=False).as_posix()) != post.git_changed
    )


def _summary(section: nodes.section, length: int) -> str:
    """The first ``length`` characters of the post's prose, cut at a word."""
    words: list[str] = []
    size = 0
    for paragraph in section.findall(nodes.paragraph):
        if "kb-post-dates" in paragraph["classes"] or "kb-post-tags" in paragraph["classes"]:
            continue
        for word in paragraph.astext().split():
            if size + len(word) + 1 > length:
                return " ".join(words).rstrip(",;:") + "…"
            words.append(word)
            size += len(word) + 1
    return " ".join(words)


def setup_reader(app: Sphinx) -> None:
    app.add_source_parser(PostParser, override=True)
    app.connect("builder-inited", read_git_history)
    app.connect("env-get-outdated", reread_posts_git_changed)
