"""Social cards: each post's ``og:image`` and ``twitter:image``, 1200 by 630.

A post with a local JPEG or PNG featured image gets that image cropped to the card's shape;
one without (or with an SVG, a GIF, an unreadable file) gets a drawn card: its title, the
site's name and its date (:mod:`sourcebook.navigation.card_images`). A featured image given
as an http(s) address is used as it is: the build fetches nothing.

A card's file is named by what it is made of (the photo's content hash; or the title, site
name, date, font and drawing's version), so every process that writes pages names it from
the environment alone, and an unchanged card keeps its name and its file. The cards are
made once per build in the main process (``html-collect-pages``), into a cache under the
doctree folder, and only those the cache lacks are drawn; the output gets copies.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

from sourcebook.navigation.card_images import (
    CARD_SIZE,
    CJK_FONTS,
    FontFile,
    crop_photo,
    draw_card,
    drawn_key,
    font_for,
    needs_cjk,
    photo_key,
    save_card,
)
from sourcebook.output import builds_website
from sourcebook.posts.frontmatter import format_date
from sourcebook.posts.image_variants import shown_image_info
from sourcebook.posts.store import PostRecord, get_domain
from sourcebook.reporting import warn
from sourcebook.terminal import printable

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: The cache of made cards, under the doctree folder: it survives a wiped output folder.
CACHE_DIR = "kb-social-cards"
#: Where the cards go, under the builder's image folder (``_images``).
OUTPUT_DIR = "social"


@dataclass(frozen=True)
class SocialCard:
    """One post's card: its file name and what it is made of."""

    name: str
    photo: str | None
    """The featured image's path from the source folder, cropped; None for a drawn card."""
    title: str = ""
    site: str = ""
    date: str = ""
    font: FontFile | None = None

    @property
    def media_type(self) -> str:
        return "image/jpeg" if self.name.endswith(".jpg") else "image/png"


def card_of(app: Sphinx, post: PostRecord) -> SocialCard | None:
    """The card of a post, or None when its featured image is a remote address (used as is)."""
    if post.image and "://" in post.image:
        return None
    info = shown_image_info(app.env, post.docname, post.image) if post.image else None
    if info is not None and post.image:
        return SocialCard(f"{photo_key(info.digest)}.jpg", post.image.lstrip("/"))
    site = str(app.config.project)
    date = format_date(post.date[:10]) if post.date else ""
    font = font_for(f"{post.title}{site}{date}")
    key = drawn_key(post.title, site, date, font)
    return SocialCard(f"{key}.png", None, post.title, site, date, font)


def card_path(app: Sphinx, card: SocialCard) -> str:
    """The card's address from the output root."""
    imagedir = str(getattr(app.builder, "imagedir", "_images"))
    return f"{imagedir}/{OUTPUT_DIR}/{card.name}"


def social_image(app: Sphinx, post: PostRecord) -> tuple[str, int, int, str] | None:
    """What a post's head says of its image: its address from the output root (or a remote
    one), width, height and media type (0 and '' when unknown); None without one."""
    card = card_of(app, post)
    if card is None:
        return (post.image, 0, 0, "") if post.image else None
    return card_path(app, card), *CARD_SIZE, card.media_type


def _make(app: Sphinx, card: SocialCard, cache: Path) -> bool:
    """Make a card the cache lacks; whether it was made."""
    target = cache / card.name
    if target.is_file():
        return False
    if card.photo is not None:
        image = crop_photo(Path(app.srcdir) / card.photo)
    else:
        image = draw_card(card.title, card.site, card.date, card.font)
    save_card(image, target)
    return True


def write_cards(app: Sphinx) -> Iterable[tuple[str, dict[str, Any], str]]:
    """Make what the cache lacks, then copy every post's card into ``_images/social/``.

    At ``html-collect-pages``: once per build, in the main process; the post store and the
    image records are complete, after incremental and parallel builds alike.
    """
    if not builds_website(app):
        return []
    cards: dict[str, SocialCard] = {}
    for post in get_domain(app.env).sorted_posts():
        if (card := card_of(app, post)) is not None:
            cards.setdefault(card.name, card)
    cache = Path(app.doctreedir) / CACHE_DIR
    output = Path(app.outdir) / str(getattr(app.builder, "imagedir", "_images")) / OUTPUT_DIR
    cache.mkdir(parents=True, exist_ok=True)
    output.mkdir(parents=True, exist_ok=True)

    def make(card: SocialCard) -> bool | Exception:
        try:
            return _make(app, card, cache)
        except (OSError, ValueError) as error:
            return error

    # Pillow releases the GIL while decoding, resizing and encoding: threads use every core.
    with ThreadPoolExecutor(max_workers=max(1, app.parallel)) as pool:
        results = list(pool.map(make, cards.values()))
    _warn_missing_fonts(cards.values())
    made = 0
    for card, result in zip(cards.values(), results, strict=True):
        if isinstance(result, Exception):
            source = card.photo or card.title
            warn("image", f"the social card of '{source}' could not be made ({result})", location=None)
            continue
        made += result
        target = output / card.name
        if not target.is_file() or target.stat().st_size != (cache / card.name).stat().st_size:
            shutil.copyfile(cache / card.name, target)
    # Both folders are ours: cards no post uses any more go, as after a clean build.
    for folder in (cache, output):
        for stale in folder.iterdir():
            if stale.name not in cards:
                stale.unlink()
    logger.info("sourcebook: %d social cards made, %d reused", made, len(cards) - made)
    return []


def _warn_missing_fonts(cards: Iterable[SocialCard]) -> None:
    """Once a build: drawn cards whose title needs a CJK font that is not installed."""
    cjk_paths = {path for path, _index in CJK_FONTS}
    lacking = [card.title for card in cards if card.photo is None and needs_cjk(card.title)]
    if lacking and not any(card.font is not None and card.font.path in cjk_paths for card in cards):
        logger.warning(
            "no font with Chinese, Japanese and Korean characters is installed: the social cards "
            "of %d post(s) (%s) show boxes for them; install Noto Sans CJK "
            "(apt-get install fonts-noto-cjk) and build again",
            len(lacking),
            printable(lacking[0]),
            type="sourcebook",
            subtype="fonts",
        )


def setup_social_cards(app: Sphinx) -> None:
    app.connect("html-collect-pages", write_cards)
