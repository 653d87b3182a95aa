"""Sourcebook's configuration: one dataclass of ``kb_*`` options, validated once.

Each field carries its type, default, the rebuild it triggers and its help text; the
fields are registered as ``kb_<name>`` values and checked on ``config-inited``.
"""

from __future__ import annotations

import os
from dataclasses import MISSING, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from sourcebook.reporting import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config


def _option(default: Any, help_text: str, rebuild: str = "env") -> Any:
    return field(default=default, metadata={"help": help_text, "rebuild": rebuild})


@dataclass(frozen=True)
class KbConfig:
    """The options a site sets in ``conf.py`` as ``kb_<name>``."""

    posts_dir: str = _option("source/posts", "Folder of the posts, relative to the source folder.")
    preview: bool = _option(
        False, "Build drafts and scheduled posts too, marked as such (sourcebook serve turns this on)."
    )
    today: str = _option(
        "",
        "The build's day, 'YYYY-MM-DD': posts dated after it wait for a later build "
        "('': SOURCE_DATE_EPOCH when set, else the clock, in UTC).",
        "",
    )
    publish_future: bool = _option(False, "Publish posts dated after today instead of keeping them back.")
    description_length: int = _option(
        160, "Length of the description made from a post's text when it has none."
    )
    tags_dir: str = _option("tags", "Output folder of the generated tag pages.", "html")
    tags_page: str = _option("source/tags", "The document holding the {tagindex} of all tags.", "html")
    glossary: str = _option(
        "source/glossary.yaml", "The glossary file, relative to the source folder ('' for none)."
    )
    term_links: bool = _option(True, "Link the first mention of each glossary term in a post.")
    term_links_scope: str = _option("page", "Link a term's first mention per 'page' or per 'section'.")
    term_links_skip: tuple[str, ...] = _option((), "Terms or single variants that are never linked.")
    related_count: int = _option(4, "Related posts listed at the end of each post (0: none).")
    feed_size: int = _option(50, "Posts in the Atom and RSS feeds, newest first (0: every post).", "html")
    link_previews: bool = _option(
        True,
        "Show a card when a link to a post or a glossary term is hovered or focused "
        "(False: none, e.g. to use Read the Docs' link previews instead).",
        "html",
    )
    llms_txt: bool = _option(
        True, "Publish /llms.txt and each post's Markdown at its page's address + .md.", "html"
    )
    book_front: tuple[str, ...] = _option(
        ("source/about",), "Pages the PDF and EPUB print before the posts (docnames).", "html"
    )
    book_appendices: tuple[str, ...] = _option(
        ("source/glossary",), "Pages the PDF and EPUB print after the posts, as appendices.", "html"
    )
    book_posts: int = _option(0, "How many posts the PDF and EPUB hold, the newest (0: every one).", "html")
    book_tags: tuple[str, ...] = _option((), "Only posts with one of these tags go into the books.", "html")
    posts_per_page: int = _option(
        500,
        "Longest list one page of the website shows: the archive, the tag index and each tag's "
        "page go on over further pages; a {postlist} ends with a link to the rest (0: no limit).",
        "html",
    )
    trim_theme_assets: bool = _option(
        True,
        "Leave out of the theme's stylesheets the rules no page can use, and cut its icon font "
        "down to the icons they draw (see sourcebook/theme_assets.py).",
        "",
    )
    icon_script: bool = _option(
        False,
        "Load the theme's Font Awesome script on every page (its icons show without it; "
        "only icons added from JavaScript need it).",
        "html",
    )
    sphinx_search: bool = _option(
        False,
        "Also write Sphinx's own search index (searchindex.js), which the search page then uses "
        "where the site's search cannot run: a page opened from disk.",
        "html",
    )

    @classmethod
    def from_sphinx(cls, config: Config) -> KbConfig:
        """The validated options of a running build."""
        return cls(**{item.name: getattr(config, f"kb_{item.name}") for item in fields(cls)})


def validate_config(app: Sphinx, config: Config) -> None:
    """Check each ``kb_*`` value's type; a wrong one warns and falls back to its default."""
    for item in fields(KbConfig):
        name = f"kb_{item.name}"
        value = getattr(config, name)
        expected = type(item.default) if item.default is not MISSING else object
        if expected is tuple and isinstance(value, list):
            # conf.py writes lists; the value is kept as a tuple, like its default.
            value = tuple(value)
            setattr(config, name, value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            warn(
                "config",
                f"{name} must be {expected.__name__}, not {value!r}; using {item.default!r}",
                location=None,
            )
            setattr(config, name, item.default)
    config.kb_posts_dir = config.kb_posts_dir.strip("/")
    # Read the Docs publishes under its own canonical URL; every absolute link
    # (canonical, og:url, feeds, sitemap) must use it when it is there.
    if canonical := os.environ.get("READTHEDOCS_CANONICAL_URL"):
        config.html_baseurl = canonical
    if config.html_baseurl and not config.html_baseurl.endswith("/"):
        config.html_baseurl += "/"
    # The page template (templates/layout.html) reads it from the context.
    config.html_context = {
        **config.html_context,
        "kb_icon_script": config.kb_icon_script,
        "kb_sphinx_search": config.kb_sphinx_search,
    }
    # sphinxext-opengraph (pages that are not posts) follows the same address.
    if not config.ogp_site_url:
        config.ogp_site_url = config.html_baseurl


def site_url(config: Config) -> str:
    """The absolute root of the published site ('' when unknown), ending with '/'."""
    return str(config.html_baseurl or "")


def setup_config(app: Sphinx) -> None:
    for item in fields(KbConfig):
        app.add_config_value(
            f"kb_{item.name}",
            item.default,
            item.metadata["rebuild"],
            types=frozenset({type(item.default)}),
            description=item.metadata["help"],
        )
    # Before the other extensions read html_baseurl (priority 500 is the default).
    app.connect("config-inited", validate_config, priority=400)
