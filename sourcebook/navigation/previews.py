"""Link previews: hovering or focusing a link to a post or a glossary term shows a card.

The build writes the cards' data at ``html-collect-pages``, from the post store, the image
records and the glossary, which are complete after incremental and parallel builds alike:
``kb-previews/<n>.json`` (:mod:`sourcebook.navigation.preview_data`), each written only
when its content changes. Every page of the website gets ``static/kb-previews.js``
(deferred), which fetches the file of a link's address on its first hover or focus, keeps
it, and shows the card. ``kb_link_previews = False`` leaves both out (to use Read the
Docs' own link previews instead).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sourcebook.knowledge.term_links import term_glossary
from sourcebook.navigation.preview_data import FOLDER, bucket_files, post_preview, term_preview
from sourcebook.output import builds_website, write_if_changed
from sourcebook.posts.frontmatter import format_date
from sourcebook.posts.image_variants import thumbnail_for
from sourcebook.posts.store import get_domain

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.application import Sphinx
    from sphinx.config import Config

STATIC = Path(__file__).parent / "static"
SCRIPT = "kb-previews.js"


def previews_of(app: Sphinx) -> dict[str, dict[str, Any]]:
    """Every card, by the address links use: each published post, and each glossary name that
    has a target (the term and each abbreviation and synonym)."""
    builder = app.builder
    found: dict[str, dict[str, Any]] = {}
    for post in get_domain(app.env).sorted_posts():
        if post.draft:
            continue
        image = None
        if post.image and "://" not in post.image:
            image = thumbnail_for(app, post.image, post.docname)
        date = format_date(post.date[:10]) if post.date else ""
        found[builder.get_target_uri(post.docname)] = post_preview(post.title, post.description, date, image)
    glossary = term_glossary(app.env)
    objects = app.env.domains.standard_domain.objects
    for entry in glossary.entries if glossary else ():
        preview = term_preview(entry.term, entry.short, entry.chinese, entry.pinyin, entry.abbreviations)
        for name in entry.variants:
            target = objects.get(("term", name.lower())) or objects.get(("term", name))
            if target is not None:
                docname, anchor = target
                found[f"{builder.get_target_uri(docname)}#{anchor}"] = preview
    return found


def write_previews(app: Sphinx) -> Iterable[tuple[str, dict[str, Any], str]]:
    """Write the cards' files (once every page is read; before the pages that are not documents)."""
    if builds_website(app) and app.config.kb_link_previews:
        for name, content in bucket_files(previews_of(app)).items():
            write_if_changed(Path(app.outdir) / FOLDER / name, content)
    return []


def add_script(app: Sphinx) -> None:
    """The script on every page of the website, with where the posts are."""
    if builds_website(app) and app.config.kb_link_previews:
        # A post's address starts with its folder's, with either builder (x.html or x/).
        attributes: dict[str, Any] = {"data-posts": f"{app.config.kb_posts_dir}/"}
        app.add_js_file(SCRIPT, loading_method="defer", **attributes)


def add_static(app: Sphinx, config: Config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup_previews(app: Sphinx) -> None:
    app.connect("config-inited", add_static)
    app.connect("builder-inited", add_script)
    app.connect("html-collect-pages", write_previews)
