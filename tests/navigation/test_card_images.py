"""Drawn social cards and cropped photos (pure: Pillow, no Sphinx)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFont

from sourcebook.navigation.card_images import (
    CARD_SIZE,
    CJK_FONTS,
    TEXT_FONTS,
    card_text,
    crop_photo,
    draw_card,
    drawn_key,
    find_font,
    font_for,
    save_card,
    wrap,
)

TITLE_AREA = (80, 150, 1120, 480)


def title_area(title: str, font: object) -> Image.Image:
    return draw_card(title, "Sourcebook", "May 17, 2017", font).crop(TITLE_AREA)  # type: ignore[arg-type]


def test_a_drawn_card_is_1200_by_630(tmp_path: Path) -> None:
    card = draw_card("Who owns the mould?", "Sourcebook", "May 17, 2017", font_for("Who owns the mould?"))
    assert card.size == CARD_SIZE == (1200, 630)
    save_card(card, tmp_path / "card.png")
    with Image.open(tmp_path / "card.png") as saved:
        assert saved.size == (1200, 630) and saved.format == "PNG"


def test_chinese_titles_are_drawn_with_a_font_that_has_their_glyphs() -> None:
    """With a CJK font, two Chinese titles draw differently; a font without their glyphs draws
    the same boxes for both, which is what the test would see if the font were missing."""
    cjk = font_for("模具")
    assert cjk is not None and cjk.path in {path for path, _index in CJK_FONTS}, (
        "Noto Sans CJK is not installed: run 'make test', which installs fonts-noto-cjk"
    )
    assert ImageChops.difference(title_area("模具", cjk), title_area("返工", cjk)).getbbox() is not None
    latin_only = find_font(TEXT_FONTS)
    assert latin_only is not None
    boxes = ImageChops.difference(title_area("模具", latin_only), title_area("返工", latin_only))
    assert boxes.getbbox() is None  # the same "missing glyph" boxes
    # A Latin title keeps the text font; a mixed one needs the CJK font.
    assert font_for("Who owns the mould?") == latin_only
    assert font_for("Who owns the 模具?") == cjk


def test_control_and_bidirectional_override_characters_are_never_drawn() -> None:
    assert card_text("Deposit\x1b[31m\u202e terms\u2066 \a\n now") == "Deposit[31m terms now"
    font = font_for("Deposit terms")
    assert (
        ImageChops.difference(
            title_area("Deposit\u202e terms\x07", font), title_area("Deposit terms", font)
        ).getbbox()
        is None
    )


def test_right_to_left_titles_are_drawn() -> None:
    font = font_for("שלום")
    assert ImageChops.difference(title_area("שלום עולם", font), title_area("", font)).getbbox() is not None


def test_a_long_title_wraps_and_is_cut_with_an_ellipsis() -> None:
    font = ImageFont.truetype(TEXT_FONTS[0][0], 40) if find_font(TEXT_FONTS) else ImageFont.load_default(40)
    lines, cut = wrap("word " * 200, font, 500, 3)
    assert cut and len(lines) == 3 and lines[-1].endswith("…")
    assert all(font.getlength(line) <= 500 for line in lines)
    lines, cut = wrap("a short title", font, 500, 3)
    assert (lines, cut) == (["a short title"], False)
    # A word longer than a line, and Chinese text without spaces, break anywhere.
    lines, cut = wrap("x" * 80, font, 500, 5)
    assert not cut and "".join(lines) == "x" * 80 and all(font.getlength(line) <= 500 for line in lines)
    cjk = find_font(CJK_FONTS)
    assert cjk is not None
    chinese = ImageFont.truetype(cjk.path, 40, index=cjk.index)
    lines, cut = wrap("模具费用谁拥有" * 6, chinese, 500, 4)
    assert not cut and len(lines) > 1 and "".join(lines) == "模具费用谁拥有" * 6


def test_a_drawn_card_s_key_follows_every_input() -> None:
    font = font_for("Title")
    key = drawn_key("Title", "Site", "May 17, 2017", font)
    assert key == drawn_key("Title", "Site", "May 17, 2017", font)
    others = {
        drawn_key("Title!", "Site", "May 17, 2017", font),
        drawn_key("Title", "Site 2", "May 17, 2017", font),
        drawn_key("Title", "Site", "May 18, 2017", font),
        drawn_key("Title", "Site", "May 17, 2017", None),
    }
    assert key not in others and len(others) == 4


@pytest.mark.parametrize(("size", "mode"), [((3000, 2000), "RGB"), ((400, 900), "RGBA"), ((640, 360), "P")])
def test_a_photo_is_cropped_to_the_card(tmp_path: Path, size: tuple[int, int], mode: str) -> None:
    source = tmp_path / "photo.png"
    Image.new(mode, size, 120).save(source)
    card = crop_photo(source)
    assert card.size == (1200, 630) and card.mode == "RGB"
    save_card(card, tmp_path / "card.jpg")
    with Image.open(tmp_path / "card.jpg") as saved:
        assert saved.size == (1200, 630) and saved.format == "JPEG"
