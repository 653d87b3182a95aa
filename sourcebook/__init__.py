"""Sourcebook: an importer knowledge base built with Sphinx from Gatsby-style posts."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


def setup(app: Sphinx) -> ExtensionMetadata:
    from sourcebook.extension import setup_extension

    setup_extension(app)
    return {
        "version": __version__,
        # Bump when the shape of the data stored in the environment changes (or a class it holds moves).
        "env_version": 8,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
