"""Images the books' formats cannot hold: converted with Pillow, or shown as their text.

The web site serves any image a browser shows; LaTeX takes PNG, JPEG and PDF, EPUB readers
PNG, JPEG, GIF and SVG. A post's WebP, AVIF, GIF, BMP or TIFF image would make Sphinx warn
("a suitable image … not found"), which fails Read the Docs' build: Sphinx's own image
converter mechanism, with Pillow (already a dependency) doing the work, gives those builders a
PNG instead. LaTeX cannot include an SVG without a tool such as Inkscape or rsvg, which
Read the Docs lacks: the PDF prints the image's text (its alt) in its place, and the build says
so in one line; the web site and the EPUB keep the drawing.
"""

from __future__ import annotations

import os
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.transforms.post_transforms.images import ImageConverter
from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

CONVERTED = ("image/webp", "image/avif", "image/gif", "image/bmp", "image/tiff")


class PillowConverter(ImageConverter):
    """Raster images a builder cannot hold, as PNG."""

    # Sphinx declares it a plain attribute; each converter class sets its own list.
    conversion_rules = [(kind, "image/png") for kind in CONVERTED]  # noqa: RUF012

    def is_available(self) -> bool:
        return True

    def convert(self, _from: str | os.PathLike[str], _to: str | os.PathLike[str]) -> bool:
        from PIL import Image  # only for the rare post with such an image

        try:
            with Image.open(_from) as image:
                image.seek(0)  # an animation's first frame
                keeps_alpha = image.mode in ("RGBA", "LA", "P")
                image.convert("RGBA" if keeps_alpha else "RGB").save(_to, "PNG")
        except (OSError, ValueError, Image.DecompressionBombError):
            return False
        return True


class SvgAsText(SphinxPostTransform):
    """An SVG in the PDF: its alt text, in italics, where the drawing would be."""

    default_priority = 210  # after the converters (200), which cannot make SVG a PNG
    builders = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for image in list(self.document.findall(nodes.image)):
            kinds: set[str] = set(image.get("candidates", {})) - {"*"}
            uri = str(image.get("uri", ""))
            if kinds == {"image/svg+xml"} or (not kinds and uri.lower().endswith(".svg")):
                text = str(image.get("alt") or PurePosixPath(uri).name)
                logger.info("sourcebook: the PDF shows the text of %s, not the SVG", uri, location=image)
                replacement = nodes.emphasis(text, text)
                if isinstance(image.parent, nodes.TextElement):
                    image.replace_self(replacement)
                else:
                    image.replace_self(nodes.paragraph("", "", replacement))


def setup_book_images(app: Sphinx) -> None:
    app.add_post_transform(PillowConverter)
    app.add_post_transform(SvgAsText)
