"""Draw the stand-in images the shipped posts refer to.

The posts came with photographs that are not ours to publish, so the site ships simple
drawings under the same names. Run ``python tools/make_stand_in_images.py`` to redraw them.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUTPUT = Path(__file__).resolve().parent.parent / "source" / "images" / "blog"
SIZE = (1600, 1067)


def _background(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    for y in range(SIZE[1]):
        mix = y / SIZE[1]
        colour = tuple(round(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (SIZE[0], y)], fill=colour)
    return image


def draw_thumbnail() -> Image.Image:
    """Cartons on a pallet under a magnifying glass: goods being inspected."""
    image = _background((232, 240, 247), (200, 214, 229))
    draw = ImageDraw.Draw(image)
    draw.rectangle([300, 820, 1300, 870], fill=(139, 94, 60))
    for row in range(3):
        for column in range(4 - row):
            x = 340 + column * 230 + row * 115
            y = 640 - row * 190
            draw.rectangle([x, y, x + 220, y + 180], fill=(196, 154, 108), outline=(120, 84, 50), width=6)
            draw.line([(x + 110, y), (x + 110, y + 180)], fill=(150, 110, 70), width=8)
    draw.ellipse([980, 180, 1380, 580], outline=(40, 52, 64), width=36)
    draw.ellipse([1016, 216, 1344, 544], fill=(215, 232, 245))
    draw.line([(1320, 520), (1520, 740)], fill=(40, 52, 64), width=60)
    draw.line([(1090, 380), (1160, 450), (1290, 300)], fill=(36, 140, 72), width=34)
    return image


def draw_handshake() -> Image.Image:
    """Two hands meeting over a signed contract."""
    image = _background((246, 241, 232), (226, 214, 196))
    draw = ImageDraw.Draw(image)
    draw.rectangle([520, 600, 1080, 1000], fill=(255, 255, 255), outline=(90, 90, 90), width=5)
    for line in range(6):
        y = 660 + line * 45
        draw.line([(570, y), (1030 - (line % 3) * 90, y)], fill=(150, 150, 150), width=8)
    draw.line([(600, 950), (700, 920), (760, 960), (840, 925)], fill=(30, 60, 160), width=6)
    draw.ellipse([920, 900, 1010, 990], outline=(179, 38, 30), width=8)
    draw.rectangle([0, 420, 640, 560], fill=(44, 62, 80))
    draw.rectangle([960, 420, 1600, 560], fill=(120, 72, 48))
    draw.rounded_rectangle(
        [600, 400, 1000, 580], radius=80, fill=(233, 190, 160), outline=(150, 110, 90), width=6
    )
    for finger in range(4):
        x = 680 + finger * 70
        draw.line([(x, 420), (x + 30, 560)], fill=(200, 155, 125), width=8)
    return image


def main() -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    draw_thumbnail().save(OUTPUT / "1_thumbnail.jpg", quality=85, optimize=True, progressive=True)
    draw_handshake().save(OUTPUT / "1_handshake.jpg", quality=85, optimize=True, progressive=True)


if __name__ == "__main__":
    main()
