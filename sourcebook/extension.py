"""The switchboard: sets up the extensions Sourcebook builds on, then each feature."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sourcebook.books.contents import setup_book_contents
from sourcebook.books.epub import setup_epub_book
from sourcebook.books.images import setup_book_images
from sourcebook.books.latex import setup_latex_book
from sourcebook.books.xhtml import setup_xhtml
from sourcebook.config import setup_config
from sourcebook.docutils_settings import keep_option_parsers
from sourcebook.incremental import setup_incremental
from sourcebook.knowledge.glossary import setup_glossary
from sourcebook.knowledge.related import setup_related
from sourcebook.knowledge.slug_links import setup_slug_links
from sourcebook.knowledge.term_links import setup_term_links
from sourcebook.navigation.feeds import setup_feeds
from sourcebook.navigation.head import setup_head
from sourcebook.navigation.listings import setup_listings
from sourcebook.navigation.llms_txt import setup_llms_txt
from sourcebook.navigation.pagination import setup_pagination
from sourcebook.navigation.previews import setup_previews
from sourcebook.navigation.previous_next import setup_previous_next
from sourcebook.navigation.publishing import setup_publishing
from sourcebook.navigation.redirects import setup_redirects
from sourcebook.navigation.social_cards import setup_social_cards
from sourcebook.navigation.tags import setup_tags
from sourcebook.page_contents import setup_page_contents
from sourcebook.page_overheads import setup_page_overheads
from sourcebook.parallel import setup_parallel
from sourcebook.posts.image_variants import setup_image_variants
from sourcebook.posts.images import setup_images
from sourcebook.posts.nodes import setup_post_nodes
from sourcebook.posts.reader import setup_reader
from sourcebook.posts.store import setup_post_store
from sourcebook.script_loading import setup_script_loading
from sourcebook.search.dialog import setup_search_dialog
from sourcebook.search.indexing import setup_search
from sourcebook.search.sphinx_index import setup_sphinx_index
from sourcebook.theme import setup_theme
from sourcebook.theme_assets import setup_theme_assets
from sourcebook.theme_components import setup_theme_components

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: Extensions every Sourcebook site needs, so conf.py cannot forget one.
REQUIRED_EXTENSIONS = ("myst_parser", "sphinx_design", "sphinxext.opengraph")


def setup_extension(app: Sphinx) -> None:
    for name in REQUIRED_EXTENSIONS:
        app.setup_extension(name)
    keep_option_parsers()
    # The order is the order of handlers that share an event and a priority: keep it.
    setup_config(app)
    setup_incremental(app)
    setup_page_overheads(app)
    setup_parallel(app)
    setup_post_store(app)
    setup_post_nodes(app)
    setup_reader(app)
    setup_images(app)
    setup_image_variants(app)
    setup_head(app)
    setup_social_cards(app)
    setup_previews(app)
    setup_pagination(app)
    setup_listings(app)
    setup_tags(app)
    setup_previous_next(app)
    setup_slug_links(app)
    setup_related(app)
    setup_glossary(app)
    setup_term_links(app)
    setup_publishing(app)
    setup_feeds(app)
    setup_redirects(app)
    setup_llms_txt(app)
    setup_search(app)
    setup_search_dialog(app)
    setup_sphinx_index(app)
    setup_book_contents(app)
    setup_book_images(app)
    setup_latex_book(app)
    setup_epub_book(app)
    setup_script_loading(app)
    setup_theme(app)
    setup_theme_components(app)
    setup_page_contents(app)
    setup_xhtml(app)
    setup_theme_assets(app)
