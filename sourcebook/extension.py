"""The switchboard: sets up the extensions Sourcebook builds on, then each feature."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sourcebook.config import setup_config
from sourcebook.crossrefs import setup_crossrefs
from sourcebook.feeds import setup_feeds
from sourcebook.glossary import setup_glossary
from sourcebook.head import setup_head
from sourcebook.image_variants import setup_image_variants
from sourcebook.images import setup_images
from sourcebook.incremental import setup_incremental
from sourcebook.listings import setup_listings
from sourcebook.page_context import setup_page_context
from sourcebook.post_navigation import setup_post_navigation
from sourcebook.post_nodes import setup_post_nodes
from sourcebook.posts import setup_posts
from sourcebook.publishing import setup_publishing
from sourcebook.reader import setup_reader
from sourcebook.redirects import setup_redirects
from sourcebook.related import setup_related
from sourcebook.search import setup_search
from sourcebook.search_words import setup_search_words
from sourcebook.tags import setup_tags
from sourcebook.term_links import setup_term_links

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: Extensions every Sourcebook site needs, so conf.py cannot forget one.
REQUIRED_EXTENSIONS = ("myst_parser", "sphinx_design", "sphinxext.opengraph")


def setup_extension(app: Sphinx) -> None:
    for name in REQUIRED_EXTENSIONS:
        app.setup_extension(name)
    setup_config(app)
    setup_incremental(app)
    setup_posts(app)
    setup_post_nodes(app)
    setup_reader(app)
    setup_images(app)
    setup_image_variants(app)
    setup_head(app)
    setup_listings(app)
    setup_tags(app)
    setup_post_navigation(app)
    setup_crossrefs(app)
    setup_related(app)
    setup_glossary(app)
    setup_term_links(app)
    setup_publishing(app)
    setup_feeds(app)
    setup_redirects(app)
    setup_search(app)
    setup_search_words(app)
    setup_page_context(app)
