"""An icon font cut down to the icons drawn; a text font is never cut."""

from __future__ import annotations

import io
from pathlib import Path

import pydata_sphinx_theme
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

from sourcebook.icon_font import font_characters, subset_icon_font

SOLID = (
    Path(pydata_sphinx_theme.__file__).parent
    / "theme/pydata_sphinx_theme/static/vendor/fontawesome/webfonts/fa-solid-900.woff2"
)
BARS, SUN, MOON = 0xF0C9, 0xF185, 0xF186


def text_font() -> bytes:
    """A small TrueType font with a glyph for each letter A to Z."""
    letters = [chr(code) for code in range(ord("A"), ord("Z") + 1)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", *letters])
    builder.setupCharacterMap({ord(letter): letter for letter in letters})
    pen = TTGlyphPen(None)
    pen.moveTo((0, 0))
    pen.lineTo((500, 700))
    pen.lineTo((0, 700))
    pen.closePath()
    box = pen.glyph()
    builder.setupGlyf({name: box for name in [".notdef", *letters]})
    builder.setupHorizontalMetrics({name: (600, 0) for name in [".notdef", *letters]})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Letters", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    output = io.BytesIO()
    builder.save(output)
    return output.getvalue()


def test_the_icon_font_keeps_only_the_icons_drawn() -> None:
    shipped = SOLID.read_bytes()
    assert {BARS, SUN, MOON} <= font_characters(shipped)
    smaller = subset_icon_font(shipped, {BARS, SUN, 0x10FFFD})  # one it does not have
    assert smaller is not None
    assert font_characters(smaller) == {BARS, SUN}
    assert len(smaller) < len(shipped) / 20
    with TTFont(io.BytesIO(smaller)) as font:
        assert font.flavor == "woff2"  # the same format, under the same name
        assert font["name"].getDebugName(1) == TTFont(SOLID).get("name").getDebugName(1)


def test_a_text_font_is_left_whole() -> None:
    font = text_font()
    assert len(font_characters(font)) == 26
    assert subset_icon_font(font, {ord("A")}) is None
