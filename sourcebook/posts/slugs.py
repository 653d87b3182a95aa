"""Slugs: the stable names under which posts are linked and redirected.

Pure helpers, no Sphinx import. A slug keeps the author's spelling (the old Gatsby
URLs used it verbatim) and is compared case-insensitively through :func:`slug_key`.
"""

from __future__ import annotations

import difflib
import heapq
import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz, process

_SEGMENT = re.compile(r"^[\w~-][\w.~-]*$")
_NOT_SLUG_CHARS = re.compile(r"[^\w]+")


def slugify(text: str) -> str:
    """Make a lower-case, hyphenated slug from free text (a title, a file name)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = _NOT_SLUG_CHARS.sub(" ", ascii_text.replace("_", " ")).split()
    return "-".join(words).lower()


def tag_slug(name: str) -> str:
    """The name of a tag's page: tags that differ only in case or punctuation share one."""
    return slugify(name) or "tag"


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


#: How many slugs a "did you mean" names, and how close (difflib's ratio) each must be.
SUGGESTIONS = 3
SUGGESTION_CUTOFF = 0.5
#: Slack for floating-point rounding when a bound is compared with a ratio.
_EPSILON = 1e-9


class SlugIndex:
    """The known slugs, for naming the closest ones to a slug that no post has.

    The answer is difflib's ``get_close_matches`` (its ratio, cutoff and order) without
    difflib's cost: that compares the slug with every known slug in Python, about 1.4 s per
    link at 10,000 posts. rapidfuzz's Indel similarity, ``2 * LCS / (len(a) + len(b))``,
    computed in C++ with bit-parallel arithmetic, bounds difflib's ratio from above (difflib's
    matching blocks form a common subsequence, at most the longest one). So slugs are scored
    with difflib in the order of that bound, best first, and the search stops as soon as the
    bound falls below the last suggestion's ratio: a few slugs scored in Python instead of all.
    Made once per build (or ``sourcebook check`` run), from the slugs' owners.
    """

    def __init__(self, known_slugs: Iterable[str]) -> None:
        self._spelling: dict[str, str] = {}
        for slug in known_slugs:
            self._spelling.setdefault(slug_key(slug), slug)
        self._keys = list(self._spelling)

    def closest(self, slug: str, count: int = SUGGESTIONS, cutoff: float = SUGGESTION_CUTOFF) -> list[str]:
        """Up to ``count`` known slugs, closest first, as ``difflib.get_close_matches`` names them."""
        query = slug_key(slug)
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(query)  # as get_close_matches does: the slug asked for is difflib's b
        best: list[tuple[float, str]] = []  # the `count` largest (ratio, key), a min-heap
        scored: set[str] = set()
        limit = 4 * count
        while True:
            bounds = process.extract(
                query, self._keys, scorer=fuzz.ratio, score_cutoff=100 * cutoff - _EPSILON, limit=limit
            )
            for key, bound, _position in bounds:
                if len(best) == count and bound / 100 + _EPSILON < best[0][0]:
                    return self._spelled(best)  # no slug left can reach the last suggestion
                if key in scored:
                    continue
                scored.add(key)
                matcher.set_seq1(key)
                ratio = matcher.ratio()
                if ratio < cutoff:
                    continue
                if len(best) < count:
                    heapq.heappush(best, (ratio, key))
                elif (ratio, key) > best[0]:
                    heapq.heapreplace(best, (ratio, key))
            if len(bounds) < limit:
                return self._spelled(best)  # every slug within the cutoff's bound was scored
            limit *= 4

    def _spelled(self, best: list[tuple[float, str]]) -> list[str]:
        return [self._spelling[key] for _ratio, key in sorted(best, reverse=True)]


def unknown_slug(slug: str, known: SlugIndex) -> str:
    """The one wording of a link to a missing slug, naming the closest existing slugs;
    shared by the build and ``sourcebook check``."""
    hint = " or ".join(f"'{close}'" for close in known.closest(slug))
    advice = f"did you mean {hint}?" if hint else "check the slug in the target post's frontmatter"
    return f"no post has the slug '{slug}'; {advice}"
