"""Check every post without building the site: what ``sourcebook check`` runs.

It applies the build's own rules (:mod:`sourcebook.frontmatter`, the slug wordings of
:mod:`sourcebook.slugs`) to the files directly, body images and links to posts included, so
it reports the same problems in the same words as a build, in a fraction of the time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sourcebook.frontmatter import check_image, decode, parse_post
from sourcebook.slugs import duplicate_slug_message, slug_from_link, slug_key, unknown_slug


@dataclass(frozen=True)
class Finding:
    """One problem in one file, printed the way Sphinx prints a warning."""

    path: str
    line: int
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: WARNING: {self.message} [kb.{self.kind}]"


def check_posts(srcdir: Path, posts_dir: str) -> tuple[int, list[Finding]]:
    """Return the number of posts checked and every problem found, in file order."""
    findings: list[Finding] = []
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
        image = frontmatter.featured_image
        if image and "://" not in image:
            _resolved, reason = check_image(image, path, srcdir)
            if reason:
                line = frontmatter.line_of("featuredImage")
                findings.append(Finding(relative, line, "image", f"featuredImage '{image}' {reason}"))
        known_slugs.setdefault(slug_key(frontmatter.slug), frontmatter.slug)
        owner = slug_owners.setdefault(slug_key(frontmatter.slug), relative)
        if owner != relative:
            message = duplicate_slug_message(frontmatter.slug, owner)
            findings.append(Finding(relative, frontmatter.line_of("slug"), "slug", message))
        for line, is_image, target in body_links(parsed.body_with_blank_head()):
            if is_image:
                if "://" not in target and not target.startswith("data:"):
                    _resolved, reason = check_image(target, path, srcdir)
                    if reason:
                        findings.append(Finding(relative, line, "image", f"image '{target}' {reason}"))
            elif (slug := _linked_slug(target)) is not None:
                links.append((relative, line, slug))
    for relative, line, slug in links:
        if slug_key(slug) not in slug_owners:
            findings.append(Finding(relative, line, "link", unknown_slug(slug, known_slugs.values())))
    findings.sort(key=lambda finding: (finding.path, finding.line))
    return len(paths), findings


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
