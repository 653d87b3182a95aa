"""Check every post without building the site: what ``sourcebook check`` runs.

It applies the build's own rules (:mod:`sourcebook.frontmatter`, the slug-clash wording
of :mod:`sourcebook.slugs`) to the files directly, so it reports the same problems in the
same words as a build, in a fraction of the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sourcebook.frontmatter import check_image, decode, parse_post
from sourcebook.slugs import duplicate_slug_message, slug_key


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
        owner = slug_owners.setdefault(slug_key(frontmatter.slug), relative)
        if owner != relative:
            message = duplicate_slug_message(frontmatter.slug, owner)
            findings.append(Finding(relative, frontmatter.line_of("slug"), "slug", message))
    findings.sort(key=lambda finding: (finding.path, finding.line))
    return len(paths), findings
