"""Slugs: the stable names under which posts are linked and redirected.

Pure helpers, no Sphinx import. A slug keeps the author's spelling (the old Gatsby
URLs used it verbatim) and is compared case-insensitively through :func:`slug_key`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

_SEGMENT = re.compile(r"^[\w~-][\w.~-]*$")
_NOT_SLUG_CHARS = re.compile(r"[^\w]+")


def slugify(text: str) -> str:
    """Make a lower-case, hyphenated slug from free text (a title, a file name)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = _NOT_SLUG_CHARS.sub(" ", ascii_text.replace("_", " ")).split()
    return "-".join(words).lower()


def slug_key(slug: str) -> str:
    """The form two slugs are compared in: Gatsby served URLs case-insensitively."""
    return slug.casefold()


def normalise_slug(raw: str) -> tuple[str | None, str | None]:
    """Return ``(slug, None)`` for a usable slug, or ``(None, reason)``.

    Surrounding slashes and whitespace go (``'/x/'`` is ``'x'``); inner slashes are kept
    for nested slugs, but no segment may be empty, ``.`` or ``..``: a slug names a page
    inside the site and must never climb out of it.
    """
    text = raw.strip().strip("/")
    if not text:
        return None, "is empty"
    segments = text.split("/")
    if any(segment in (".", "..") for segment in segments):
        return None, "would point outside the site"
    if "\\" in text or "://" in text or "" in segments:
        return None, "is not a plain path inside the site"
    for segment in segments:
        if not _SEGMENT.match(segment):
            return None, "may only hold letters, digits, '-', '_', '.', '~' and '/'"
    return text, None


def duplicate_slug_message(slug: str, owner_path: str) -> str:
    """The one wording of a slug clash, shared by the build and ``sourcebook check``."""
    return f"the slug '{slug}' is already used by {owner_path}; give this post its own slug"


def slug_from_link(target: str) -> tuple[str, str] | None:
    """The slug and anchor of a Gatsby-style link to a post, or None for any other link.

    Accepted: ``/slug``, ``/slug/``, ``/blog/slug``, ``/blog/slug/``, each optionally with
    ``#anchor``. A target with a file suffix (``/images/x.png``, ``/a.md``) is not a slug.
    """
    path, _hash, anchor = target.strip().partition("#")
    if not path.startswith("/") or path.startswith("//"):
        return None
    text = path.strip("/")
    if text.casefold().startswith("blog/"):
        text = text[len("blog/") :]
    slug, reason = normalise_slug(text)
    if slug is None or reason is not None or "." in slug.rsplit("/", 1)[-1]:
        return None
    return slug, anchor


def unknown_slug(slug: str, known_slugs: Iterable[str]) -> str:
    """The one wording of a link to a missing slug, naming the closest existing slugs;
    shared by the build and ``sourcebook check``."""
    known = {slug_key(known_slug): known_slug for known_slug in known_slugs}
    close = difflib.get_close_matches(slug_key(slug), list(known), n=3, cutoff=0.5)
    hint = " or ".join(f"'{known[key]}'" for key in close)
    advice = f"did you mean {hint}?" if hint else "check the slug in the target post's frontmatter"
    return f"no post has the slug '{slug}'; {advice}"
