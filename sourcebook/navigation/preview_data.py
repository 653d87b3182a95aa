"""Link previews' data: what a card shows for a post or a glossary term, in a few files (pure).

A page's script looks a link's address up in one of :data:`BUCKETS` files, chosen by a hash
of the address that the script computes the same way (FNV-1a over its UTF-8 bytes), so that
the first hover fetches a small part of the data, not all of it: about 7 KB compressed per
file at 1,000 posts. An address is a page's from the site's root, as the builder names it
(``source/posts/x.html``), with the anchor for a glossary term (``source/glossary.html#term-psi``).
"""

from __future__ import annotations

import json
from typing import Any

#: How many files the previews are spread over; the page's script knows the same number.
BUCKETS = 16
#: The folder of the files, under the output root.
FOLDER = "kb-previews"
#: A description longer than this is cut (a card shows a few lines).
DESCRIPTION_LENGTH = 240

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193


def bucket_of(address: str) -> int:
    """Which file holds an address's preview: FNV-1a (32 bits) of its UTF-8 bytes."""
    value = _FNV_OFFSET
    for byte in address.encode("utf-8"):
        value = ((value ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return value % BUCKETS


def shortened(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    """``text`` cut at a word before ``length`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[: length - 1].rsplit(" ", 1)[0] or text[: length - 1]
    return cut.rstrip(" ,;:.") + "…"


def post_preview(
    title: str, description: str, date: str, image: tuple[str, int, int] | None
) -> dict[str, Any]:
    """A post's card: title, description, date, and its featured image's small variant
    (its address from the root, width and height) when it has one."""
    preview: dict[str, Any] = {"kind": "post", "title": title, "description": shortened(description)}
    if date:
        preview["date"] = date
    if image is not None:
        preview["image"], preview["width"], preview["height"] = image
    return preview


def term_preview(
    term: str, definition: str, chinese: str, pinyin: str, abbreviations: tuple[str, ...]
) -> dict[str, Any]:
    """A glossary term's card: the term, its short definition, Chinese name and abbreviations."""
    preview: dict[str, Any] = {"kind": "term", "title": term, "description": definition}
    if chinese:
        preview["chinese"] = chinese
    if pinyin:
        preview["pinyin"] = pinyin
    if abbreviations:
        preview["abbreviations"] = list(abbreviations)
    return preview


def bucket_files(previews: dict[str, dict[str, Any]]) -> dict[str, bytes]:
    """Every file's name and content: each bucket's previews by address, sorted (an empty
    bucket is written too, so the script never asks for a missing file)."""
    buckets: list[dict[str, dict[str, Any]]] = [{} for _ in range(BUCKETS)]
    for address in sorted(previews):
        buckets[bucket_of(address)][address] = previews[address]
    return {
        f"{number}.json": json.dumps(
            bucket, ensure_ascii=False, separators=(",", ":"), sort_keys=True
        ).encode()
        for number, bucket in enumerate(buckets)
    }
