"""Social card images, 1200 by 630: a post's featured photo cropped to fit, or a drawn card.

Pure (Pillow only, nothing from Sphinx): :mod:`sourcebook.navigation.social_cards` decides
which post gets which card, caches them and writes them into the site.

A drawn card shows the post's title, the site's name and the date. Titles are untrusted
text: control and format characters (bidirectional overrides among them) are left out
before drawing, a long title wraps and is cut with an ellipsis after a few lines, and
right-to-left text is laid out by Pillow's Raqm layout where Pillow has it. The fonts are
the system's: Noto Sans CJK (Debian's ``fonts-noto-cjk``) for a title with Chinese,
Japanese or Korean characters, DejaVu Sans for others (it has Latin, Greek, Cyrillic,
Arabic and Hebrew), Pillow's own font when neither is installed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

#: The size Open Graph and Twitter recommend for a large card.
CARD_SIZE = (1200, 630)
#: Bumped when drawn cards change look: part of every drawn card's key, so all are redrawn.
DRAWING_VERSION = "1"
#: Encoder settings per format: part of the cache key.
JPEG_QUALITY = 85

#: Fonts by role, first found wins: (path, index in a collection).
CJK_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),  # Debian and Ubuntu; 2 is SC
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc", 2),  # Arch, Fedora
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc", 2),
)
TEXT_FONTS = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 0),  # Debian and Ubuntu
    ("/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf", 0),  # Fedora
    ("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf", 0),  # Arch
)

BACKGROUND = (23, 37, 66)
ACCENT = (242, 169, 59)
TITLE_COLOUR = (255, 255, 255)
MUTED = (182, 194, 216)
MARGIN = 80
TITLE_SIZES = ((68, 3), (56, 4))  # font size, most lines: the larger size while the title fits

#: Chinese, Japanese and Korean characters, which need a CJK font and may break anywhere.
_CJK = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class FontFile:
    """A font on disk: the path, the face's index in a collection, and the file's size
    (which changes with the font's version: part of a drawn card's key)."""

    path: str
    index: int
    size: int


def find_font(candidates: tuple[tuple[str, int], ...]) -> FontFile | None:
    """The first of the candidate fonts that exists."""
    for path, index in candidates:
        try:
            size = Path(path).stat().st_size
        except OSError:
            continue
        return FontFile(path, index, size)
    return None


def needs_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def font_for(text: str) -> FontFile | None:
    """The font a drawn card uses for ``text`` (its title, the site's name and the date):
    a CJK font when the text has such characters, else the text font; None for Pillow's own."""
    if needs_cjk(text):
        return find_font(CJK_FONTS) or find_font(TEXT_FONTS)
    return find_font(TEXT_FONTS) or find_font(CJK_FONTS)


def card_text(text: str) -> str:
    """Text a card may draw: no control or format characters (``\\e``, U+202E…), one space
    between words."""
    kept = "".join(" " if character.isspace() else character for character in text if not _hidden(character))
    return _SPACES.sub(" ", kept).strip()


def _hidden(character: str) -> bool:
    return not character.isspace() and unicodedata.category(character) in ("Cc", "Cf", "Cs", "Co", "Cn")


def drawn_key(title: str, site: str, date: str, font: FontFile | None) -> str:
    """What a drawn card depends on, as a digest: the same inputs, the same file."""
    parts = [DRAWING_VERSION, title, site, date, repr(font)]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:16]


def photo_key(digest: str) -> str:
    """A cropped photo's key: the source image's content and the encoder's settings."""
    return hashlib.sha256(f"photo\x00{digest}\x00{JPEG_QUALITY}".encode()).hexdigest()[:16]


def _load(font: FontFile | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if font is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(font.path, size, index=font.index)


def _length(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> float:
    return float(font.getlength(text))


def _pieces(text: str) -> list[str]:
    """Where a line may break: after each space, and around each CJK character."""
    pieces: list[str] = []
    for word in text.split(" "):
        current = ""
        for character in word:
            if needs_cjk(character):
                if current:
                    pieces.append(current)
                pieces.append(character)
                current = ""
            else:
                current += character
        if current:
            pieces.append(current)
        pieces.append(" ")
    return pieces[:-1]


def wrap(
    text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float, most: int
) -> tuple[list[str], bool]:
    """``text`` in lines no wider than ``width``, at most ``most`` of them; whether it was cut
    (the last line then ends with an ellipsis). A word wider than a line is broken anywhere."""
    lines: list[str] = []
    line = ""
    for piece in _pieces(text):
        if piece == " " and not line:
            continue
        candidate = line + piece
        if _length(font, candidate.rstrip()) <= width:
            line = candidate
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = "" if piece == " " else piece
        while _length(font, line) > width:  # a word longer than a line
            cut = len(line)
            while cut > 1 and _length(font, line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) <= most:
        return lines, False
    kept = lines[:most]
    last = kept[-1]
    while last and _length(font, last + "…") > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + "…"
    return kept, True


def draw_card(title: str, site: str, date: str, font: FontFile | None) -> Image.Image:
    """A card for a post without a featured image: the site's name, the title, the date."""
    title, site, date = card_text(title), card_text(site), card_text(date)
    width, height = CARD_SIZE
    image = Image.new("RGB", CARD_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, height), fill=ACCENT)
    small = _load(font, 34)
    draw.text((MARGIN, 64), site, font=small, fill=ACCENT)
    text_width = width - 2 * MARGIN
    for size, most in TITLE_SIZES:
        title_font = _load(font, size)
        lines, cut = wrap(title, title_font, text_width, most)
        if not cut:
            break
    line_height = round(size * 1.25)
    top = 150 + max(0, (4 * 70 - len(lines) * line_height) // 2)
    for number, line in enumerate(lines):
        draw.text((MARGIN, top + number * line_height), line, font=title_font, fill=TITLE_COLOUR)
    if date:
        draw.text((MARGIN, height - 64 - 34), date, font=small, fill=MUTED)
    return image


def crop_photo(source: Path) -> Image.Image:
    """A featured photo cropped to the card's shape around its centre, then resized to it."""
    with Image.open(source) as opened:
        if opened.format in ("JPEG", "MPO"):
            # libjpeg decodes at a fraction of the size for free: camera photos are large.
            opened.draft("RGB", (CARD_SIZE[0] * 2, CARD_SIZE[1] * 2))
        picture = ImageOps.exif_transpose(opened)
        picture = picture.convert("RGBA") if picture.mode in ("P", "PA", "LA") else picture
        if picture.mode == "RGBA":  # transparency over the card's background
            flat = Image.new("RGB", picture.size, BACKGROUND)
            flat.paste(picture, mask=picture.getchannel("A"))
            picture = flat
        elif picture.mode != "RGB":
            picture = picture.convert("RGB")
        return ImageOps.fit(picture, CARD_SIZE, Image.Resampling.LANCZOS)


def save_card(image: Image.Image, target: Path) -> None:
    """Write a card, replacing the file at once (an interrupted build leaves no half file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.partial")
    if target.suffix == ".png":
        # A drawn card has a few colours and their anti-aliased blends: a palette of 64 is
        # a third of the full-colour file's size, and twice as fast as optimising it.
        image.quantize(64).save(partial, format="PNG")
    else:
        image.save(partial, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    partial.replace(target)
