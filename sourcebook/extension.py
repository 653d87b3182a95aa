"""The switchboard: sets up the extensions Sourcebook builds on, then each feature."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sourcebook.config import setup_config
from sourcebook.head import setup_head
from sourcebook.images import setup_images
from sourcebook.listings import setup_listings
from sourcebook.post_nodes import setup_post_nodes
from sourcebook.post_navigation import setup_post_navigation
from sourcebook.posts import setup_posts
from sourcebook.reader import setup_reader
from sourcebook.tags import setup_tags

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: Extensions every Sourcebook site needs, so conf.py cannot forget one.
REQUIRED_EXTENSIONS = ("myst_parser", "sphinx_design", "sphinxext.opengraph")


def setup_extension(app: Sphinx) -> None:
    for name in REQUIRED_EXTENSIONS:
        app.setup_extension(name)
    setup_config(app)
    setup_posts(app)
    setup_post_nodes(app)
    setup_reader(app)
    setup_images(app)
    setup_head(app)
    setup_listings(app)
    setup_tags(app)
    setup_post_navigation(app)
