"""Check every post without building the site: what ``sourcebook check`` runs.

It applies the build's own rules (:mod:`sourcebook.posts.frontmatter`, the slug wordings of
:mod:`sourcebook.posts.slugs`) to the files directly, body images and links to posts included, so
it reports the same problems in the same words as a build, in a fraction of the time.

Two levels of finding:

* **warnings** (``kb.<kind>``): exactly what the build warns about, so what fails
  ``sourcebook build --strict`` and Read the Docs' ``fail_on_warning``;
* **notes** (``kb.note.<kind>``): advice the build has no warning for, because the site still
  builds and works: a draft or a post dated after today (left out of the published site; the
  note says when it appears), a post without a description or
  tags, an image far wider than any page shows. ``sourcebook check --strict`` fails on them too.

Both honour the site's ``suppress_warnings`` the way Sphinx does (``kb``, ``kb.*``,
``kb.image``; ``kb.note``, ``kb.note.draft``), so ``check`` passes when the build would.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from sourcebook.posts.frontmatter import FrontMatter, check_image, decode, format_date, parse_post
from sourcebook.posts.schedule import is_scheduled
from sourcebook.posts.slugs import (
    SlugIndex,
    duplicate_slug_message,
    slug_from_link,
    slug_key,
    unknown_slug,
)
from sourcebook.terminal import printable

#: The widest variant the build makes of a post image (``image_variants.WIDTHS[-1]``; not
#: imported, to keep ``check`` free of Sphinx): no page shows an image wider than this.
LARGEST_SHOWN_WIDTH = 1600
#: Wider than this, an image is "much larger than needed": the original is still published
#: and kept in the repository, and every clean build re-encodes it.
OVERSIZED_WIDTH = 2 * LARGEST_SHOWN_WIDTH
#: Files whose pixel size is worth reading (Pillow reads only the header).
_RASTER_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif"})

_EXIF_ORIENTATION = 0x0112
_QUARTER_TURNS = frozenset({5, 6, 7, 8})

WARNING = "WARNING"
NOTE = "NOTE"


@dataclass(frozen=True)
class Finding:
    """One problem or note in one file, printed the way Sphinx prints a warning."""

    path: str
    line: int
    kind: str
    message: str
    level: str = WARNING

    @property
    def is_note(self) -> bool:
        return self.level == NOTE

    @property
    def type(self) -> str:
        """The ``suppress_warnings`` type: ``kb`` for build warnings, ``kb.note`` for notes."""
        return "kb.note" if self.is_note else "kb"

    def __str__(self) -> str:
        line = f"{self.path}:{self.line}: {self.level}: {self.message} [{self.type}.{self.kind}]"
        return printable(line)


def is_suppressed(finding: Finding, suppress_warnings: Collection[str]) -> bool:
    """Sphinx's own rule (``sphinx.util.logging.is_suppressed_warning``): type, type.*, type.subtype."""
    return bool(
        {finding.type, f"{finding.type}.*", f"{finding.type}.{finding.kind}"} & set(suppress_warnings)
    )


def check_posts(
    srcdir: Path,
    posts_dir: str,
    suppress_warnings: Collection[str] = (),
    *,
    today: dt.date | None = None,
    publish_future: bool = False,
) -> tuple[int, list[Finding]]:
    """Return the number of posts checked and every warning and note, in file order.

    ``today`` is the build's day (see :mod:`sourcebook.posts.schedule`): posts dated after it
    get a note saying when they appear, unless ``publish_future`` publishes them already.
    """
    findings: list[Finding] = []
    image_sizes: dict[Path, tuple[int, int] | None] = {}
    slug_owners: dict[str, str] = {}
    known_slugs: dict[str, str] = {}
    links: list[tuple[str, int, str]] = []
    paths = sorted((srcdir / posts_dir).rglob("*.md"))
    for path in paths:
        relative = path.relative_to(srcdir).as_posix()
        text, problem = decode(path.read_bytes())
        if text is None:
            assert problem is not None
            findings.append(Finding(relative, problem.line, problem.kind, problem.message))
            continue
        parsed = parse_post(text, path.stem)
        frontmatter = parsed.frontmatter
        for problem in parsed.problems:
            findings.append(Finding(relative, problem.line, problem.kind, problem.message))
        findings += _notes(relative, frontmatter)
        scheduled = today is not None and not publish_future and is_scheduled(frontmatter.date, today)
        if scheduled and not frontmatter.draft:
            assert today is not None
            findings.append(_scheduled_note(relative, frontmatter, today))
        image = frontmatter.featured_image
        if image and "://" not in image:
            resolved, reason = check_image(image, path, srcdir)
            line = frontmatter.line_of("featuredImage")
            if reason:
                findings.append(Finding(relative, line, "image", f"featuredImage '{image}' {reason}"))
            elif note := _oversized(resolved, f"featuredImage '{image}'", image_sizes):
                findings.append(Finding(relative, line, "image-size", note, NOTE))
        known_slugs.setdefault(slug_key(frontmatter.slug), frontmatter.slug)
        owner = slug_owners.setdefault(slug_key(frontmatter.slug), relative)
        if owner != relative:
            message = duplicate_slug_message(frontmatter.slug, owner)
            findings.append(Finding(relative, frontmatter.line_of("slug"), "slug", message))
        for line, is_image, target in body_links(parsed.body_with_blank_head()):
            if is_image:
                if "://" not in target and not target.startswith("data:"):
                    resolved, reason = check_image(target, path, srcdir)
                    if reason:
                        findings.append(Finding(relative, line, "image", f"image '{target}' {reason}"))
                    elif note := _oversized(resolved, f"image '{target}'", image_sizes):
                        findings.append(Finding(relative, line, "image-size", note, NOTE))
            elif (slug := _linked_slug(target)) is not None:
                links.append((relative, line, slug))
    known = SlugIndex(known_slugs.values())  # the owners' spellings, as the build's
    for relative, line, slug in links:
        if slug_key(slug) not in slug_owners:
            findings.append(Finding(relative, line, "link", unknown_slug(slug, known)))
    findings = [finding for finding in findings if not is_suppressed(finding, suppress_warnings)]
    findings.sort(key=lambda finding: (finding.path, finding.line, finding.is_note))
    return len(paths), findings


def _notes(relative: str, frontmatter: FrontMatter) -> list[Finding]:
    """The advice for one post's frontmatter; none when there was no frontmatter to read
    (its warning already says what to write)."""
    if not frontmatter.raw:
        return []
    notes: list[Finding] = []
    if frontmatter.draft:
        notes.append(
            Finding(
                relative,
                frontmatter.line_of("draft"),
                "draft",
                "the post is a draft, left out of the published site (sourcebook serve shows it); "
                "remove the line draft: true to publish it",
                NOTE,
            )
        )
    if not frontmatter.description:
        notes.append(
            Finding(
                relative,
                frontmatter.line_of("description"),
                "description",
                "the post has no description, so search engines and link previews show the start "
                "of its text instead; add a line description: '<the answer, in one sentence>'",
                NOTE,
            )
        )
    if not frontmatter.tags:
        notes.append(
            Finding(
                relative,
                frontmatter.line_of("tags"),
                "tags",
                "the post has no tags, so no tag page lists it; "
                "add a line such as tags: [inspection, payment]",
                NOTE,
            )
        )
    return notes


def _scheduled_note(relative: str, frontmatter: FrontMatter, today: dt.date) -> Finding:
    """When a post dated after the build's day appears."""
    day = format_date(frontmatter.date or "")
    return Finding(
        relative,
        frontmatter.line_of("date"),
        "scheduled",
        f"the post is dated {day}, after today ({format_date(today.isoformat())}): the published "
        f"site leaves it out until a build on or after {day} (sourcebook serve shows it); "
        "set kb_publish_future = True in conf.py to publish it now",
        NOTE,
    )


def _oversized(image: Path | None, named: str, sizes: dict[Path, tuple[int, int] | None]) -> str | None:
    """Why an existing image file is much larger than any page needs, or None.

    ``sizes`` caches each file's pixel size: posts share images.
    """
    if image is None or image.suffix.lower() not in _RASTER_SUFFIXES:
        return None
    if image not in sizes:
        sizes[image] = _pixel_size(image)
    size = sizes[image]
    if size is None or size[0] <= OVERSIZED_WIDTH:
        return None
    weight = image.stat().st_size
    shown = f"{weight / 1_000_000:.1f} MB" if weight >= 1_000_000 else f"{-(-weight // 1000)} kB"
    return (
        f"{named} is {size[0]}x{size[1]} px ({shown}), but no page shows an image wider "
        f"than {LARGEST_SHOWN_WIDTH} px and the original is published too; "
        f"save it at most {OVERSIZED_WIDTH} px wide"
    )


def _pixel_size(image: Path) -> tuple[int, int] | None:
    """The image's width and height from its header; None when Pillow cannot read it (the
    build then shows it as it is, without variants, and says nothing either)."""
    from PIL import Image  # only when a post has an image: keeps start-up fast

    try:
        with Image.open(image) as opened:
            width, height = opened.size
            # As displayed, like the build's image_variants.read_image_info: EXIF can turn a
            # photograph by a quarter.
            if opened.getexif().get(_EXIF_ORIENTATION) in _QUARTER_TURNS:
                width, height = height, width
            return width, height
    except (OSError, Image.DecompressionBombError):  # UnidentifiedImageError is an OSError
        return None


_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"(!?)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_POST_ROLE = re.compile(r"\{kb:post\}`(?:[^`<]*<)?([^`>]+)>?`")


def body_links(body: str) -> Iterator[tuple[int, bool, str]]:
    """Each Markdown link, image and ``{kb:post}`` role of a body: (line, is_image, target).

    Fenced code blocks and inline code are skipped, as MyST skips them.
    """
    in_fence = False
    for number, line in enumerate(body.split("\n"), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for match in _POST_ROLE.finditer(line):
            yield number, False, "kb:post:" + match.group(1).strip()
        text = _INLINE_CODE.sub("", line)
        for match in _LINK.finditer(text):
            yield number, match.group(1) == "!", match.group(2)


def _linked_slug(target: str) -> str | None:
    if target.startswith("kb:post:"):
        return target.removeprefix("kb:post:").strip("/")
    found = slug_from_link(target)
    return found[0] if found else None
