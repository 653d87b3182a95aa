"""An icon font cut down to the icons a site draws (pure; fontTools).

Font Awesome's solid font is 112 KB of 2,000 icons; Sourcebook's pages draw about a dozen,
and a browser downloads the whole font for the first one. fontTools (the Python library that
font foundries and Google Fonts use) keeps only the glyphs of the given characters, in the
same format, so the stylesheet's ``@font-face`` rules and every icon's class stay as they are.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from fontTools import subset
from fontTools.ttLib import TTFont

from sourcebook.unused_css import is_icon_font


def font_characters(data: bytes) -> set[int]:
    """The characters a font (TrueType, OpenType, WOFF or WOFF2) has glyphs for."""
    with TTFont(io.BytesIO(data), lazy=True) as font:
        cmap = font.getBestCmap() or {}
        return set(cmap)


def subset_icon_font(data: bytes, characters: Iterable[int]) -> bytes | None:
    """``data`` with only the glyphs of ``characters``, or ``None`` when it is not an icon
    font (a text font must keep every letter: a page's text may use any of them)."""
    available = font_characters(data)
    if not is_icon_font(available):
        return None
    wanted = sorted(set(characters) & available)
    options = subset.Options()
    options.layout_features = ["*"]  # icons may be reached through ligatures
    options.name_IDs = ["*"]  # the font's names and licence, as shipped
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.ignore_missing_unicodes = True
    with _quiet(), TTFont(io.BytesIO(data), recalcTimestamp=False) as font:
        flavor = font.flavor
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=wanted)
        subsetter.subset(font)
        font.flavor = flavor
        output = io.BytesIO()
        font.save(output)
    return output.getvalue()


@contextmanager
def _quiet() -> Iterator[None]:
    """fontTools reports each table it subsets at the INFO level: not news for a build's log."""
    library = logging.getLogger("fontTools")
    level = library.level
    library.setLevel(logging.WARNING)
    try:
        yield
    finally:
        library.setLevel(level)
