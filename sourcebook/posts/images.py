"""Images in posts: checked before Sphinx copies them.

Every local image a post shows (the featured image is checked by the reader) must exist
and lie inside the source folder. A bad one is dropped with one ``kb.image`` warning that
says what to do, instead of Sphinx's bare "image file not readable" or, worse, Sphinx
copying a file from outside the site into the output.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms import SphinxTransform

from sourcebook.posts.frontmatter import check_image
from sourcebook.posts.store import is_post
from sourcebook.reporting import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx


class CheckPostImages(SphinxTransform):
    """Drop post images that are missing or outside the site, with a warning each."""

    # Any priority works as long as it is a transform: Sphinx records images later,
    # at doctree-read.
    default_priority = 400

    def apply(self, **kwargs: Any) -> None:
        if not is_post(self.env.docname, self.config):
            return
        source = Path(self.env.doc2path(self.env.docname))
        for image in list(self.document.findall(nodes.image)):
            uri = image["uri"]
            if "kb-featured-image" in image["classes"] or "://" in uri or uri.startswith("data:"):
                continue
            _path, reason = check_image(uri, source, Path(self.env.srcdir))
            if reason is None:
                continue
            warn("image", f"image '{uri}' {reason}", location=image)
            alt = image.get("alt", "")
            image.replace_self(nodes.inline(alt, alt, classes=["kb-missing-image"]))


def setup_images(app: Sphinx) -> None:
    app.add_transform(CheckPostImages)
